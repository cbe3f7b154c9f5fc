"""Rewards (payback): the balance earned beside reputation, redeeming, staff decisions.

Given/when/then through the services; every test ends with the points and rewards
invariants holding (and `recompute_reputation --check` passing).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from forum import services
from forum.models import Notification, User
from gamification.rewards import services as rewards
from gamification.rewards.models import Redemption, RewardAccount, RewardEntry
from notifications.bell import describe
from tests.gamification.rewards_support import (
    assert_rewards_invariants,
    balance,
    entries,
    fund,
    reward,
    stock,
)
from tests.gamification.support import published, rep, voters

EARNED, TAKEN_BACK = RewardEntry.Kind.EARNED, RewardEntry.Kind.TAKEN_BACK
REDEEMED, REFUNDED = RewardEntry.Kind.REDEEMED, RewardEntry.Kind.REFUNDED


@pytest.fixture(autouse=True)
def _invariants_hold(db):
    yield
    assert_rewards_invariants()


def vote(voter: User, post, value: int) -> None:  # noqa: ANN001
    services.cast_vote(actor=voter, post=post, value=value)


# Earning ----------------------------------------------------------------------------------


def test_an_upvote_credits_the_balance_with_the_points_it_gives(thread):
    (voter,) = voters(1)

    vote(voter, thread.answer, 1)

    assert rep(thread.answerer) == 11
    assert balance(thread.answerer) == 10
    assert entries(thread.answerer) == [(EARNED, 10)]


def test_an_acceptance_credits_the_answerer_15_and_the_asker_2(thread):
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    assert balance(thread.answerer) == 15
    assert balance(thread.asker) == 2


def test_penalties_cost_reputation_not_balance(thread, other_customer):
    fund(thread.answerer, 30)

    vote(other_customer, thread.answer, -1)

    assert rep(thread.answerer) == 29  # 1 + 30 - 2
    assert balance(thread.answerer) == 30
    assert balance(other_customer) == 0  # the -1 for casting a downvote is not taken either
    vote(other_customer, thread.answer, 0)  # the refund of a penalty credits nothing either
    assert balance(thread.answerer) == 30


def test_opening_balances_and_adjustments_are_not_earnings(customer, manager):
    from gamification import services as points

    points.adjust_reputation(actor=manager, member=customer, points=500, note="import")

    assert rep(customer) == 520
    assert balance(customer) == 0
    assert entries(customer) == []


def test_withdrawing_an_upvote_takes_back_exactly_what_it_gave(thread):
    (voter,) = voters(1)
    vote(voter, thread.answer, 1)

    vote(voter, thread.answer, 0)

    assert balance(thread.answerer) == 0
    assert entries(thread.answerer) == [(EARNED, 10), (TAKEN_BACK, -10)]


def test_points_beyond_the_daily_cap_credit_nothing(thread, tune):
    tune(cap=15)
    first, second = voters(2)

    vote(first, thread.answer, 1)
    vote(second, thread.answer, 1)  # only 5 of its 10 fit under the cap

    assert rep(thread.answerer) == 16
    assert balance(thread.answerer) == 15
    vote(second, thread.answer, 0)
    assert balance(thread.answerer) == 10


def test_spent_points_taken_back_are_owed_and_no_vote_cycle_farms_the_balance(thread):
    """A friend upvotes, the points are spent, the friend withdraws and upvotes again:
    the withdrawal leaves a debt that the new upvote pays, so nothing more can be spent."""
    (friend,) = voters(1)
    item = reward(cost=10, stock=None)
    vote(friend, thread.answer, 1)
    rewards.redeem_reward(actor=thread.answerer, reward=item)

    vote(friend, thread.answer, 0)
    assert balance(thread.answerer) == -10  # owed
    assert rewards.balance_of(thread.answerer) == 0  # what the pages show
    vote(friend, thread.answer, 1)

    assert balance(thread.answerer) == 0
    with pytest.raises(ValidationError):
        rewards.redeem_reward(actor=thread.answerer, reward=item)
    assert Redemption.objects.filter(member=thread.answerer).count() == 1


def test_a_suspended_member_earns_nothing_but_their_post_still_scores(thread):
    """Task: suspended members earn nothing (reputation or balance); votes still count."""
    (voter,) = voters(1)
    User.objects.filter(pk=thread.answerer.pk).update(
        suspended_until=timezone.now() + timedelta(days=3)
    )

    vote(voter, thread.answer, 1)
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    thread.answer.refresh_from_db()
    assert thread.answer.score == 1
    assert rep(thread.answerer) == 1
    assert balance(thread.answerer) == 0
    assert rep(thread.asker) == 22  # the asker is not suspended: the +2 stands
    assert balance(thread.asker) == 2


def test_a_member_whose_suspension_ended_earns_again(thread):
    (voter,) = voters(1)
    User.objects.filter(pk=thread.answerer.pk).update(
        suspended_until=timezone.now() - timedelta(minutes=1)
    )

    vote(voter, thread.answer, 1)

    assert rep(thread.answerer) == 11
    assert balance(thread.answerer) == 10


# Redeeming --------------------------------------------------------------------------------


def test_redeeming_spends_the_cost_and_one_from_stock(customer, django_capture_on_commit_callbacks):
    fund(customer, 150)
    item = reward(cost=100, stock=2)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        redemption = rewards.redeem_reward(actor=customer, reward=item)

    assert redemption.status == Redemption.Status.PENDING
    assert redemption.cost == 100
    assert balance(customer) == 50
    assert stock(item) == 1
    assert entries(customer) == [(EARNED, 150), (REDEEMED, -100)]
    assert rep(customer) == 170  # reputation is not spent
    assert ("user", "rewards.changed", {"balance": 50}) in [
        (stream.split(".")[0], kind, data) for stream, kind, data in published(callbacks)
    ]


def test_a_reward_without_stock_limit_stays_unlimited(customer):
    fund(customer, 100)
    item = reward(cost=50, stock=None)

    rewards.redeem_reward(actor=customer, reward=item)
    rewards.redeem_reward(actor=customer, reward=item)

    assert stock(item) is None
    assert balance(customer) == 0


def test_not_enough_points_is_refused_with_the_figures_and_changes_nothing(customer):
    fund(customer, 99)
    item = reward(cost=100, stock=3)

    with pytest.raises(ValidationError) as refused:
        rewards.redeem_reward(actor=customer, reward=item)

    assert refused.value.messages == ["“Mug” costs 100 points; you have 99."]
    assert balance(customer) == 99
    assert stock(item) == 3
    assert not Redemption.objects.exists()


def test_out_of_stock_is_refused_and_changes_nothing(customer):
    fund(customer, 500)
    item = reward(cost=100, stock=0)

    with pytest.raises(ValidationError) as refused:
        rewards.redeem_reward(actor=customer, reward=item)

    assert refused.value.messages == ["“Mug” is out of stock."]
    assert balance(customer) == 500
    assert stock(item) == 0


def test_a_withdrawn_reward_cannot_be_redeemed(customer):
    fund(customer, 500)
    item = reward(active=False)

    with pytest.raises(PermissionDenied):
        rewards.redeem_reward(actor=customer, reward=item)

    assert balance(customer) == 500
    assert stock(item) == 5


def test_suspended_members_cannot_redeem(suspended_member, django_capture_on_commit_callbacks):
    User.objects.filter(pk=suspended_member.pk).update(suspended_until=None)
    fund(suspended_member, 500)
    suspended_member.suspended_until = timezone.now() + timedelta(days=1)
    suspended_member.save(update_fields=["suspended_until"])
    item = reward()

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(PermissionDenied, match="suspended"),
    ):
        rewards.redeem_reward(actor=suspended_member, reward=item)

    assert published(callbacks) == []
    assert balance(suspended_member) == 500
    assert stock(item) == 5


def test_anonymous_visitors_cannot_redeem(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        rewards.redeem_reward(actor=AnonymousUser(), reward=reward())


def test_the_same_request_key_redeems_once(customer):
    fund(customer, 500)
    item = reward(cost=100)

    first = rewards.redeem_reward(actor=customer, reward=item, request_key="abc123")
    again = rewards.redeem_reward(actor=customer, reward=item, request_key="abc123")
    other = rewards.redeem_reward(actor=customer, reward=item, request_key="def456")

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert balance(customer) == 300
    assert stock(item) == 3


@pytest.mark.parametrize("key", ["x" * 41, "a\u202eb", "tab\there"])
def test_a_bad_request_key_is_refused(customer, key):
    fund(customer, 500)

    with pytest.raises(ValidationError):
        rewards.redeem_reward(actor=customer, reward=reward(), request_key=key)

    assert balance(customer) == 500


# Deciding ---------------------------------------------------------------------------------


@pytest.fixture
def pending(customer):
    fund(customer, 150)
    return rewards.redeem_reward(actor=customer, reward=reward(cost=100, stock=1))


def test_staff_approve_and_the_member_is_notified(pending, staff, customer):
    decided = rewards.approve_redemption(actor=staff, redemption=pending, note="Shipped")

    pending.refresh_from_db()
    assert pending.status == Redemption.Status.APPROVED
    assert pending.decided_by == staff
    assert pending.reason == "Shipped"
    assert decided.status == Redemption.Status.APPROVED
    assert balance(customer) == 50
    assert stock(pending.reward) == 0
    note = Notification.objects.get(recipient=customer)
    assert note.kind == Notification.Kind.REWARD
    assert note.link == "/rewards/mine/"
    assert describe(note) == "Your redemption of Mug was approved."
    with translation.override("it"):
        assert describe(note) == "Il riscatto di Tazza è stato approvato."


def test_staff_refuse_with_a_reason_and_balance_and_stock_come_back(pending, staff, customer):
    rewards.refuse_redemption(actor=staff, redemption=pending, reason="  Address   missing ")

    pending.refresh_from_db()
    assert pending.status == Redemption.Status.REFUSED
    assert pending.reason == "Address missing"
    assert balance(customer) == 150
    assert stock(pending.reward) == 1
    assert entries(customer) == [(EARNED, 150), (REDEEMED, -100), (REFUNDED, 100)]
    note = Notification.objects.get(recipient=customer)
    assert describe(note) == (
        "Your redemption of Mug was refused: Address missing. "
        "The 100 points are back in your balance."
    )


def test_a_refund_gives_back_the_price_paid_even_if_the_price_changed(pending, staff, customer):
    pending.reward.cost = 10
    pending.reward.save()

    rewards.refuse_redemption(actor=staff, redemption=pending, reason="No")

    assert balance(customer) == 150


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_refusal_needs_a_reason_of_at_most_300_characters(pending, staff, customer, reason):
    with pytest.raises(ValidationError):
        rewards.refuse_redemption(actor=staff, redemption=pending, reason=reason)

    pending.refresh_from_db()
    assert pending.status == Redemption.Status.PENDING
    assert balance(customer) == 50


def test_a_reason_of_300_characters_is_fine(pending, staff, customer):
    rewards.refuse_redemption(actor=staff, redemption=pending, reason="x" * 300)

    assert balance(customer) == 150


def test_a_decided_redemption_cannot_be_decided_again(pending, staff, manager, customer):
    rewards.refuse_redemption(actor=staff, redemption=pending, reason="No")

    with pytest.raises(rewards.AlreadyDecided, match="already refused"):
        rewards.refuse_redemption(actor=manager, redemption=pending, reason="No again")
    with pytest.raises(rewards.AlreadyDecided):
        rewards.approve_redemption(actor=manager, redemption=pending)

    assert balance(customer) == 150
    assert entries(customer).count((REFUNDED, 100)) == 1
    assert Notification.objects.filter(recipient=customer).count() == 1


@pytest.mark.parametrize("role", ["customer", "other_customer", "advocate", "helper"])
def test_only_staff_decide_and_a_refusal_changes_and_publishes_nothing(
    request, pending, role, customer, django_capture_on_commit_callbacks
):
    actor = request.getfixturevalue(role)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(PermissionDenied):
            rewards.approve_redemption(actor=actor, redemption=pending)
        with pytest.raises(PermissionDenied):
            rewards.refuse_redemption(actor=actor, redemption=pending, reason="no")

    assert published(callbacks) == []
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.PENDING
    assert balance(customer) == 50
    assert not Notification.objects.exists()


def test_staff_cannot_decide_their_own_redemption(staff, manager):
    fund(staff, 100)
    mine = rewards.redeem_reward(actor=staff, reward=reward(cost=100))

    with pytest.raises(PermissionDenied, match="Another member of staff"):
        rewards.approve_redemption(actor=staff, redemption=mine)
    with pytest.raises(PermissionDenied):
        rewards.refuse_redemption(actor=staff, redemption=mine, reason="oops")

    mine.refresh_from_db()
    assert mine.status == Redemption.Status.PENDING
    rewards.approve_redemption(actor=manager, redemption=mine)
    mine.refresh_from_db()
    assert mine.status == Redemption.Status.APPROVED


# The check --------------------------------------------------------------------------------


def test_the_check_finds_a_tampered_balance_and_the_repair_fixes_it(customer):
    fund(customer, 40)
    RewardAccount.objects.filter(member=customer).update(balance=1000)

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("recompute_reputation", "--check", stdout=out)
    assert f"member {customer.pk}: rewards balance 1000, its ledger says 40" in out.getvalue()

    call_command("recompute_reputation", stdout=io.StringIO())
    assert balance(customer) == 40


def test_the_check_finds_an_earning_the_balance_missed(customer):
    fund(customer, 40)
    RewardEntry.objects.filter(member=customer).delete()
    RewardAccount.objects.filter(member=customer).update(balance=0)

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("recompute_reputation", "--check", stdout=out)
    assert "has no rewards entry" in out.getvalue()
    # Put it back so the closing invariants hold.
    from gamification.models import PointEvent

    rewards.credit_for_events(PointEvent.objects.filter(recipient=customer, points=40))
