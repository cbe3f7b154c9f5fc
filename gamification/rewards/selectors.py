"""Reads for the rewards pages, the API and the checks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from forum.models import User
from gamification import rules
from gamification.models import PointEvent
from gamification.rewards.models import Redemption, Reward, RewardAccount, RewardEntry


def offered_rewards() -> QuerySet[Reward]:
    """The catalogue members see: offered rewards, in the manager's order."""
    return Reward.objects.filter(active=True)


def get_offered_reward(*, pk: int) -> Reward | None:
    return offered_rewards().filter(pk=pk).first()


def balance(*, member: User) -> int:
    """The member's spendable balance (never below 0; one query)."""
    if not member.is_authenticated:
        return 0
    found = (
        RewardAccount.objects.filter(member_id=member.pk).values_list("balance", flat=True).first()
    )
    return max(0, found or 0)


def redemptions_of(*, member: User) -> QuerySet[Redemption]:
    return Redemption.objects.filter(member=member).select_related("reward", "decided_by")


def pending_redemptions() -> QuerySet[Redemption]:
    """What staff have to decide, oldest first, with the member's balance at hand."""
    return (
        Redemption.objects.filter(status=Redemption.Status.PENDING)
        .select_related("reward", "member")
        .order_by("created_at", "pk")
    )


def recently_decided(limit: int = 20) -> list[Redemption]:
    return list(
        Redemption.objects.exclude(status=Redemption.Status.PENDING)
        .select_related("reward", "member", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def balance_history(*, member: User, limit: int = 20) -> list[RewardEntry]:
    """The member's latest balance movements with what they were for (one query)."""
    return list(
        RewardEntry.objects.filter(member=member)
        .select_related("point_event__question", "redemption__reward")
        .order_by("-created_at", "-pk")[:limit]
    )


# Checks ---------------------------------------------------------------------------------


def balance_drift() -> list[tuple[int, int, int]]:
    """(member id, cached, ledger sum) for every balance that differs from its entries,
    including members with entries and no account row. Two queries."""
    sums = (
        RewardEntry.objects.filter(member=OuterRef("pk"))
        .values("member")
        .annotate(s=Sum("points"))
        .values("s")
    )
    cached = RewardAccount.objects.filter(member=OuterRef("pk")).values("balance")
    return list(
        User.objects.annotate(
            cached=Coalesce(Subquery(cached), Value(0)),
            expected=Coalesce(Subquery(sums), Value(0)),
        )
        .exclude(cached=F("expected"))
        .order_by("pk")
        .values_list("pk", "cached", "expected")
    )


@dataclass(frozen=True)
class Unpaid:
    event_id: int
    member_id: int
    points: int  # what the entry should hold


def unpaid_earnings(limit: int = 100) -> list[Unpaid]:
    """Points ledger rows the balance missed: earning awards (positive points, not
    adjustments) without an EARNED entry of the same points, and reversals of credited
    awards without their TAKEN_BACK entry. Two queries."""
    missing = list(
        PointEvent.objects.filter(reversal_of__isnull=True, points__gt=0)
        .exclude(rule=rules.ADJUSTMENT)
        .exclude(reward_entry__kind=RewardEntry.Kind.EARNED, reward_entry__points=F("points"))
        .order_by("pk")
        .values_list("pk", "recipient_id", "points")[:limit]
    )
    missing += (
        PointEvent.objects.filter(
            reversal_of__reward_entry__kind=RewardEntry.Kind.EARNED, reward_entry__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "recipient_id", "points")[:limit]
    )
    return [Unpaid(*row) for row in missing]
