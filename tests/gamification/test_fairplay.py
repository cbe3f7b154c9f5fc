"""Fair play: votes that give no points as they arrive (new and unverified accounts, vote
rings of two and three), and the sweep that reverses what slipped through and records
the cases for staff."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from forum import services
from forum.models import Answer, Vote
from gamification.fairplay import detection
from gamification.fairplay.models import FairPlayCase, FairPlayEvidence, FairPlaySettings
from gamification.fairplay.sweep import sweep_fair_play
from gamification.models import PointEvent
from gamification.tasks import sweep_fair_play as sweep_task
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.gamification.support import assert_invariants, member, rep, voters

pytestmark = pytest.mark.django_db


@pytest.fixture
def fair(db):
    """fair(ring_vote_limit=2, ...): store fair-play thresholds as the manager would."""

    def _fair(**values: object) -> None:
        FairPlaySettings.objects.update_or_create(pk=1, defaults=values)
        detection.clear_cache()

    yield _fair
    detection.clear_cache()


def upvote(voter, author, n: int = 1) -> list[Answer]:  # noqa: ANN001
    answers = AnswerFactory.create_batch(n, author=author)
    for answer in answers:
        services.cast_vote(actor=voter, post=answer, value=1)
    return answers


def paid(voter, author) -> list[int]:  # noqa: ANN001
    """Points of the voter's upvote awards to the author, oldest first."""
    return list(
        PointEvent.objects.awards()
        .filter(actor=voter, recipient=author, rule="answer_upvoted")
        .order_by("created_at", "pk")
        .values_list("points", flat=True)
    )


def votes_then_lower_limit(tune, n: int) -> tuple:  # noqa: ANN001
    """A fan upvotes n answers of one author under serial=10, then the limit drops to 5;
    returns (author, fan, answers)."""
    tune(serial=10)
    author = member(1, username="author")
    (fan,) = voters(1, prefix="fan")
    answers = upvote(fan, author, n)
    tune(serial=5)
    return author, fan, answers


def notes(author) -> list[str]:  # noqa: ANN001
    return list(
        PointEvent.objects.awards()
        .filter(recipient=author, rule="answer_upvoted")
        .order_by("created_at", "pk")
        .values_list("note", flat=True)
    )


# New and unverified accounts -----------------------------------------------------------


@pytest.mark.parametrize(("hours", "points"), [(23, 0), (25, 10)])
def test_votes_from_an_account_younger_than_a_day_count_but_pay_nothing(hours, points):
    author = member(1, username="author")
    voter = member(200, username="fresh", date_joined=timezone.now() - dt.timedelta(hours=hours))
    (answer,) = AnswerFactory.create_batch(1, author=author)

    services.cast_vote(actor=voter, post=answer, value=1)

    answer.refresh_from_db()
    assert answer.score == 1
    assert rep(author) == 1 + points
    assert notes(author) == ["new account" if points == 0 else ""]
    assert_invariants()


def test_a_downvote_from_a_new_account_costs_the_author_nothing(fair):
    author = member(500, username="author")
    voter = member(200, username="fresh", date_joined=timezone.now())
    answer = AnswerFactory(author=author)

    services.cast_vote(actor=voter, post=answer, value=-1)

    assert rep(author) == 500
    assert rep(voter) == 199  # casting a downvote still costs the voter
    assert PointEvent.objects.get(recipient=author, rule="answer_downvoted").note == "new account"


def test_the_new_account_period_is_tunable_and_0_turns_it_off(fair):
    author = member(1, username="author")
    voter = member(200, username="fresh", date_joined=timezone.now() - dt.timedelta(hours=2))

    fair(new_account_hours=1)
    upvote(voter, author)
    fair(new_account_hours=3)
    upvote(voter, author)
    fair(new_account_hours=0)
    upvote(voter, author)

    assert paid(voter, author) == [10, 0, 10]


def test_votes_from_an_unverified_account_pay_nothing_unless_staff_or_turned_off(fair):
    author = member(1, username="author")
    unverified = member(200, username="unverified", verified=False)
    agent = member(1, username="agent", is_staff=True, verified=False)

    upvote(unverified, author)
    upvote(agent, author)
    fair(require_verified_email=False)
    upvote(unverified, author)

    assert paid(unverified, author) == [0, 10]
    assert paid(agent, author) == [10]
    assert notes(author)[0] == "unverified account"
    assert_invariants()


# Vote rings ----------------------------------------------------------------------------


def test_two_members_upvoting_each_other_are_paid_up_to_the_ring_limit(fair):
    fair(ring_vote_limit=2)
    a, b = voters(2, prefix="pal")

    upvote(a, b, 2)
    upvote(b, a, 2)
    upvote(a, b)  # both ways at the limit: beyond it
    upvote(b, a)

    assert paid(a, b) == [10, 10, 0]
    assert paid(b, a) == [10, 10, 0]
    assert notes(b) == ["", "", "vote ring"]
    assert Answer.objects.filter(score=1).count() == 6  # every vote still counts
    assert_invariants()


