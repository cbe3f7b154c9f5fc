"""Leaderboards from the denormalised counters, and ranks by reputation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation
from taggit.models import Tag

from forum import services
from forum.models import User
from gamification import leaderboards, ranks
from gamification.models import Rank
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import assert_invariants, member

MONDAY = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _invariants_hold(db):
    yield
    assert_invariants()


def board(period: str, tag_id: int = 0) -> list[tuple[int, str, int]]:
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        return [
            (e.position, e.member.username, e.points)
            for e in leaderboards.leaderboard(period=period, tag_id=tag_id)
        ]


def staff_voters(n: int, prefix: str) -> list[User]:
    """Staff vote without needing reputation and stay off the boards: only the authors'
    points show."""
    return [member(1, username=f"{prefix}{i:02d}", is_staff=True) for i in range(n)]


def upvote(post, n: int, when: dt.datetime, prefix: str) -> None:  # noqa: ANN001
    with time_machine.travel(when, tick=False):
        for voter in staff_voters(n, prefix):
            services.cast_vote(actor=voter, post=post, value=1)


@pytest.fixture
def season(db):
    """ann earned 30 this week (20 in tag sim), bea 10 this week and 50 last month, the
    staff member 40 this week."""
    with time_machine.travel(MONDAY - dt.timedelta(days=3), tick=False):
        ann = member(1, username="ann")
        bea = member(1, username="bea")
        boss = member(1, username="boss", is_staff=True)
        sim_answer = AnswerFactory(author=ann, question=QuestionFactory(tags=["sim"]))
        other_answer = AnswerFactory(author=ann, question=QuestionFactory(tags=["roaming"]))
        bea_answer = AnswerFactory(author=bea, question=QuestionFactory(tags=["sim"]))
        boss_answer = AnswerFactory(author=boss, question=QuestionFactory(tags=["sim"]))
    upvote(bea_answer, 5, MONDAY - dt.timedelta(days=40), "old")
    upvote(sim_answer, 2, MONDAY, "a")
    upvote(other_answer, 1, MONDAY + dt.timedelta(days=1), "b")
    upvote(bea_answer, 1, MONDAY + dt.timedelta(days=1), "c")
    upvote(boss_answer, 4, MONDAY, "d")
    return ann, bea, boss


def test_week_month_and_all_time_leave_staff_out(season):
    assert board("week") == [(1, "ann", 30), (2, "bea", 10)]
    assert board("month") == [(1, "ann", 30), (2, "bea", 10)]
    assert board("all") == [(1, "bea", 60), (2, "ann", 30)]


def test_per_tag_board(season):
    sim = Tag.objects.get(name="sim")
    roaming = Tag.objects.get(name="roaming")

    assert board("week", sim.pk) == [(1, "ann", 20), (2, "bea", 10)]
    assert board("week", roaming.pk) == [(1, "ann", 10)]
    assert board("all", sim.pk) == [(1, "bea", 60), (2, "ann", 20)]


def test_suspended_members_leave_the_board(season):
    ann, _bea, _boss = season
    User.objects.filter(pk=ann.pk).update(is_active=False)

    assert board("week") == [(1, "bea", 10)]


def test_each_member_sees_their_own_position(season):
    ann, bea, boss = season
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        assert leaderboards.position_of(bea, period="week").position == 2
        assert leaderboards.position_of(ann, period="week").points == 30
        assert leaderboards.position_of(boss, period="week") is None  # staff: not ranked
        assert leaderboards.position_of(member(1, username="zero"), period="week") is None


def test_ties_go_to_the_earlier_member():
    with time_machine.travel(MONDAY, tick=False):
        first, second = member(1, username="first"), member(1, username="second")
        for author in (second, first):
            services.cast_vote(
                actor=staff_voters(1, author.username)[0],
                post=AnswerFactory(author=author),
                value=1,
            )
    assert board("week") == [(1, "first", 10), (2, "second", 10)]


def test_a_reversal_counts_against_the_week_it_reverses():
    with time_machine.travel(MONDAY - dt.timedelta(days=7), tick=False):
        author = member(1, username="author")
        answer = AnswerFactory(author=author)
        (voter,) = staff_voters(1, "v")
        services.cast_vote(actor=voter, post=answer, value=1)
    with time_machine.travel(MONDAY, tick=False):
        services.cast_vote(actor=voter, post=answer, value=0)
        assert leaderboards.position_of(author, period="week") is None
        assert leaderboards.position_of(author, period="all") is None


# Ranks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reputation", "name", "next_at"),
    [
        (1, "Newcomer", 50),
        (49, "Newcomer", 50),
        (50, "Member", 200),
        (999, "Contributor", 1000),
        (1000, "Expert", 3000),
        (10000, "Legend", None),
    ],
)
def test_default_ranks_at_their_thresholds(db, reputation, name, next_at):
    rank = ranks.rank_for(reputation)

    assert (rank.name, rank.next_at) == (name, next_at)


def test_rank_names_follow_the_language(db):
    with translation.override("it"):
        assert ranks.rank_for(50).name == "Membro"
    assert ranks.rank_for(50).name == "Member"


def test_ranks_are_tunable(tune):
    Rank.objects.all().delete()
    Rank.objects.create(reputation=1, name="Seed", name_it="")
    Rank.objects.create(reputation=10, name="Sprout", name_it="Germoglio")
    tune()  # clears the cached tuning, as the admin does on save

    assert [(r.level, r.name, r.starts_at) for r in ranks.all_ranks()] == [
        (1, "Seed", 1),
        (2, "Sprout", 10),
    ]
    with translation.override("it"):
        assert ranks.rank_for(5).name == "Seed"  # no Italian name: the English one
