"""Gamification's answers to the forum's domain events (registered in apps.ready()).

Points and badges run AFTER COMMIT, each in its own transaction (issue 12): the forum's
write holds its row locks only for the vote, the answer or the acceptance itself, and a
vote through the API stays within 8 queries. The invariant reputation == sum of the
ledger still holds at every commit, because `_apply` writes a ledger row and moves the
cached reputation in one transaction; the points of a vote follow it right after the
vote commits. The settling hooks re-read what they pay for under the forum's locks
(question, answer, then members: LOCK ORDER in gamification.services) and are
idempotent, so a retry or a duplicate never pays twice; single-award badges are held at
most once by their unique constraint.

Reversing a deleted post's points stays IN THE TRANSACTION of the deletion: it must not
be seen without them (and a late settlement of a vote on it pays nothing).
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
    services.settle_vote(actor=event.actor, post=event.post, before=event.before, after=event.after)


def badges_for_vote(event: VoteCast) -> None:
    services.vote_badges(actor=event.actor, post=event.post, before=event.before, after=event.after)


def pay_for_acceptance(event: AnswerAccepted) -> None:
    services.settle_acceptance(
        actor=event.actor, question_id=event.question_id, answer_id=event.answer_id
    )


def reverse_acceptance(event: AnswerUnaccepted) -> None:
    services.settle_acceptance(actor=event.actor, question_id=event.question_id, answer_id=None)


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
    later = events.AFTER_COMMIT
    events.subscribe(VoteCast, pay_for_vote, phase=later)
    events.subscribe(VoteCast, badges_for_vote, phase=later)
    events.subscribe(AnswerAccepted, pay_for_acceptance, phase=later)
    events.subscribe(AnswerUnaccepted, reverse_acceptance, phase=later)
    events.subscribe(PostDeleted, reverse_deleted_post, phase=events.IN_TRANSACTION)
    events.subscribe(QuestionAsked, badges_for_question, phase=later)
    events.subscribe(AnswerPosted, badges_for_answer, phase=later)
    events.subscribe(CommentPosted, badges_for_comment, phase=later)
