"""The community's acceptance (issue 13): after 14 days without the asker, an advocate or
staff member may accept an answer on their behalf; paid as acceptance (no asker bonus),
shown as such, audited, notified, reversible by the asker and by staff."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from advocacy.automation.acceptance import ACCEPT_ON_BEHALF, UNACCEPT_BY_STAFF
from advocacy.models import AuditEntry
from forum import services
from forum.models import Notification, Question
from gamification.models import PointEvent
from gamification.selectors import reputation_drift
from tests.api.conftest import token_client

ASKED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def thread(customer, helper, other_customer):
    """`customer` asked on ASKED; `helper` and `other_customer` answered an hour later."""
    with time_machine.travel(ASKED, tick=False):
        question = services.ask_question(
            actor=customer,
            title="My SIM card stopped working abroad",
            body="It worked at home; abroad the phone says no service at all.",
            tags=["sim"],
        )
    with time_machine.travel(ASKED + dt.timedelta(hours=1), tick=False):
        answer = services.post_answer(
            actor=helper, question=question, body="Turn on data roaming in the settings."
        )
        other = services.post_answer(
            actor=other_customer, question=question, body="Restart the phone after landing."
        )
    return question, answer, other


def _fresh(obj):  # noqa: ANN001, ANN202
    return type(obj).objects.get(pk=obj.pk)


def _accept_rows(member) -> list[tuple[str, int]]:  # noqa: ANN001
    return list(
        PointEvent.objects.filter(recipient=member, rule__startswith="a")
        .exclude(note="test fixture")
        .order_by("pk")
        .values_list("rule", "points")
    )


def _ledger_is_clean() -> None:
    assert reputation_drift() == []
    call_command("recompute_reputation", "--check", stdout=io.StringIO())


@pytest.mark.parametrize("days", [14, 30])
def test_an_advocate_accepts_for_an_asker_away_two_weeks(
    thread, customer, helper, advocate, django_capture_on_commit_callbacks, days
):
    question, answer, _other = thread
    with (
        time_machine.travel(ASKED + days * DAY + dt.timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.accept_answer(actor=advocate, answer=_fresh(answer))

    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    assert question.accepted_on_behalf_by == advocate
    # Paid as acceptance to the answerer; the asker's bonus comes only with their own.
    assert _accept_rows(helper) == [("answer_accepted", 15)]
    assert _accept_rows(customer) == []
    # The asker and the answerer hear of it once each (the asker's follow adds nothing).
    told = Notification.objects.filter(answer=answer, recipient__in=[customer, helper])
    told = told.exclude(kind=Notification.Kind.ANSWER)
    assert sorted(told.values_list("recipient", "kind")) == [
        (customer.pk, Notification.Kind.COMMUNITY_ACCEPTED),
        (helper.pk, Notification.Kind.ACCEPTED),
    ]
    entry = AuditEntry.objects.get(action=ACCEPT_ON_BEHALF)
    assert (entry.actor, entry.after) == (advocate, {"accepted_answer": answer.pk})
    _ledger_is_clean()


def test_refused_before_fourteen_days(thread, advocate, staff):
    _question, answer, _other = thread
    with time_machine.travel(ASKED + 14 * DAY - dt.timedelta(minutes=1), tick=False):
        for member in (advocate, staff):
            with pytest.raises(PermissionDenied, match="less than 14 days ago"):
                services.accept_answer(actor=member, answer=_fresh(answer))
    assert Question.objects.get().accepted_answer_id is None


def test_refused_while_the_asker_was_active_in_the_thread(thread, customer, advocate):
    question, answer, _other = thread
    with time_machine.travel(ASKED + 10 * DAY, tick=False):
        services.post_comment(actor=customer, post=_fresh(answer), body="Where is that setting?")

    with (
        time_machine.travel(ASKED + 20 * DAY, tick=False),
        pytest.raises(PermissionDenied, match="less than 14 days ago"),
    ):
        services.accept_answer(actor=advocate, answer=_fresh(answer))
    with time_machine.travel(ASKED + 24 * DAY + dt.timedelta(minutes=1), tick=False):
        services.accept_answer(actor=advocate, answer=_fresh(answer))
    assert Question.objects.get().accepted_on_behalf_by == advocate


def test_refused_when_the_asker_accepted_already(thread, customer, advocate):
    _question, answer, other = thread
    services.accept_answer(actor=customer, answer=_fresh(answer))
    with (
        time_machine.travel(timezone.now() + 30 * DAY, tick=False),
        pytest.raises(PermissionDenied, match="already has an accepted answer"),
    ):
        services.accept_answer(actor=advocate, answer=_fresh(other))
    assert Question.objects.get().accepted_answer_id == answer.pk


def test_members_and_a_suspended_advocate_are_refused_with_a_reason(
    thread, helper, other_customer, advocate
):
    """Through the API: 403 with the reason, whatever the member's reputation."""
    _question, answer, _other = thread
    advocate.suspended_until = ASKED + 60 * DAY
    advocate.save(update_fields=["suspended_until"])
    url = reverse("api:answer-accept", kwargs={"pk": answer.pk})
    with time_machine.travel(ASKED + 30 * DAY, tick=False):
        for member in (helper, other_customer, advocate):
            response = token_client(member).post(url)
            assert response.status_code == 403, member
            assert "Only the person who asked" in response.json()["detail"]
    assert Question.objects.get().accepted_answer_id is None


