"""SLA: due times from the manager's per-priority policies, clocks that pause while the
case waits on the customer, breaches (flag, history line, team lead's notification, desk
event), and the tiered rules that alert online advocates and then escalate, all with
frozen time; the timers fire through the real database task backend and survive a
restart of the worker."""

from __future__ import annotations

import datetime as dt
import importlib
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from advocacy.desk.sla import due_times
from advocacy.models import (
    Escalation,
    EscalationEvent,
    SlaPolicy,
    SlaRule,
    SlaRuleFiring,
    SlaSettings,
)
from advocacy.services import escalations
from advocacy.sla import selectors
from advocacy.sla.sweep import sweep_sla
from core import periodic
from forum.models import Notification
from notifications.bell import describe
from tests.advocacy import tasks_support
from tests.advocacy.desk_support import published
from tests.advocacy.tasks_support import run_queued_tasks
from tests.factories import AnswerFactory, CategoryFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

database_tasks = tasks_support.database_tasks

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def clock(time_machine):
    """Time stands still at T0 until the test moves it."""
    time_machine.move_to(T0, tick=False)

    def at(moment: dt.datetime) -> dt.datetime:
        time_machine.move_to(moment, tick=False)
        return moment

    return at


@pytest.fixture(autouse=True)
def _rules_cover_the_tests():
    """The seeded rules apply to questions asked since the migration ran; the tests ask
    theirs in early 2026."""
    SlaRule.objects.update(active_since=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))


@pytest.fixture
def asked(clock, customer):
    """A question asked at T0 about `sim`."""
    return QuestionFactory(author=customer, tags=["sim"], created_at=T0)


@pytest.fixture
def sim_advocate(clock, advocate):
    """dario: an advocate who has answered a `sim` question and logged in 5 minutes ago."""
    AnswerFactory(
        question=QuestionFactory(
            tags=["sim"],
            created_at=T0 - dt.timedelta(days=30),
            closed_at=T0 - dt.timedelta(days=29),
        ),
        author=advocate,
        created_at=T0 - dt.timedelta(days=30),
    )
    advocate.last_login = T0 - 5 * MINUTE
    advocate.save(update_fields=["last_login"])
    return advocate


def _escalate(actor, question, priority="normal"):  # noqa: ANN001, ANN202
    return escalations.escalate_question(
        actor=actor, question=question, reason="Charged twice.", priority=priority
    )


# Due times from the policies ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "first", "resolve"),
    [
        ("urgent", dt.timedelta(hours=1), dt.timedelta(hours=4)),
        ("high", dt.timedelta(hours=4), dt.timedelta(days=1)),
        ("normal", dt.timedelta(hours=8), dt.timedelta(days=3)),
        ("low", dt.timedelta(days=1), dt.timedelta(days=5)),
    ],
)
def test_seeded_policies_set_the_due_times_of_each_priority(priority, first, resolve):
    due = due_times(priority=priority, start=T0)

    assert due.first_response == T0 + first
    assert due.resolve == T0 + resolve


def test_the_managers_policy_applies_to_new_escalations(clock, advocate, asked):
    SlaPolicy.objects.filter(priority="urgent").update(
        first_response_minutes=10, resolution_minutes=90
    )

    escalation = _escalate(advocate, asked, priority="urgent")

    assert escalation.first_response_due_at == T0 + dt.timedelta(minutes=10)
    assert escalation.resolve_due_at == T0 + dt.timedelta(minutes=90)


def test_a_priority_without_a_policy_falls_back_to_the_defaults():
    SlaPolicy.objects.filter(priority="high").delete()

    assert due_times(priority="high", start=T0).first_response == T0 + dt.timedelta(hours=4)
    assert due_times(priority="bogus", start=T0).resolve == T0 + dt.timedelta(days=3)


# Breaches -----------------------------------------------------------------------------------


def test_no_breach_before_the_due_time(clock, advocate, manager, asked):
    escalation = _escalate(advocate, asked, priority="urgent")  # first response due 10:00

    clock(T0 + dt.timedelta(minutes=59, seconds=59))
    report = sweep_sla()

    assert report.breached == []
    escalation.refresh_from_db()
    assert escalation.first_response_breached is False
    assert not Notification.objects.filter(kind="sla").exists()


