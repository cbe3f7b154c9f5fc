"""Rewards (payback): a spendable balance, a catalogue, redemptions, and their ledger.

Balance arithmetic (the one place it is written down):

- Every movement of the balance is a `RewardEntry` row, never updated or deleted:
  EARNED (an award of reputation points, one entry per `PointEvent`, unique), TAKEN_BACK
  (the reversal of such an award takes back exactly what it gave), REDEEMED (the cost of
  a redemption, once per redemption, unique) and REFUNDED (a refused redemption gives its
  cost back, once, unique).
- Only gains count: an award with positive points credits them (penalties such as a
  downvote cost reputation, not payback; manager adjustments and opening balances are
  reputation matters, not earnings). Points that earn reputation but are suppressed (the
  daily cap, serial voting, suspended members) credit nothing, since they are 0.
- `RewardAccount.balance` caches the sum of the member's entries and is moved with `F()`
  in the same transaction as the entry. The sum can fall below 0: when earnings are taken
  back after they were spent, the member owes them, and future earnings pay the debt
  first. The spendable balance (`spendable`) is `max(0, balance)`. Without the debt, a
  friend could upvote, let the points be spent, withdraw and upvote again for ever.
- `recompute_reputation --check` proves each cached balance equals its entries and each
  earning award has its entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _localised(english: str, italian: str) -> str:
    return italian if italian and (get_language() or "").startswith("it") else english


class Reward(models.Model):
    """An item of the catalogue; the community manager edits these in the admin."""

    name = models.CharField(_("name"), max_length=80)
    name_it = models.CharField(_("name (Italian)"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_it = models.CharField(_("description (Italian)"), max_length=300, blank=True)
    cost = models.PositiveIntegerField(_("cost in points"))
    stock = models.PositiveIntegerField(
        _("stock"),
        null=True,
        blank=True,
        help_text=_("How many are left to redeem; leave empty for no limit."),
    )
    active = models.BooleanField(
        _("offered"), default=True, help_text=_("Only offered rewards can be redeemed.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "cost", "pk"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=1), name="reward_cost_positive"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="reward_stock_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return _localised(self.name, self.name_it)

    @property
    def display_description(self) -> str:
        return _localised(self.description, self.description_it)

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0


class RewardAccount(models.Model):
    """The cached balance of one member (the sum of their `RewardEntry` rows)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reward_account",
        verbose_name=_("member"),
    )
    balance = models.IntegerField(_("balance"), default=0)

    class Meta:
        verbose_name = _("rewards balance")
        verbose_name_plural = _("rewards balances")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.balance}"

    @property
    def spendable(self) -> int:
        return max(0, self.balance)


class Redemption(models.Model):
    """A member's request for a reward; staff approve or refuse it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="redemptions",
        verbose_name=_("member"),
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    cost = models.PositiveIntegerField(_("cost in points"))  # the price when redeemed
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The form's one-time key: a double-click or a retried request redeems once.
    request_key = models.CharField(max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "request_key"],
                condition=~Q(request_key=""),
                name="redemption_once_per_request",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="redemption_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reward_id} for {self.member_id} ({self.status})"


class RewardEntry(models.Model):
    """One row of the rewards ledger. Never updated, never deleted."""

    class Kind(models.TextChoices):
        EARNED = "earned", _("earned")
        TAKEN_BACK = "taken_back", _("taken back")
        REDEEMED = "redeemed", _("redeemed")
        REFUNDED = "refunded", _("refunded")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reward_entries",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    point_event = models.OneToOneField(
        "gamification.PointEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reward_entry",
    )
    redemption = models.ForeignKey(
        Redemption, on_delete=models.CASCADE, null=True, blank=True, related_name="entries"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rewards ledger entry")
        verbose_name_plural = _("rewards ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["redemption", "kind"],
                condition=Q(redemption__isnull=False),
                name="reward_entry_once_per_redemption",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["earned", "refunded"], points__gt=0)
                    | Q(kind__in=["taken_back", "redeemed"], points__lt=0)
                ),
                name="reward_entry_sign_follows_kind",
            ),
        ]
        indexes = [models.Index(fields=["member", "-created_at"], name="reward_entry_member_idx")]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.kind} to {self.member_id}"
