"""The community health figures, over a period (`days` up to now) and the one before it.

Two paths give the same figures: on PostgreSQL `sql.compute_in_sql` aggregates the narrow
per-question rows of `QuestionHealth` (kept by `facts`; bench P8); elsewhere (SQLite)
`reference.compute_in_python` derives them from the forum's tables in Python. This module
holds what both share.

Definitions (the page shows them beside the figures):

- The questions of a period are those asked in it, neither deleted nor hidden, outside
  the advocates' lounge.
- answered: has a live answer by someone other than the asker. Time to first answer is
  from the question to that answer, in minutes; "community" counts only answers by
  members who are not staff. p50 is the median; p90 the nearest-rank 90th percentile
  (the smallest value at least 90 % of the answered questions reach).
- solved: has an accepted answer; community solved: accepted answer by a non-staff member.
- escalated: has at least one escalation to staff.
- SLA met: of the escalations opened in the period whose outcome is known (closed, or
  late on a clock), the share late on neither the first response nor the resolution.
- deflection estimate: views of solved threads by signed-out readers in the period
  (counted when the thread already had its accepted answer; one reader once an hour).
- helpers are members who are not staff, answering others' questions. Active: posted a
  live answer in the period.
  New: their first live answer ever is in the period. At risk: 5 or more answers in the
  90 days before the last 30 days of the period, none in those 30 days.
- top 1 % / 10 % share: the accepted answers posted in the period by the most accepted
  1 % / 10 % of the helpers who had one (at least one helper), over all of them.
- advocates: accuracy = correct verdicts / all staff verdicts on advocates' answers judged
  in the period; escalations they raised; their flags upheld (of those decided).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import median

from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from advocacy.models import AnswerVerdict, Escalation, Flag, FlagStatus
from advocacy.models.desk import Verdict
from core import roles
from forum.deflection import SolvedThreadView

DEFAULT_DAYS = 30
MAX_DAYS = 365
# The periods the dashboard offers; the worker keeps those a manager looked at warm.
PERIOD_CHOICES = (7, 30, 90, 365)
# Figures are recomputed by the worker every REFRESH_SECONDS (advocacy.tasks) for each
# offered period looked at in the last WATCHED_SECONDS, and kept CACHE_SECONDS, so a
# page shows figures at most a few minutes old and only the first look at a period (or
# a period typed by hand) waits for them to be computed.
REFRESH_SECONDS = 60
CACHE_SECONDS = 180
WATCHED_SECONDS = 3600
AT_RISK_MIN_ANSWERS = 5
AT_RISK_SILENCE = dt.timedelta(days=30)
AT_RISK_BEFORE = dt.timedelta(days=90)


def minutes(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def percentiles(values: list[float]) -> dict[str, float | None]:
    """{p50: median, p90: nearest-rank 90th percentile}; None for no values."""
    if not values:
        return {"p50": None, "p90": None}
    ordered = sorted(values)
    rank = max(1, math.ceil(0.9 * len(ordered)))
    return {"p50": round(median(ordered), 1), "p90": ordered[rank - 1]}


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def top_share(counts: list[int], fraction: float) -> float | None:
    total = sum(counts)
    if not total:
        return None
    ordered = sorted(counts, reverse=True)
    k = max(1, math.ceil(len(ordered) * fraction))
    return round(sum(ordered[:k]) / total, 4)


@dataclass
class Period:
    start: dt.datetime
    end: dt.datetime

    def has(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end

    def has_day(self, day: dt.date) -> bool:
        """Per-day counts (the views) belong to the `days` local dates ending with the
        period's last one: periods side by side share no day."""
        return timezone.localtime(self.start).date() < day <= timezone.localtime(self.end).date()

    def days(self) -> list[dt.date]:
        """The local dates the trend shows, from the period's first to its last."""
        day, last = timezone.localtime(self.start).date(), timezone.localtime(self.end).date()
        out = []
        while day <= last:
            out.append(day)
            day += dt.timedelta(days=1)
        return out


def periods(days: int, now: dt.datetime) -> tuple[Period, Period]:
    """(the current period, the one before it)."""
    span = dt.timedelta(days=days)
    return Period(now - span, now), Period(now - 2 * span, now - span)