def test_a_late_first_response_is_a_breach_alerted_once(
    clock, advocate, manager, staff, asked, django_capture_on_commit_callbacks
):
    escalation = _escalate(advocate, asked, priority="urgent")

    clock(T0 + dt.timedelta(hours=1, seconds=1))
    with django_capture_on_commit_callbacks() as callbacks:
        report = sweep_sla()

    assert report.breached == [escalation.pk]
    escalation.refresh_from_db()
    assert escalation.first_response_breached is True
    assert escalation.resolve_breached is False
    line = EscalationEvent.objects.get(escalation=escalation, kind="breached")
    assert line.data == {"which": "first_response"}
    # No team lead named: every manager hears of it, not other staff.
    alert = Notification.objects.get(kind="sla")
    assert alert.recipient == manager
    assert alert.link == f"/desk/{escalation.pk}/"
    with translation.override("en"):
        assert describe(alert) == (
            f"SLA breached: no first response yet to escalation #{escalation.pk} “{asked.title}”"
        )
    desk_events = [e for e in published(callbacks) if e[0] == "desk"]
    assert desk_events == [
        (
            "desk",
            "escalation.updated",
            {
                "id": escalation.pk,
                "question": asked.pk,
                "status": "open",
                "priority": "urgent",
                "assignee": None,
                "change": "breached",
                "breached": ["first_response"],
                "first_response_breached": True,
                "resolve_breached": False,
            },
        )
    ]

    # Sweeping again changes nothing.
    clock(T0 + dt.timedelta(hours=2))
    assert sweep_sla().breached == []
    assert Notification.objects.filter(kind="sla").count() == 1
    assert EscalationEvent.objects.filter(kind="breached").count() == 1


def test_the_resolution_breach_is_recorded_separately(clock, advocate, manager, staff, asked):
    escalation = _escalate(advocate, asked, priority="urgent")
    clock(T0 + dt.timedelta(minutes=30))
    escalations.claim_escalation(actor=staff, escalation=escalation)
    escalations.add_note(actor=staff, escalation=escalation, body="Secret: refund pending")
    escalations.post_official_answer(actor=staff, escalation=escalation, body="We refunded you.")

    clock(T0 + dt.timedelta(hours=3))
    assert sweep_sla().breached == []
    clock(T0 + dt.timedelta(hours=4, seconds=1))
    assert sweep_sla().breached == [escalation.pk]

    escalation.refresh_from_db()
    assert escalation.first_response_breached is False
    assert escalation.resolve_breached is True
    alert = Notification.objects.get(kind="sla")
    with translation.override("en"):
        text = describe(alert)
    assert (
        text == f"SLA breached: escalation #{escalation.pk} “{asked.title}” is not resolved in time"
    )
    assert "Secret" not in str(alert.data)


def test_the_named_team_lead_is_alerted_instead_of_the_managers(
    clock, advocate, manager, staff, asked
):
    lead = UserFactory(username="tina-lead", is_staff=True)
    SlaSettings.objects.update_or_create(pk=1, defaults={"team_lead": lead})
    _escalate(advocate, asked, priority="urgent")

    clock(T0 + dt.timedelta(hours=5))
    sweep_sla()

    # Both due times passed by the same sweep: one alert, both flags.
    alerts = Notification.objects.filter(kind="sla")
    assert list(alerts.values_list("recipient__username", flat=True)) == ["tina-lead"]
    assert EscalationEvent.objects.filter(kind="breached").count() == 2


def test_the_clocks_pause_while_waiting_on_the_customer(clock, advocate, manager, staff, asked):
    escalation = _escalate(advocate, asked, priority="urgent")  # resolve due 13:00
    clock(T0 + dt.timedelta(minutes=20))
    escalations.set_escalation_status(
        actor=staff, escalation=escalation, status="waiting_on_customer"
    )

    # Waiting past the resolution due time: no breach while paused.
    clock(T0 + dt.timedelta(hours=6))
    assert sweep_sla().breached == []

    # The customer answers after 5 h 40 min of waiting: due times move by the pause.
    escalations.set_escalation_status(actor=staff, escalation=escalation, status="in_progress")
    escalation.refresh_from_db()
    assert escalation.resolve_due_at == T0 + dt.timedelta(hours=4) + dt.timedelta(
        hours=5, minutes=40
    )
    clock(T0 + dt.timedelta(hours=9, minutes=39))
    assert sweep_sla().breached == []
    clock(T0 + dt.timedelta(hours=9, minutes=41))
    assert sweep_sla().breached == [escalation.pk]
    escalation.refresh_from_db()
    # Waiting on the customer was the first response, 20 minutes in: on time.
    assert escalation.first_response_breached is False
    assert escalation.resolve_breached is True


