"""Per-priority SLA targets (`SlaPolicy`, edited by the manager)."""

from __future__ import annotations

import datetime as dt

from advocacy.models import SlaPolicy

# The seeded defaults (migration 0008), used when a priority has no policy row.
DEFAULT_TARGETS: dict[str, tuple[dt.timedelta, dt.timedelta]] = {
    "urgent": (dt.timedelta(hours=1), dt.timedelta(hours=4)),
    "high": (dt.timedelta(hours=4), dt.timedelta(days=1)),
    "normal": (dt.timedelta(hours=8), dt.timedelta(days=3)),
    "low": (dt.timedelta(days=1), dt.timedelta(days=5)),
}


def targets(priority: str) -> tuple[dt.timedelta, dt.timedelta]:
    """(first response within, resolution within) for `priority` (unknown: normal)."""
    policy = SlaPolicy.objects.filter(priority=priority).first()
    if policy is None:
        return DEFAULT_TARGETS.get(priority, DEFAULT_TARGETS["normal"])
    return (
        dt.timedelta(minutes=policy.first_response_minutes),
        dt.timedelta(minutes=policy.resolution_minutes),
    )
