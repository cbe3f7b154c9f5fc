"""Reads for the gamification pages and checks: ledger history, drift, badges, boards."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from taggit.models import Tag

from forum.models import User
from gamification import badges, leaderboards, rules
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
        .select_related("question", "answer", "actor")
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
    counts = badges.holders()
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


def member_badges(*, member: User) -> QuerySet[BadgeAward]:
    """The member's awards, newest first, with what a profile shows."""
    return BadgeAward.objects.filter(member=member).select_related("question", "answer", "tag")


@dataclass(frozen=True)
class Board:
    period: str
    tag: Tag | None
    entries: list[leaderboards.Entry]
    me: leaderboards.Entry | None  # the viewer's own place, when they have one


def leaderboard_page(*, user: User, period: str, tag: Tag | None, limit: int = 50) -> Board:
    tag_id = tag.pk if tag else 0
    entries = leaderboards.leaderboard(period=period, tag_id=tag_id, limit=limit)
    me = None
    if user.is_authenticated:
        me = next((e for e in entries if e.member.pk == user.pk), None) or (
            leaderboards.position_of(user, period=period, tag_id=tag_id)
        )
    return Board(period, tag, entries, me)


def board_tags(limit: int = 40) -> list[Tag]:
    """Tags offered on the leaderboard: the most used ones, by name."""
    from forum.selectors import popular_tags

    slugs = [t["slug"] for t in popular_tags(limit)]
    return list(Tag.objects.filter(slug__in=slugs).order_by("name"))
