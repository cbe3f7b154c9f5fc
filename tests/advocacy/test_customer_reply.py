"""A case waiting on the customer goes back to work when the customer writes in the
thread: the SLA sweep restarts the clocks "waiting on customer" stopped, tells the
assignee and the desk, once."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.models import EscalationEvent
from advocacy.models.desk import EscalationStatus
from advocacy.services import escalations
from advocacy.sla.sweep import sweep_sla
from forum import services as forum_services
from forum.models import Notification
from tests.advocacy.desk_support import published
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)

    def at(moment: dt.datetime) -> None:
        time_machine.move_to(moment, tick=False)

    return at


@pytest.fixture
def waiting(clock, advocate, staff, customer):
    """A normal case escalated and claimed at T0, set waiting on the customer at T0+1h."""
    question = QuestionFactory(author=customer, created_at=T0)
    escalation = escalations.escalate_question(
        actor=advocate, question=question, reason="Refund needed.", priority="normal"
    )
    escalations.claim_escalation(actor=staff, escalation=escalation)
    clock(T0 + dt.timedelta(hours=1))
    escalations.set_escalation_status(
        actor=staff, escalation=escalation, status="waiting_on_customer"
    )
    escalation.refresh_from_db()
    return escalation


def test_a_reply_from_the_customer_restarts_the_clocks(
    clock, waiting, customer, staff, django_capture_on_commit_callbacks
):
    due = (waiting.first_response_due_at, waiting.resolve_due_at)
    clock(T0 + dt.timedelta(hours=3))
    forum_services.post_comment(
        actor=customer, post=waiting.question, body="Here is the receipt number: 4411."
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = sweep_sla()

    assert report.resumed == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.status == EscalationStatus.IN_PROGRESS
    assert waiting.paused_at is None
    assert waiting.paused_seconds == 2 * 3600
    assert waiting.resolve_due_at == due[1] + dt.timedelta(hours=2)
    line = EscalationEvent.objects.filter(escalation=waiting).latest("pk")
    assert (line.kind, line.actor, line.data["customer_replied"]) == ("status", None, True)
    assert Notification.objects.filter(recipient=staff, kind="escalation").count() == 1
    assert ("desk", "escalation.updated") in [(s, t) for s, t, _d in published(callbacks)]


def test_without_a_reply_the_case_keeps_waiting(clock, waiting):
    clock(T0 + dt.timedelta(hours=3))

    assert sweep_sla().resumed == []
    waiting.refresh_from_db()
    assert waiting.status == EscalationStatus.WAITING


def test_someone_else_writing_does_not_count(clock, waiting, other_customer):
    clock(T0 + dt.timedelta(hours=3))
    forum_services.post_comment(
        actor=other_customer, post=waiting.question, body="Same problem here, any news?"
    )

    assert sweep_sla().resumed == []


def test_the_case_resumes_once(clock, waiting, customer, staff):
    clock(T0 + dt.timedelta(hours=3))
    forum_services.post_comment(
        actor=customer, post=waiting.question, body="Here is the receipt number: 4411."
    )

    assert sweep_sla().resumed == [waiting.pk]
    assert sweep_sla().resumed == []
    assert Notification.objects.filter(recipient=staff, kind="escalation").count() == 1
