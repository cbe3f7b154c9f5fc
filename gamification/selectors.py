"""Reads for the gamification pages and checks: ledger history, drift, badges, boards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone
from taggit.models import Tag

from forum.models import User
from gamification import badge_awards, badges, leaderboards, rules
from gamification.models import BadgeAward, PointEvent


def reputation_drift(*, floor: int | None = None) -> list[tuple[int, int, int]]:
    """Members whose cached reputation differs from max(floor, 1 + their ledger sum).

    Returns (user id, cached, expected), ordered by id. One query.
    """
    if floor is None:
        floor = rules.tuning().reputation_floor
    ledger = (
        PointEvent.objects.filter(recipient=OuterRef("pk"))
        .values("recipient")
        .annotate(s=Sum("points"))
        .values("s")
    )
    return list(
        User.objects.annotate(
            expected=Greatest(Value(floor), Value(1) + Coalesce(Subquery(ledger), Value(0)))
        )
        .exclude(reputation=F("expected"))
        .order_by("pk")
        .values_list("pk", "reputation", "expected")
    )


def point_history(*, member: User) -> QuerySet[PointEvent]:
    """The member's ledger, newest first, with the posts it refers to."""
    return (
        PointEvent.objects.filter(recipient=member)
        .select_related("question__category", "answer", "actor")
        .order_by("-created_at", "-pk")
    )


# Pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeRow:
    key: str
    tier: str
    name: str
    how_to_earn: str
    repeatable: bool
    holders: int
    mine: int  # how many times the viewer holds it (0 for anonymous)


TIER_ORDER = {"gold": 0, "silver": 1, "bronze": 2}


def badge_catalogue(*, user: User) -> list[BadgeRow]:
    """Every badge that is awarded, gold first, with how to earn it and how many hold it.
    Two queries (holders; the viewer's own awards)."""
    stored = rules.tuning().badges
    counts = badge_awards.holders()
    mine: dict[str, int] = {}
    if user.is_authenticated:
        mine = dict(
            BadgeAward.objects.filter(member=user)
            .values("badge")
            .annotate(n=Count("pk"))
            .values_list("badge", "n")
        )
    rows = []
    for key, spec in badges.BADGES.items():
        enabled, threshold = stored.get(key, (True, spec.threshold))
        if not enabled:
            continue
        rows.append(
            BadgeRow(
                key,
                spec.tier,
                str(spec.name),
                spec.how_to_earn(threshold),
                spec.repeatable,
                counts.get(key, 0),
                mine.get(key, 0),
            )
        )
    return sorted(rows, key=lambda r: (TIER_ORDER[r.tier], r.name))


@dataclass(frozen=True)
class Board:
    period: str
    tag: Tag | None
    entries: list[leaderboards.Entry]
    me: leaderboards.Entry | None  # the viewer's own place, when they have one
    since: dt.date | None = None  # the period's first day (site calendar); None for all time
    zone: str = ""  # the site's time zone, in which the period starts at 00:00


def leaderboard_page(*, user: User, period: str, tag: Tag | None, limit: int = 50) -> Board:
    tag_id = tag.pk if tag else 0
    entries = leaderboards.leaderboard(period=period, tag_id=tag_id, limit=limit)
    me = None
    if user.is_authenticated:
        me = next((e for e in entries if e.member.pk == user.pk), None) or (
            leaderboards.position_of(user, period=period, tag_id=tag_id)
        )
    since = leaderboards.current_start(period)
    return Board(period, tag, entries, me, since, settings.TIME_ZONE)


def board_tags(limit: int = 40) -> list[Tag]:
    """Tags offered on the leaderboard: the most used ones, by name."""
    from forum.selectors import popular_tags

    slugs = [t["slug"] for t in popular_tags(limit)]
    return list(Tag.objects.filter(slug__in=slugs).order_by("name"))


# Profile ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Graph:
    days: int
    points: str  # SVG polyline points in a 0..width x 0..height box
    width: int
    height: int
    start: int
    end: int
    low: int
    high: int


def reputation_graph(*, member: User, days: int = 90, width: int = 300, height: int = 60) -> Graph:
    """The member's reputation at the end of each of the last `days` local days, from the
    ledger (two queries), drawn as a polyline."""
    floor = rules.tuning().reputation_floor
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    events = PointEvent.objects.filter(recipient=member)
    total = events.aggregate(s=Sum("points"))["s"] or 0
    per_day = dict(
        events.filter(created_at__gte=since)
        .annotate(date=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("date")
        .annotate(s=Sum("points"))
        .values_list("date", "s")
    )
    raw = total - sum(per_day.values())
    values = []
    for i in range(days):
        raw += per_day.get(first + dt.timedelta(days=i), 0)
        values.append(max(floor, 1 + raw))
    low, high = min(values), max(values)
    span = max(high - low, 1)
    step = width / max(days - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - (v - low) / span * (height - 4) - 2:.1f}"
        for i, v in enumerate(values)
    )
    return Graph(days, points, width, height, values[0], values[-1], low, high)


def recent_points(*, member: User, limit: int = 10) -> list[PointEvent]:
    """The member's latest ledger rows with their questions (one query)."""
    return list(point_history(member=member)[:limit])


def badge_summary(*, member: User) -> dict[str, object]:
    """Counts by tier and the member's badges (name, tier, times), gold first. One query."""
    counts: dict[str, int] = {}
    for key, n in (
        BadgeAward.objects.filter(member=member)
        .values("badge")
        .annotate(n=Count("pk"))
        .values_list("badge", "n")
    ):
        counts[key] = n
    held = [
        (key, str(badges.BADGES[key].name), badges.BADGES[key].tier, n)
        for key, n in counts.items()
        if key in badges.BADGES
    ]
    held.sort(key=lambda row: (TIER_ORDER[row[2]], row[1]))
    by_tier = {tier: sum(n for _k, _name, t, n in held if t == tier) for tier in TIER_ORDER}
    return {"held": held, "by_tier": by_tier}
