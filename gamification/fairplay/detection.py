"""The fair-play checks made as each vote arrives, inside the ledger writer.

`gamification.services._apply` asks `unpaid_vote` about every vote award to a post's
author (after the serial-voting limit, which it applies itself) while it holds the
recipient's row lock. A vote that is refused points still counts for the score; its
award is written with 0 points and a note saying why, so staff (and the sweep) see it.

- New or unverified accounts: the voter joined less than `new_account_hours` ago, or has
  no verified e-mail address (staff are exempt). Applies to upvotes and downvotes alike.
- Vote rings (upvotes only): A upvotes B while B upvotes A. Once each of them has
  `ring_vote_limit` paid upvotes to the other within the ring window, further upvotes
  between them pay nothing. With rings of three, an upvote from A to B is also unpaid
  when A already paid B `ring_vote_limit` times and some C closes the circle (B paid C
  and C paid A as many times each).

Two members upvoting each other at the same instant each hold only their own row lock,
so neither sees the other's uncommitted vote: a ring can slip past this check by a vote
or two. The scheduled sweep (`gamification.fairplay.sweep`) finds and reverses that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from forum.models import User
from gamification import rules

# Notes written on 0-point awards (and shown to staff, translated, by `NOTE_LABELS`).
NEW_ACCOUNT = "new account"
UNVERIFIED_ACCOUNT = "unverified account"
VOTE_RING = "vote ring"
# The note of the reversal rows the sweep writes.
FAIR_PLAY_REVERSAL = "fair play"

# SERIAL_VOTING is gamification.services.SERIAL_VOTING (not imported: that module imports
# this one).
NOTE_LABELS = {
    "serial voting": _("serial voting: no points"),
    NEW_ACCOUNT: _("new account: no points"),
    UNVERIFIED_ACCOUNT: _("unverified account: no points"),
    VOTE_RING: _("vote ring: no points"),
    FAIR_PLAY_REVERSAL: _("taken back by the fair play sweep"),
}

UPVOTE_RULES = (rules.ANSWER_UPVOTED, rules.QUESTION_UPVOTED)


@dataclass(frozen=True)
class FairPlayTuning:
    """The stored `FairPlaySettings` (its field defaults until the manager saves them)."""

    ring_vote_limit: int
    ring_window: timedelta
    rings_of_three: bool
    new_account: timedelta
    require_verified_email: bool


def fair_play_tuning() -> FairPlayTuning:
    """The stored thresholds over the defaults (cached like `rules.tuning`)."""
    return _cached.get()


def _load() -> FairPlayTuning:
    from gamification.fairplay.models import FairPlaySettings

    stored = FairPlaySettings.load()
    return FairPlayTuning(
        ring_vote_limit=stored.ring_vote_limit,
        ring_window=timedelta(hours=stored.ring_window_hours),
        rings_of_three=stored.detect_rings_of_three,
        new_account=timedelta(hours=stored.new_account_hours),
        require_verified_email=stored.require_verified_email,
    )


_cached: rules.SettingsCache[FairPlayTuning] = rules.SettingsCache(
    "gamification:fairplay:v1", _load
)


def clear_cache() -> None:
    _cached.clear()


def untrusted_voter(voter_id: int, tuning: FairPlayTuning | None = None) -> str | None:
    """NEW_ACCOUNT or UNVERIFIED_ACCOUNT when the voter's votes give no points, else None."""
    from allauth.account.models import EmailAddress

    tuning = tuning or fair_play_tuning()
    found = (
        User.objects.filter(pk=voter_id)
        .annotate(
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            staff=ExpressionWrapper(roles.staff_q(), output_field=BooleanField()),
        )
        .values_list("date_joined", "staff", "verified")
        .first()
    )
    if found is None:
        return None
    joined, staff, verified = found
    if staff:
        return None
    if tuning.new_account and joined > timezone.now() - tuning.new_account:
        return NEW_ACCOUNT
    if tuning.require_verified_email and not verified:
        return UNVERIFIED_ACCOUNT
    return None


def _paid_upvotes(since, pairs: list[tuple[int, int]], exclude_key: str = "") -> dict:  # noqa: ANN001
    """{(voter, recipient): distinct posts paid for by the voter's standing upvotes}."""
    from django.db.models import Q

    from gamification.models import PointEvent

    if not pairs:
        return {}
    match = Q()
    for voter_id, recipient_id in pairs:
        match |= Q(actor_id=voter_id, recipient_id=recipient_id)
    rows = (
        PointEvent.objects.active()
        .filter(match, rule__in=UPVOTE_RULES, points__gt=0, created_at__gte=since)
        .exclude(key=exclude_key)
        .values("actor_id", "recipient_id")
        .annotate(n=Count("key", distinct=True))
        .values_list("actor_id", "recipient_id", "n")
    )
    return {(voter_id, recipient_id): n for voter_id, recipient_id, n in rows}


def in_vote_ring(
    *, voter_id: int, recipient_id: int, key: str, tuning: FairPlayTuning | None = None
) -> bool:
    """Whether an upvote from `voter_id` to `recipient_id` (award `key`) is beyond the
    ring limit: the voter already paid the recipient `ring_vote_limit` upvotes in the
    window, and the recipient paid the voter as many (or a third member closes a circle)."""
    from gamification.models import PointEvent

    tuning = tuning or fair_play_tuning()
    limit = tuning.ring_vote_limit
    since = timezone.now() - tuning.ring_window
    counts = _paid_upvotes(
        since, [(voter_id, recipient_id), (recipient_id, voter_id)], exclude_key=key
    )
    if counts.get((voter_id, recipient_id), 0) < limit:
        return False
    if counts.get((recipient_id, voter_id), 0) >= limit:
        return True
    if not tuning.rings_of_three:
        return False
    # C -> voter, paid `limit` times or more, and recipient -> C likewise.
    into_voter = set(
        PointEvent.objects.active()
        .filter(recipient_id=voter_id, rule__in=UPVOTE_RULES, points__gt=0, created_at__gte=since)
        .exclude(actor_id__in=[voter_id, recipient_id])
        .exclude(actor_id__isnull=True)
        .values("actor_id")
        .annotate(n=Count("key", distinct=True))
        .filter(n__gte=limit)
        .values_list("actor_id", flat=True)
    )
    if not into_voter:
        return False
    return any(
        n >= limit
        for n in _paid_upvotes(since, [(recipient_id, third) for third in into_voter]).values()
    )


def unpaid_vote(*, voter_id: int | None, recipient_id: int, rule: str, key: str) -> str | None:
    """Why a vote award from `voter_id` to the post's author gives no points (a note),
    or None when it pays. Caller (the ledger writer) holds the recipient's row lock."""
    if voter_id is None or voter_id == recipient_id:
        return None
    tuning = fair_play_tuning()
    reason = untrusted_voter(voter_id, tuning)
    if reason:
        return reason
    if rule in UPVOTE_RULES and in_vote_ring(
        voter_id=voter_id, recipient_id=recipient_id, key=key, tuning=tuning
    ):
        return VOTE_RING
    return None
