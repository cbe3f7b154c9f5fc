"""Community health: the figures against a hand-built data set whose answers are known
(time frozen), the page, its CSV and the API (who may read them, query budgets), and the
counter of signed-out views of solved threads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from advocacy.health import facts
from advocacy.health.figures import compute, percentiles, top_share
from advocacy.health.reference import compute_in_python
from advocacy.health.sql import compute_in_sql
from advocacy.models import AnswerVerdict, Escalation, Flag
from forum.deflection import SolvedThreadView
from forum.models import Question
from tests.budget import session_query
from tests.factories import AnswerFactory, CategoryFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=UTC)  # 12:00 in Rome


def at(day: int, hour: int = 10, minutes: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, 0, tzinfo=UTC) + dt.timedelta(minutes=minutes)


def _answer(question, author, created_at):
    return AnswerFactory(question=question, author=author, created_at=created_at)


def _escalation(question, by, created_at, **kwargs):
    return Escalation.objects.create(
        question=question,
        created_by=by,
        reason="Needs staff",
        created_at=created_at,
        first_response_due_at=created_at + dt.timedelta(hours=4),
        resolve_due_at=created_at + dt.timedelta(days=2),
        **kwargs,
    )


@pytest.fixture
def world(db):
    asker = UserFactory(username="asker")
    h1 = UserFactory(username="h1")
    h2 = UserFactory(username="h2")
    h3 = UserFactory(username="h3")
    staff = UserFactory(username="agent", is_staff=True)
    adv = UserFactory(username="adv", is_advocate=True)
    lounge = CategoryFactory(name="Lounge", slug="lounge", is_private=True)
    wifi = CategoryFactory(name="Wi-Fi", slug="wifi-cat")

    def ask(created_at, tags, category=None, **kwargs):
        return QuestionFactory(
            author=asker, created_at=created_at, tags=tags, category=category, **kwargs
        )

    # This period (7 days to NOW).
    q1 = ask(at(10), ["wifi"], category=wifi)
    _answer(q1, staff, at(10, minutes=10))
    a1 = _answer(q1, h1, at(10, minutes=30))
    Question.objects.filter(pk=q1.pk).update(accepted_answer=a1)
    q2 = ask(at(11), ["wifi", "sim"])
    a2 = _answer(q2, staff, at(11, minutes=60))
    Question.objects.filter(pk=q2.pk).update(accepted_answer=a2)
    q3 = ask(at(12), ["sim"])
    _answer(q3, asker, at(12, minutes=5))  # the asker's own: not an answer
    _answer(q3, h2, at(12, minutes=120))
    adv_a = _answer(q3, adv, at(12, minutes=200))
    q4 = ask(at(13), ["sim", "esim"])
    ask(at(13), ["sim"], category=lounge)  # the lounge: left out
    ask(at(13), ["sim"], deleted_at=at(13, 11))  # deleted: left out
    # The period before.
    q7 = ask(at(3), ["wifi"])
    _answer(q7, h1, at(3, minutes=20))
    adv_b = _answer(q7, adv, at(9))  # posted this period on an older question
    # h3 was busy in April and silent since: at risk.
    old = ask(dt.datetime(2026, 3, 30, tzinfo=UTC), ["sim"])
    for n in range(5):
        _answer(old, h3, dt.datetime(2026, 4, 1 + n, tzinfo=UTC))
    # Escalations: one in SLA, one late, one open and on time (outcome unknown).
    _escalation(q2, adv, at(11, 11), status="resolved", resolved_at=at(11, 15))
    _escalation(q3, staff, at(12, 11), first_response_breached=True)
    _escalation(q4, staff, at(13, 11))
    # Staff verdicts on the advocate's answers; the advocate's flags.
    AnswerVerdict.objects.create(answer=adv_a, author=adv, verdict="correct", judged_at=at(13))
    AnswerVerdict.objects.create(answer=adv_b, author=adv, verdict="incorrect", judged_at=at(14))
    for key, status in (("q:1", "upheld"), ("q:2", "dismissed"), ("q:3", "open")):
        Flag.objects.create(
            flagger=adv, question=q1, post_key=key, reason="spam", status=status, created_at=at(12)
        )
    # Signed-out views of solved threads.
    SolvedThreadView.objects.create(question=q1, day=dt.date(2026, 6, 14), views=3)
    SolvedThreadView.objects.create(question=q1, day=dt.date(2026, 6, 15), views=1)
    SolvedThreadView.objects.create(question=q2, day=dt.date(2026, 6, 8), views=2)  # before
    # Built with factories and updates, past the services' domain events: the dashboard's
    # per-question rows are computed once here (tests/health/test_facts.py follows events).
    facts.refresh()
    return {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q7": q7}


def test_figures_match_the_hand_built_data_set(world):
    report = compute(7, now=NOW)
    cur, prev = report["current"], report["previous"]
    assert cur["questions"] == 4
    assert cur["answered_share"] == 0.75
    assert cur["first_answer_minutes"] == {"p50": 60, "p90": 120}
    assert cur["community_first_answer_minutes"] == {"p50": 75.0, "p90": 120}
    assert cur["solved_share"] == 0.5
    assert cur["community_solved_share"] == 0.25
    assert cur["escalated_share"] == 0.75
    assert cur["sla_met_share"] == 0.5
    assert cur["deflection_estimate"] == 4
    assert cur["top1_share"] == 1.0
    assert cur["top10_share"] == 1.0
    assert cur["active_helpers"] == 3  # h1, h2, adv (the asker's own answer does not count)
    assert cur["new_helpers"] == 2  # h2 and adv answered for the first time
    assert cur["helpers_at_risk"] == 1  # h3
    assert cur["advocates"] == {
        "accuracy": 0.5,
        "escalations_raised": 1,
        "flags_upheld": 1,
        "flags_decided": 2,
    }
    assert [t["tag"] for t in cur["by_tag"]] == ["esim", "sim", "wifi"]
    by_tag = {t["tag"]: t for t in cur["by_tag"]}
    assert by_tag["sim"] == {
        "tag": "sim",
        "slug": "sim",
        "questions": 3,
        "answered_share": 0.6667,
        "first_answer_minutes": {"p50": 90.0, "p90": 120},
        "solved_share": 0.3333,
    }
    assert by_tag["wifi"]["first_answer_minutes"] == {"p50": 35.0, "p90": 60}
    assert by_tag["esim"]["answered_share"] == 0.0
    assert cur["by_category"] == [
        {
            "category": "Wi-Fi",
            "questions": 1,
            "answered_share": 1.0,
            "first_answer_minutes": {"p50": 10, "p90": 10},
            "solved_share": 1.0,
        }
    ]
    assert prev["questions"] == 1
    assert prev["first_answer_minutes"] == {"p50": 20, "p90": 20}
    assert prev["solved_share"] == 0.0
    assert prev["active_helpers"] == 1
    assert prev["new_helpers"] == 1
    assert prev["deflection_estimate"] == 2
    assert prev["sla_met_share"] is None
    assert prev["helpers_at_risk"] == 1
    days = {d["day"]: d for d in report["trend"]}
    assert len(report["trend"]) == 8
    assert days[dt.date(2026, 6, 10)] == {
        "day": dt.date(2026, 6, 10),
        "questions": 1,
        "answered": 1,
        "solved": 1,
    }
    assert days[dt.date(2026, 6, 13)]["questions"] == 1
    assert days[dt.date(2026, 6, 13)]["answered"] == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the SQL path aggregates with PostgreSQL's"
)
@pytest.mark.parametrize("days", [1, 3, 7, 30, 365])
def test_sql_path_gives_the_python_path_figures(world, days):
    """PostgreSQL aggregates (bench P8); the Python path (SQLite) is the reference."""
    with time_machine.travel(NOW, tick=False):
        assert compute_in_sql(days, now=NOW) == compute_in_python(days, now=NOW)


def test_figures_take_a_constant_number_of_queries(world, django_assert_num_queries):
    """The count does not grow with questions, answers, tags, categories or helpers."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        compute(7, now=NOW)
    asker = UserFactory()
    for n in range(12):
        category = CategoryFactory(name=f"Cat {n}", slug=f"cat-{n}")
        q = QuestionFactory(author=asker, created_at=at(12), tags=[f"t{n}"], category=category)
        _answer(q, UserFactory(), at(12, minutes=n + 1))
        _answer(q, UserFactory(), at(13, minutes=n + 1))
    facts.refresh()
    with django_assert_num_queries(len(small.captured_queries)):
        report = compute(7, now=NOW)
    assert report["current"]["questions"] == 16


