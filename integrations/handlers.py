"""Webhooks answer the domain events of the forum, advocacy and gamification (registered
in apps.ready()).

They run IN THE TRANSACTION of the emitting service: `dispatch.emit` writes the delivery
rows (the outbox) with the act, so a rolled-back answer is never announced, and sends
them from the worker after commit. No query when no endpoint subscribes.
"""

from __future__ import annotations

from advocacy.events import AdvocateApproved, AdvocateRevoked, EscalationChanged, FlagRaised
from core import events
from forum.events import AnswerAccepted, AnswerPosted, QuestionAsked
from gamification.events import RedemptionDecided, RedemptionRequested
from integrations import dispatch


def announce_question(event: QuestionAsked) -> None:
    dispatch.emit("question.created", event.question)


def announce_answer(event: AnswerPosted) -> None:
    dispatch.emit("answer.created", event.answer)


def announce_acceptance(event: AnswerAccepted) -> None:
    dispatch.emit("answer.accepted", event.answer)


def announce_escalation(event: EscalationChanged) -> None:
    if event.change == "resolved":
        kind = "escalation.resolved"
    else:
        kind = "escalation.created" if event.opened else "escalation.updated"
    dispatch.emit(kind, event.escalation)


def announce_flag(event: FlagRaised) -> None:
    dispatch.emit("flag.created", event.flag)


def announce_advocate_approved(event: AdvocateApproved) -> None:
    dispatch.emit("member.advocate_approved", event.member)


def announce_advocate_revoked(event: AdvocateRevoked) -> None:
    dispatch.emit("member.advocate_revoked", event.member)


def announce_redemption(event: RedemptionRequested) -> None:
    dispatch.emit("redemption.created", event.redemption)


def announce_redemption_decision(event: RedemptionDecided) -> None:
    dispatch.emit("redemption.decided", event.redemption)


def register() -> None:
    events.subscribe(QuestionAsked, announce_question, phase=events.IN_TRANSACTION)
    events.subscribe(AnswerPosted, announce_answer, phase=events.IN_TRANSACTION)
    events.subscribe(AnswerAccepted, announce_acceptance, phase=events.IN_TRANSACTION)
    for event_type, handler in (
        (EscalationChanged, announce_escalation),
        (FlagRaised, announce_flag),
        (AdvocateApproved, announce_advocate_approved),
        (AdvocateRevoked, announce_advocate_revoked),
        (RedemptionRequested, announce_redemption),
        (RedemptionDecided, announce_redemption_decision),
    ):
        events.subscribe(event_type, handler, phase=events.IN_TRANSACTION)