def test_one_short_of_the_ring_limit_one_way_is_no_ring(fair):
    fair(ring_vote_limit=2)
    a, b = voters(2, prefix="pal")

    upvote(b, a, 1)
    upvote(a, b, 3)

    assert paid(a, b) == [10, 10, 10]
    assert paid(b, a) == [10]


def test_an_upvote_that_would_only_reach_the_limit_is_paid(fair):
    """n-1 each way paid, the vote that makes n is paid too; the one after is not."""
    fair(ring_vote_limit=3)
    a, b = voters(2, prefix="pal")

    upvote(a, b, 2)
    upvote(b, a, 3)
    upvote(a, b)  # a -> b reaches 3
    upvote(a, b)  # beyond

    assert paid(a, b) == [10, 10, 10, 0]


def test_downvotes_and_other_voters_are_not_part_of_a_ring(fair):
    fair(ring_vote_limit=1)
    a, b, c = voters(3, prefix="pal")

    upvote(a, b)
    upvote(b, a)
    upvote(c, b)
    for answer in AnswerFactory.create_batch(2, author=b):
        services.cast_vote(actor=a, post=answer, value=-1)

    assert paid(c, b) == [10]
    assert list(
        PointEvent.objects.filter(recipient=b, rule="answer_downvoted").values_list(
            "points", flat=True
        )
    ) == [-2, -2]


def test_a_ring_of_three_is_detected_and_can_be_turned_off(fair):
    fair(ring_vote_limit=2)
    a, b, c = voters(3, prefix="pal")
    upvote(a, b, 2)
    upvote(b, c, 2)
    upvote(c, a, 2)

    upvote(a, b)
    fair(ring_vote_limit=2, detect_rings_of_three=False)
    upvote(b, c)

    assert paid(a, b) == [10, 10, 0]
    assert paid(b, c) == [10, 10, 10]
    assert notes(b)[-1] == "vote ring"


def test_upvotes_older_than_the_ring_window_do_not_count(fair):
    fair(ring_vote_limit=1, ring_window_hours=48)
    a, b = voters(2, prefix="pal")
    start = timezone.now() - dt.timedelta(hours=49)
    with time_machine.travel(start, tick=False):
        upvote(a, b)
        upvote(b, a)

    upvote(a, b)

    assert paid(a, b) == [10, 10]


def test_a_withdrawn_upvote_frees_its_place_in_the_ring(fair):
    fair(ring_vote_limit=1)
    a, b = voters(2, prefix="pal")
    (first,) = upvote(a, b)
    upvote(b, a)

    services.cast_vote(actor=a, post=first, value=0)
    upvote(a, b)

    assert paid(a, b) == [10, 10]
    assert rep(b) == 210
    assert_invariants()


# The sweep -------------------------------------------------------------------------------


def test_the_sweep_reverses_serial_votes_cast_under_a_higher_limit(tune):
    author, fan, _ = votes_then_lower_limit(tune, 7)
    awards_before = list(PointEvent.objects.order_by("pk").values_list("pk", "points", "note"))

    report = sweep_fair_play()

    assert (report.reversed, report.points) == (2, 20)
    assert rep(author) == 51
    case = FairPlayCase.objects.get()
    assert (case.kind, case.status, case.vote_count, case.points_reversed) == (
        "serial",
        "open",
        7,
        20,
    )
    assert list(case.voters.all()) == [fan]
    assert list(case.targets.all()) == [author]
    reversals = PointEvent.objects.filter(reversal_of__isnull=False)
    assert list(reversals.values_list("points", "note", "actor")) == [(-10, "fair play", None)] * 2
    # the two newest awards, and the ledger's old rows are untouched
    newest = list(
        PointEvent.objects.awards()
        .filter(recipient=author, rule="answer_upvoted")
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:2]
    )
    assert sorted(reversals.values_list("reversal_of", flat=True)) == sorted(newest)
    assert (
        list(
            PointEvent.objects.filter(pk__in=[p for p, *_ in awards_before])
            .order_by("pk")
            .values_list("pk", "points", "note")
        )
        == awards_before
    )
    assert FairPlayEvidence.objects.filter(case=case, reversal__isnull=False).count() == 2
    assert Vote.objects.filter(voter=fan).count() == 7  # the votes still count
    assert_invariants()


def test_running_the_sweep_twice_reverses_once(tune):
    author, fan, _ = votes_then_lower_limit(tune, 8)

    first = sweep_fair_play()
    second = sweep_fair_play()

    assert (first.reversed, second.reversed, second.points) == (3, 0, 0)
    assert PointEvent.objects.filter(note="fair play").count() == 3
    assert FairPlayCase.objects.count() == 1
    assert rep(author) == 51
    assert_invariants()


