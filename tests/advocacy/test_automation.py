"""Automation rules (issue 13 part 2) with frozen time across each rule's cadence, the
manager's page (permissions, bad input, query budgets), the activity log, the opt-outs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from advocacy.automation import optout
from advocacy.automation.engine import run_rule, run_rules
from advocacy.models import AutomationAction, AutomationOptOut, AutomationRule
from forum import services
from forum.follows.models import Follow
from forum.models import Notification, Vote
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)

    def at(moment: dt.datetime) -> dt.datetime:
        time_machine.move_to(moment, tick=False)
        return moment

    return at


def _enable(key: str, **params: int) -> None:
    AutomationRule.objects.update_or_create(key=key, defaults={"enabled": True, "params": params})


def _steps(rule: str) -> list[str]:
    return list(
        AutomationAction.objects.filter(rule=rule)
        .order_by("created_at")
        .values_list("step", flat=True)
    )


# Remind the asker to accept ----------------------------------------------------------------


@pytest.fixture
def liked_answer(clock, customer, advocate):
    question = QuestionFactory(author=customer, created_at=T0 - DAY)
    answer = AnswerFactory(question=question, author=advocate, created_at=T0)
    Vote.objects.create(voter=UserFactory(), answer=answer, value=Vote.UP)
    return answer


def test_disabled_rules_do_nothing(clock, liked_answer):
    clock(T0 + 4 * DAY)
    assert run_rules(skip=["sla_alerts"]) == {
        "remind_accept": 0,
        "welcome": 0,
        "win_back": 0,
        "route_unanswered": 0,
    }


def test_the_asker_is_reminded_at_3_days_1_week_and_1_month_once_each(clock, liked_answer):
    _enable("remind_accept")
    asker = liked_answer.question.author
    clock(T0 + 3 * DAY - dt.timedelta(seconds=1))
    assert run_rule("remind_accept") == []
    for day, expected in [(3, 1), (4, 1), (7, 2), (8, 2), (30, 3), (31, 3), (60, 3)]:
        clock(T0 + day * DAY)
        run_rule("remind_accept")
        run_rule("remind_accept")  # a re-run sends nothing more
        assert _steps("remind_accept") == [f"reminder-{n}" for n in range(1, expected + 1)]
    reminders = Notification.objects.filter(recipient=asker, question=liked_answer.question)
    assert reminders.filter(kind="accept_reminder", actor__isnull=True).count() == 3


def test_reminders_already_sent_cost_no_query_per_question(clock, customer, advocate):
    # The rule runs every minute over every open question answered in the last weeks:
    # once their reminders are sent, a run must not look for each asker's replies again.
    _enable("remind_accept")
    voter = UserFactory()

    def liked(n: int) -> None:
        for _ in range(n):
            question = QuestionFactory(author=customer, created_at=T0 - DAY)
            answer = AnswerFactory(question=question, author=advocate, created_at=T0)
            Vote.objects.create(voter=voter, answer=answer, value=Vote.UP)

    queries = []
    for n in (1, 4):
        liked(n)
        clock(T0 + 4 * DAY)
        run_rule("remind_accept")
        with CaptureQueriesContext(connection) as captured:
            assert run_rule("remind_accept") == []
        queries.append(len(captured))
        clock(T0)
    assert _steps("remind_accept") == ["reminder-1"] * 5
    assert queries[0] == queries[1], queries


def test_a_late_start_sends_only_the_latest_due_reminder(clock, liked_answer):
    _enable("remind_accept")
    clock(T0 + 10 * DAY)
    run_rule("remind_accept")
    assert _steps("remind_accept") == ["reminder-2"]


def test_no_reminder_without_a_positive_reaction(clock, customer, advocate):
    _enable("remind_accept")
    answer = AnswerFactory(question=QuestionFactory(author=customer), author=advocate)
    Vote.objects.create(voter=UserFactory(), answer=answer, value=Vote.DOWN)
    clock(T0 + 3 * DAY)
    assert run_rule("remind_accept") == []


def test_reminders_stop_when_the_asker_accepts(clock, liked_answer):
    _enable("remind_accept")
    clock(T0 + 3 * DAY)
    run_rule("remind_accept")
    services.accept_answer(actor=liked_answer.question.author, answer=liked_answer)
    clock(T0 + 7 * DAY)
    run_rule("remind_accept")
    assert _steps("remind_accept") == ["reminder-1"]


def test_reminders_stop_when_the_asker_replies(clock, liked_answer):
    _enable("remind_accept")
    clock(T0 + 3 * DAY)
    run_rule("remind_accept")
    CommentFactory(
        question=None,
        answer=liked_answer,
        author=liked_answer.question.author,
        created_at=T0 + 4 * DAY,
    )
    clock(T0 + 7 * DAY)
    run_rule("remind_accept")
    assert _steps("remind_accept") == ["reminder-1"]


def test_reminders_stop_when_the_asker_opts_out(clock, liked_answer):
    _enable("remind_accept")
    optout.opt_out(liked_answer.question.author_id, "remind_accept")
    clock(T0 + 3 * DAY)
    assert run_rule("remind_accept") == []


# Welcome ------------------------------------------------------------------------------------


def test_a_newly_verified_member_is_welcomed_once(clock, django_capture_on_commit_callbacks):
    _enable("welcome")
    newcomer = UserFactory(date_joined=T0, locale="en")
    old_member = UserFactory()  # joined in 2020
    with django_capture_on_commit_callbacks(execute=True):
        run_rule("welcome")
    clock(T0 + DAY)
    with django_capture_on_commit_callbacks(execute=True):
        run_rule("welcome")
    assert list(AutomationAction.objects.values_list("recipient_id", flat=True)) == [newcomer.pk]
    assert Notification.objects.filter(recipient=newcomer).count() == 1
    assert not Notification.objects.filter(recipient=old_member).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [newcomer.email]
    assert "Follow a few tags" in message.body
    assert "/community/automation/opt-out/" in message.extra_headers["List-Unsubscribe"]


def test_newcomers_beyond_a_runs_candidates_are_welcomed_by_the_next_run(clock, monkeypatch):
    monkeypatch.setattr("advocacy.automation.rules.CANDIDATES", 2)
    _enable("welcome")
    newcomers = [UserFactory(date_joined=T0 + n * dt.timedelta(minutes=1)) for n in range(3)]
    clock(T0 + DAY)
    assert len(run_rule("welcome")) == 2
    assert len(run_rule("welcome")) == 1  # not the two already welcomed again
    welcomed = AutomationAction.objects.values_list("recipient_id", flat=True)
    assert sorted(welcomed) == sorted(m.pk for m in newcomers)


def test_an_unverified_member_is_not_welcomed(clock):
    _enable("welcome")
    UserFactory(date_joined=T0, verified=False)
    assert run_rule("welcome") == []


# Win back -----------------------------------------------------------------------------------


@pytest.fixture
def lapsed_helper(clock):
    helper = UserFactory(last_login=T0, locale="en")
    for _ in range(5):
        question = QuestionFactory(tags=["sim"], created_at=T0 - 10 * DAY)
        answer = AnswerFactory(question=question, author=helper, created_at=T0 - 9 * DAY)
        question.accepted_answer = answer
        question.save(update_fields=["accepted_answer"])
    return helper


def test_a_lapsed_helper_gets_one_email_per_30_silent_days(
    clock, lapsed_helper, django_capture_on_commit_callbacks
):
    _enable("win_back")
    waiting = QuestionFactory(tags=["sim"], title="My SIM is locked", created_at=T0 + 20 * DAY)
    clock(T0 + 30 * DAY - dt.timedelta(seconds=1))
    assert run_rule("win_back") == []
    for day, expected in [(30, 1), (45, 1), (59, 1), (60, 2), (75, 2)]:
        clock(T0 + day * DAY)
        with django_capture_on_commit_callbacks(execute=True):
            run_rule("win_back")
            run_rule("win_back")
        assert len(mail.outbox) == expected, day
    assert "My SIM is locked" in mail.outbox[0].body
    assert waiting.get_absolute_url() in mail.outbox[0].body


def test_fewer_than_5_accepted_answers_is_not_a_helper_to_win_back(clock, lapsed_helper):
    _enable("win_back", min_accepted=6)
    QuestionFactory(tags=["sim"])
    clock(T0 + 31 * DAY)
    assert run_rule("win_back") == []


def test_no_win_back_email_without_unanswered_questions_in_their_tags(clock, lapsed_helper):
    _enable("win_back")
    QuestionFactory(tags=["billing"])
    clock(T0 + 31 * DAY)
    assert run_rule("win_back") == []
    assert not AutomationAction.objects.exists()


def _lapsed_helpers(prefix: str, count: int, tags_each: int) -> None:
    for n in range(count):
        helper = UserFactory(last_login=T0, locale="en")
        tags = [f"{prefix}{n}-{t}" for t in range(tags_each)]
        for _ in range(5):
            question = QuestionFactory(tags=tags, created_at=T0 - 10 * DAY)
            answer = AnswerFactory(question=question, author=helper, created_at=T0 - 9 * DAY)
            question.accepted_answer = answer
            question.save(update_fields=["accepted_answer"])
        QuestionFactory(tags=tags, created_at=T0 + 20 * DAY)


def test_lapsed_helpers_beyond_a_runs_candidates_are_written_to_by_the_next_run(clock, monkeypatch):
    monkeypatch.setattr("advocacy.automation.rules.CANDIDATES", 1)
    _enable("win_back")
    _lapsed_helpers("w", 2, 1)
    clock(T0 + 31 * DAY)
    assert len(run_rule("win_back")) == 1
    assert len(run_rule("win_back")) == 1  # the other helper, not the first one again
    assert run_rule("win_back") == []
    assert AutomationAction.objects.values("recipient").distinct().count() == 2


def test_win_back_queries_do_not_grow_with_helpers_or_tags(
    clock, django_capture_on_commit_callbacks
):
    """Listing who is due takes the same queries whatever the number of helpers; each
    helper's e-mail the same whatever the number of their tags."""
    from advocacy.automation.engine import do_step, registered, settings_for

    _enable("win_back")
    rule = registered()["win_back"]
    settings = settings_for(rule)
    now = T0 + 31 * DAY
    listing, per_step = [], []
    for prefix, helpers, tags in (("a", 1, 1), ("b", 5, 6)):
        _lapsed_helpers(prefix, helpers, tags)
        clock(now)
        with CaptureQueriesContext(connection) as queries:
            steps = list(rule.due(settings, now))
        listing.append(len(queries))
        for step in steps:
            if AutomationAction.objects.filter(subject=step.subject).exists():
                continue  # done in the first round
            with (
                CaptureQueriesContext(connection) as queries,
                django_capture_on_commit_callbacks(execute=False),
            ):
                assert do_step(rule, step, settings, now) is not None
            per_step.append(len(queries))
        clock(T0)
    assert listing[0] == listing[1]
    assert len(per_step) == 6
    assert len(set(per_step)) == 1, per_step


