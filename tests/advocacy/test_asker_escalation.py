"""The asker follows their escalated question (issue 15): a banner on their own question
says staff have it and when to expect an answer, and "my escalations" lists it; neither
shows the escalation's reason (written for staff), and nobody else sees either."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django.utils.formats import date_format

from advocacy.services import escalations
from tests.advocacy.desk_support import escalate

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def case(advocate, question):
    with time_machine.travel(NOW, tick=False):
        return escalate(advocate, question, reason="REASON-FOR-STAFF-ONLY")


def test_the_asker_sees_that_staff_have_the_question_and_by_when(case, customer_client, question):
    page = customer_client.get(question.get_absolute_url()).content.decode()

    assert "Our support team has your question." in page
    due = date_format(timezone.localtime(case.first_response_due_at), "DATETIME_FORMAT")
    assert f"Expect an answer by {due}." in page
    assert "Status: Open" in page
    assert "REASON-FOR-STAFF-ONLY" not in page


def test_nobody_else_sees_the_asker_banner(case, other_client, helper_client, client, question):
    for who in (other_client, helper_client, client):
        page = who.get(question.get_absolute_url()).content.decode()
        assert "Our support team has your question." not in page


def test_the_banner_says_when_staff_wait_for_the_asker(case, staff, customer_client, question):
    escalations.claim_escalation(actor=staff, escalation=case)
    escalations.set_escalation_status(actor=staff, escalation=case, status="waiting_on_customer")

    page = customer_client.get(question.get_absolute_url()).content.decode()

    assert "They are waiting for your reply" in page


def test_no_banner_once_resolved(case, staff, customer_client, question):
    escalations.resolve_escalation(actor=staff, escalation=case, resolution="Refunded")

    page = customer_client.get(question.get_absolute_url()).content.decode()

    assert "Our support team has your question." not in page


def test_my_escalations_lists_the_askers_escalated_questions(
    case, customer_client, other_client, question, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = customer_client.get("/escalations/mine/")

    page = response.content.decode()
    assert response.status_code == 200
    assert question.title in page
    assert "Expect an answer from our support team by" in page
    assert "REASON-FOR-STAFF-ONLY" not in page
    other = other_client.get("/escalations/mine/").content.decode()
    assert question.title not in other
    assert "None of your questions is with our support team." in other


def test_the_resolution_is_not_shown_to_the_asker_there(case, staff, customer_client, question):
    escalations.resolve_escalation(actor=staff, escalation=case, resolution="RESOLUTION-NOTE")

    page = customer_client.get("/escalations/mine/").content.decode()

    assert question.title in page
    assert "Resolved" in page
    assert "RESOLUTION-NOTE" not in page
