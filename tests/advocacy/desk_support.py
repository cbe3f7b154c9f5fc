"""Helpers for the desk's tests: an escalated question, a snapshot of everything the desk
writes (to prove a denial changed nothing) and the events a transaction published."""

from __future__ import annotations

from advocacy.models import AnswerVerdict, AuditEntry, DeskNote, Escalation, EscalationEvent
from advocacy.services import escalations
from forum.models import Answer, Notification
from gamification.models import PointEvent
from tests.events import published  # noqa: F401 - re-exported for the tests


def escalate(actor, question, *, reason="The customer is being charged twice.", priority="high"):  # noqa: ANN001, ANN201
    return escalations.escalate_question(
        actor=actor, question=question, reason=reason, priority=priority
    )


def snapshot() -> dict[str, object]:
    """Every row the desk may write, as plain values."""
    return {
        "escalations": list(Escalation.objects.order_by("pk").values()),
        "events": EscalationEvent.objects.count(),
        "notes": DeskNote.objects.count(),
        "verdicts": list(AnswerVerdict.objects.order_by("pk").values()),
        "answers": list(
            Answer.objects.order_by("pk").values("pk", "hidden_at", "is_official", "deleted_at")
        ),
        "audit": AuditEntry.objects.count(),
        "points": PointEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }
