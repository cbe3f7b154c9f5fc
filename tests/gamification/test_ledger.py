"""The points ledger: every rule, every reversal, the daily cap and the floor.

Behaviour goes through `forum.services` (the hooks are called inside its transactions);
every test ends with the invariants of QUALITY.md holding (autouse fixture below).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from forum import services
from forum.models import User
from gamification import services as points
from gamification.models import PointEvent, ScoreCounter
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import assert_invariants, member, rep, voters


@pytest.fixture(autouse=True)
def _one_instant():
    """Every test here runs at one frozen instant (now, or CIRCOLO_TEST_NOW's): the daily cap
    and the serial limit count per day, and a test that began at 23:59:59 used to see the
    day turn half-way through (its later votes counted against a fresh cap)."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture(autouse=True)
def _invariants_hold(db):
    yield
    assert_invariants()


def ledger(user: User) -> list[tuple[str, int, int]]:
    """(rule, delta, points) of the member's rows, oldest first, fixture rows left out."""
    return list(
        PointEvent.objects.filter(recipient=user)
        .exclude(note="test fixture")
        .order_by("pk")
        .values_list("rule", "delta", "points")
    )


def vote(actor: User, post, value: int):  # noqa: ANN001, ANN201
    return services.cast_vote(actor=actor, post=post, value=value)


# Each rule ----------------------------------------------------------------------------------


def test_answer_upvote_gives_the_answerer_10(thread):
    (voter,) = voters(1)

    vote(voter, thread.answer, 1)

    assert rep(thread.answerer) == 11
    assert ledger(thread.answerer) == [("answer_upvoted", 10, 10)]
    assert ledger(voter) == []
    event = PointEvent.objects.get(rule="answer_upvoted")
    assert (event.actor, event.question, event.answer) == (voter, thread.question, thread.answer)


def test_question_upvote_gives_the_asker_5(thread):
    (voter,) = voters(1)

    vote(voter, thread.question, 1)

    assert rep(thread.asker) == 25
    assert ledger(thread.asker) == [("question_upvoted", 5, 5)]


def test_answer_downvote_costs_the_answerer_2_and_the_voter_1(thread):
    (voter,) = voters(1)
    points.adjust_reputation(
        actor=member(1, username="boss", is_staff=True, is_superuser=True),
        member=thread.answerer,
        points=9,
        note="imported from the old forum",
    )

    vote(voter, thread.answer, -1)

    assert rep(thread.answerer) == 8
    assert rep(voter) == 199
    assert ledger(thread.answerer) == [("adjustment", 9, 9), ("answer_downvoted", -2, -2)]
    assert ledger(voter) == [("downvote_cast", -1, -1)]


def test_question_downvote_costs_nothing_by_default(thread):
    (voter,) = voters(1)

    vote(voter, thread.question, -1)

    assert (rep(thread.asker), rep(voter)) == (20, 200)
    assert PointEvent.objects.exclude(note="test fixture").count() == 0


def test_question_downvote_costs_the_asker_when_the_manager_turns_it_on(thread, tune):
    tune(rule="question_downvoted", enabled=True)
    (voter,) = voters(1)

    vote(voter, thread.question, -1)

    assert ledger(thread.asker) == [("question_downvoted", -2, -2)]
    assert (rep(thread.asker), rep(voter)) == (18, 200)


def test_accepting_gives_the_answerer_15_and_the_asker_2(thread):
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    assert ledger(thread.answerer) == [("answer_accepted", 15, 15)]
    assert ledger(thread.asker) == [("accept_bonus_asker", 2, 2)]
    assert (rep(thread.answerer), rep(thread.asker)) == (16, 22)


def test_staff_verification_gives_20_once(thread, staff):
    points.award_verified_answer(actor=staff, answer=thread.answer)
    points.award_verified_answer(actor=staff, answer=thread.answer)

    assert ledger(thread.answerer) == [("staff_verified", 20, 20)]
    assert rep(thread.answerer) == 21

    points.revoke_verified_answer(actor=staff, answer=thread.answer)

    assert ledger(thread.answerer) == [("staff_verified", 20, 20), ("staff_verified", -20, -20)]
    assert rep(thread.answerer) == 1


def test_only_staff_verify_answers(thread, helper):
    with pytest.raises(PermissionDenied):
        points.award_verified_answer(actor=helper, answer=thread.answer)

    assert ledger(thread.answerer) == []


def test_rules_are_tunable_and_can_be_switched_off(thread, tune):
    first, second = voters(2)
    tune(rule="answer_upvoted", delta=7)

    vote(first, thread.answer, 1)
    tune(rule="answer_upvoted", enabled=False)
    vote(second, thread.answer, 1)

    assert ledger(thread.answerer) == [("answer_upvoted", 7, 7)]
    assert rep(thread.answerer) == 8
    thread.answer.refresh_from_db()
    assert thread.answer.score == 2  # the vote still counts for the score


def test_a_reversal_takes_back_what_was_given_even_after_the_rule_changed(thread, tune):
    (voter,) = voters(1)
    vote(voter, thread.answer, 1)
    tune(rule="answer_upvoted", delta=50)

    vote(voter, thread.answer, 0)

    assert ledger(thread.answerer) == [("answer_upvoted", 10, 10), ("answer_upvoted", -10, -10)]
    assert rep(thread.answerer) == 1


def test_suspended_members_earn_nothing(thread):
    (voter,) = voters(1)
    User.objects.filter(pk=thread.answerer.pk).update(is_active=False)

    vote(voter, thread.answer, 1)

    assert ledger(thread.answerer) == []


# Vote changes and reversals ---------------------------------------------------------------


def test_vote_up_down_withdraw_writes_reversals_and_nets_zero(thread):
    (voter,) = voters(1)

    vote(voter, thread.answer, 1)
    vote(voter, thread.answer, -1)
    vote(voter, thread.answer, 1)
    vote(voter, thread.answer, 0)

    assert ledger(thread.answerer) == [
        ("answer_upvoted", 10, 10),
        ("answer_upvoted", -10, -10),
        ("answer_downvoted", -2, -2),
        ("answer_downvoted", 2, 2),
        ("answer_upvoted", 10, 10),
        ("answer_upvoted", -10, -10),
    ]
    assert ledger(voter) == [("downvote_cast", -1, -1), ("downvote_cast", 1, 1)]
    assert (rep(thread.answerer), rep(voter)) == (1, 200)
    reversals = PointEvent.objects.filter(reversal_of__isnull=False)
    assert all(r.reversal_of.points == -r.points for r in reversals)
    # Re-voting after a withdrawal is a new award: occurrence 1, then 2.
    assert list(
        PointEvent.objects.awards()
        .filter(rule="answer_upvoted")
        .order_by("pk")
        .values_list("occurrence", flat=True)
    ) == [1, 2]


def test_double_click_awards_once(thread):
    (voter,) = voters(1)

    vote(voter, thread.answer, 1)
    vote(voter, thread.answer, 1)

    assert ledger(thread.answerer) == [("answer_upvoted", 10, 10)]


def test_a_standing_award_cannot_be_written_twice(thread):
    """The unique constraint, not a check, refuses a second award of the same vote."""
    (voter,) = voters(1)
    vote(voter, thread.answer, 1)

    with pytest.raises(IntegrityError), transaction.atomic():
        points.on_vote_changed(actor=voter, post=thread.answer, before=0, after=1)

    assert ledger(thread.answerer) == [("answer_upvoted", 10, 10)]


def test_a_row_is_reversed_at_most_once(thread):
    (voter,) = voters(1)
    vote(voter, thread.answer, 1)
    award = PointEvent.objects.get(rule="answer_upvoted")
    vote(voter, thread.answer, 0)

    with pytest.raises(IntegrityError), transaction.atomic():
        PointEvent.objects.create(
            recipient=award.recipient,
            rule=award.rule,
            delta=-10,
            points=-10,
            day=award.day,
            key=award.key,
            reversal_of=award,
        )


def test_self_votes_are_refused_and_pay_nothing(thread):
    with pytest.raises(PermissionDenied):
        vote(thread.answerer, thread.answer, 1)

    # Even called directly, the hook never pays a member for their own post.
    with transaction.atomic():
        points.on_vote_changed(actor=thread.answerer, post=thread.answer, before=0, after=1)
    assert ledger(thread.answerer) == []


# Acceptance ------------------------------------------------------------------------------


def test_switching_acceptance_back_and_forth_nets_one_acceptance(thread):
    for _ in range(3):
        services.accept_answer(actor=thread.asker, answer=thread.answer)
        services.accept_answer(actor=thread.asker, answer=thread.rival_answer)
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    assert (rep(thread.answerer), rep(thread.rival), rep(thread.asker)) == (16, 1, 22)
    active = PointEvent.objects.active().exclude(note="test fixture")
    assert sorted(active.values_list("rule", "recipient__username")) == [
        ("accept_bonus_asker", "asker"),
        ("answer_accepted", "answerer"),
    ]


def test_unaccepting_reverses_both_awards(thread):
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    services.unaccept_answer(actor=thread.asker, answer=thread.answer)

    assert (rep(thread.answerer), rep(thread.asker)) == (1, 20)
    assert ledger(thread.asker) == [("accept_bonus_asker", 2, 2), ("accept_bonus_asker", -2, -2)]
    assert PointEvent.objects.active().exclude(note="test fixture").count() == 0


def test_accepting_the_same_answer_twice_changes_nothing(thread):
    services.accept_answer(actor=thread.asker, answer=thread.answer)
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    assert ledger(thread.answerer) == [("answer_accepted", 15, 15)]


def test_accepting_your_own_answer_earns_nothing(thread):
    own = AnswerFactory(question=thread.question, author=thread.asker)

    services.accept_answer(actor=thread.asker, answer=own)
    services.unaccept_answer(actor=thread.asker, answer=own)
    services.accept_answer(actor=thread.asker, answer=own)

    assert ledger(thread.asker) == []
    assert rep(thread.asker) == 20


def test_staff_accepting_pays_the_answerer_but_no_asker_bonus(thread, staff):
    # For the asker, once they have been away two weeks (the community's acceptance).
    with time_machine.travel(timezone.now() + dt.timedelta(days=15), tick=False):
        services.accept_answer(actor=staff, answer=thread.answer)

    assert ledger(thread.answerer) == [("answer_accepted", 15, 15)]
    assert ledger(thread.asker) == []
    assert ledger(staff) == []


def test_staff_unaccepting_reverses_the_askers_bonus(thread, staff):
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    services.unaccept_answer(actor=staff, answer=thread.answer)

    assert (rep(thread.answerer), rep(thread.asker)) == (1, 20)


# Deletion ---------------------------------------------------------------------------------


def test_deleting_an_answer_reverses_its_votes_acceptance_and_refunds_downvoters(thread, staff):
    up, down = voters(2)
    vote(up, thread.answer, 1)
    vote(down, thread.answer, -1)
    services.accept_answer(actor=thread.asker, answer=thread.answer)
    points.award_verified_answer(actor=staff, answer=thread.answer)
    assert rep(thread.answerer) == 1 + 10 - 2 + 15 + 20

    services.delete_answer(actor=thread.answerer, answer=thread.answer)

    assert (rep(thread.answerer), rep(thread.asker), rep(down)) == (1, 20, 200)
    assert PointEvent.objects.active().exclude(note="test fixture").count() == 0


def test_deleting_a_question_reverses_its_votes_and_the_bonus_but_not_the_answers(thread):
    (voter,) = voters(1)
    vote(voter, thread.question, 1)
    vote(voter, thread.answer, 1)
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    services.delete_question(actor=thread.asker, question=thread.question)

    assert rep(thread.asker) == 20
    assert rep(thread.answerer) == 1 + 10 + 15
    # Deleting the answer afterwards still takes back exactly what it holds.
    services.delete_answer(actor=thread.answerer, answer=thread.answer)
    assert (rep(thread.answerer), rep(thread.asker)) == (1, 20)


# The daily cap on vote-derived gains -------------------------------------------------------


def test_default_cap_is_200_a_day(thread):
    crowd = voters(21)

    for voter in crowd[:20]:
        vote(voter, thread.answer, 1)
    assert rep(thread.answerer) == 201
    vote(crowd[20], thread.answer, 1)

    assert rep(thread.answerer) == 201
    assert ledger(thread.answerer)[-1] == ("answer_upvoted", 10, 0)  # recorded, worth 0
    thread.answer.refresh_from_db()
    assert thread.answer.score == 21


@pytest.mark.parametrize(
    ("cap", "expected_points"),
    [
        (19, [10, 9]),  # n - 1: the second upvote is cut
        (20, [10, 10]),  # n: exactly reaches the cap
        (21, [10, 10]),  # n + 1: room to spare
    ],
)
def test_cap_at_its_threshold(thread, tune, cap, expected_points):
    tune(cap=cap)
    first, second = voters(2)

    vote(first, thread.answer, 1)
    vote(second, thread.answer, 1)

    assert [p for _rule, _delta, p in ledger(thread.answerer)] == expected_points
    assert rep(thread.answerer) == 1 + sum(expected_points)


def test_cap_counts_question_and_answer_upvotes_together_but_not_acceptance(thread, tune):
    tune(cap=12)
    first, second = voters(2)

    vote(first, thread.question, 1)  # +5 to the asker (a different member)
    vote(first, thread.answer, 1)  # +10
    own_question = QuestionFactory(author=thread.answerer)
    vote(second, own_question, 1)  # +5 wanted, 2 left under the cap
    services.accept_answer(actor=thread.asker, answer=thread.answer)  # not capped

    assert ledger(thread.answerer) == [
        ("answer_upvoted", 10, 10),
        ("question_upvoted", 5, 2),
        ("answer_accepted", 15, 15),
    ]


def test_penalties_are_not_capped_and_do_not_make_room(thread, tune):
    tune(cap=10)
    up, down, late = voters(3)

    vote(up, thread.answer, 1)
    vote(down, thread.answer, -1)
    vote(late, thread.answer, 1)

    assert [p for _rule, _delta, p in ledger(thread.answerer)] == [10, -2, 0]


def test_withdrawing_a_capped_upvote_takes_back_only_what_it_gave(thread, tune):
    tune(cap=15)
    first, second = voters(2)
    vote(first, thread.answer, 1)  # +10
    vote(second, thread.answer, 1)  # +5 of 10

    vote(second, thread.answer, 0)

    assert ledger(thread.answerer)[-1] == ("answer_upvoted", -10, -5)
    assert rep(thread.answerer) == 11
    vote(first, thread.answer, 0)
    assert rep(thread.answerer) == 1


def test_withdrawing_frees_room_on_the_same_day_only(thread, tune):
    tune(cap=15)
    a, b, c, d = voters(4)
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC), tick=False):
        vote(a, thread.answer, 1)  # +10
        vote(b, thread.answer, 1)  # +5, cap reached on 3 March
        vote(b, thread.answer, 0)  # -5: room again today
        vote(b, thread.answer, 1)  # +5
        assert rep(thread.answerer) == 16
    with time_machine.travel(dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC), tick=False):
        vote(a, thread.answer, 0)  # -10, counted against 3 March
        vote(c, thread.answer, 1)  # +10 of today's 15
        vote(d, thread.answer, 1)  # +5 of 10
        assert timezone.localdate() == dt.date(2025, 3, 4)

    assert [p for _rule, _delta, p in ledger(thread.answerer)] == [10, 5, -5, 5, -10, 10, 5]
    reversal = PointEvent.objects.filter(rule="answer_upvoted", points=-10).get()
    assert reversal.day == dt.date(2025, 3, 3)
    assert rep(thread.answerer) == 21


def test_the_cap_day_is_the_local_day(thread, tune):
    """23:30 UTC on 3 March is already 4 March in Rome (TIME_ZONE)."""
    tune(cap=10)
    a, b = voters(2)
    with time_machine.travel(dt.datetime(2025, 3, 3, 22, 30, tzinfo=dt.UTC), tick=False):
        vote(a, thread.answer, 1)
    with time_machine.travel(dt.datetime(2025, 3, 3, 23, 30, tzinfo=dt.UTC), tick=False):
        vote(b, thread.answer, 1)

    assert list(
        PointEvent.objects.filter(rule="answer_upvoted").order_by("pk").values_list("day", "points")
    ) == [
        (dt.date(2025, 3, 3), 10),
        (dt.date(2025, 3, 4), 10),
    ]


# The floor ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (4, 2),  # n + 1 above the floor after the penalty
        (3, 1),  # n: lands exactly on the floor
        (2, 1),  # n - 1: would be 0, held at 1
    ],
)
def test_a_downvote_never_takes_reputation_below_1(start, expected):
    author = member(start, username="author")
    answer = AnswerFactory(author=author)
    (voter,) = voters(1)

    vote(voter, answer, -1)

    assert rep(author) == expected
    assert ledger(author)[-1] == ("answer_downvoted", -2, -2)  # the ledger keeps the truth


