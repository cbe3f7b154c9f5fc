"""The community health figures, over a period (`days` up to now) and the one before it.

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
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Subquery, Sum
from django.utils import timezone

from advocacy.models import AnswerVerdict, Escalation, Flag, FlagStatus
from advocacy.models.desk import Verdict
from core import roles
from forum.deflection import SolvedThreadView
from forum.models import Answer, Question

DEFAULT_DAYS = 30
MAX_DAYS = 365
CACHE_SECONDS = 120
AT_RISK_MIN_ANSWERS = 5
AT_RISK_SILENCE = dt.timedelta(days=30)
AT_RISK_BEFORE = dt.timedelta(days=90)
WORST_TAGS = 10

_STAFF = roles.staff_q()


def _minutes(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def percentiles(values: list[float]) -> dict[str, float | None]:
    """{p50: median, p90: nearest-rank 90th percentile}; None for no values."""
    if not values:
        return {"p50": None, "p90": None}
    ordered = sorted(values)
    rank = max(1, math.ceil(0.9 * len(ordered)))
    return {"p50": round(median(ordered), 1), "p90": ordered[rank - 1]}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class _Row:
    created_at: dt.datetime
    first: float | None
    community_first: float | None
    solved: bool
    community_solved: bool
    escalated: bool
    tags: list[tuple[str, str]] = field(default_factory=list)
    category: str = ""


def _group(rows: list[_Row]) -> dict:
    n = len(rows)
    firsts = [r.first for r in rows if r.first is not None]
    return {
        "questions": n,
        "answered_share": _share(len(firsts), n),
        "first_answer_minutes": percentiles(firsts),
        "solved_share": _share(sum(r.solved for r in rows), n),
    }


def _advocates(verdicts: list, escalations: list[dict], decided_flags: list) -> dict:
    """Advocates' accuracy from staff verdicts, escalations they raised, flags upheld."""
    return {
        "accuracy": _share(sum(v == Verdict.CORRECT for v in verdicts), len(verdicts)),
        "escalations_raised": sum(
            1
            for e in escalations
            if e["created_by__is_advocate"]
            and not (e["created_by__is_staff"] or e["created_by__is_superuser"])
        ),
        "flags_upheld": sum(s == FlagStatus.UPHELD for s in decided_flags),
        "flags_decided": len(decided_flags),
    }


def _top_share(counts: list[int], fraction: float) -> float | None:
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


