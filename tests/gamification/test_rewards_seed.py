"""seed_demo writes the points of its recent votes and acceptances to the ledger (so the
weekly and monthly leaderboards show people) and a small rewards catalogue with
redemptions, and every cached total still equals its ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from forum.models import User
from gamification import leaderboards
from gamification.models import PointEvent
from gamification.rewards.models import Redemption, Reward
from tests.gamification.rewards_support import assert_rewards_invariants


def seed_now() -> None:
    anchor = timezone.now().replace(minute=0, second=0, microsecond=0).isoformat()
    call_command(
        "seed_demo",
        *["--users", "30", "--questions", "80", "--answers-per-question", "3"],
        *["--anchor", anchor, "--force"],
        stdout=StringIO(),
    )


# Named instants (the boards go by the calendar in Europe/Rome). In the middle of a month
# the week lies inside the month; on Friday 4 December 2026 the week began on Monday 30
# November, so the weekly board may hold more members than the monthly one (the day this
# test used to fail on, when it compared the two boards' lengths). Points can be negative
# too, so not even mid-month is a member's week total bounded by their month total.
MID_MONTH = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # Wednesday 18 November, 15:00 in Rome
WEEK_STRADDLES_MONTHS = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Friday 4 December


@pytest.mark.parametrize("instant", [MID_MONTH, WEEK_STRADDLES_MONTHS], ids=["mid", "straddle"])
def test_the_demo_has_weekly_and_monthly_leaders_and_rewards(db, instant):
    with time_machine.travel(instant, tick=False):
        seed_now()
        week = leaderboards.leaderboard(period="week")
        month = leaderboards.leaderboard(period="month")

    assert len(week) >= 3
    assert len(month) >= 3
    assert all(not e.member.is_staff for e in week + month)
    assert PointEvent.objects.filter(rule="answer_upvoted", points__gt=0).exists()
    assert PointEvent.objects.filter(rule="answer_accepted").exists()
    # The demo accounts keep their documented reputations (about 20 / 1,500 / 6,000).
    reps = dict(
        User.objects.filter(username__startswith="demo-").values_list("username", "reputation")
    )
    assert 15 <= reps["demo-customer"] < 50
    assert 1400 <= reps["demo-helper"] <= 1700
    assert 5800 <= reps["demo-advocate"] <= 6500
    assert Reward.objects.count() == 6
    assert Reward.objects.filter(stock=0).exists()  # one sold out, to show how it looks
    statuses = set(Redemption.objects.values_list("status", flat=True))
    assert {"approved", "refused", "pending"} <= statuses
    assert_rewards_invariants()


def test_a_benchmark_thread_on_a_seeded_database_keeps_the_ledger_true(db):
    from demo.seeding import build_thread

    with time_machine.travel(WEEK_STRADDLES_MONTHS, tick=False):
        seed_now()
        build_thread(title="Bench thread", answers=5, anchor=timezone.now())

    assert_rewards_invariants()
