"""Helpers for the rewards tests."""

from __future__ import annotations

import itertools

from django.db import transaction

from forum.models import User
from gamification import rules
from gamification import services as points
from gamification.rewards.models import Reward, RewardAccount, RewardEntry
from tests.gamification.support import assert_invariants

_keys = itertools.count(1)


def fund(member: User, amount: int) -> None:
    """Give the member `amount` earned points (a staff-verified award), as if they had
    helped: the points ledger and the rewards balance both move."""
    with transaction.atomic():
        _fund(member, amount)


def _fund(member: User, amount: int) -> None:
    points._apply(  # noqa: SLF001 - the ledger writer, as the hooks call it
        [
            points._Row(  # noqa: SLF001
                recipient_id=member.pk,
                actor_id=None,
                rule=rules.STAFF_VERIFIED,
                delta=amount,
                key=f"test-fund:{next(_keys)}",
            )
        ]
    )


def balance(member: User) -> int:
    """The cached balance (may be below 0: points owed)."""
    found = RewardAccount.objects.filter(member=member).values_list("balance", flat=True).first()
    return found or 0


def entries(member: User) -> list[tuple[str, int]]:
    return list(
        RewardEntry.objects.filter(member=member).order_by("pk").values_list("kind", "points")
    )


def reward(**kwargs) -> Reward:  # noqa: ANN003
    values = {"name": "Mug", "name_it": "Tazza", "cost": 100, "stock": 5, **kwargs}
    return Reward.objects.create(**values)


def stock(item: Reward) -> int | None:
    return Reward.objects.values_list("stock", flat=True).get(pk=item.pk)


def assert_rewards_invariants() -> None:
    """The points invariants (and `recompute_reputation --check`, which checks the
    balances too), plus: every cached balance is the sum of its entries."""
    from gamification.rewards.selectors import balance_drift, unpaid_earnings

    assert balance_drift() == []
    assert unpaid_earnings() == []
    assert_invariants()
