"""Everything that writes to the rewards ledger (see `gamification.rewards.models` for the
arithmetic).

LOCK ORDER: `credit_for_events` runs inside the points ledger's `_apply`, after the
members' rows are locked, and moves balances with one upsert per member (the account row
lock is taken by the UPDATE). Redeeming locks the reward, then the member's account;
deciding locks the redemption, then the reward (stock), then the account. None of them
locks a member row, so they never wait on a vote in progress; a vote waits at most for
the account row a redemption holds, and a redemption waits for nothing a vote holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import events
from core.text import clean_note
from core.upsert import add_to_counters
from forum.models import Notification, User
from gamification import rules
from gamification.events import RedemptionDecided, RedemptionRequested
from gamification.models import PointEvent
from gamification.rewards.models import Redemption, Reward, RewardAccount, RewardEntry
from gamification.rewards.permissions import check_decide_redemption, check_redeem_reward
from live.events import publish
from live.streams import user_stream
from notifications.bell import notify_member

REASON_MAX = 300
REQUEST_KEY_MAX = 40


class AlreadyDecided(Exception):
    """The redemption was approved or refused already (perhaps a moment ago, by someone
    else); nothing changed. A conflict: 409."""

    status_code = 409

    def __init__(self, redemption: Redemption) -> None:
        self.redemption = redemption
        super().__init__(
            _("This redemption was already %(status)s.")
            % {"status": redemption.get_status_display()}
        )


def _earns(event: PointEvent) -> bool:
    return event.points > 0 and event.rule != rules.ADJUSTMENT


def _move(balances: dict[int, int]) -> None:
    """Add to the members' cached balances: one upsert (which takes each account's row
    lock for the rest of the transaction)."""
    add_to_counters(
        RewardAccount,
        key=("member",),
        field="balance",
        amounts={(pk,): points for pk, points in balances.items() if points},
    )


def _announce(member_id: int) -> None:
    """`rewards.changed` with the new balance on the member's `user` stream, after commit."""
    balance = (
        RewardAccount.objects.filter(member_id=member_id).values_list("balance", flat=True).first()
    )
    publish(user_stream(member_id), "rewards.changed", {"balance": max(0, balance or 0)})


def credit_for_events(events: Iterable[PointEvent], *, announce: bool = True) -> list[RewardEntry]:
    """The balance side of points ledger rows just written (`gamification.services._apply`,
    inside its transaction, members locked): an earning award credits its points; the
    reversal of one takes back exactly what the award credited (nothing for awards made
    before rewards existed and not backfilled). One query to find the credited originals,
    one insert, one upsert."""
    events = list(events)
    entries = [
        RewardEntry(
            member_id=e.recipient_id,
            kind=RewardEntry.Kind.EARNED,
            points=e.points,
            point_event=e,
            created_at=e.created_at,
        )
        for e in events
        if e.reversal_of_id is None and _earns(e)
    ]
    reversals = {e.reversal_of_id: e for e in events if e.reversal_of_id is not None}
    if reversals:
        credited = RewardEntry.objects.filter(
            point_event_id__in=reversals, kind=RewardEntry.Kind.EARNED
        ).values_list("point_event_id", "points")
        for original_id, points in credited:
            event = reversals[original_id]
            entries.append(
                RewardEntry(
                    member_id=event.recipient_id,
                    kind=RewardEntry.Kind.TAKEN_BACK,
                    points=-points,
                    point_event=event,
                    created_at=event.created_at,
                )
            )
    if not entries:
        return []
    RewardEntry.objects.bulk_create(entries)
    balances: dict[int, int] = defaultdict(int)
    for entry in entries:
        balances[entry.member_id] += entry.points
    _move(balances)
    if announce:  # bulk loaders (seed_demo) tell nobody
        for member_id in balances:
            _announce(member_id)
    return entries


def balance_of(member: User) -> int:
    """The member's spendable balance (never below 0)."""
    balance = (
        RewardAccount.objects.filter(member_id=member.pk).values_list("balance", flat=True).first()
    )
    return max(0, balance or 0)


def redeem_reward(*, actor: User, reward: Reward, request_key: str = "") -> Redemption:
    """The actor spends `reward.cost` points on one of `reward`; staff then decide.

    One transaction: locks the reward, then the actor's account; checks the balance and
    the stock on the locked rows; takes one from the stock and the cost from the balance
    with `F()`; writes the redemption and its REDEEMED entry. `request_key` (the form's
    one-time key) makes a double-click or a retried request redeem once: the second call
    returns the first redemption and changes nothing.

    Raises PermissionDenied (not logged in, suspended, reward withdrawn) or
    ValidationError (not enough points, out of stock, a bad key); nothing is written then.
    """
    request_key = str(request_key or "")
    if len(request_key) > REQUEST_KEY_MAX or not request_key.isprintable():
        raise ValidationError({"key": [_("This request key is not valid.")]})
    check_redeem_reward(actor, reward)
    if request_key:
        earlier = Redemption.objects.filter(member=actor, request_key=request_key).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            locked = Reward.objects.select_for_update().get(pk=reward.pk)
            check_redeem_reward(actor, locked)
            RewardAccount.objects.bulk_create(
                [RewardAccount(member_id=actor.pk)], ignore_conflicts=True
            )
            account = RewardAccount.objects.select_for_update().get(member_id=actor.pk)
            if not locked.in_stock:
                raise ValidationError(
                    _("“%(reward)s” is out of stock.") % {"reward": locked.display_name},
                    code="out_of_stock",
                )
            if account.balance < locked.cost:
                raise ValidationError(
                    _("“%(reward)s” costs %(cost)d points; you have %(balance)d.")
                    % {
                        "reward": locked.display_name,
                        "cost": locked.cost,
                        "balance": account.spendable,
                    },
                    code="insufficient_balance",
                )
            if locked.stock is not None:
                Reward.objects.filter(pk=locked.pk).update(stock=F("stock") - 1)
            RewardAccount.objects.filter(pk=account.pk).update(balance=F("balance") - locked.cost)
            redemption = Redemption.objects.create(
                member=actor, reward=locked, cost=locked.cost, request_key=request_key
            )
            RewardEntry.objects.create(
                member=actor,
                kind=RewardEntry.Kind.REDEEMED,
                points=-locked.cost,
                redemption=redemption,
            )
            _announce(actor.pk)
            events.emit(
                RedemptionRequested(
                    actor_id=actor.pk, redemption_id=redemption.pk, redemption=redemption
                )
            )
    except IntegrityError:
        # The same key won a race a moment ago (the unique constraint): that one stands.
        earlier = Redemption.objects.filter(member=actor, request_key=request_key).first()
        if request_key and earlier is not None:
            return earlier
        raise
    redemption.reward = locked
    return redemption