def test_penalties_taken_at_the_floor_are_remembered():
    """1 + (-2) + (-2) + 10 = 7: the floor is on the total, not on each step."""
    author = member(1, username="author")
    answer = AnswerFactory(author=author)
    down1, down2, up = voters(3)

    vote(down1, answer, -1)
    vote(down2, answer, -1)
    assert rep(author) == 1
    vote(up, answer, 1)

    assert rep(author) == 7


def test_floor_cannot_be_farmed_by_withdrawing_votes_in_order():
    """A friend upvotes, others downvote to the floor, the friend withdraws, the others
    withdraw: with a per-step floor the author would keep 10 points for nothing."""
    author = member(1, username="author")
    answer = AnswerFactory(author=author)
    friend, *downvoters = voters(6)

    vote(friend, answer, 1)
    for voter in downvoters:
        vote(voter, answer, -1)
    assert rep(author) == 1
    vote(friend, answer, 0)
    for voter in downvoters:
        vote(voter, answer, 0)

    assert rep(author) == 1
    assert [rep(v) for v in downvoters] == [200] * 5


def test_the_floor_is_tunable_and_recomputes_everyone(thread, tune, manager):
    (voter,) = voters(1)
    vote(voter, thread.answer, -1)
    assert rep(thread.answerer) == 1

    points.update_point_settings(actor=manager, daily_vote_cap=200, reputation_floor=5)

    assert rep(thread.answerer) == 5
    assert rep(thread.rival) == 5
    assert rep(thread.asker) == 20
    vote(voter, thread.answer, 0)  # +2 on a raw 1 + 0: still under the floor
    assert rep(thread.answerer) == 5
    points.update_point_settings(actor=manager, daily_vote_cap=200, reputation_floor=1)
    assert rep(thread.answerer) == 1


