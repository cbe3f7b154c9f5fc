"""Reads for the moderation queue, the first-posts queue and the audit log.

The queue is read in a fixed number of queries whatever its length: the open flags'
post keys grouped (one), their flags (one), the posts of each kind (up to three), the
claims (one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from advocacy.models import (
    AuditEntry,
    FirstPostReview,
    Flag,
    FlagStatus,
    ModerationSettings,
    QueueClaim,
)
from core import roles
from forum.models import Answer, Question, User
from forum.permissions import visible_questions
from forum.posts import POST_MODELS, Post, post_key, thread_of

QUEUE_LIMIT = 50


@dataclass
class QueueItem:
    """One post in a queue: its open flags (flags queue) or itself (first posts)."""

    queue: str  # "flags" or "first"
    post_key: str
    post: Post
    flags: list[Flag] = field(default_factory=list)
    claim: QueueClaim | None = None

    @property
    def item(self) -> str:
        return f"{self.queue}:{self.post_key}"

    @property
    def kind(self) -> str:
        return self.post_key.partition(":")[0]

    @property
    def question(self) -> Question:
        return thread_of(self.post)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """(reason label, count) most frequent first."""
        counts = Counter(f.get_reason_display() for f in self.flags)
        return counts.most_common()

    @property
    def first_flag(self) -> Flag | None:
        return self.flags[0] if self.flags else None

    @property
    def created_at(self) -> datetime:
        return self.flags[0].created_at if self.flags else self.post.created_at


def open_flag_count() -> int:
    """Posts with open flags (the nav's badge)."""
    return (
        Flag.objects.filter(status=FlagStatus.OPEN)
        .aggregate(n=Count("post_key", distinct=True))
        .get("n")
        or 0
    )


def _posts_by_key(keys: list[str]) -> dict[str, Post]:
    wanted: dict[str, list[int]] = {}
    for key in keys:
        kind, _colon, pk = key.partition(":")
        wanted.setdefault(kind, []).append(int(pk))
    related = {
        "question": ("author", "category"),
        "answer": ("author", "question__category"),
        "comment": ("author", "question__category", "answer__question__category"),
    }
    found: dict[str, Post] = {}
    for kind, pks in wanted.items():
        model = POST_MODELS[kind]
        for post in model.objects.select_related(*related[kind]).filter(pk__in=pks):
            found[f"{kind}:{post.pk}"] = post
    return found


def _claims(items: list[str]) -> dict[str, QueueClaim]:
    return {
        c.item: c for c in QueueClaim.objects.select_related("moderator").filter(item__in=items)
    }


def flag_queue(*, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """Posts with open flags, most flagged first, then oldest first (moderators only)."""
    groups = list(
        Flag.objects.filter(status=FlagStatus.OPEN)
        .values("post_key")
        .annotate(n=Count("pk"), first=Min("created_at"))
        .order_by("-n", "first", "post_key")[:limit]
    )
    keys = [g["post_key"] for g in groups]
    if not keys:
        return []
    flags: dict[str, list[Flag]] = {}
    for flag in (
        Flag.objects.filter(status=FlagStatus.OPEN, post_key__in=keys)
        .select_related("flagger")
        .order_by("created_at", "pk")
    ):
        flags.setdefault(flag.post_key, []).append(flag)
    posts = _posts_by_key(keys)
    claims = _claims([f"flags:{k}" for k in keys])
    return [
        QueueItem("flags", key, posts[key], flags.get(key, []), claims.get(f"flags:{key}"))
        for key in keys
        if key in posts
    ]


def _first_post_filters(model: type[Question] | type[Answer], since: datetime) -> QuerySet:
    earlier_questions = Question.objects.filter(
        author=OuterRef("author"), created_at__lt=OuterRef("created_at")
    )
    earlier_answers = Answer.objects.filter(
        author=OuterRef("author"), created_at__lt=OuterRef("created_at")
    )
    if model is Question:
        reviewed = FirstPostReview.objects.filter(question=OuterRef("pk"), answer__isnull=True)
    else:
        reviewed = FirstPostReview.objects.filter(answer=OuterRef("pk"))
    return (
        model.objects.filter(created_at__gte=since, deleted_at__isnull=True)
        .exclude(roles.insider_q("author"))
        .filter(~Exists(earlier_questions), ~Exists(earlier_answers), ~Exists(reviewed))
    )


def first_posts_queue(*, user: User, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """First posts (question or answer) of members, newest first, not yet reviewed, from
    the last `ModerationSettings.first_posts_days` days, that `user` may see."""
    since = timezone.now() - timedelta(days=ModerationSettings.load().first_posts_days)
    visible = visible_questions(Question.objects.all(), user)
    questions = list(
        _first_post_filters(Question, since)
        .filter(pk__in=visible.values("pk"))
        .select_related("author", "category")
        .order_by("-created_at")[:limit]
    )
    answers = list(
        _first_post_filters(Answer, since)
        .filter(question__in=visible.values("pk"))
        .select_related("author", "question__category")
        .order_by("-created_at")[:limit]
    )
    if not roles.is_moderator(user):
        questions = [q for q in questions if q.hidden_at is None]
        answers = [a for a in answers if a.hidden_at is None]
    posts: list[Post] = sorted([*questions, *answers], key=lambda p: p.created_at, reverse=True)
    posts = posts[:limit]
    keys = [post_key(p) for p in posts]
    claims = _claims([f"first:{k}" for k in keys])
    return [
        QueueItem("first", key, post, [], claims.get(f"first:{key}"))
        for key, post in zip(keys, posts, strict=True)
    ]


def flags_of_post(post_key: str) -> list[Flag]:
    """Every flag ever raised on a post, newest first (the item page's history)."""
    return list(
        Flag.objects.filter(post_key=post_key)
        .select_related("flagger", "resolved_by")
        .order_by("-created_at", "-pk")
    )


def get_flag(pk: int) -> Flag | None:
    return Flag.objects.filter(pk=pk).first()


# Audit log --------------------------------------------------------------------------------

TARGET_TYPES = {
    "question": ("forum", "question"),
    "answer": ("forum", "answer"),
    "comment": ("forum", "comment"),
    "member": ("forum", "user"),
    "flag": ("advocacy", "flag"),
}


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    target_type: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit log, newest first, filtered by actor username, action key, target type
    (a key of TARGET_TYPES, or any "app.model") and a date range (inclusive, local)."""
    qs = AuditEntry.objects.select_related("actor", "target_type")
    if actor:
        qs = qs.filter(Q(actor__username__iexact=actor) | Q(actor_label__iexact=actor))
    if action:
        qs = qs.filter(action=action)
    if target_type:
        app_label, _dot, model = (
            ".".join(TARGET_TYPES[target_type]) if target_type in TARGET_TYPES else target_type
        ).partition(".")
        ct = ContentType.objects.filter(app_label=app_label, model=model).first()
        qs = qs.filter(target_type=ct) if ct else qs.none()
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(
            created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
        )
    return qs.order_by("-created_at", "-pk")


def audit_entries_for(target: object) -> QuerySet[AuditEntry]:
    ct = ContentType.objects.get_for_model(target)
    return AuditEntry.objects.filter(target_type=ct, target_id=target.pk).select_related("actor")