def _names(reward: Reward) -> dict[str, str]:
    """The reward's name in each language, for a notification shown later in the reader's
    (`notifications.bell.describe` picks the one for the active language)."""
    return {"en": reward.name, "it": reward.name_it or reward.name}


def _lock_pending(redemption: Redemption, actor: User) -> Redemption:
    locked = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("reward", "member")
        .get(pk=redemption.pk)
    )
    if locked.member_id == actor.pk:
        raise PermissionDenied(_("Another member of staff decides on your own redemptions."))
    if locked.status != Redemption.Status.PENDING:
        raise AlreadyDecided(locked)
    return locked


def _decide(locked: Redemption, *, actor: User, status: str, reason: str) -> None:
    Redemption.objects.filter(pk=locked.pk).update(
        status=status, reason=reason, decided_by=actor, decided_at=timezone.now()
    )
    locked.status, locked.reason, locked.decided_by = status, reason, actor
    locked.decided_at = timezone.now()
    events.emit(
        RedemptionDecided(
            actor_id=actor.pk, redemption_id=locked.pk, status=status, redemption=locked
        )
    )


def approve_redemption(*, actor: User, redemption: Redemption, note: str = "") -> Redemption:
    """Staff approve a pending redemption (the reward is then delivered outside Circolo).

    Locks the redemption; a redemption decided meanwhile raises AlreadyDecided and changes
    nothing. Notifies the member (kind REWARD) in the same transaction.
    """
    check_decide_redemption(actor)
    note = clean_note(
        note,
        field="reason",
        max_length=REASON_MAX,
        too_long=_("At most %(n)d characters."),
        one_line=True,
    )
    with transaction.atomic():
        locked = _lock_pending(redemption, actor)
        _decide(locked, actor=actor, status=Redemption.Status.APPROVED, reason=note)
        notify_member(
            locked.member,
            Notification.Kind.REWARD,
            gettext_noop("Your redemption of %(reward)s was approved."),
            params={"reward": _names(locked.reward)},
            link=reverse("gamification:my_redemptions"),
            actor=actor,
        )
    return locked


def refuse_redemption(*, actor: User, redemption: Redemption, reason: str) -> Redemption:
    """Staff refuse a pending redemption with a reason: its cost goes back to the member's
    balance (a REFUNDED entry, once: unique per redemption) and its item back to stock.

    Locks the redemption, then the reward, then the account. A redemption decided
    meanwhile raises AlreadyDecided and changes nothing. Notifies the member.
    """
    check_decide_redemption(actor)
    reason = clean_note(
        reason,
        field="reason",
        max_length=REASON_MAX,
        required=True,
        empty=_("Say why the redemption is refused."),
        too_long=_("At most %(n)d characters."),
        one_line=True,
    )
    with transaction.atomic():
        locked = _lock_pending(redemption, actor)
        _decide(locked, actor=actor, status=Redemption.Status.REFUSED, reason=reason)
        Reward.objects.filter(pk=locked.reward_id, stock__isnull=False).update(stock=F("stock") + 1)
        RewardEntry.objects.create(
            member_id=locked.member_id,
            kind=RewardEntry.Kind.REFUNDED,
            points=locked.cost,
            redemption=locked,
        )
        _move({locked.member_id: locked.cost})
        _announce(locked.member_id)
        notify_member(
            locked.member,
            Notification.Kind.REWARD,
            gettext_noop(
                "Your redemption of %(reward)s was refused: %(reason)s. "
                "The %(cost)s points are back in your balance."
            ),
            params={
                "reward": _names(locked.reward),
                "reason": reason,
                "cost": locked.cost,
            },
            link=reverse("gamification:my_redemptions"),
            actor=actor,
        )
    return locked


def recompute_balances() -> list[tuple[int, int, int]]:
    """Set every cached balance that differs from the sum of its entries (the repair of
    `recompute_reputation`); returns (member id, was, now). Each fix reads the sum under
    the account's row lock."""
    from django.db.models import Sum

    from gamification.rewards.selectors import balance_drift

    fixed = []
    for member_id, _cached, _expected in balance_drift():
        with transaction.atomic():
            RewardAccount.objects.bulk_create(
                [RewardAccount(member_id=member_id)], ignore_conflicts=True
            )
            was = RewardAccount.objects.select_for_update().get(member_id=member_id).balance
            now = (
                RewardEntry.objects.filter(member_id=member_id).aggregate(s=Sum("points"))["s"] or 0
            )
            if now != was:
                RewardAccount.objects.filter(member_id=member_id).update(balance=now)
                fixed.append((member_id, was, now))
    return fixed
