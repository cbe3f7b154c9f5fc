"""Helpers shared by the forum's services: validation collection, throttling, row locks, streams.

LOCK ORDER: `forum.locks` (question, answer, comment, the act's rows, members last).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from core import ratelimit, roles
from forum.models import (
    Answer,
    Category,
    Question,
    Revision,
    User,
)
from forum.posts import post_fields

Post = Question | Answer


def _collect(errors: dict[str, list[str]], field: str, func, value):  # noqa: ANN001, ANN202
    try:
        return func(value)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _throttle_posting(actor: User) -> None:
    if not roles.is_staff(actor):
        ratelimit.hit(f"post:{actor.pk}", settings.CIRCOLO_POST_RATE)


def _thread(question_id: int) -> str:
    """The live stream of a question's page."""
    return f"question.{question_id}"


def _feed(category: Category | None) -> str:
    """The list stream that announces a question: `feed`, or for a private category (the
    advocates' lounge) `lounge`, which only moderators may subscribe to."""
    return "lounge" if category is not None and category.is_private else "feed"


def _add_revision(
    post: Post, *, actor: User, body: str, summary: str, title: str = "", tags=()
) -> None:  # noqa: ANN001
    """Caller holds the post's row lock, so numbers cannot collide."""
    number = post.revisions.count() + 1
    Revision.objects.create(
        **post_fields(post),
        number=number,
        author=actor,
        title=title,
        body=body,
        tags=" ".join(tags),
        summary=summary,
    )