def test_only_managers_change_the_settings(staff):
    with pytest.raises(PermissionDenied):
        points.update_point_settings(actor=staff, daily_vote_cap=1, reputation_floor=1)


# Manual adjustments ------------------------------------------------------------------------


def test_adjustments_are_ledger_rows_with_a_reason(manager, customer):
    points.adjust_reputation(actor=manager, member=customer, points=-30, note="  Vote fraud ")

    assert rep(customer) == 1
    assert ledger(customer) == [("adjustment", -30, -30)]
    assert PointEvent.objects.exclude(note="test fixture").get().note == "Vote fraud"


@pytest.mark.parametrize(
    ("value", "note", "fields"),
    [
        (0, "why", ["points"]),
        (100_001, "why", ["points"]),
        ("5", "why", ["points"]),
        (5, "   ", ["note"]),
    ],
)
def test_bad_adjustments_write_nothing(manager, customer, value, note, fields):
    with pytest.raises(ValidationError) as exc:
        points.adjust_reputation(actor=manager, member=customer, points=value, note=note)

    assert sorted(exc.value.message_dict) == fields
    assert ledger(customer) == []


def test_only_managers_adjust(staff, customer):
    with pytest.raises(PermissionDenied):
        points.adjust_reputation(actor=staff, member=customer, points=5, note="gift")
    assert ledger(customer) == []


