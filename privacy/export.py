"""The export of a member's data (GDPR articles 15 and 20): one JSON document.

`member_export` reads every section with one query (two for questions, whose tags come
in one more), so its cost does not grow with the number of rows: tests/privacy carry the
budget. The keys are a contract (API.md, `GET /api/v1/users/me/export/`).
"""

from __future__ import annotations

import json
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from advocacy.models import Flag
from forum.models import Answer, Comment, Notification, Question, Revision, User, Vote
from gamification.models import BadgeAward, PointEvent
from gamification.rewards.models import Redemption
from notifications.models import EmailPreference

FORMAT = "circolo-export/1"
SECTIONS = (
    "profile",
    "email_addresses",
    "questions",
    "answers",
    "comments",
    "revisions",
    "votes",
    "points",
    "badges",
    "redemptions",
    "notifications",
    "flags",
    "follows",
    "email_preferences",
)


def _rows(queryset: models.QuerySet, *fields: str) -> list[dict[str, Any]]:
    return list(queryset.order_by("pk").values(*fields))


def _follows(member: User) -> list[dict[str, Any]]:
    """What the member follows, when the follow feature is installed (another issue
    builds it): any model named Follow with a foreign key to the member."""
    try:
        model = apps.get_model("forum", "Follow")
    except LookupError:
        model = next((m for m in apps.get_models() if m.__name__ == "Follow"), None)
    if model is None:
        return []
    keys = [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is User and f.name in ("user", "member", "follower")
    ]
    if not keys:
        return []
    fields = [f.attname for f in model._meta.concrete_fields if f.name != keys[0]]
    return _rows(model.objects.filter(**{keys[0]: member}), *fields)


def member_export(*, member: User) -> dict[str, Any]:
    """Everything the site holds about `member`, as JSON-able data."""
    questions = list(
        Question.objects.filter(author=member)
        .select_related("category")
        .prefetch_related("tags")
        .order_by("pk")
    )
    return {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "profile": {
            "id": member.pk,
            "username": member.username,
            "display_name": member.display_name,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
            "bio": member.bio,
            "language": member.locale,
            "avatar": member.avatar.name if member.avatar else "",
            "date_joined": member.date_joined,
            "last_login": member.last_login,
            "reputation": member.reputation,
            "is_advocate": member.is_advocate,
            "is_staff": member.is_staff,
            "suspended_until": member.suspended_until,
        },
        "email_addresses": _rows(
            EmailAddress.objects.filter(user=member), "email", "verified", "primary"
        ),
        "questions": [
            {
                "id": q.pk,
                "title": q.title,
                "body": q.body,
                "tags": sorted(tag.name for tag in q.tags.all()),
                "category": q.category.slug if q.category else None,
                "score": q.score,
                "created_at": q.created_at,
                "edited_at": q.edited_at,
                "closed_at": q.closed_at,
                "deleted_at": q.deleted_at,
                "url": q.get_absolute_url(),
            }
            for q in questions
        ],
        "answers": _rows(
            Answer.objects.filter(author=member),
            "id",
            "question_id",
            "body",
            "score",
            "is_official",
            "created_at",
            "edited_at",
            "deleted_at",
        ),
        "comments": _rows(
            Comment.objects.filter(author=member),
            "id",
            "question_id",
            "answer_id",
            "body",
            "created_at",
            "deleted_at",
        ),
        "revisions": _rows(
            Revision.objects.filter(author=member),
            "question_id",
            "answer_id",
            "number",
            "title",
            "body",
            "tags",
            "summary",
            "created_at",
        ),
        "votes": _rows(
            Vote.objects.filter(voter=member), "question_id", "answer_id", "value", "created_at"
        ),
        "points": _rows(
            PointEvent.objects.filter(recipient=member),
            "rule",
            "points",
            "delta",
            "capped",
            "day",
            "question_id",
            "answer_id",
            "note",
            "created_at",
        ),
        "badges": _rows(
            BadgeAward.objects.filter(member=member),
            "badge",
            "tier",
            "scope",
            "question_id",
            "answer_id",
            "tag__name",
            "awarded_at",
        ),
        "redemptions": _rows(
            Redemption.objects.filter(member=member),
            "id",
            "reward__name",
            "cost",
            "status",
            "reason",
            "created_at",
            "decided_at",
        ),
        "notifications": _rows(
            Notification.objects.filter(recipient=member),
            "kind",
            "question_id",
            "answer_id",
            "comment_id",
            "data",
            "link",
            "created_at",
            "read_at",
        ),
        "flags": _rows(
            Flag.objects.filter(flagger=member),
            "reason",
            "note",
            "status",
            "question_id",
            "answer_id",
            "comment_id",
            "created_at",
            "resolved_at",
            "resolution",
        ),
        "follows": _follows(member),
        "email_preferences": _rows(
            EmailPreference.objects.filter(user=member), "kind", "mode", "updated_at"
        ),
    }


def export_json(*, member: User) -> str:
    return json.dumps(member_export(member=member), cls=DjangoJSONEncoder, indent=2)


def filename(member: User) -> str:
    return f"circolo-{member.pk}-{timezone.localdate().isoformat()}.json"
