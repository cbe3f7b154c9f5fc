"""Due times of an escalation: the one place the desk asks "when is this due?".

The targets come from the SLA policies the manager edits per priority
(`advocacy.sla.policies`, seeded urgent 1 h / 4 h, high 4 h / 1 day, normal 8 h / 3 days,
low 1 day / 5 days). Call sites use only `due_times(...)`. The clocks' pauses (waiting on
the customer) are added by the desk's services (`_end_pause`); breaches are recorded by
the SLA sweep (`advocacy.sla.sweep`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from advocacy.sla.policies import targets


@dataclass(frozen=True)
class DueTimes:
    first_response: dt.datetime
    resolve: dt.datetime


def due_times(*, priority: str, start: dt.datetime, category_id: int | None = None) -> DueTimes:
    """When the first staff response and the resolution of an escalation opened at
    `start` with `priority` are due (policies are per priority; `category_id` is
    accepted for a per-category policy later and ignored today)."""
    first, resolve = targets(priority)
    return DueTimes(first_response=start + first, resolve=start + resolve)
