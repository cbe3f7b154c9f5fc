"""Webhooks answer the domain events of the forum, advocacy and gamification (registered
in apps.ready()).

The forum's three (questions, answers, acceptances: the hot write paths) run AFTER COMMIT
(issue 12), in a transaction of their own: a rolled-back answer is never announced, and the
forum's write does not look up endpoints under its row locks. The others (escalations, flags,
the programme, redemptions) run IN THE TRANSACTION of the emitting service, so their delivery
rows (the outbox) commit with the act. Either way `dispatch.emit` writes the delivery rows and
the worker sends them once they commit. No query but the endpoints' lookup when no endpoint
subscribes.
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
    events.subscribe(QuestionAsked, announce_question, phase=events.AFTER_COMMIT)
    events.subscribe(AnswerPosted, announce_answer, phase=events.AFTER_COMMIT)
    events.subscribe(AnswerAccepted, announce_acceptance, phase=events.AFTER_COMMIT)
    for event_type, handler in (
        (EscalationChanged, announce_escalation),
        (FlagRaised, announce_flag),
        (AdvocateApproved, announce_advocate_approved),
        (AdvocateRevoked, announce_advocate_revoked),
        (RedemptionRequested, announce_redemption),
        (RedemptionDecided, announce_redemption_decision),
    ):
        events.subscribe(event_type, handler, phase=events.IN_TRANSACTION)
