"""Opening balances, recomputing reputation from the ledger, point settings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from forum.locks import locked_members
from forum.models import User
from gamification import leaderboards, rules
from gamification.models import PointEvent, PointSettings
from gamification.services.ledger import (
    _ledger_sum,
)


def record_opening_balances(balances: list[tuple[int, int]]) -> int:
    """Bulk loaders (seed_demo, imports) that set `User.reputation` directly call this with
    (user id, reputation) pairs: one adjustment row each, dated the day the member joined,
    so the ledger and the all-time leaderboard agree with the cache. Not for live members
    (no lock, no cap): only for rows the caller has just created.
    """
    wanted = {user_id: reputation for user_id, reputation in balances if reputation != 1}
    joined = dict(User.objects.filter(pk__in=wanted).values_list("pk", "date_joined"))
    rows = PointEvent.objects.bulk_create(
        [
            PointEvent(
                recipient_id=user_id,
                rule=rules.ADJUSTMENT,
                delta=reputation - 1,
                points=reputation - 1,
                day=timezone.localdate(joined[user_id]),
                created_at=joined[user_id],
                note=rules.OPENING_BALANCE,
            )
            for user_id, reputation in wanted.items()
            if user_id in joined
        ],
        batch_size=2000,
    )
    leaderboards.bump(rows)
    return len(rows)


# Repair --------------------------------------------------------------------------------


def recompute_reputation(*, floor: int | None = None) -> list[tuple[int, int, int]]:
    """Set every cached reputation that differs from its ledger; returns (id, was, now).

    Each fix happens under the member's row lock, reading the ledger after taking it, so
    it is safe while members are voting.
    """
    from gamification.selectors import reputation_drift

    if floor is None:
        floor = rules.tuning().reputation_floor
    fixed = []
    for user_id, _cached, _expected in reputation_drift(floor=floor):
        with transaction.atomic():
            was = locked_members([user_id]).values_list("reputation", flat=True).first()
            if was is None:
                continue
            now = max(floor, 1 + _ledger_sum(user_id))
            if now != was:
                User.objects.filter(pk=user_id).update(reputation=now)
                fixed.append((user_id, was, now))
    return fixed


def update_point_settings(
    *,
    actor: User,
    daily_vote_cap: int,
    reputation_floor: int,
    serial_vote_limit: int | None = None,
) -> PointSettings:
    """Store the cap, floor and serial-vote limit; a new floor recomputes every member's
    cached reputation."""
    if not roles.is_manager(actor):
        raise PermissionDenied(_("Only community managers can change the points settings."))
    with transaction.atomic():
        current = PointSettings.load_for_update()
        floor_changed = current.reputation_floor != reputation_floor
        current.daily_vote_cap = daily_vote_cap
        current.reputation_floor = reputation_floor
        if serial_vote_limit is not None:
            current.serial_vote_limit = serial_vote_limit
        current.save()
        transaction.on_commit(rules.clear_cache)
        rules.clear_cache()
        if floor_changed:
            recompute_reputation(floor=reputation_floor)
    return current
