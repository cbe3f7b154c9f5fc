"""Gamification's answers to the forum's domain events (registered in apps.ready()).

All run IN THE TRANSACTION of the forum's service, after its row locks (LOCK ORDER in
gamification.services): the ledger rows of a vote, an acceptance or a deletion must
commit or roll back with it (invariant: reputation == sum of the ledger), and the
single-award badges rely on the same serialisation.
"""

from __future__ import annotations

from core import events
from forum.events import (
    AnswerAccepted,
    AnswerPosted,
    AnswerUnaccepted,
    CommentPosted,
    PostDeleted,
    QuestionAsked,
    VoteCast,
)
from gamification.services import hooks as services


def pay_for_vote(event: VoteCast) -> None:
    services.on_vote_changed(
        actor=event.actor, post=event.post, before=event.before, after=event.after
    )


def pay_for_acceptance(event: AnswerAccepted) -> None:
    services.on_answer_accepted(
        actor=event.actor, answer=event.answer, previous_answer_id=event.previous_answer_id
    )


def reverse_acceptance(event: AnswerUnaccepted) -> None:
    services.on_answer_unaccepted(actor=event.actor, answer=event.answer)


def reverse_deleted_post(event: PostDeleted) -> None:
    services.on_post_deleted(actor=event.actor, post=event.post)


def badges_for_question(event: QuestionAsked) -> None:
    services.on_question_asked(actor=event.actor, question=event.question)


def badges_for_answer(event: AnswerPosted) -> None:
    services.on_answer_posted(actor=event.actor, answer=event.answer)


def badges_for_comment(event: CommentPosted) -> None:
    services.on_comment_posted(actor=event.actor, comment=event.comment)


def register() -> None:
    """Called by GamificationConfig.ready()."""
    now = events.IN_TRANSACTION
    events.subscribe(VoteCast, pay_for_vote, phase=now)
    events.subscribe(AnswerAccepted, pay_for_acceptance, phase=now)
    events.subscribe(AnswerUnaccepted, reverse_acceptance, phase=now)
    events.subscribe(PostDeleted, reverse_deleted_post, phase=now)
    events.subscribe(QuestionAsked, badges_for_question, phase=now)
    events.subscribe(AnswerPosted, badges_for_answer, phase=now)
    events.subscribe(CommentPosted, badges_for_comment, phase=now)
