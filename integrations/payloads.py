"""What a webhook says about each domain act: public data only.

Each builder returns a `Payload` (the `data` every endpoint gets, and `personal` fields
added only for endpoints a manager marked as trusted with personal data), or None when
the act must not leave the site at all: anything in the advocates' lounge (a private
category). Never included: internal notes, escalation reasons, flag notes and who
flagged, refusal reasons, e-mail addresses (except in `personal`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse

from forum.models import Answer, Question, User


@dataclass(frozen=True)
class Payload:
    data: dict[str, Any]
    personal: dict[str, Any] = field(default_factory=dict)


def absolute(path: str) -> str:
    return getattr(settings, "CIRCOLO_SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _member(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "url": absolute(user.get_absolute_url()),
    }


def _member_email(user: User | None, key: str = "email") -> dict[str, Any]:
    return {key: user.email} if user is not None and user.email else {}


def _in_lounge(question: Question) -> bool:
    return bool(question.category_id and question.category.is_private)


def question_created(question: Question) -> Payload | None:
    if _in_lounge(question):
        return None
    return Payload(
        data={
            "id": question.pk,
            "url": absolute(question.get_absolute_url()),
            "question_id": question.pk,
            "title": question.title,
            "tags": sorted(t.name for t in question.tags.all()),
            "category": question.category.slug if question.category_id else None,
            "author": _member(question.author),
            "created_at": question.created_at.isoformat(),
        },
        personal={"author_email": question.author.email} if question.author.email else {},
    )


def _answer(answer: Answer) -> Payload | None:
    question = answer.question
    if _in_lounge(question):
        return None
    return Payload(
        data={
            "id": answer.pk,
            "url": absolute(f"{question.get_absolute_url()}#answer-{answer.pk}"),
            "question_id": question.pk,
            "question_url": absolute(question.get_absolute_url()),
            "is_official": answer.is_official,
            "author": _member(answer.author),
            "created_at": answer.created_at.isoformat(),
        },
        personal={"author_email": answer.author.email} if answer.author.email else {},
    )


answer_created = _answer
answer_accepted = _answer


def escalation(escalation) -> Payload | None:  # advocacy.models.Escalation
    question = escalation.question
    if _in_lounge(question):
        return None
    return Payload(
        data={
            "id": escalation.pk,
            "url": absolute(reverse("desk:case", kwargs={"pk": escalation.pk})),
            "question_id": question.pk,
            "question_url": absolute(question.get_absolute_url()),
            "status": escalation.status,
            "priority": escalation.priority,
            "source": escalation.source,
        }
    )


def flag_created(flag) -> Payload | None:  # advocacy.models.Flag
    question = flag.question
    if _in_lounge(question):
        return None
    if flag.comment_id:
        target = {"type": "comment", "id": flag.comment_id}
    elif flag.answer_id:
        target = {"type": "answer", "id": flag.answer_id}
    else:
        target = {"type": "question", "id": question.pk}
    url = question.get_absolute_url()
    if flag.answer_id:
        url = f"{url}#answer-{flag.answer_id}"
    return Payload(
        data={
            "id": flag.pk,
            "url": absolute(url),
            "question_id": question.pk,
            "reason": flag.reason,
            "target": target,
            "created_at": flag.created_at.isoformat(),
        }
    )


def member(user: User) -> Payload:
    return Payload(
        data={**_member(user), "is_advocate": user.is_advocate},
        personal=_member_email(user),
    )


def redemption(redemption) -> Payload:  # gamification.rewards.models.Redemption
    return Payload(
        data={
            "id": redemption.pk,
            "url": absolute(reverse("gamification:redemption_queue")),
            "status": redemption.status,
            "cost": redemption.cost,
            "reward": {"id": redemption.reward_id, "name": redemption.reward.name},
            "member": _member(redemption.member),
            "created_at": redemption.created_at.isoformat(),
            "decided_at": redemption.decided_at.isoformat() if redemption.decided_at else None,
        },
        personal={"member_email": redemption.member.email} if redemption.member.email else {},
    )


BUILDERS = {
    "question.created": question_created,
    "answer.created": answer_created,
    "answer.accepted": answer_accepted,
    "escalation.created": escalation,
    "escalation.updated": escalation,
    "escalation.resolved": escalation,
    "flag.created": flag_created,
    "member.advocate_approved": member,
    "member.advocate_revoked": member,
    "redemption.created": redemption,
    "redemption.decided": redemption,
}
