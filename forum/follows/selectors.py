"""What a member follows (reads)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from taggit.models import Tag

from forum import permissions
from forum.follows.models import Follow
from forum.models import Category, Question, User


@dataclass(frozen=True)
class Following:
    questions: list[Question]
    tags: list[Tag]
    categories: list[Category]

    def __bool__(self) -> bool:
        return bool(self.questions or self.tags or self.categories)


def following_for(member: User) -> Following:
    """The questions, tags and categories `member` follows and may still read (three
    queries): a question since hidden, or the lounge after losing the right to read it,
    is left out rather than named."""
    followed = Follow.objects.filter(user=member)
    questions: QuerySet[Question] = permissions.visible_questions(
        Question.objects.filter(
            pk__in=followed.filter(question__isnull=False).values("question_id")
        ),
        member,
    ).order_by("-last_activity_at", "-pk")
    tags = Tag.objects.filter(pk__in=followed.filter(tag__isnull=False).values("tag_id"))
    categories = permissions.visible_categories(
        Category.objects.filter(
            pk__in=followed.filter(category__isnull=False).values("category_id")
        ),
        member,
    )
    return Following(
        questions=list(questions.only("pk", "title", "last_activity_at", "accepted_answer_id")),
        tags=list(tags.order_by("name")),
        categories=list(categories.order_by("position", "name")),
    )


def tag_named(name: str) -> Tag | None:
    """The tag called `name` (or with that slug, as its page's address spells it)."""
    return Tag.objects.filter(name=name).first() or Tag.objects.filter(slug=name).first()