def test_the_api_accepts_on_behalf_and_says_so(thread, staff):
    _question, answer, _other = thread
    url = reverse("api:answer-accept", kwargs={"pk": answer.pk})
    with time_machine.travel(ASKED + 13 * DAY, tick=False):
        early = token_client(staff).post(url)
    with time_machine.travel(ASKED + 15 * DAY, tick=False):
        response = token_client(staff).post(url)

    assert early.status_code == 403
    assert "less than 14 days ago" in early.json()["detail"]
    assert response.status_code == 200
    assert response.json() == {
        "question_id": answer.question_id,
        "accepted_answer_id": answer.pk,
        "accepted_on_behalf_by": staff.username,
    }


def test_the_askers_own_acceptance_replaces_the_communitys(thread, customer, helper, advocate):
    question, answer, other = thread
    with time_machine.travel(ASKED + 15 * DAY, tick=False):
        services.accept_answer(actor=advocate, answer=_fresh(answer))
    with time_machine.travel(ASKED + 16 * DAY, tick=False):
        services.accept_answer(actor=customer, answer=_fresh(other))

    question.refresh_from_db()
    assert (question.accepted_answer_id, question.accepted_on_behalf_by) == (other.pk, None)
    assert _accept_rows(helper) == [("answer_accepted", 15), ("answer_accepted", -15)]
    assert [rule for rule, _ in _accept_rows(customer)] == ["accept_bonus_asker"]
    _ledger_is_clean()


def test_the_asker_confirming_the_same_answer_makes_it_theirs(thread, customer, advocate):
    question, answer, _other = thread
    with time_machine.travel(ASKED + 15 * DAY, tick=False):
        services.accept_answer(actor=advocate, answer=_fresh(answer))
    services.accept_answer(actor=customer, answer=_fresh(answer))

    question.refresh_from_db()
    assert (question.accepted_answer_id, question.accepted_on_behalf_by) == (answer.pk, None)
    _ledger_is_clean()


def test_staff_undo_reverses_the_points_and_is_audited(thread, helper, advocate, staff):
    question, answer, _other = thread
    with time_machine.travel(ASKED + 15 * DAY, tick=False):
        services.accept_answer(actor=advocate, answer=_fresh(answer))
    with pytest.raises(PermissionDenied, match="Only the person who asked or staff"):
        services.unaccept_answer(actor=advocate, answer=_fresh(answer))

    services.unaccept_answer(actor=staff, answer=_fresh(answer))

    question.refresh_from_db()
    assert (question.accepted_answer_id, question.accepted_on_behalf_by) == (None, None)
    assert sum(points for _, points in _accept_rows(helper)) == 0
    entry = AuditEntry.objects.get(action=UNACCEPT_BY_STAFF)
    assert entry.actor == staff
    assert entry.before == {"accepted_answer": answer.pk, "on_behalf": True}
    _ledger_is_clean()


def test_the_thread_offers_the_button_and_shows_who_accepted(thread, advocate, client):
    question, answer, _other = thread
    client.force_login(advocate)
    url = question.get_absolute_url()
    with time_machine.travel(ASKED + 13 * DAY, tick=False):
        assert "Accept for the asker" not in client.get(url).content.decode()
    with time_machine.travel(ASKED + 15 * DAY, tick=False):
        assert "Accept for the asker" in client.get(url).content.decode()
        # Without JavaScript: a plain POST, then back to the answer.
        response = client.post(reverse("forum:accept_answer", kwargs={"pk": answer.pk}))
        assert response.status_code == 302
        page = client.get(url).content.decode()
    assert "Accepted by the community (on behalf of the asker), by Dario Advocate" in page


def test_the_htmx_button_swaps_the_answer(thread, staff, client):
    _question, answer, _other = thread
    client.force_login(staff)
    with time_machine.travel(ASKED + 15 * DAY, tick=False):
        response = client.post(
            reverse("forum:accept_answer", kwargs={"pk": answer.pk}), HTTP_HX_REQUEST="true"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="answer-{answer.pk}"' in html
    assert "Accepted by the community (on behalf of the asker)" in html
    assert "Undo the acceptance" in html


def test_the_thread_stream_hears_of_it(thread, advocate, django_capture_on_commit_callbacks):
    from unittest import mock

    _question, answer, _other = thread
    with (
        time_machine.travel(ASKED + 15 * DAY, tick=False),
        mock.patch("forum.services.accepting.publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.accept_answer(actor=advocate, answer=_fresh(answer))

    publish.assert_called_once_with(
        f"question.{answer.question_id}",
        "answer.accepted",
        {"id": answer.pk, "question": answer.question_id, "on_behalf": True},
    )


def test_a_moderators_page_of_an_old_thread_does_not_grow_with_it(thread, advocate, client):
    """Whether the asker was away is read once per page, whatever the number of answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AnswerFactory, UserFactory

    question, _answer, _other = thread
    client.force_login(advocate)
    counts = []
    with time_machine.travel(ASKED + 15 * DAY, tick=False):
        for _ in range(2):
            client.get(question.get_absolute_url())  # warm the caches
            with CaptureQueriesContext(connection) as queries:
                page = client.get(question.get_absolute_url() + "?fresh")
            assert page.content.decode().count("Accept for the asker") >= 2
            counts.append(len(queries))
            AnswerFactory.create_batch(5, question=question, author=UserFactory())
    assert counts[0] == counts[1]