def test_a_closed_case_never_breaches(clock, advocate, manager, staff, asked):
    escalation = _escalate(advocate, asked, priority="urgent")
    clock(T0 + dt.timedelta(minutes=10))
    escalations.dismiss_escalation(actor=staff, escalation=escalation, reason="Not for us.")

    clock(T0 + dt.timedelta(days=2))

    assert sweep_sla().breached == []
    assert not Notification.objects.filter(kind="sla").exists()


# Tiered rules: alert online advocates, then escalate -------------------------------------------


def test_no_community_answer_in_15_minutes_alerts_online_advocates_of_the_tag(
    clock, asked, sim_advocate, helper
):
    offline = UserFactory(username="olga", is_advocate=True, reputation=6000)
    AnswerFactory(
        question=QuestionFactory(tags=["sim"]),
        author=offline,
        created_at=T0 - dt.timedelta(hours=3),
    )
    offline.last_login = T0 - dt.timedelta(hours=3)
    offline.save(update_fields=["last_login"])
    other_tag = UserFactory(username="otto", is_advocate=True, reputation=6000, last_login=T0)
    AnswerFactory(question=QuestionFactory(tags=["roaming"]), author=other_tag)

    clock(T0 + dt.timedelta(minutes=14, seconds=59))
    assert sweep_sla().alerted == []
    clock(T0 + dt.timedelta(minutes=15))
    assert sweep_sla().alerted == [asked.pk]

    alert = Notification.objects.get(kind="sla")
    assert alert.recipient == sim_advocate
    assert alert.question == asked
    assert alert.link == asked.get_absolute_url()
    with translation.override("it"):
        assert "15" in describe(alert)
    firing = SlaRuleFiring.objects.get(question=asked, action="notify_advocates")
    assert firing.data == {"notified": [sim_advocate.pk]}

    # Once per question.
    clock(T0 + dt.timedelta(minutes=20))
    assert sweep_sla().alerted == []
    assert Notification.objects.filter(kind="sla").count() == 1


def test_recent_activity_counts_as_online(clock, asked, advocate):
    AnswerFactory(question=QuestionFactory(tags=["sim"]), author=advocate, created_at=T0)

    clock(T0 + dt.timedelta(minutes=15))

    assert selectors.online_advocates_for(asked, now=T0 + dt.timedelta(minutes=15)) == [advocate]


def test_a_question_answered_by_the_community_alerts_nobody(clock, asked, sim_advocate, helper):
    AnswerFactory(question=asked, author=helper, created_at=T0 + 3 * MINUTE)

    clock(T0 + dt.timedelta(minutes=16))

    assert sweep_sla().alerted == []
    assert not Notification.objects.filter(kind="sla").exists()


def test_an_official_or_hidden_answer_is_not_a_community_answer(
    clock, asked, sim_advocate, helper, staff
):
    AnswerFactory(question=asked, author=staff, is_official=True)
    AnswerFactory(question=asked, author=helper, hidden_at=T0)

    clock(T0 + dt.timedelta(minutes=16))

    assert sweep_sla().alerted == [asked.pk]


def test_still_unsolved_at_60_minutes_escalates_to_the_desk(
    clock, asked, helper, django_capture_on_commit_callbacks
):
    AnswerFactory(question=asked, author=helper, created_at=T0 + 5 * MINUTE)

    clock(T0 + dt.timedelta(minutes=59))
    assert sweep_sla().escalated == []
    clock(T0 + dt.timedelta(minutes=60))
    with django_capture_on_commit_callbacks() as callbacks:
        assert sweep_sla().escalated == [asked.pk]

    escalation = Escalation.objects.get(question=asked)
    assert escalation.source == "sla"
    assert escalation.created_by is None
    assert escalation.priority == "normal"
    assert escalation.reason == "Still unsolved 60 minutes after it was asked."
    assert escalation.first_response_due_at == T0 + dt.timedelta(minutes=60, hours=8)
    assert [e[1] for e in published(callbacks) if e[0] == "desk"] == ["escalation.created"]
    assert SlaRuleFiring.objects.get(question=asked, action="escalate").data == {
        "escalation": escalation.pk,
        "joined": False,
    }

    clock(T0 + dt.timedelta(hours=3))
    assert sweep_sla().escalated == []
    assert Escalation.objects.count() == 1


