"""A member's own position on a board: counted on the counters, minus the members the
board leaves out (staff, managers, inactive and suspended members) who would be ahead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gamification import leaderboards
from gamification.leaderboards import period_start
from gamification.models import ScoreCounter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counter(user, points: int, period: str = "week", tag_id: int = 0) -> None:  # noqa: ANN001
    start = period_start(period, timezone.localdate())
    ScoreCounter.objects.create(user=user, period=period, start=start, tag_id=tag_id, points=points)
    if points > 0:  # as `bump` moves the member into the board's score bucket
        leaderboards.move_buckets({(period, start, tag_id, points): 1})


def test_positions_agree_with_the_board_whoever_is_left_out():
    a, b, c, d = (UserFactory(username=n) for n in ("a", "b", "c", "d"))
    left_out = [
        UserFactory(username="agent", is_staff=True),
        UserFactory(username="boss", is_superuser=True),
        UserFactory(username="gone", is_active=False),
        UserFactory(username="away", suspended_until=timezone.now() + dt.timedelta(days=3)),
    ]
    for user, points in ((a, 50), (b, 50), (c, 50), (d, 10)):
        counter(user, points)
    for user, points in zip(left_out, (60, 50, 70, 55), strict=True):
        counter(user, points)
    counter(UserFactory(username="other-tag"), 90, tag_id=7)
    counter(UserFactory(username="last-month"), 90, period="month")

    board = leaderboards.leaderboard(period="week", limit=100)

    assert [(e.position, e.member.username) for e in board] == [
        (1, "a"),
        (2, "b"),
        (3, "c"),
        (4, "d"),
    ]
    for entry in board:
        assert leaderboards.position_of(entry.member, period="week") == entry
    for user in left_out:
        assert leaderboards.position_of(user, period="week") is None


def test_a_suspension_that_has_ended_counts_again():
    a, b = UserFactory(username="a"), UserFactory(username="b")
    back = UserFactory(username="back", suspended_until=timezone.now() - dt.timedelta(hours=1))
    counter(a, 30)
    counter(back, 20)
    counter(b, 10)

    assert leaderboards.position_of(b, period="week").position == 3


def test_bump_keeps_the_score_buckets_in_step_through_gains_and_reversals():
    from gamification.models import PointEvent

    a, b = UserFactory(username="a"), UserFactory(username="b")
    today = timezone.localdate()

    def event(user, points: int) -> PointEvent:  # noqa: ANN001
        return PointEvent(recipient_id=user.pk, points=points, day=today, question_id=None)

    leaderboards.bump([event(a, 10), event(b, 10)])
    leaderboards.bump([event(a, 5)])
    leaderboards.bump([event(b, -10)])  # back to 0: off the board, out of its buckets

    assert leaderboards.bucket_drift() == []
    assert leaderboards.position_of(a, period="week").position == 1
    assert leaderboards.position_of(b, period="week") is None
    leaderboards.bump([event(b, 20)])
    assert leaderboards.bucket_drift() == []
    assert [e.member.username for e in leaderboards.leaderboard(period="week")] == ["b", "a"]
    assert leaderboards.position_of(a, period="week").position == 2


def test_own_position_takes_one_query_whatever_the_board(django_assert_max_num_queries):
    members = [UserFactory() for _ in range(30)]
    for n, user in enumerate(members):
        counter(user, 10 + n % 7)
    with django_assert_max_num_queries(1):
        entry = leaderboards.position_of(members[3], period="week")
    board = leaderboards.leaderboard(period="week", limit=100)
    assert entry == next(e for e in board if e.member == members[3])