def test_the_sweep_catches_one_way_upvotes_that_raced_ahead_of_a_ring(fair):
    """b upvoted a four times before a upvoted back: each was paid (no ring yet); once a
    has upvoted b as often as the limit, the ring shows and b's excess is taken back."""
    fair(ring_vote_limit=2)
    a, b = voters(2, prefix="pal")
    upvote(b, a, 4)
    upvote(a, b, 2)
    assert (rep(a), rep(b)) == (240, 220)

    report = sweep_fair_play()

    assert (report.reversed, report.points) == (2, 20)
    assert (rep(a), rep(b)) == (220, 220)
    case = FairPlayCase.objects.get()
    assert (case.kind, case.signature, case.vote_count) == ("ring", f"ring:{a.pk},{b.pk}", 6)
    assert set(case.voters.all()) == set(case.targets.all()) == {a, b}
    assert sweep_fair_play().reversed == 0
    assert_invariants()


def test_the_sweep_reverses_a_ring_of_three(fair):
    fair(ring_vote_limit=5)
    a, b, c = voters(3, prefix="pal")
    upvote(a, b, 3)
    upvote(b, c, 2)
    upvote(c, a, 2)
    fair(ring_vote_limit=2)  # lowered: a -> b is one beyond

    report = sweep_fair_play()

    assert (report.reversed, report.points) == (1, 10)
    case = FairPlayCase.objects.get()
    assert case.signature == f"ring:{a.pk}>{b.pk}>{c.pk}"
    assert case.vote_count == 7
    assert paid(a, b) == [10, 10, 10]  # the award rows are never edited
    assert rep(b) == 200 + 20
    assert_invariants()


def test_a_pattern_the_live_check_stopped_is_still_listed_for_staff():
    author = member(1, username="author")
    (fan,) = voters(1, prefix="fan")
    upvote(fan, author, 7)  # 5 paid, 2 recorded as serial voting

    report = sweep_fair_play()

    assert report.reversed == 0
    case = FairPlayCase.objects.get()
    assert (case.vote_count, case.points_reversed) == (7, 0)
    assert rep(author) == 51


def test_later_sweeps_add_to_the_open_case_and_a_reviewed_case_is_not_reopened(tune, staff):
    from gamification.fairplay.services import review_case

    author = member(1, username="author")
    (fan,) = voters(1, prefix="fan")
    upvote(fan, author, 6)
    sweep_fair_play()
    upvote(fan, author, 1)
    sweep_fair_play()
    case = FairPlayCase.objects.get()
    assert case.vote_count == 7

    review_case(actor=staff, case=case, note="Siblings; warned them.")
    upvote(fan, author, 1)
    sweep_fair_play()

    assert FairPlayCase.objects.filter(status="reviewed").get() == case
    assert FairPlayCase.objects.filter(status="open").get().vote_count == 8


def test_withdrawing_a_vote_the_sweep_reversed_takes_nothing_more(tune):
    author, fan, answers = votes_then_lower_limit(tune, 6)
    sweep_fair_play()
    assert rep(author) == 51

    services.cast_vote(actor=fan, post=answers[-1], value=0)
    services.cast_vote(actor=fan, post=answers[0], value=0)

    assert rep(author) == 41
    assert_invariants()


def test_the_task_and_the_command_run_the_sweep(tune):
    author, fan, _ = votes_then_lower_limit(tune, 7)

    result = sweep_task.enqueue()  # the test settings run tasks at once
    out = io.StringIO()
    call_command("sweep_fair_play", stdout=out)

    case = FairPlayCase.objects.get()
    assert result.return_value == {"cases": [case.pk], "reversed": 2, "points": 20}
    assert out.getvalue() == "0 case(s), 0 award(s) reversed, 0 point(s) taken back.\n"


def test_the_sweep_is_registered_to_run_every_15_minutes():
    from core.periodic import registered_jobs

    jobs = {spec.task.name: spec for spec in registered_jobs().values()}
    assert str(jobs["sweep_fair_play"].schedule) == "every 0:15:00"


def test_members_with_no_pattern_are_left_alone():
    author = member(100, username="author")
    fans = voters(3, prefix="fan")
    question = QuestionFactory(author=author)
    for fan in fans:
        services.cast_vote(actor=fan, post=question, value=1)
    upvote(author, fans[0])

    assert sweep_fair_play().cases == []
    assert FairPlayCase.objects.count() == 0


def test_an_account_joined_now_by_the_factory_default_is_established():
    assert UserFactory(username="someone").date_joined < timezone.now() - dt.timedelta(days=1)


def test_a_pattern_found_again_with_nothing_new_is_left_untouched():
    author = member(1, username="author")
    (fan,) = voters(1, prefix="fan")
    upvote(fan, author, 7)  # stopped by the live check: nothing to reverse
    sweep_fair_play()
    seen = FairPlayCase.objects.values_list("last_seen_at", flat=True).get()

    again = sweep_fair_play(now=timezone.now() + dt.timedelta(minutes=15))

    case = FairPlayCase.objects.get()
    assert again.cases == [case.pk]
    assert (case.last_seen_at, case.vote_count) == (seen, 7)
