"""Due times of an escalation: the one place the desk asks "when is this due?".

The `sla` area owns the SLA policies the manager edits (per priority, per category);
until its function is wired in here, these per-priority defaults apply. Call sites use
only `due_times(...)`, so swapping the source changes nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# (first staff response, resolution) per priority.
DEFAULT_TARGETS: dict[str, tuple[dt.timedelta, dt.timedelta]] = {
    "urgent": (dt.timedelta(minutes=15), dt.timedelta(hours=2)),
    "high": (dt.timedelta(hours=1), dt.timedelta(hours=8)),
    "normal": (dt.timedelta(hours=4), dt.timedelta(hours=24)),
    "low": (dt.timedelta(hours=24), dt.timedelta(hours=72)),
}


@dataclass(frozen=True)
class DueTimes:
    first_response: dt.datetime
    resolve: dt.datetime


def due_times(*, priority: str, start: dt.datetime, category_id: int | None = None) -> DueTimes:
    """When the first staff response and the resolution of an escalation opened at
    `start` with `priority` are due."""
    first, resolve = DEFAULT_TARGETS.get(priority, DEFAULT_TARGETS["normal"])
    return DueTimes(first_response=start + first, resolve=start + resolve)
