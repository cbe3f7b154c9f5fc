"""Reads of the points ledger: history, drift checks."""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from forum.models import User
from gamification import rules
from gamification.models import PointEvent


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
