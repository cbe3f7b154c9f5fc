"""Related questions beside a thread (as Stack Overflow's "Related"): open questions that
share its tags or the words of its title, best first. One query; the thread page keeps
the list with the thread's shared rows (thread_snapshot), so a warm page reads nothing.

The list is the same for every viewer, so it holds only questions anyone may read: never
deleted, hidden, closed or private-category (lounge) ones, never the thread itself.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from taggit.models import TaggedItem

from forum import permissions
from forum.models import Question
from forum.search import terms

RELATED_LIMIT = 5
# Title words shorter than this are too common to relate two questions ("sim" is a tag).
MIN_WORD_LENGTH = 4
MAX_WORDS = 6
TAG_WEIGHT = 3  # a shared tag counts as much as three shared title words


def _tagged(tag_ids: list[int]):  # noqa: ANN202 - a TaggedItem queryset
    return TaggedItem.objects.filter(
        tag_id__in=tag_ids, content_type__app_label="forum", content_type__model="question"
    )


def related_questions(question: Question, limit: int = RELATED_LIMIT) -> list[Question]:
    """Up to `limit` open public questions sharing `question`'s tags (its `tags` are
    prefetched by the thread's readers) or title words, by how much they share, then
    score and recency. One query; none when there is nothing to share."""
    tag_ids = [tag.pk for tag in question.tags.all()]
    words = [w for w in terms(question.title) if len(w) >= MIN_WORD_LENGTH][:MAX_WORDS]
    if not tag_ids and not words:
        return []
    matches = Q(pk__in=_tagged(tag_ids).values("object_id")) if tag_ids else Q()
    title_score = Value(0)
    for word in words:
        matches |= Q(title__icontains=word)
        title_score += Case(When(title__icontains=word, then=Value(1)), default=Value(0))
    shared_tags = (
        _tagged(tag_ids)
        .filter(object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    public = permissions.visible_questions(
        Question.objects.filter(deleted_at__isnull=True, closed_at__isnull=True), AnonymousUser()
    )
    return list(
        public.filter(matches)
        .exclude(pk=question.pk)
        .annotate(
            relatedness=Coalesce(Subquery(shared_tags, output_field=IntegerField()), 0) * TAG_WEIGHT
            + title_score
        )
        .order_by("-relatedness", "-score", "-created_at")[:limit]
    )
