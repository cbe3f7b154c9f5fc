"""Helpers for the moderation tests: posts to flag, a snapshot of everything moderation
writes (to prove a denial changed nothing) and the events a transaction published."""

from __future__ import annotations

from advocacy.models import AuditEntry, FirstPostReview, Flag, QueueClaim
from forum.models import Answer, Comment, Notification, Question, User
from gamification.models import PointEvent
from tests.events import published  # noqa: F401 - re-exported for the tests
from tests.factories import UserFactory


def flaggers(n: int, prefix: str = "flagger") -> list[User]:
    """`n` members with the flag privilege (reputation 15)."""
    return [UserFactory(username=f"{prefix}{i:02d}", reputation=20) for i in range(n)]


def snapshot() -> dict[str, object]:
    """Every row moderation may write, as plain values."""
    return {
        "flags": list(Flag.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
        "claims": list(QueueClaim.objects.values()),
        "reviews": FirstPostReview.objects.count(),
        "questions": list(
            Question.objects.order_by("pk").values(
                "pk", "hidden_at", "closed_at", "locked_at", "category_id", "close_reason"
            )
        ),
        "tags": sorted((q.pk, tuple(sorted(q.tags.names()))) for q in Question.objects.all()),
        "answers": list(Answer.objects.order_by("pk").values("pk", "hidden_at")),
        "comments": list(Comment.objects.order_by("pk").values("pk", "hidden_at")),
        "users": list(User.objects.order_by("pk").values("pk", "suspended_until", "reputation")),
        "points": PointEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }
