"""Named ranks by reputation, shown next to every username.

The stored `Rank` rows (name, Italian name, starting reputation) are the community
manager's; the defaults below stand in when there are none. Looking a rank up costs no
query (the ranks come with the cached tuning).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from django.utils.translation import get_language

# (from reputation, English name, Italian name), ascending; the first must start at 0 or 1.
DEFAULT_RANKS: tuple[tuple[int, str, str], ...] = (
    (1, "Newcomer", "Nuovo arrivato"),
    (50, "Member", "Membro"),
    (200, "Contributor", "Collaboratore"),
    (1000, "Expert", "Esperto"),
    (3000, "Champion", "Campione"),
    (10000, "Legend", "Leggenda"),
)


@dataclass(frozen=True)
class RankInfo:
    level: int  # 1 for the first rank
    name: str
    starts_at: int
    next_name: str | None
    next_at: int | None


def _name(name: str, name_it: str) -> str:
    return name_it if name_it and (get_language() or "").startswith("it") else name


def rank_for(reputation: int) -> RankInfo:
    """The rank a member with `reputation` holds, and the next one."""
    from gamification.rules import tuning

    ranks = tuning().ranks
    index = max(0, bisect_right([start for start, _n, _i in ranks], reputation) - 1)
    start, name, name_it = ranks[index]
    if index + 1 < len(ranks):
        next_start, next_name, next_it = ranks[index + 1]
        return RankInfo(
            index + 1, _name(name, name_it), start, _name(next_name, next_it), next_start
        )
    return RankInfo(index + 1, _name(name, name_it), start, None, None)


def all_ranks() -> list[RankInfo]:
    from gamification.rules import tuning

    return [rank_for(start) for start, _n, _i in tuning().ranks]