def test_solved_closed_or_already_escalated_questions_are_left_alone(
    clock, customer, helper, advocate
):
    solved = QuestionFactory(author=customer, created_at=T0)
    solved.accepted_answer = AnswerFactory(question=solved, author=helper)
    solved.save(update_fields=["accepted_answer"])
    QuestionFactory(author=customer, created_at=T0, closed_at=T0 + MINUTE)
    escalated = QuestionFactory(author=customer, created_at=T0)
    _escalate(advocate, escalated)
    dismissed = QuestionFactory(author=customer, created_at=T0)
    escalations.dismiss_escalation(
        actor=UserFactory(is_staff=True), escalation=_escalate(advocate, dismissed), reason="No."
    )

    clock(T0 + dt.timedelta(hours=2))
    report = sweep_sla()

    assert report.escalated == []
    assert Escalation.objects.count() == 2


def test_questions_in_the_private_lounge_are_not_watched(clock, customer):
    lounge = CategoryFactory(slug="lounge-test", name="Lounge test", is_private=True)
    QuestionFactory(author=customer, category=lounge, created_at=T0)

    clock(T0 + dt.timedelta(hours=2))

    assert sweep_sla().as_dict() == {"alerted": [], "escalated": [], "breached": [], "resumed": []}


def test_questions_asked_before_a_rule_took_effect_are_not_swept(clock, customer):
    QuestionFactory(author=customer, created_at=T0)
    SlaRule.objects.update(active_since=T0 + MINUTE)

    clock(T0 + dt.timedelta(hours=2))

    assert sweep_sla().escalated == []


def test_a_category_rule_overrides_the_default_and_can_turn_a_step_off(clock, customer):
    billing = CategoryFactory(slug="billing", name="Billing")
    network = CategoryFactory(slug="network", name="Network")
    SlaRule.objects.create(
        category=billing, action="escalate", after_minutes=5, priority="high", active_since=T0
    )
    SlaRule.objects.create(
        category=network, action="escalate", after_minutes=5, enabled=False, active_since=T0
    )
    bill_q = QuestionFactory(author=customer, category=billing, created_at=T0)
    net_q = QuestionFactory(author=customer, category=network, created_at=T0)
    plain_q = QuestionFactory(author=customer, created_at=T0)

    clock(T0 + dt.timedelta(minutes=5))
    assert sweep_sla().escalated == [bill_q.pk]
    assert Escalation.objects.get(question=bill_q).priority == "high"

    clock(T0 + dt.timedelta(minutes=60))
    assert sweep_sla().escalated == [plain_q.pk]
    clock(T0 + dt.timedelta(days=1))
    assert sweep_sla().escalated == []
    assert not Escalation.objects.filter(question=net_q).exists()


def test_a_disabled_default_rule_does_nothing(clock, asked, sim_advocate):
    SlaRule.objects.update(enabled=False)

    clock(T0 + dt.timedelta(hours=2))

    assert sweep_sla().as_dict() == {"alerted": [], "escalated": [], "breached": [], "resumed": []}


# Through the real task backend, across a restart ------------------------------------------------


def _restart_worker(monkeypatch) -> None:  # noqa: ANN001
    """A new worker process: nothing in memory, the jobs registered again by the code."""
    import advocacy.tasks

    monkeypatch.setattr(periodic, "_registry", {})
    importlib.reload(advocacy.tasks).register()


