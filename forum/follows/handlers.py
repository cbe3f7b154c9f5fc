"""The follow code's answers to the forum's own domain events (ForumConfig.ready()).

Asking or answering follows the question: IN THE TRANSACTION of the forum's service, so
the follow commits or rolls back with the post. Telling the followers is not done here:
`notifications.follows` enqueues its fan-out task after commit.
"""

from __future__ import annotations

from core import events
from forum.events import AnswerPosted, QuestionAsked
from forum.follows.models import Follow


def follow_asked_question(event: QuestionAsked) -> None:
    """The asker follows their question."""
    Follow.objects.bulk_create(
        [Follow(user_id=event.actor_id, question_id=event.question_id)], ignore_conflicts=True
    )


def follow_answered_question(event: AnswerPosted) -> None:
    """The answerer follows the question."""
    Follow.objects.bulk_create(
        [Follow(user_id=event.actor_id, question_id=event.question_id)], ignore_conflicts=True
    )


def register() -> None:
    """Called by ForumConfig.ready()."""
    events.subscribe(QuestionAsked, follow_asked_question, phase=events.IN_TRANSACTION)
    events.subscribe(AnswerPosted, follow_answered_question, phase=events.IN_TRANSACTION)
