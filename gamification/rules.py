"""The point rules the code knows, their defaults (PRODUCT.md) and the stored tuning.

The stored rows (`PointRule`, `PointSettings`, `PrivilegeThreshold`, `Badge`, `Rank`) override the defaults here; a missing row
falls back to its default, so a fresh or flushed database still behaves as documented.
The tuning is read through the cache (one lookup per request at most); the admin clears
it on save with `clear_cache()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

ANSWER_UPVOTED = "answer_upvoted"
QUESTION_UPVOTED = "question_upvoted"
ANSWER_DOWNVOTED = "answer_downvoted"
QUESTION_DOWNVOTED = "question_downvoted"
DOWNVOTE_CAST = "downvote_cast"
ANSWER_ACCEPTED = "answer_accepted"
ACCEPT_BONUS_ASKER = "accept_bonus_asker"
STAFF_VERIFIED = "staff_verified"
FLAG_UPHELD = "flag_upheld"  # a flag the moderators upheld (advocacy)
ADJUSTMENT = "adjustment"  # by the community manager; not a tunable rule
OPENING_BALANCE = "opening balance"  # the note of an adjustment made by a bulk loader


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    delta: int
    enabled: bool = True
    capped: bool = False


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule(ANSWER_UPVOTED, _("answer upvoted"), 10, capped=True),
        Rule(QUESTION_UPVOTED, _("question upvoted"), 5, capped=True),
        Rule(ANSWER_ACCEPTED, _("answer accepted"), 15),
        Rule(ACCEPT_BONUS_ASKER, _("accepted an answer"), 2),
        Rule(ANSWER_DOWNVOTED, _("answer downvoted"), -2),
        Rule(DOWNVOTE_CAST, _("downvoted an answer"), -1),
        Rule(STAFF_VERIFIED, _("answer verified by staff"), 20),
        Rule(FLAG_UPHELD, _("flag upheld by moderators"), 2),
        # PRODUCT.md only penalises downvoted answers; off unless the manager turns it on.
        Rule(QUESTION_DOWNVOTED, _("question downvoted"), -2, enabled=False),
    )
}

LABELS = {
    **{k: r.label for k, r in RULES.items()},
    ADJUSTMENT: _("adjustment by staff"),
    OPENING_BALANCE: _("reputation brought over"),
}

T = TypeVar("T")


class SettingsCache(Generic[T]):
    """Settings loaded from the database, kept in the shared cache for `timeout` seconds
    and in each process for `local_seconds`.

    A page asks for the tuning once per rank badge and permission check (hundreds of times
    for a long thread), so each process also keeps it for a moment: a manager's change
    reaches every process within `local_seconds` (this process at once, via `clear`).
    """

    def __init__(
        self, key: str, load: Callable[[], T], *, timeout: int = 300, local_seconds: float = 2.0
    ) -> None:
        self.key, self.load, self.timeout, self.local_seconds = key, load, timeout, local_seconds
        self._local: tuple[float, T] | None = None

    def get(self) -> T:
        now = time.monotonic()
        if self._local is not None and self._local[0] > now:
            return self._local[1]
        found = cache.get(self.key)
        if found is None:
            found = self.load()
            cache.set(self.key, found, self.timeout)
        self._local = (now + self.local_seconds, found)
        return found

    def clear(self) -> None:
        self._local = None
        cache.delete(self.key)


@dataclass(frozen=True)
class Tuning:
    rules: dict[str, Rule]
    daily_vote_cap: int
    reputation_floor: int
    privileges: dict[str, int]
    serial_vote_limit: int
    badges: dict[str, tuple[bool, int | None]]  # key -> (enabled, threshold)
    ranks: list[tuple[int, str, str]]  # (from reputation, name, Italian name), ascending


def tuning() -> Tuning:
    """The stored rules, settings and privilege thresholds over their defaults (cached)."""
    return _cached.get()


def _load() -> Tuning:
    from core.privileges import PRIVILEGES
    from gamification.badges import BADGES
    from gamification.models import Badge, PointRule, PointSettings, PrivilegeThreshold, Rank
    from gamification.ranks import DEFAULT_RANKS

    rules = dict(RULES)
    for row in PointRule.objects.all():
        default = RULES.get(row.key)
        if default is not None:
            rules[row.key] = Rule(row.key, default.label, row.delta, row.enabled, row.capped)
    stored = PointSettings.load()
    privileges = dict(PRIVILEGES)
    for key, reputation in PrivilegeThreshold.objects.values_list("key", "reputation"):
        if key in privileges:
            privileges[key] = reputation
    badges = {key: (True, spec.threshold) for key, spec in BADGES.items()}
    for key, enabled, threshold in Badge.objects.values_list("key", "enabled", "threshold"):
        if key in badges:
            badges[key] = (enabled, threshold if threshold is not None else badges[key][1])
    ranks = [(r.reputation, r.name, r.name_it) for r in Rank.objects.order_by("reputation")]
    found = Tuning(
        rules=rules,
        daily_vote_cap=stored.daily_vote_cap,
        reputation_floor=stored.reputation_floor,
        privileges=privileges,
        serial_vote_limit=stored.serial_vote_limit,
        badges=badges,
        ranks=ranks or list(DEFAULT_RANKS),
    )
    return found


_cached: SettingsCache[Tuning] = SettingsCache("gamification:tuning:v2", _load)


def clear_cache() -> None:
    _cached.clear()
