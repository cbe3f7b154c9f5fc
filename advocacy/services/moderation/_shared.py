"""What the moderation acts share: limits, the reason cleaner, the live update of a post."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy

from core.text import clean_note
from forum.models import Answer, Question
from forum.posts import Post, thread_id
from live.events import publish

REASON_MAX_LENGTH = 500
SUSPENSION_MAX_DAYS = 365
CLAIM_TTL = timedelta(minutes=15)
HIDDEN_BY_FLAGS = "flags"
HIDDEN_BY_MODERATOR = "moderator"


# A moderator's reason: cleaned, at most REASON_MAX_LENGTH characters.
clean_reason = partial(
    clean_note,
    field="reason",
    max_length=REASON_MAX_LENGTH,
    not_text=gettext_lazy("The reason must be text."),
    empty=gettext_lazy("Give a reason."),
    too_long=gettext_lazy("The reason must be at most %(n)d characters long (it has %(length)d)."),
)


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