# recompute_reputation ----------------------------------------------------------------------


def test_recompute_check_reports_drift_and_exits_1_then_recompute_fixes_it(thread):
    (voter,) = voters(1)
    with time_machine.travel(dt.datetime(2025, 3, 5, 10, tzinfo=dt.UTC), tick=False):
        vote(voter, thread.answer, 1)
    User.objects.filter(pk=thread.answerer.pk).update(reputation=500)
    ScoreCounter.objects.filter(user=thread.answerer, period="week", tag_id=0).update(points=3)
    out = io.StringIO()

    with pytest.raises(CommandError) as exc:
        call_command("recompute_reputation", "--check", stdout=out)

    assert exc.value.returncode == 1
    assert out.getvalue() == (
        f"answerer (id {thread.answerer.pk}): cached 500, ledger says 11\n"
        f"answerer (id {thread.answerer.pk}): week from 2025-03-03, all tags: "
        "counter 3, ledger says 10\n"
        # The counter was changed behind `bump`'s back: its board's score buckets
        # (positions) no longer match it either.
        "score bucket week from 2025-03-03, all tags, 3 points: 0 member(s), "
        "the counters say 1\n"
        "score bucket week from 2025-03-03, all tags, 10 points: 1 member(s), "
        "the counters say 0\n"
    )
    assert rep(thread.answerer) == 500  # --check changes nothing

    out = io.StringIO()
    call_command("recompute_reputation", stdout=out)

    assert out.getvalue() == (
        f"member {thread.answerer.pk}: 500 -> 11\nFixed 1 member(s) and 1 leaderboard counter(s).\n"
    )
    assert rep(thread.answerer) == 11
    call_command("recompute_reputation", "--check", stdout=io.StringIO())  # all in step


