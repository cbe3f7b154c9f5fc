"""What the moderation acts share: limits, the reason cleaner, the live update of a post."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from forum.models import Answer, Question
from forum.posts import Post, thread_id
from forum.validation import clean_text
from live.events import publish

REASON_MAX_LENGTH = 500
SUSPENSION_MAX_DAYS = 365
CLAIM_TTL = timedelta(minutes=15)
HIDDEN_BY_FLAGS = "flags"
HIDDEN_BY_MODERATOR = "moderator"


def clean_reason(reason: str, *, required: bool = False) -> str:
    """A moderator's reason: cleaned, at most REASON_MAX_LENGTH characters."""
    if not isinstance(reason, str):
        raise ValidationError({"reason": [_("The reason must be text.")]})
    reason = clean_text(reason).strip()
    if required and not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("The reason must be at most %(n)d characters long (it has %(length)d).")
                    % {"n": REASON_MAX_LENGTH, "length": len(reason)}
                ]
            }
        )
    return reason


def _hidden_state(post: Post) -> dict[str, Any]:
    return {"hidden_at": post.hidden_at, "hidden_reason": post.hidden_reason}


def _publish_post_changed(post: Post) -> None:
    """Tell the thread's viewers the post changed (they refetch what they may see)."""
    question_id = thread_id(post)
    stream = f"question.{question_id}"
    if isinstance(post, Question):
        publish("feed", "question.updated", {"id": post.pk})
        publish(stream, "question.updated", {"id": post.pk})
    elif isinstance(post, Answer):
        publish(stream, "answer.updated", {"id": post.pk, "question": question_id})
    else:
        publish(
            stream,
            "comment.updated",
            {
                "id": post.pk,
                "question": question_id,
                "post": "question" if post.question_id else "answer",
                "post_id": post.question_id or post.answer_id,
            },
        )