# Route the unanswered -----------------------------------------------------------------------


def test_an_unanswered_question_goes_to_recent_followers_of_its_tag(clock, customer):
    _enable("route_unanswered", after_minutes=30)
    question = QuestionFactory(author=customer, tags=["sim"], created_at=T0)
    tag = Tag.objects.get(name="sim")
    recent = UserFactory(last_login=T0 - DAY)
    stale = UserFactory(last_login=T0 - 30 * DAY)
    for member in (recent, stale, customer):
        Follow.objects.create(user=member, tag=tag)
    clock(T0 + dt.timedelta(minutes=29))
    assert run_rule("route_unanswered") == []
    clock(T0 + dt.timedelta(minutes=30))
    run_rule("route_unanswered")
    clock(T0 + dt.timedelta(minutes=90))
    run_rule("route_unanswered")
    offered = Notification.objects.filter(question=question, kind="routed")
    assert list(offered.values_list("recipient_id", flat=True)) == [recent.pk]
    assert AutomationAction.objects.get(rule="route_unanswered").detail["notified"] == [recent.pk]


def test_an_answered_question_is_not_routed(clock, customer, advocate):
    _enable("route_unanswered", after_minutes=30)
    question = QuestionFactory(author=customer, tags=["sim"], created_at=T0)
    AnswerFactory(question=question, author=advocate, created_at=T0 + dt.timedelta(minutes=5))
    clock(T0 + dt.timedelta(hours=1))
    assert run_rule("route_unanswered") == []


