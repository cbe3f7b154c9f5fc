"""The bell's answers to the forum's domain events (registered in apps.ready()).

All run AFTER COMMIT (issue 12), each in its own transaction: a notification is written
only once the post it reports has committed (never for a rolled-back one), and the
forum's write does not pay for it under its row locks. `bell.notify` publishes to the
members' `user` streams and schedules the e-mails once that transaction commits; the
followers' fan-out (`follows.register`) is a task. Subscribed before gamification's
handlers (INSTALLED_APPS order), so the bell still hears an event before the ledger.
"""

from __future__ import annotations

from core import events
from forum.events import AnswerAccepted, AnswerPosted, CommentPosted, QuestionAsked
from forum.models import Notification, Question, User
from notifications import bell, follows

Kind = Notification.Kind


def _mentions(usernames: tuple[str, ...]) -> list[tuple[User, str]]:
    return [(m, Kind.MENTION) for m in bell.mentioned_members(usernames)]


def notify_question_mentions(event: QuestionAsked) -> None:
    bell.notify(actor=event.actor, recipients=_mentions(event.mentions), question=event.question)


def notify_answer(event: AnswerPosted) -> None:
    bell.notify(
        actor=event.actor,
        recipients=[(event.question_author_id, Kind.ANSWER), *_mentions(event.mentions)],
        question=event.answer.question,
        answer=event.answer,
    )


def notify_acceptance(event: AnswerAccepted) -> None:
    recipients = [(event.answer_author_id, Kind.ACCEPTED)]
    if event.on_behalf:
        # The absent asker hears that the community accepted an answer for them.
        recipients.insert(0, (event.question_author_id, Kind.COMMUNITY_ACCEPTED))
    bell.notify(
        actor=event.actor,
        recipients=recipients,
        question=event.answer.question,
        answer=event.answer,
    )


def notify_comment(event: CommentPosted) -> None:
    post = event.post
    on_question = isinstance(post, Question)
    bell.notify(
        actor=event.actor,
        recipients=[(event.post_author_id, Kind.COMMENT), *_mentions(event.mentions)],
        question=post if on_question else post.question,
        answer=None if on_question else post,
        comment=event.comment,
    )


def register() -> None:
    """Called by NotificationsConfig.ready()."""
    later = events.AFTER_COMMIT
    events.subscribe(QuestionAsked, notify_question_mentions, phase=later)
    events.subscribe(AnswerPosted, notify_answer, phase=later)
    events.subscribe(AnswerAccepted, notify_acceptance, phase=later)
    events.subscribe(CommentPosted, notify_comment, phase=later)
    follows.register()  # followers are told after commit, by a task