def test_the_timers_fire_in_the_worker_and_survive_a_restart(
    clock, asked, sim_advocate, manager, database_tasks, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    _restart_worker(monkeypatch)
    assert "advocacy.tasks.sweep_sla" in periodic.registered_jobs()

    # 09:10: the scheduler enqueues a sweep; the worker runs it; nothing is due yet.
    clock(T0 + 10 * MINUTE)
    assert "advocacy.tasks.sweep_sla" in periodic.enqueue_due_jobs()
    assert run_queued_tasks() >= 1
    assert not Notification.objects.filter(kind="sla").exists()

    # The worker dies. 09:16: a new one starts and picks up where the database says.
    _restart_worker(monkeypatch)
    clock(T0 + 16 * MINUTE)
    assert "advocacy.tasks.sweep_sla" in periodic.enqueue_due_jobs()
    run_queued_tasks()
    assert Notification.objects.filter(kind="sla", recipient=sim_advocate).count() == 1

    # 10:01: escalated by the sweep in the worker; the result is in the task's row.
    clock(T0 + 61 * MINUTE)
    periodic.enqueue_due_jobs()
    run_queued_tasks()
    escalation = Escalation.objects.get(question=asked)
    assert escalation.source == "sla"
    result = DBTaskResult.objects.filter(task_path="advocacy.tasks.sweep_sla").order_by(
        "-enqueued_at"
    )[0]
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {
        "alerted": [],
        "escalated": [asked.pk],
        "breached": [],
        "resumed": [],
    }

    # A sweep enqueued before a crash and never run is run by the next worker, once.
    clock(T0 + 61 * MINUTE + dt.timedelta(hours=8, seconds=1))
    periodic.enqueue_due_jobs()
    _restart_worker(monkeypatch)
    run_queued_tasks(worker_id="after-restart")
    escalation.refresh_from_db()
    assert escalation.first_response_breached is True
    assert Notification.objects.filter(kind="sla", recipient=manager).count() == 1


def test_a_failing_step_does_not_hold_back_the_others(clock, customer):
    first = QuestionFactory(author=customer, created_at=T0)
    second = QuestionFactory(author=customer, created_at=T0 + MINUTE)
    real = escalations.escalate_question

    def flaky(**kwargs):  # noqa: ANN003, ANN202
        if kwargs["question"].pk == first.pk:
            raise RuntimeError("database hiccup")
        return real(**kwargs)

    clock(T0 + dt.timedelta(hours=2))
    with mock.patch.object(escalations, "escalate_question", flaky):
        assert sweep_sla().escalated == [second.pk]

    # The failed step left nothing behind and is retried by the next sweep.
    assert not SlaRuleFiring.objects.filter(question=first, action="escalate").exists()
    assert sweep_sla().escalated == [first.pk]


# The manager's admin ------------------------------------------------------------------------------


def test_the_manager_edits_a_policy_in_the_admin(manager_client):
    policy = SlaPolicy.objects.get(priority="high")
    url = reverse("admin:advocacy_slapolicy_change", args=[policy.pk])

    ok = manager_client.post(
        url, {"priority": "high", "first_response_minutes": 30, "resolution_minutes": 600}
    )
    bad = manager_client.post(
        url, {"priority": "high", "first_response_minutes": 90, "resolution_minutes": 60}
    )
    zero = manager_client.post(
        url, {"priority": "high", "first_response_minutes": 0, "resolution_minutes": 60}
    )

    assert ok.status_code == 302
    assert bad.status_code == zero.status_code == 200  # the form again, with the error
    policy.refresh_from_db()
    assert (policy.first_response_minutes, policy.resolution_minutes) == (30, 600)
    assert due_times(priority="high", start=T0).first_response == T0 + dt.timedelta(minutes=30)


def test_a_second_default_rule_for_a_step_is_a_form_error(manager_client):
    response = manager_client.post(
        reverse("admin:advocacy_slarule_add"),
        {
            "category": "",
            "action": "escalate",
            "after_minutes": 30,
            "priority": "normal",
            "enabled": "on",
            "active_since_0": "2026-03-02",
            "active_since_1": "09:00:00",
        },
    )

    assert response.status_code == 200
    assert SlaRule.objects.filter(action="escalate").count() == 1


def test_staff_cannot_edit_the_policies(staff_client):
    policy = SlaPolicy.objects.get(priority="high")

    response = staff_client.post(
        reverse("admin:advocacy_slapolicy_change", args=[policy.pk]),
        {"priority": "high", "first_response_minutes": 1, "resolution_minutes": 2},
    )

    assert response.status_code in (302, 403)
    policy.refresh_from_db()
    assert policy.first_response_minutes == 240


def test_questions_long_past_their_due_moment_are_not_swept(clock, customer, settings):
    settings.CIRCOLO_SLA_HORIZON_HOURS = 48
    QuestionFactory(author=customer, created_at=T0)

    clock(T0 + dt.timedelta(hours=50))  # escalation was due at 10:00 two days ago

    assert sweep_sla().escalated == []
    clock(T0 + dt.timedelta(hours=49))
    assert len(sweep_sla().escalated) == 1