# The manager's page -------------------------------------------------------------------------


def test_members_cannot_open_the_rules_page(customer_client, advocate_client):
    assert customer_client.get(reverse("automation:rules")).status_code == 403
    assert advocate_client.get(reverse("automation:rules")).status_code == 403
    response = customer_client.post(
        reverse("automation:update", args=["welcome"]), {"welcome-enabled": "on"}
    )
    assert response.status_code == 403
    assert not AutomationRule.objects.exists()


def test_the_manager_edits_a_rule_and_reads_the_log(
    manager_client, manager, django_assert_max_num_queries
):
    response = manager_client.post(
        reverse("automation:update", args=["route_unanswered"]),
        {
            "route_unanswered-enabled": "on",
            "route_unanswered-after_minutes": "45",
            "route_unanswered-active_days": "3",
            "route_unanswered-max_members": "5",
        },
    )
    assert response.status_code == 302
    row = AutomationRule.objects.get(key="route_unanswered")
    assert row.enabled is True
    assert row.params == {"after_minutes": 45, "active_days": 3, "max_members": 5}
    assert row.updated_by == manager
    for n in range(60):
        AutomationAction.objects.create(
            rule="welcome" if n % 2 else "win_back",
            subject=f"user:{n}",
            step="welcome",
            recipient=manager,
            question=QuestionFactory() if n < 3 else None,
        )
    with django_assert_max_num_queries(14):
        page = manager_client.get(reverse("automation:rules"), {"rule": "welcome"})
    assert page.status_code == 200
    assert len(page.context["entries"]) == 30
    with django_assert_max_num_queries(14):
        page = manager_client.get(reverse("automation:rules"), {"page": "2"})
    assert len(page.context["entries"]) == 10