def compute(days: int = DEFAULT_DAYS, *, now: dt.datetime | None = None) -> dict:
    """The figures (uncached): {"days", "current", "previous", "trend"}.

    On PostgreSQL the database aggregates (`health.sql`, a fixed number of queries whose
    cost does not grow in Python with the data); elsewhere (SQLite) `compute_in_python`
    does, with the same definitions and results."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        return compute_in_sql(days, now=now)
    return compute_in_python(days, now=now)


def compute_in_python(days: int = DEFAULT_DAYS, *, now: dt.datetime | None = None) -> dict:
    """The figures, aggregated in Python from one row per question and per answer."""
    now = now or timezone.now()
    span = dt.timedelta(days=days)
    current = Period(now - span, now)
    previous = Period(now - 2 * span, now - span)
    since = previous.start

    # 1. The questions of both periods, with their first answers and outcome.
    answers = Answer.objects.filter(
        question=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True
    ).exclude(author=OuterRef("author"))
    first_answer = answers.order_by().values("question").annotate(t=Min("created_at")).values("t")
    community = answers.exclude(roles.staff_q("author"))
    first_community = (
        community.order_by().values("question").annotate(t=Min("created_at")).values("t")
    )
    cohort = Question.objects.filter(
        created_at__gte=since,
        created_at__lt=now,
        deleted_at__isnull=True,
        hidden_at__isnull=True,
    ).exclude(category__is_private=True)
    rows: dict[int, _Row] = {}
    for values in cohort.annotate(
        first_at=Subquery(first_answer),
        community_first_at=Subquery(first_community),
        escalated=Exists(Escalation.objects.filter(question=OuterRef("pk"))),
    ).values(
        "pk",
        "created_at",
        "first_at",
        "community_first_at",
        "accepted_answer_id",
        "accepted_answer__author__is_staff",
        "accepted_answer__author__is_superuser",
        "escalated",
        "category__name",
    ):
        created = values["created_at"]
        accepted = values["accepted_answer_id"] is not None
        staff_accepted = bool(
            values["accepted_answer__author__is_staff"]
            or values["accepted_answer__author__is_superuser"]
        )
        rows[values["pk"]] = _Row(
            created_at=created,
            first=_minutes(values["first_at"] - created) if values["first_at"] else None,
            community_first=(
                _minutes(values["community_first_at"] - created)
                if values["community_first_at"]
                else None
            ),
            solved=accepted,
            community_solved=accepted and not staff_accepted,
            escalated=values["escalated"],
            category=values["category__name"] or "",
        )
    # 2. Their tags.
    for pk, name, slug in cohort.filter(tags__isnull=False).values_list(
        "pk", "tags__name", "tags__slug"
    ):
        rows[pk].tags.append((name, slug))

    # 3. Escalations opened in both periods.
    escalations = list(
        Escalation.objects.filter(created_at__gte=since, created_at__lt=now).values(
            "created_at",
            "resolved_at",
            "first_response_breached",
            "resolve_breached",
            "created_by__is_advocate",
            "created_by__is_staff",
            "created_by__is_superuser",
        )
    )
    # 4. Helpers: every non-staff answerer active since the at-risk window opened.
    window = previous.end - AT_RISK_SILENCE - AT_RISK_BEFORE
    window = min(window, previous.start)
    helper_rows = list(
        Answer.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True)
        .exclude(roles.staff_q("author"))
        .exclude(question__category__is_private=True)
        .exclude(author=F("question__author"))
        .values("author_id")
        .annotate(first=Min("created_at"), last=Max("created_at"))
        .filter(last__gte=window)
        .order_by()
    )
    answer_times = defaultdict(list)
    for author_id, created in (
        Answer.objects.filter(
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            created_at__gte=window,
            created_at__lt=now,
        )
        .exclude(roles.staff_q("author"))
        .exclude(question__category__is_private=True)
        .exclude(author=F("question__author"))
        .values_list("author_id", "created_at")
    ):
        answer_times[author_id].append(created)
    # 5. Accepted answers by helpers, posted in both periods.
    accepted = list(
        Answer.objects.filter(
            accepted_for__isnull=False,
            accepted_for__deleted_at__isnull=True,
            deleted_at__isnull=True,
            created_at__gte=since,
            created_at__lt=now,
        )
        .exclude(roles.staff_q("author"))
        .exclude(accepted_for__category__is_private=True)
        .values_list("author_id", "created_at")
    )
    # 6. Advocates: verdicts on their answers, their flags.
    verdicts = list(
        AnswerVerdict.objects.filter(
            author__is_advocate=True, judged_at__gte=since, judged_at__lt=now
        ).values_list("judged_at", "verdict")
    )
    flags = list(
        Flag.objects.filter(
            flagger__is_advocate=True, created_at__gte=since, created_at__lt=now
        ).values_list("created_at", "status")
    )
    # 7. Signed-out views of solved threads, per day.
    first_day = timezone.localtime(since).date()
    views = dict(
        SolvedThreadView.objects.filter(day__gte=first_day, day__lte=timezone.localdate(now))
        .values("day")
        .annotate(n=Sum("views"))
        .values_list("day", "n")
    )

    def period_figures(period: Period) -> dict:
        mine = [r for r in rows.values() if period.has(r.created_at)]
        n = len(mine)
        community_firsts = [r.community_first for r in mine if r.community_first is not None]
        esc = [e for e in escalations if period.has(e["created_at"])]
        known = [
            e
            for e in esc
            if e["resolved_at"] or e["first_response_breached"] or e["resolve_breached"]
        ]
        met = [e for e in known if not (e["first_response_breached"] or e["resolve_breached"])]
        counts: dict[int, int] = defaultdict(int)
        for author_id, created in accepted:
            if period.has(created):
                counts[author_id] += 1
        active = {author for author, times in answer_times.items() if any(map(period.has, times))}
        new = {h["author_id"] for h in helper_rows if period.has(h["first"])}
        silent_from = period.end - AT_RISK_SILENCE
        busy_from = silent_from - AT_RISK_BEFORE
        at_risk = [
            author
            for author, times in answer_times.items()
            if sum(busy_from <= t < silent_from for t in times) >= AT_RISK_MIN_ANSWERS
            and not any(silent_from <= t < period.end for t in times)
        ]
        period_verdicts = [v for when, v in verdicts if period.has(when)]
        decided_flags = [s for when, s in flags if period.has(when) and s != FlagStatus.OPEN]
        by_tag: dict[tuple[str, str], list[_Row]] = defaultdict(list)
        by_category: dict[str, list[_Row]] = defaultdict(list)
        for r in mine:
            for tag in r.tags:
                by_tag[tag].append(r)
            if r.category:
                by_category[r.category].append(r)
        tags = [
            {"tag": name, "slug": slug, **_group(tagged)} for (name, slug), tagged in by_tag.items()
        ]
        # Worst first: the slowest median first answer; a tag with questions but no
        # answer at all is worse than any; then the most questions.
        tags.sort(
            key=lambda t: (
                t["first_answer_minutes"]["p50"] is not None,
                -(t["first_answer_minutes"]["p50"] or 0),
                -t["questions"],
                t["tag"],
            )
        )
        categories = [{"category": name, **_group(r)} for name, r in by_category.items()]
        categories.sort(key=lambda c: (-c["questions"], c["category"]))
        figures = _group(mine)
        return {
            "start": period.start,
            "end": period.end,
            **figures,
            "community_first_answer_minutes": percentiles(community_firsts),
            "community_solved_share": _share(sum(r.community_solved for r in mine), n),
            "escalated_share": _share(sum(r.escalated for r in mine), n),
            "sla_met_share": _share(len(met), len(known)),
            "deflection_estimate": sum(
                n_views for day, n_views in views.items() if period.has_day(day)
            ),
            "top1_share": _top_share(list(counts.values()), 0.01),
            "top10_share": _top_share(list(counts.values()), 0.10),
            "active_helpers": len(active),
            "new_helpers": len(new & active),
            "helpers_at_risk": len(at_risk),
            "advocates": _advocates(period_verdicts, esc, decided_flags),
            "by_tag": tags,
            "by_category": categories,
        }

    trend = []
    day = timezone.localtime(current.start).date()
    last = timezone.localtime(current.end).date()
    per_day: dict[dt.date, list[_Row]] = defaultdict(list)
    for r in rows.values():
        if current.has(r.created_at):
            per_day[timezone.localtime(r.created_at).date()].append(r)
    while day <= last:
        todays = per_day.get(day, [])
        trend.append(
            {
                "day": day,
                "questions": len(todays),
                "answered": sum(r.first is not None for r in todays),
                "solved": sum(r.solved for r in todays),
            }
        )
        day += dt.timedelta(days=1)
    return {
        "days": days,
        "current": period_figures(current),
        "previous": period_figures(previous),
        "trend": trend,
    }


def _stats_group(stats: dict | None) -> dict:
    """`_group`'s figures from the database's aggregates (`health.sql`)."""
    stats = stats or {"questions": 0, "answered": 0, "p50": None, "p90": None, "solved": 0}
    n = stats["questions"]
    return {
        "questions": n,
        "answered_share": _share(stats["answered"], n),
        "first_answer_minutes": {"p50": stats["p50"], "p90": stats["p90"]},
        "solved_share": _share(stats["solved"], n),
    }


def compute_in_sql(days: int = DEFAULT_DAYS, *, now: dt.datetime | None = None) -> dict:
    """The figures, aggregated by PostgreSQL (see `health.sql`): 8 queries."""
    from advocacy.health import sql

    now = now or timezone.now()
    span = dt.timedelta(days=days)
    current = Period(now - span, now)
    previous = Period(now - 2 * span, now - span)
    since = previous.start
    window = min(previous.end - AT_RISK_SILENCE - AT_RISK_BEFORE, previous.start)
    helper_params: dict[str, object] = {"window": window, "now": now}
    for name, period in (("cur", current), ("prev", previous)):
        silent_from = period.end - AT_RISK_SILENCE
        helper_params |= {
            f"{name}_start": period.start,
            f"{name}_end": period.end,
            f"{name}_silent": silent_from,
            f"{name}_busy": silent_from - AT_RISK_BEFORE,
        }
    helper_params["min_answers"] = AT_RISK_MIN_ANSWERS
    with transaction.atomic():
        sql.without_jit()
        questions = sql.question_figures(since=since, current=current.start, now=now)
        helpers = sql.helper_figures(helper_params)
        accepted = sql.accepted_counts(since=since, current=current.start, now=now)
    escalations = list(
        Escalation.objects.filter(created_at__gte=since, created_at__lt=now).values(
            "created_at",
            "resolved_at",
            "first_response_breached",
            "resolve_breached",
            "created_by__is_advocate",
            "created_by__is_staff",
            "created_by__is_superuser",
        )
    )
    verdicts = list(
        AnswerVerdict.objects.filter(
            author__is_advocate=True, judged_at__gte=since, judged_at__lt=now
        ).values_list("judged_at", "verdict")
    )
    flags = list(
        Flag.objects.filter(
            flagger__is_advocate=True, created_at__gte=since, created_at__lt=now
        ).values_list("created_at", "status")
    )
    views = dict(
        SolvedThreadView.objects.filter(
            day__gte=timezone.localtime(since).date(), day__lte=timezone.localdate(now)
        )
        .values("day")
        .annotate(n=Sum("views"))
        .values_list("day", "n")
    )

    def period_figures(period: Period, cur: bool) -> dict:
        totals = questions["all"].get(cur)
        n = totals["questions"] if totals else 0
        esc = [e for e in escalations if period.has(e["created_at"])]
        known = [
            e
            for e in esc
            if e["resolved_at"] or e["first_response_breached"] or e["resolve_breached"]
        ]
        met = [e for e in known if not (e["first_response_breached"] or e["resolve_breached"])]
        period_verdicts = [v for when, v in verdicts if period.has(when)]
        decided_flags = [s for when, s in flags if period.has(when) and s != FlagStatus.OPEN]
        tags = [
            {"tag": name, "slug": slug, **_stats_group(stats)}
            for (name, slug), stats in questions["tag"][cur].items()
        ]
        tags.sort(
            key=lambda t: (
                t["first_answer_minutes"]["p50"] is not None,
                -(t["first_answer_minutes"]["p50"] or 0),
                -t["questions"],
                t["tag"],
            )
        )
        categories = [
            {"category": name, **_stats_group(stats)}
            for name, stats in questions["category"][cur].items()
        ]
        categories.sort(key=lambda c: (-c["questions"], c["category"]))
        mine = helpers["cur" if cur else "prev"]
        counts = accepted[cur]
        return {
            "start": period.start,
            "end": period.end,
            **_stats_group(totals),
            "community_first_answer_minutes": {
                "p50": totals["community_p50"] if totals else None,
                "p90": totals["community_p90"] if totals else None,
            },
            "community_solved_share": _share(totals["community_solved"] if totals else 0, n),
            "escalated_share": _share(totals["escalated"] if totals else 0, n),
            "sla_met_share": _share(len(met), len(known)),
            "deflection_estimate": sum(
                n_views for day, n_views in views.items() if period.has_day(day)
            ),
            "top1_share": _top_share(counts, 0.01),
            "top10_share": _top_share(counts, 0.10),
            "active_helpers": mine["active"],
            "new_helpers": mine["new"],
            "helpers_at_risk": mine["at_risk"],
            "advocates": _advocates(period_verdicts, esc, decided_flags),
            "by_tag": tags,
            "by_category": categories,
        }

    trend = []
    day = timezone.localtime(current.start).date()
    last = timezone.localtime(current.end).date()
    while day <= last:
        stats = questions["day"].get(day)
        trend.append(
            {
                "day": day,
                "questions": stats["questions"] if stats else 0,
                "answered": stats["answered"] if stats else 0,
                "solved": stats["solved"] if stats else 0,
            }
        )
        day += dt.timedelta(days=1)
    return {
        "days": days,
        "current": period_figures(current, True),
        "previous": period_figures(previous, False),
        "trend": trend,
    }


def health_report(days: int = DEFAULT_DAYS) -> dict:
    """`compute(days)`, cached for CACHE_SECONDS (the dashboard and its API share it)."""
    key = f"community-health:{days}"
    report = cache.get(key)
    if report is None:
        report = compute(days)
        cache.set(key, report, CACHE_SECONDS)
    return report
