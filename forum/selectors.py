"""Reads for the forum pages and the API: scoped, with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from forum import permissions
from forum.models import Answer, Category, Comment, Question, Revision, User, Vote
from forum.search import search_questions

ORDERINGS = {
    "newest": ("-created_at",),
    "active": ("-last_activity_at",),
    "votes": ("-score", "-created_at"),
}
STATUSES = ("unanswered", "unsolved", "solved")


def question_list(
    *,
    user: User,
    ordering: str = "newest",
    status: str = "",
    tag: str = "",
    category: Category | None = None,
    author: User | None = None,
    tags_in: list[str] | None = None,
    q: str = "",
) -> QuerySet[Question]:
    """Questions a member may see, filtered and ordered; tags and authors prefetched.

    Lists never show deleted questions (a profile shows its owner their own); hidden
    questions and the advocates' lounge only to whom `visible_questions` allows.
    """
    qs = permissions.visible_questions(Question.objects.filter(deleted_at__isnull=True), user)
    if author is not None:
        qs = permissions.visible_questions(Question.objects.all(), user).filter(author=author)
    if status == "unanswered":
        qs = qs.filter(answer_count=0, closed_at__isnull=True)
    elif status == "unsolved":
        qs = qs.filter(accepted_answer__isnull=True, closed_at__isnull=True)
    elif status == "solved":
        qs = qs.filter(accepted_answer__isnull=False)
    if tag:
        qs = qs.filter(tags__slug=tag)
    if tags_in:
        qs = qs.filter(tags__slug__in=tags_in).distinct()
    if category is not None:
        qs = qs.filter(category=category)
    qs = qs.select_related("author", "category").prefetch_related("tags")
    if q:
        return search_questions(qs, q)
    return qs.order_by(*ORDERINGS.get(ordering, ORDERINGS["newest"]))


def get_question(*, pk: int, user: User) -> Question:
    """The question or 404 (deleted questions are visible to author and moderators)."""
    qs = permissions.visible_questions(Question.objects.all(), user)
    return get_object_or_404(
        qs.select_related("author", "category", "closed_by", "duplicate_of").prefetch_related(
            "tags"
        ),
        pk=pk,
    )


def get_answer(*, pk: int, user: User) -> Answer:
    qs = permissions.visible_answers(Answer.objects.all(), user).filter(
        question__in=permissions.visible_questions(Question.objects.all(), user)
    )
    return get_object_or_404(qs.select_related("question", "author"), pk=pk)


def _comments_prefetch(user: User) -> Prefetch:
    return Prefetch(
        "comments",
        queryset=permissions.visible_comments(Comment.objects.all(), user).select_related("author"),
        to_attr="visible_comment_list",
    )


@dataclass
class Thread:
    question: Question
    answers: list[Answer]
    comments: list[Comment]
    my_votes: dict[tuple[str, int], int]
    # Whether the viewer follows the question, when read with their votes (None: the
    # follow button asks, one query).
    following: bool | None = None


def question_thread(*, question: Question, user: User) -> Thread:
    """Answers (accepted first, then by score), comments and the viewer's own votes.

    A fixed number of queries whatever the number of answers: answers, their comments,
    the question's comments, and the viewer's votes.
    """
    answers = list(
        permissions.visible_answers(question.answers.all(), user)
        .select_related("author")
        .prefetch_related(_comments_prefetch(user))
        .order_by("-score", "created_at", "pk")
    )
    # Staff's official answers are pinned right below the question, then the accepted one.
    answers.sort(key=lambda a: (not a.is_official, a.pk != question.accepted_answer_id))
    comments = list(
        permissions.visible_comments(question.comments.all(), user).select_related("author")
    )
    my_votes: dict[tuple[str, int], int] = {}
    if user.is_authenticated:
        votes = Vote.objects.filter(voter=user).filter(
            Q(question=question) | Q(answer__question=question)
        )
        for question_id, answer_id, value in votes.values_list("question_id", "answer_id", "value"):
            key = ("question", question_id) if question_id else ("answer", answer_id)
            my_votes[key] = value
    return Thread(question=question, answers=answers, comments=comments, my_votes=my_votes)


def similar_questions(*, title: str, user: User, limit: int = 5) -> list[Question]:
    """Questions whose wording matches a draft title, best first (for the ask page)."""
    if len(title.strip()) < 4:
        return []
    qs = permissions.visible_questions(
        Question.objects.filter(deleted_at__isnull=True), user
    ).select_related("category")
    return list(search_questions(qs, _or_terms(title))[:limit])


def _or_terms(title: str) -> str:
    """A draft title as an OR query of its words, so partial matches still surface."""
    from forum.search import is_postgres, terms

    words = terms(title)
    return " OR ".join(words) if is_postgres() else " ".join(words[:3])


def member_stats(member: User, viewer: User | None = None) -> dict[str, int]:
    """The member's live questions, answers and accepted answers, as `viewer` may see
    them (anonymous when None): hidden posts and the lounge's threads count only for
    whom they are visible, so a count never reveals what a list would not show."""
    viewer = viewer if viewer is not None else AnonymousUser()
    questions = permissions.visible_questions(
        Question.objects.filter(deleted_at__isnull=True), viewer
    )
    answers = permissions.visible_answers(
        Answer.objects.filter(author=member, deleted_at__isnull=True), viewer
    ).filter(question__in=questions)
    return {
        "questions": questions.filter(author=member).count(),
        "answers": answers.count(),
        "accepted": answers.filter(accepted_for__isnull=False).count(),
    }


def member_answers(*, member: User, user: User, accepted_only: bool = False) -> QuerySet[Answer]:
    qs = (
        permissions.visible_answers(Answer.objects.filter(author=member), user)
        .filter(
            question__in=permissions.visible_questions(
                Question.objects.filter(deleted_at__isnull=True), user
            )
        )
        .select_related("question")
        .order_by("-created_at")
    )
    if accepted_only:
        qs = qs.filter(accepted_for__isnull=False)
    return qs


def popular_tags(limit: int = 30) -> list[dict]:
    """The most used tags, never counting hidden questions or the lounge's (a tag used
    only there must not surface)."""
    from taggit.models import Tag

    # Those questions are few, so excluding them is cheap.
    not_public = Question.objects.filter(
        Q(hidden_at__isnull=False) | Q(category__is_private=True)
    ).values("pk")
    return list(
        Tag.objects.annotate(
            n=Count(
                "taggit_taggeditem_items",
                filter=Q(taggit_taggeditem_items__content_type__model="question")
                & ~Q(taggit_taggeditem_items__object_id__in=not_public),
            )
        )
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values("name", "slug", "n")[:limit]
    )


@dataclass(frozen=True)
class CounterDifference:
    """A cached counter that disagrees with the rows it counts."""

    model: str  # "question" or "answer"
    pk: int
    field: str  # "score", "answer_count" or "comment_count"
    cached: int
    real: int


def _real_counters(model: type[Question] | type[Answer]) -> dict[str, Coalesce]:
    """Each cached counter of `model` as a subquery over the rows: the sum of the votes,
    the live (not deleted) answers and comments."""
    post = model._meta.model_name

    def total(rows: QuerySet, aggregate: Count | Sum) -> Coalesce:
        per_post = rows.filter(**{post: OuterRef("pk")}).values(post).annotate(n=aggregate)
        return Coalesce(Subquery(per_post.values("n")), Value(0))

    counters = {
        "score": total(Vote.objects.all(), Sum("value")),
        "comment_count": total(Comment.objects.filter(deleted_at__isnull=True), Count("pk")),
    }
    if model is Question:
        counters["answer_count"] = total(
            Answer.objects.filter(deleted_at__isnull=True), Count("pk")
        )
    return counters


def counter_differences(
    *, model: type[Question] | type[Answer] | None = None, pk: int | None = None
) -> list[CounterDifference]:
    """Every cached counter (score, answer_count, comment_count) that differs from its
    rows, ordered by post; optionally only for one model, or one post of it."""
    found: list[CounterDifference] = []
    for post_model in (Question, Answer) if model is None else (model,):
        counters = _real_counters(post_model)
        differs = Q()
        for name in counters:
            differs |= ~Q(**{name: F(f"real_{name}")})
        rows = post_model.objects.annotate(**{f"real_{n}": c for n, c in counters.items()})
        if pk is not None:
            rows = rows.filter(pk=pk)
        fields = [*counters, *(f"real_{n}" for n in counters)]
        for row in rows.filter(differs).order_by("pk").values("pk", *fields):
            found.extend(
                CounterDifference(
                    post_model._meta.model_name, row["pk"], name, row[name], row[f"real_{name}"]
                )
                for name in counters
                if row[name] != row[f"real_{name}"]
            )
    return found


def counter_drift() -> dict[str, list[int]]:
    """Posts whose cached score or answer_count differs from the rows (for repair checks)."""
    vote_sum = (
        Vote.objects.filter(question=OuterRef("pk"))
        .values("question")
        .annotate(s=Sum("value"))
        .values("s")
    )
    answer_vote_sum = (
        Vote.objects.filter(answer=OuterRef("pk"))
        .values("answer")
        .annotate(s=Sum("value"))
        .values("s")
    )
    live_answers = (
        Answer.objects.filter(question=OuterRef("pk"), deleted_at__isnull=True)
        .values("question")
        .annotate(n=Count("pk"))
        .values("n")
    )
    questions = Question.objects.annotate(
        real_score=Coalesce(Subquery(vote_sum), Value(0)),
        real_answers=Coalesce(Subquery(live_answers), Value(0)),
    )
    return {
        "question_score": list(
            questions.exclude(score=F("real_score")).values_list("pk", flat=True)
        ),
        "answer_count": list(
            questions.exclude(answer_count=F("real_answers")).values_list("pk", flat=True)
        ),
        "answer_score": list(
            Answer.objects.annotate(real=Coalesce(Subquery(answer_vote_sum), Value(0)))
            .exclude(score=F("real"))
            .values_list("pk", flat=True)
        ),
    }


def attach_last_editors(*, question: Question, answers: list[Answer]) -> None:
    """Set `last_editor` (a User, or None) on the question and answers that were edited.

    One query for the whole page, and none when nothing was edited: the newest revision
    of each edited post, with its author.
    """
    posts = [p for p in [question, *answers] if p.edited_at is not None]
    for post in [question, *answers]:
        post.last_editor = None
    if not posts:
        return
    edited_answers = [p.pk for p in posts if isinstance(p, Answer)]
    condition = Q(answer_id__in=edited_answers)
    if question.edited_at is not None:
        condition |= Q(question_id=question.pk)
    latest: dict[tuple[str, int], User] = {}
    revisions = Revision.objects.filter(condition).select_related("author").order_by("number")
    for revision in revisions:
        key = (
            ("question", revision.question_id)
            if revision.question_id
            else ("answer", revision.answer_id)
        )
        latest[key] = revision.author  # ordered by number: the last one wins
    for post in posts:
        kind = "question" if isinstance(post, Question) else "answer"
        post.last_editor = latest.get((kind, post.pk))
