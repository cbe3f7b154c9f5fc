"""An escalated question solved by acceptance stops its SLA clocks (issue 15).

When an answer of a question with an open escalation is accepted, the case is closed
as resolved in the same transaction (`escalations.resolve_on_acceptance`): its clocks
stop at the acceptance (no breach is recorded later by the sweep), and the desk and the
asker's page show it resolved.
"""

from __future__ import annotations

from advocacy.services import escalations
from core import events
from forum.events import AnswerAccepted


def stop_clock_on_acceptance(event: AnswerAccepted) -> None:
    escalations.resolve_on_acceptance(
        question_id=event.question_id, actor=event.actor, answer_id=event.answer_id
    )


def register() -> None:
    events.subscribe(AnswerAccepted, stop_clock_on_acceptance, phase=events.IN_TRANSACTION)
