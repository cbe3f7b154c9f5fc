"""Gamification's answers to the forum's domain events (registered in apps.ready()).

Points and badges run AFTER COMMIT, each in its own transaction (issue 12): the forum's
write holds its row locks only for the vote, the answer or the acceptance itself, and a
vote through the API stays within 8 queries. The invariant reputation == sum of the
ledger still holds at every commit, because `_apply` writes a ledger row and moves the
cached reputation in one transaction. The points and badges of a vote and of an
acceptance (or its withdrawal) are settled by the task worker (`gamification.tasks`,
whose task row commits with the write; see settings.SETTLE_VOTES_IN_WORKER), the other
writes' badges right after they commit, in the same process. The settling hooks re-read
what they pay for under the forum's locks (question, answer, then members: LOCK ORDER in
gamification.services) and are idempotent, so a retry or a duplicate never pays twice;
single-award badges are held at most once by their unique constraint.

Reversing a deleted post's points stays IN THE TRANSACTION of the deletion: it must not
be seen without them (and a late settlement of a vote on it pays nothing).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import Task

from core import events
from core.tasks import enqueue_row
from forum.events import (
    AnswerAccepted,
    AnswerPosted,
    AnswerUnaccepted,
    CommentPosted,
    PostDeleted,
    QuestionAsked,
    VoteCast,
)
from gamification import tasks
from gamification.services import hooks as services


def _settle_later(handler: object, task: Task, *args: object) -> None:
    """Points and badges are the task worker's (`gamification.tasks`) when
    settings.SETTLE_VOTES_IN_WORKER: the member's request ends with the vote or the
    acceptance, and a storm of them queues for the worker rather than for the authors'
    row locks in every server thread. Otherwise (no Redis) they are settled here, right
    after the write commits.

    A task queue kept in the database (production's django-tasks-db) gets the task's row
    in the write's own transaction: the two commit together, in one commit rather than
    two, so no vote is left unpaid by a process that stops between them, and the worker
    sees the task only once the write has committed. Any other queue gets the task after
    the write commits."""
    in_worker = settings.SETTLE_VOTES_IN_WORKER
    if in_worker and isinstance(task.get_backend(), DatabaseBackend):
        enqueue_row(task, *args)  # Task.enqueue's row, for a fraction of its cost
        return

    def settle() -> None:
        if in_worker:
            task.enqueue(*args)
        else:
            task.call(*args)

    # The settlement opens transactions of its own, so the points commit before the
    # badges are checked.
    settle.handler = handler  # a pending hook names its handler, as core.events'
    transaction.on_commit(settle, robust=True)


def settle_vote_later(event: VoteCast) -> None:
    args = (event.actor_id, event.question_id, event.answer_id, event.before, event.after)
    _settle_later(settle_vote_later, tasks.settle_vote, *args)


def pay_for_acceptance(event: AnswerAccepted) -> None:
    args = (event.actor_id, event.question_id, event.answer_id)
    _settle_later(pay_for_acceptance, tasks.settle_acceptance, *args)


def reverse_acceptance(event: AnswerUnaccepted) -> None:
    _settle_later(
        reverse_acceptance, tasks.settle_acceptance, event.actor_id, event.question_id, None
    )


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
    events.subscribe(VoteCast, settle_vote_later, phase=events.IN_TRANSACTION)
    events.subscribe(AnswerAccepted, pay_for_acceptance, phase=events.IN_TRANSACTION)
    events.subscribe(AnswerUnaccepted, reverse_acceptance, phase=events.IN_TRANSACTION)
    events.subscribe(PostDeleted, reverse_deleted_post, phase=events.IN_TRANSACTION)
    events.subscribe(QuestionAsked, badges_for_question, phase=later)
    events.subscribe(AnswerPosted, badges_for_answer, phase=later)
    events.subscribe(CommentPosted, badges_for_comment, phase=later)