@dataclass
class Desk:
    """What both paths read the same way, for both periods: escalations, staff verdicts on
    advocates' answers, advocates' flags, signed-out views of solved threads per day."""

    escalations: list[dict]
    verdicts: list[tuple[dt.datetime, str]]
    flags: list[tuple[dt.datetime, str]]
    views: dict[dt.date, int]

    @classmethod
    def read(cls, since: dt.datetime, now: dt.datetime) -> Desk:
        """Four queries."""
        return cls(
            escalations=list(
                Escalation.objects.filter(created_at__gte=since, created_at__lt=now)
                .annotate(by_staff=roles.staff_flag("created_by"))
                .values(
                    "created_at",
                    "resolved_at",
                    "first_response_breached",
                    "resolve_breached",
                    "created_by__is_advocate",
                    "by_staff",
                )
            ),
            verdicts=list(
                AnswerVerdict.objects.filter(
                    author__is_advocate=True, judged_at__gte=since, judged_at__lt=now
                ).values_list("judged_at", "verdict")
            ),
            flags=list(
                Flag.objects.filter(
                    flagger__is_advocate=True, created_at__gte=since, created_at__lt=now
                ).values_list("created_at", "status")
            ),
            views=dict(
                SolvedThreadView.objects.filter(
                    day__gte=timezone.localtime(since).date(), day__lte=timezone.localdate(now)
                )
                .values("day")
                .annotate(n=Sum("views"))
                .values_list("day", "n")
            ),
        )

    def figures(self, period: Period) -> dict:
        """SLA met, the deflection estimate and the advocates' block of `period`."""
        esc = [e for e in self.escalations if period.has(e["created_at"])]
        known = [
            e
            for e in esc
            if e["resolved_at"] or e["first_response_breached"] or e["resolve_breached"]
        ]
        met = [e for e in known if not (e["first_response_breached"] or e["resolve_breached"])]
        verdicts = [v for when, v in self.verdicts if period.has(when)]
        decided = [s for when, s in self.flags if period.has(when) and s != FlagStatus.OPEN]
        return {
            "sla_met_share": share(len(met), len(known)),
            "deflection_estimate": sum(n for day, n in self.views.items() if period.has_day(day)),
            "advocates": {
                "accuracy": share(sum(v == Verdict.CORRECT for v in verdicts), len(verdicts)),
                "escalations_raised": sum(
                    1 for e in esc if e["created_by__is_advocate"] and not e["by_staff"]
                ),
                "flags_upheld": sum(s == FlagStatus.UPHELD for s in decided),
                "flags_decided": len(decided),
            },
        }


def worst_tags_first(tags: list[dict]) -> list[dict]:
    """The slowest median first answer first; a tag with questions but no answer at all is
    worse than any; then the most questions."""
    return sorted(
        tags,
        key=lambda t: (
            t["first_answer_minutes"]["p50"] is not None,
            -(t["first_answer_minutes"]["p50"] or 0),
            -t["questions"],
            t["tag"],
        ),
    )


def busiest_categories_first(categories: list[dict]) -> list[dict]:
    return sorted(categories, key=lambda c: (-c["questions"], c["category"]))


def compute(days: int = DEFAULT_DAYS, *, now: dt.datetime | None = None) -> dict:
    """The figures (uncached): {"days", "current", "previous", "trend"}.

    On PostgreSQL the database aggregates the per-question rows (`sql`, a fixed number of
    queries reading narrow tables); elsewhere (SQLite) `reference.compute_in_python` does,
    with the same definitions and results."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        from advocacy.health.sql import compute_in_sql

        return compute_in_sql(days, now=now)
    from advocacy.health.reference import compute_in_python

    return compute_in_python(days, now=now)


def _report_key(days: int) -> str:
    return f"community-health:{days}"


def _watched_key(days: int) -> str:
    return f"community-health-watched:{days}"


def health_report(days: int = DEFAULT_DAYS) -> dict:
    """`compute(days)`, cached (the dashboard, its CSV and its API share it). The first
    look at a period computes it; from then on `refresh_reports` keeps it warm."""
    if days in PERIOD_CHOICES:
        cache.set(_watched_key(days), True, WATCHED_SECONDS)
    report = cache.get(_report_key(days))
    if report is None:
        report = compute(days)
        cache.set(_report_key(days), report, CACHE_SECONDS)
    return report


def refresh_reports() -> list[int]:
    """Recompute the figures of each offered period looked at in the last hour (the
    worker's job, every REFRESH_SECONDS); the periods refreshed."""
    watched = cache.get_many([_watched_key(days) for days in PERIOD_CHOICES])
    refreshed = [days for days in PERIOD_CHOICES if _watched_key(days) in watched]
    for days in refreshed:
        cache.set(_report_key(days), compute(days), CACHE_SECONDS)
    return refreshed