@pytest.mark.parametrize(
    "value", ["0", "-3", "abc", "999999999", ""], ids=["zero", "negative", "text", "huge", "empty"]
)
def test_a_bad_parameter_is_a_form_error(manager_client, value):
    response = manager_client.post(
        reverse("automation:update", args=["welcome"]),
        {"welcome-enabled": "on", "welcome-within_days": value},
    )
    assert response.status_code == 400
    assert not AutomationRule.objects.exists()


def test_an_unknown_rule_is_a_400(manager_client):
    response = manager_client.post(reverse("automation:update", args=["nope"]), {})
    assert response.status_code == 400


# Opt-out ------------------------------------------------------------------------------------


def test_one_click_opt_out_from_the_email(client, customer):
    token = optout.make_token(customer.pk, "win_back")
    url = reverse("automation:opt_out", args=[token])
    assert client.get(url).status_code == 200
    assert not AutomationOptOut.objects.exists()
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200  # replayed: still one row
    assert list(AutomationOptOut.objects.values_list("user_id", "rule")) == [
        (customer.pk, "win_back")
    ]


def test_a_forged_opt_out_token_is_refused(client):
    assert client.post(reverse("automation:opt_out", args=["forged"])).status_code == 400


def test_the_demo_seeder_enables_the_rules_and_logs_a_real_reminder(clock, liked_answer):
    from demo.automation import seed_automation

    counts = seed_automation(anchor=T0)
    assert seed_automation(anchor=T0)["automation actions"] == 0  # re-run: nothing new

    assert counts["automation actions"] >= 2
    assert set(AutomationRule.objects.filter(enabled=True).values_list("key", flat=True)) == {
        "remind_accept",
        "welcome",
        "win_back",
        "route_unanswered",
    }
    reminder = AutomationAction.objects.get(rule="remind_accept")
    assert reminder.question == liked_answer.question
    assert Notification.objects.filter(recipient=liked_answer.question.author).exists()
