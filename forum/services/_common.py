"""Helpers shared by the forum's services: validation collection, throttling, row locks, streams.

LOCK ORDER (gamification.services.ledger): question before answer, then members.
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


def _lock_question(question_id: int) -> Question:
    return Question.objects.select_for_update().get(pk=question_id)


def _lock_post(post: Post) -> Post:
    return type(post).objects.select_for_update().get(pk=post.pk)


def _lock_post_after_question(post: Post) -> Post:
    """Lock `post`; for an answer, its question first. LOCK ORDER (gamification.services):
    question before answer, as accept_answer and delete_answer take them; a service that
    locks an answer and then writes its question (last_activity_at) would deadlock with
    an acceptance of that answer."""
    if isinstance(post, Answer):
        _lock_question(post.question_id)
    return _lock_post(post)


def _post_fields(post: Post) -> dict[str, Post]:
    return {"question": post} if isinstance(post, Question) else {"answer": post}


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
        **_post_fields(post),
        number=number,
        author=actor,
        title=title,
        body=body,
        tags=" ".join(tags),
        summary=summary,
    )
