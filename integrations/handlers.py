"""Webhooks answer the forum's domain events (registered in apps.ready()).

They run IN THE TRANSACTION of the forum's service: `dispatch.emit` writes the delivery
rows (the outbox) with the act, so a rolled-back answer is never announced, and sends
them from the worker after commit. No query when no endpoint subscribes.
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
    events.subscribe(QuestionAsked, announce_question, phase=events.IN_TRANSACTION)
    events.subscribe(AnswerPosted, announce_answer, phase=events.IN_TRANSACTION)
    events.subscribe(AnswerAccepted, announce_acceptance, phase=events.IN_TRANSACTION)