def test_percentiles_and_top_shares():
    assert percentiles([]) == {"p50": None, "p90": None}
    assert percentiles([5]) == {"p50": 5, "p90": 5}
    assert percentiles(list(range(1, 11))) == {"p50": 5.5, "p90": 9}
    counts = [10, 5] + [1] * 18
    assert top_share(counts, 0.01) == round(10 / 33, 4)
    assert top_share(counts, 0.10) == round(15 / 33, 4)
    assert top_share([], 0.1) is None


def test_empty_community_gives_no_division_by_zero(db):
    report = compute(30, now=NOW)
    assert report["current"]["questions"] == 0
    assert report["current"]["answered_share"] is None
    assert report["current"]["by_tag"] == []


# The API, the page and the CSV ---------------------------------------------------------------


def test_api_for_managers_only(world, client, customer_client, advocate_client, manager_client):
    url = "/api/v1/community/health/"
    assert client.get(url).status_code == 401
    assert customer_client.get(url).status_code == 403
    assert advocate_client.get(url).status_code == 403
    with time_machine.travel(NOW, tick=False):
        body = manager_client.get(url, {"days": 7}).json()
    assert body["days"] == 7
    assert body["current"]["questions"] == 4
    assert body["current"]["first_answer_minutes"] == {"p50": 60, "p90": 120}
    assert body["previous"]["questions"] == 1
    assert [t["tag"] for t in body["current"]["by_tag"]] == ["esim", "sim", "wifi"]


