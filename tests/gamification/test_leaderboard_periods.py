"""What "this week" and "this month" mean on the boards: the site's calendar in its time
zone (Europe/Rome), a week from Monday 00:00 and a calendar month from the 1st at 00:00;
said on the page and in the API. Every test runs at frozen, named instants."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from forum import services
from gamification import leaderboards
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import assert_invariants, member

UTC = dt.UTC
# Rome is UTC+1 in winter: midnight of 1 December 2026 in Rome is 23:00 UTC on 30 November.
NOV_30_2359_ROME = dt.datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)
DEC_1_0000_ROME = dt.datetime(2026, 11, 30, 23, 0, 0, tzinfo=UTC)
NOV_30_2359_UTC = dt.datetime(2026, 11, 30, 23, 59, 0, tzinfo=UTC)  # 00:59 on 1 Dec in Rome
DEC_1_0000_UTC = dt.datetime(2026, 12, 1, 0, 0, 0, tzinfo=UTC)
DEC_4 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Friday; the week began on Monday 30 Nov


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _invariants_hold():
    yield
    assert_invariants()


def earn(username: str, when: dt.datetime, votes: int = 1) -> None:
    """`username` gets `votes` upvotes (10 points each) on one answer, at `when`. Staff vote:
    they need no reputation and stay off the boards."""
    with time_machine.travel(when, tick=False):
        author = member(1, username=username)
        answer = AnswerFactory(author=author, question=QuestionFactory(tags=["sim"]))
        for i in range(votes):
            voter = member(1, username=f"{username}-v{i}", is_staff=True)
            services.cast_vote(actor=voter, post=answer, value=1)


def board(period: str, at: dt.datetime) -> list[tuple[str, int]]:
    with time_machine.travel(at, tick=False):
        return [(e.member.username, e.points) for e in leaderboards.leaderboard(period=period)]


def test_the_month_turns_at_midnight_in_rome_not_in_utc():
    earn("late-november", NOV_30_2359_ROME)
    earn("first-of-december", DEC_1_0000_ROME, votes=2)
    earn("utc-november", NOV_30_2359_UTC, votes=3)  # already 1 December in Rome
    earn("utc-december", DEC_1_0000_UTC, votes=4)

    assert board("month", DEC_4) == [
        ("utc-december", 40),
        ("utc-november", 30),
        ("first-of-december", 20),
    ]
    assert board("month", NOV_30_2359_ROME) == [("late-november", 10)]
    # The same points, seen a month later: the boards are calendar months, not 30 days.
    assert board("month", dt.datetime(2027, 1, 2, 12, 0, tzinfo=UTC)) == []
    # All four are in the week that began on Monday 30 November (in Rome).
    assert [name for name, _ in board("week", DEC_4)] == [
        "utc-december",
        "utc-november",
        "first-of-december",
        "late-november",
    ]


def test_the_week_turns_on_monday_at_midnight_in_rome():
    sunday_2359 = dt.datetime(2026, 11, 29, 22, 59, 59, tzinfo=UTC)  # Sunday 29 Nov, Rome
    monday_0000 = dt.datetime(2026, 11, 29, 23, 0, 0, tzinfo=UTC)  # Monday 30 Nov, Rome
    earn("sunday", sunday_2359)
    assert board("week", sunday_2359) == [("sunday", 10)]

    earn("monday", monday_0000, votes=2)

    assert board("week", DEC_4) == [("monday", 20)]
    assert board("month", monday_0000) == [("monday", 20), ("sunday", 10)]  # both November
    assert board("month", DEC_4) == []


def test_the_board_follows_the_site_calendar_whatever_time_zone_is_active():
    earn("december", DEC_1_0000_ROME)

    with timezone.override("UTC"):  # 23:30 on 30 November in UTC, 00:30 on 1 Dec in Rome
        assert board("month", DEC_1_0000_ROME + dt.timedelta(minutes=30)) == [("december", 10)]
        with time_machine.travel(DEC_1_0000_ROME, tick=False):
            assert leaderboards.current_start("month") == dt.date(2026, 12, 1)
            assert leaderboards.current_start("week") == dt.date(2026, 11, 30)
            assert leaderboards.current_start("all") is None


@pytest.mark.parametrize(
    ("instant", "week", "month"),
    [
        # Sunday 28 March 2027, 03:30 CEST, half an hour after the clocks went forward.
        (dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC), dt.date(2027, 3, 22), dt.date(2027, 3, 1)),
        # Sunday 31 October 2027, 02:30 CEST, the first pass of the hour that repeats.
        (dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC), dt.date(2027, 10, 25), dt.date(2027, 10, 1)),
        # The same wall-clock time an hour later, 02:30 CET.
        (dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC), dt.date(2027, 10, 25), dt.date(2027, 10, 1)),
        # 31 December 2026 at 23:59 UTC is 00:59 on New Year's Day in Rome.
        (dt.datetime(2026, 12, 31, 23, 59, tzinfo=UTC), dt.date(2026, 12, 28), dt.date(2027, 1, 1)),
        (dt.datetime(2028, 2, 29, 12, 0, tzinfo=UTC), dt.date(2028, 2, 28), dt.date(2028, 2, 1)),
    ],
)
def test_periods_start_where_the_calendar_says_on_awkward_days(instant, week, month):
    with time_machine.travel(instant, tick=False):
        assert leaderboards.current_start("week") == week
        assert leaderboards.current_start("month") == month


def test_the_page_says_since_when_the_period_runs(client):
    earn("ada", DEC_1_0000_ROME)

    with time_machine.travel(DEC_4, tick=False):
        week = client.get("/leaderboard/").content.decode()
        month = client.get("/leaderboard/?period=month").content.decode()
        every = client.get("/leaderboard/?period=all").content.decode()

    assert "This week: since Monday 30 November 2026, 00:00 (Europe/Rome time)." in week
    assert "This month: since 1 December 2026, 00:00 (Europe/Rome time)." in month
    assert "period-since" not in every


def test_the_page_says_it_in_italian(client):
    # (Django's Italian month and day names are capitalised.)
    with translation.override("it"), time_machine.travel(DEC_4, tick=False):
        page = client.get("/leaderboard/?period=month", HTTP_ACCEPT_LANGUAGE="it").content
        week = client.get("/leaderboard/", HTTP_ACCEPT_LANGUAGE="it").content

    assert "Questo mese: dal 1 Dicembre 2026, ore 00:00 (ora di Europe/Rome)." in page.decode()
    assert "Questa settimana: da Lunedì 30 Novembre 2026, ore 00:00" in week.decode()


def test_the_api_gives_the_period_start_and_the_schema_explains_it(client):
    earn("ada", DEC_1_0000_ROME)

    with time_machine.travel(DEC_4, tick=False):
        week = client.get("/api/v1/leaderboard/").json()
        month = client.get("/api/v1/leaderboard/?period=month").json()
        every = client.get("/api/v1/leaderboard/?period=all").json()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert (week["since"], month["since"], every["since"]) == ("2026-11-30", "2026-12-01", None)
    assert [e["member"]["username"] for e in month["results"]] == ["ada"]
    text = schema.content.decode()
    assert "the calendar month from the 1st at 00:00" in text
    assert "Europe/Rome, not UTC" in text