def test_seed_demo_leaves_the_ledger_in_agreement_with_reputation(db):
    call_command(
        "seed_demo",
        "--users",
        "12",
        "--questions",
        "10",
        "--answers-per-question",
        "2",
        "--force",
        stdout=io.StringIO(),
    )

    assert User.objects.filter(reputation__gt=1).count() > 5
    # The autouse fixture checks reputation == ledger for every seeded member.


def test_erasing_a_member_takes_their_ledger_along(thread):
    (voter,) = voters(1)
    vote(voter, thread.answer, 1)
    vote(voter, thread.answer, -1)
    vote(voter, thread.answer, 0)  # a standing vote would leave the score behind

    User.objects.get(pk=voter.pk).delete()

    # Their cost rows are gone with them; what they gave others stays, actor unknown.
    assert PointEvent.objects.filter(rule="downvote_cast").count() == 0
    assert list(
        PointEvent.objects.filter(recipient=thread.answerer)
        .order_by("pk")
        .values_list("rule", "points", "actor")
    ) == [
        ("answer_upvoted", 10, None),
        ("answer_upvoted", -10, None),
        ("answer_downvoted", -2, None),
        ("answer_downvoted", 2, None),
    ]


# Serial voting -------------------------------------------------------------------------------


@pytest.mark.parametrize(("votes", "paid"), [(4, 4), (5, 5), (6, 5)])
def test_one_voter_pays_for_at_most_5_posts_of_one_member_a_day(votes, paid):
    author = member(1, username="author")
    (fan,) = voters(1)

    for answer in AnswerFactory.create_batch(votes, author=author):
        services.cast_vote(actor=fan, post=answer, value=1)

    assert rep(author) == 1 + 10 * paid
    assert [p for _r, _d, p in ledger(author)] == [10] * paid + [0] * (votes - paid)
    assert PointEvent.objects.filter(note="serial voting").count() == votes - paid


def test_serial_limit_counts_downvotes_too_and_spares_other_voters():
    author = member(1000, username="author")
    critic, other = voters(2)
    answers = AnswerFactory.create_batch(7, author=author)

    for answer in answers[:6]:
        services.cast_vote(actor=critic, post=answer, value=-1)
    services.cast_vote(actor=other, post=answers[6], value=1)

    assert rep(author) == 1000 - 2 * 5 + 10
    assert rep(critic) == 200 - 6  # casting a downvote still costs the voter


def test_serial_limit_resets_after_24_hours_and_is_tunable(tune):
    tune(serial=2)
    author = member(1, username="author")
    (fan,) = voters(1)
    answers = AnswerFactory.create_batch(4, author=author)
    start = dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC)

    with time_machine.travel(start, tick=False):
        for answer in answers[:3]:
            services.cast_vote(actor=fan, post=answer, value=1)
    with time_machine.travel(start + dt.timedelta(hours=24, seconds=1), tick=False):
        services.cast_vote(actor=fan, post=answers[3], value=1)

    assert [p for _r, _d, p in ledger(author)] == [10, 10, 0, 10]


def test_withdrawing_a_serial_vote_gives_nothing_back_and_changing_it_stays_limited():
    author = member(1, username="author")
    (fan,) = voters(1)
    answers = AnswerFactory.create_batch(6, author=author)
    for answer in answers:
        services.cast_vote(actor=fan, post=answer, value=1)

    services.cast_vote(actor=fan, post=answers[5], value=0)
    services.cast_vote(actor=fan, post=answers[5], value=1)

    assert rep(author) == 51