@pytest.mark.parametrize("days", ["0", "366", "abc", "-3", "1e9"])
def test_api_bad_period_is_400(manager_client, days):
    response = manager_client.get("/api/v1/community/health/", {"days": days})
    assert response.status_code == 400
    assert "days" in response.json()


def test_page_and_csv(world, manager_client, staff_client, customer_client, client):
    url = reverse("health:dashboard")
    assert customer_client.get(url).status_code == 403
    assert client.get(url).status_code == 302
    with time_machine.travel(NOW, tick=False):
        page = staff_client.get(url, {"days": 7})
        assert page.status_code == 200
        html = page.content.decode()
        assert "<svg" in html
        assert 'id="deflection-rule"' in html
        assert (
            'data-figure="questions"><th scope="row">Questions asked</th><td>4</td><td>1</td>'
            in html
        )
        assert f'href="{reverse("health:csv")}?days=7"' in html
        response = manager_client.get(reverse("health:csv"), {"days": 7})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "name", "figure", "current", "previous"]
    assert ["community", "", "questions", "4", "1"] in rows
    assert ["community", "", "first_answer_minutes.p90", "120.0", "20.0"] in rows
    assert ["tag", "sim", "first_answer_minutes.p50", "90.0", ""] in rows
    assert customer_client.get(reverse("health:csv")).status_code == 403


def test_page_bad_period_is_a_form_error(manager_client):
    response = manager_client.get(reverse("health:dashboard"), {"days": "abc"})
    assert response.status_code == 400
    assert "whole number of days" in response.content.decode()
    assert manager_client.get(reverse("health:csv"), {"days": "0"}).status_code == 400


def test_query_budget_is_constant(world, manager_client, django_assert_max_num_queries):
    from django.core.cache import cache

    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(12) as small:
            manager_client.get("/api/v1/community/health/", {"days": 7})
        cache.clear()
        asker = UserFactory()
        for n in range(15):
            q = QuestionFactory(author=asker, created_at=at(12), tags=[f"t{n}", "sim"])
            _answer(q, UserFactory(), at(12, minutes=n + 1))
        facts.refresh()
        # The cleared cache held the session too (with Redis): read from the database again.
        again = len(small.captured_queries) + 1 - session_query()
        with django_assert_max_num_queries(again):
            manager_client.get("/api/v1/community/health/", {"days": 7})


def test_report_is_cached_briefly(world, manager_client, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        manager_client.get("/api/v1/community/health/", {"days": 7})
        with django_assert_max_num_queries(4):  # session and user only
            body = manager_client.get("/api/v1/community/health/", {"days": 7}).json()
    assert body["current"]["questions"] == 4


def test_the_worker_keeps_the_periods_managers_look_at_warm(
    world, manager_client, django_assert_max_num_queries
):
    """After the first look, the worker's job recomputes the period every minute, so the
    page reads fresh figures without computing them; periods nobody looked at in the last
    hour are left alone."""
    from advocacy.tasks import refresh_health_figures

    with time_machine.travel(NOW, tick=False):
        assert refresh_health_figures.call() == []  # nobody looked yet: nothing computed
        manager_client.get("/api/v1/community/health/", {"days": 7})
        question = QuestionFactory(author=UserFactory(), created_at=at(14))
        facts.refresh([question.pk])

        assert refresh_health_figures.call() == [7]
        with django_assert_max_num_queries(4):  # session and user: the figures are warm
            body = manager_client.get("/api/v1/community/health/", {"days": 7}).json()
    assert body["current"]["questions"] == 5


# The counter of signed-out views of solved threads --------------------------------------------


def test_signed_out_views_of_solved_threads_are_counted(client, customer_client, other_client):
    q = QuestionFactory()
    answer = AnswerFactory(question=q)
    Client(REMOTE_ADDR="10.0.0.1").get(q.get_absolute_url())  # not solved yet
    assert not SolvedThreadView.objects.exists()
    Question.objects.filter(pk=q.pk).update(accepted_answer=answer)
    client.get(q.get_absolute_url())
    client.get(q.get_absolute_url())  # the same reader within the hour: once
    other_client.get(q.get_absolute_url())  # a member: not a deflection
    row = SolvedThreadView.objects.get()
    assert (row.question_id, row.views) == (q.pk, 1)
    Client(REMOTE_ADDR="10.0.0.9").get(q.get_absolute_url())
    row.refresh_from_db()
    assert row.views == 2
    assert q.__class__.objects.get(pk=q.pk).view_count == 4


def test_demo_data_gives_the_dashboard_something_real(db):
    from forum.follows.models import Follow
    from tests.forum.test_seed_demo import ANCHOR, seed

    seed()
    assert Follow.objects.filter(user__username="demo-customer", tag__isnull=False).count() == 3
    assert SolvedThreadView.objects.exists()
    now = dt.datetime.fromisoformat(ANCHOR)
    assert compute(30, now=now)["current"]["deflection_estimate"] > 0
