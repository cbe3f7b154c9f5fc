"""Issue 15: an escalated question solved by acceptance stops its SLA clocks."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.models import Escalation, EscalationEvent
from advocacy.services import escalations
from advocacy.sla.sweep import sweep_sla
from forum import services
from tests.factories import AnswerFactory, QuestionFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_accepting_an_answer_stops_the_clock_of_the_open_escalation(
    time_machine, customer, advocate
):
    time_machine.move_to(T0, tick=False)
    question = QuestionFactory(author=customer, created_at=T0)
    escalation = escalations.escalate_question(
        actor=advocate, question=question, reason="Charged twice.", priority="urgent"
    )
    answer = AnswerFactory(question=question, author=advocate)

    time_machine.move_to(T0 + dt.timedelta(minutes=30), tick=False)
    services.accept_answer(actor=customer, answer=answer)

    escalation.refresh_from_db()
    assert escalation.status == "resolved"
    assert escalation.resolved_at == T0 + dt.timedelta(minutes=30)
    assert escalation.first_response_breached is False
    assert escalation.resolve_breached is False
    line = EscalationEvent.objects.get(escalation=escalation, kind="resolved")
    assert line.data == {"accepted_answer": answer.pk}
    # Past both due times the sweep records no breach: the clock stopped.
    time_machine.move_to(T0 + dt.timedelta(hours=5), tick=False)
    assert sweep_sla().breached == []
    escalation.refresh_from_db()
    assert escalation.resolve_breached is False


def test_acceptance_without_an_escalation_changes_nothing(customer, advocate):
    question = QuestionFactory(author=customer)
    answer = AnswerFactory(question=question, author=advocate)

    services.accept_answer(actor=customer, answer=answer)

    assert not Escalation.objects.exists()
