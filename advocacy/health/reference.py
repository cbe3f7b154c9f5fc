"""The health figures derived in Python from the forum's tables: one row per question and
per answer, every definition of `figures` applied as written. The SQLite path, the
reference the PostgreSQL path (`sql`) is tested against, and the bench's baseline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, Max, Min, OuterRef, Subquery
from django.utils import timezone

from advocacy.health.figures import (
    AT_RISK_BEFORE,
    AT_RISK_MIN_ANSWERS,
    AT_RISK_SILENCE,
    DEFAULT_DAYS,
    Desk,
    Period,
    busiest_categories_first,
    minutes,
    percentiles,
    periods,
    share,
    top_share,
    worst_tags_first,
)
from advocacy.models import Escalation
from core import roles
from forum.models import Answer, Question


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
        "answered_share": share(len(firsts), n),
        "first_answer_minutes": percentiles(firsts),
        "solved_share": share(sum(r.solved for r in rows), n),
    }


def _questions(since: dt.datetime, now: dt.datetime) -> dict[int, _Row]:
    """The questions of both periods, with their first answers, outcome and tags."""
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
        accepted_by_staff=roles.staff_flag("accepted_answer__author"),
    ).values(
        "pk",
        "created_at",
        "first_at",
        "community_first_at",
        "accepted_answer_id",
        "accepted_by_staff",
        "escalated",
        "category__name",
    ):
        created = values["created_at"]
        accepted = values["accepted_answer_id"] is not None
        staff_accepted = bool(values["accepted_by_staff"])
        rows[values["pk"]] = _Row(
            created_at=created,
            first=minutes(values["first_at"] - created) if values["first_at"] else None,
            community_first=(
                minutes(values["community_first_at"] - created)
                if values["community_first_at"]
                else None
            ),
            solved=accepted,
            community_solved=accepted and not staff_accepted,
            escalated=values["escalated"],
            category=values["category__name"] or "",
        )
    for pk, name, slug in cohort.filter(tags__isnull=False).values_list(
        "pk", "tags__name", "tags__slug"
    ):
        rows[pk].tags.append((name, slug))
    return rows


def _helper_answers():  # noqa: ANN202 - a queryset of Answer
    """Live answers by helpers: not staff, on others' questions outside the lounge."""
    return (
        Answer.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True)
        .exclude(roles.staff_q("author"))
        .exclude(question__category__is_private=True)
        .exclude(author=F("question__author"))
    )


def compute_in_python(days: int = DEFAULT_DAYS, *, now: dt.datetime | None = None) -> dict:
    """The figures, aggregated in Python from one row per question and per answer."""
    now = now or timezone.now()
    current, previous = periods(days, now)
    since = previous.start
    rows = _questions(since, now)
    desk = Desk.read(since, now)
    # Helpers: every non-staff answerer active since the at-risk window opened.
    window = min(previous.end - AT_RISK_SILENCE - AT_RISK_BEFORE, previous.start)
    helper_rows = list(
        _helper_answers()
        .values("author_id")
        .annotate(first=Min("created_at"), last=Max("created_at"))
        .filter(last__gte=window)
        .order_by()
    )
    answer_times = defaultdict(list)
    for author_id, created in (
        _helper_answers()
        .filter(created_at__gte=window, created_at__lt=now)
        .values_list("author_id", "created_at")
    ):
        answer_times[author_id].append(created)
    # Accepted answers by helpers, posted in both periods.
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

    def period_figures(period: Period) -> dict:
        mine = [r for r in rows.values() if period.has(r.created_at)]
        n = len(mine)
        community_firsts = [r.community_first for r in mine if r.community_first is not None]
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
        by_tag: dict[tuple[str, str], list[_Row]] = defaultdict(list)
        by_category: dict[str, list[_Row]] = defaultdict(list)
        for r in mine:
            for tag in r.tags:
                by_tag[tag].append(r)
            if r.category:
                by_category[r.category].append(r)
        desk_figures = desk.figures(period)
        return {
            "start": period.start,
            "end": period.end,
            **_group(mine),
            "community_first_answer_minutes": percentiles(community_firsts),
            "community_solved_share": share(sum(r.community_solved for r in mine), n),
            "escalated_share": share(sum(r.escalated for r in mine), n),
            "sla_met_share": desk_figures["sla_met_share"],
            "deflection_estimate": desk_figures["deflection_estimate"],
            "top1_share": top_share(list(counts.values()), 0.01),
            "top10_share": top_share(list(counts.values()), 0.10),
            "active_helpers": len(active),
            "new_helpers": len(new & active),
            "helpers_at_risk": len(at_risk),
            "advocates": desk_figures["advocates"],
            "by_tag": worst_tags_first(
                [{"tag": name, "slug": slug, **_group(r)} for (name, slug), r in by_tag.items()]
            ),
            "by_category": busiest_categories_first(
                [{"category": name, **_group(r)} for name, r in by_category.items()]
            ),
        }

    per_day: dict[dt.date, list[_Row]] = defaultdict(list)
    for r in rows.values():
        if current.has(r.created_at):
            per_day[timezone.localtime(r.created_at).date()].append(r)
    trend = [
        {
            "day": day,
            "questions": len(per_day[day]),
            "answered": sum(r.first is not None for r in per_day[day]),
            "solved": sum(r.solved for r in per_day[day]),
        }
        for day in current.days()
    ]
    return {
        "days": days,
        "current": period_figures(current),
        "previous": period_figures(previous),
        "trend": trend,
    }
