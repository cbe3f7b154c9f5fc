"""Webhooks answer the forum's domain events (registered in apps.ready()).

They run AFTER COMMIT (issue 12), in a transaction of their own: a rolled-back answer is
never announced, and the forum's write does not look up endpoints under its row locks.
`dispatch.emit` writes the delivery rows (the outbox) and the worker sends them once
they commit. No query but the endpoints' lookup when no endpoint subscribes.
"""

from __future__ import annotations

from core import events
from forum.events import AnswerAccepted, AnswerPosted, QuestionAsked
from integrations import dispatch


def announce_question(event: QuestionAsked) -> None:
    dispatch.emit("question.created", event.question)


def announce_answer(event: AnswerPosted) -> None:
    dispatch.emit("answer.created", event.answer)


def announce_acceptance(event: AnswerAccepted) -> None:
    dispatch.emit("answer.accepted", event.answer)


def register() -> None:
    events.subscribe(QuestionAsked, announce_question, phase=events.AFTER_COMMIT)
    events.subscribe(AnswerPosted, announce_answer, phase=events.AFTER_COMMIT)
    events.subscribe(AnswerAccepted, announce_acceptance, phase=events.AFTER_COMMIT)
