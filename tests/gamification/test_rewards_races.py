"""Rewards races on PostgreSQL with real threads (each on its own connection), released
together; afterwards the balances equal their ledgers and `recompute_reputation --check`
passes. Skipped on SQLite, which serialises writers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from forum import services
from gamification.rewards import services as rewards
from gamification.rewards.models import Redemption, RewardEntry
from tests.factories import AnswerFactory
from tests.gamification.rewards_support import (
    assert_rewards_invariants,
    balance,
    fund,
    reward,
    stock,
)
from tests.gamification.support import member, voters
from tests.gamification.test_concurrency import run_together
from tests.pg import POSTGRES_MARKS

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]


def kinds(errors: list[BaseException | None]) -> list[str]:
    return sorted(type(e).__name__ if e else "ok" for e in errors)


def test_two_redemptions_at_once_with_balance_for_one():
    buyer = member(1, username="buyer")
    fund(buyer, 100)
    item = reward(cost=100, stock=None)

    errors = run_together(
        [
            lambda: rewards.redeem_reward(actor=buyer, reward=item, request_key="a"),
            lambda: rewards.redeem_reward(actor=buyer, reward=item, request_key="b"),
        ]
    )

    assert kinds(errors) == ["ValidationError", "ok"]
    assert Redemption.objects.filter(member=buyer).count() == 1
    assert balance(buyer) == 0
    assert_rewards_invariants()


def test_eight_redemptions_at_once_with_balance_for_three():
    buyer = member(1, username="buyer")
    fund(buyer, 350)
    item = reward(cost=100, stock=None)

    errors = run_together(
        [
            lambda i=i: rewards.redeem_reward(actor=buyer, reward=item, request_key=f"k{i}")
            for i in range(8)
        ]
    )

    assert kinds(errors) == ["ValidationError"] * 5 + ["ok"] * 3
    assert balance(buyer) == 50
    assert_rewards_invariants()


def test_the_last_item_redeemed_by_two_members_at_once():
    first, second = member(1, username="first"), member(1, username="second")
    fund(first, 100)
    fund(second, 100)
    item = reward(cost=100, stock=1)

    errors = run_together(
        [
            lambda: rewards.redeem_reward(actor=first, reward=item),
            lambda: rewards.redeem_reward(actor=second, reward=item),
        ]
    )

    assert kinds(errors) == ["ValidationError", "ok"]
    assert stock(item) == 0
    assert Redemption.objects.count() == 1
    winner = Redemption.objects.get().member
    loser = second if winner == first else first
    assert (balance(winner), balance(loser)) == (0, 100)
    loser_error = next(e for e in errors if e)
    assert isinstance(loser_error, ValidationError)
    assert loser_error.messages == ["“Mug” is out of stock."]
    assert_rewards_invariants()


def test_a_double_click_redeems_once():
    buyer = member(1, username="buyer")
    fund(buyer, 1000)
    item = reward(cost=100, stock=None)

    errors = run_together(
        [lambda: rewards.redeem_reward(actor=buyer, reward=item, request_key="same")] * 8
    )

    assert errors == [None] * 8
    assert Redemption.objects.count() == 1
    assert balance(buyer) == 900
    assert_rewards_invariants()


def test_approve_and_refuse_at_once():
    buyer = member(1, username="buyer")
    fund(buyer, 150)
    item = reward(cost=100, stock=1)
    redemption = rewards.redeem_reward(actor=buyer, reward=item)
    agent = member(1, username="agent", is_staff=True)
    boss = member(1, username="boss", is_staff=True, is_superuser=True)

    errors = run_together(
        [
            lambda: rewards.approve_redemption(actor=agent, redemption=redemption),
            lambda: rewards.refuse_redemption(actor=boss, redemption=redemption, reason="No"),
        ]
        * 3
    )

    assert kinds(errors) == ["AlreadyDecided"] * 5 + ["ok"]
    redemption.refresh_from_db()
    refunds = RewardEntry.objects.filter(kind=RewardEntry.Kind.REFUNDED).count()
    if redemption.status == Redemption.Status.REFUSED:
        assert (balance(buyer), stock(item), refunds) == (150, 1, 1)
    else:
        assert redemption.status == Redemption.Status.APPROVED
        assert (balance(buyer), stock(item), refunds) == (50, 0, 0)
    assert buyer.notifications.filter(kind="reward").count() == 1
    assert_rewards_invariants()


def test_earning_and_spending_at_once():
    """Upvotes credit the balance while the member redeems: no deadlock, no lost update."""
    author = member(1, username="author")
    fund(author, 100)
    answer = AnswerFactory(author=author)
    crowd = voters(6)
    item = reward(cost=50, stock=None)

    errors = run_together(
        [lambda v=v: services.cast_vote(actor=v, post=answer, value=1) for v in crowd]
        + [
            lambda i=i: rewards.redeem_reward(actor=author, reward=item, request_key=f"r{i}")
            for i in range(2)
        ]
    )

    assert errors == [None] * 8
    assert balance(author) == 100 + 60 - 100
    assert_rewards_invariants()
