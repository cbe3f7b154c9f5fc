"""Close, reopen, duplicate, lock, move and retag a question."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from advocacy import audit_actions as acts
from advocacy import permissions
from advocacy.services.moderation._shared import (
    clean_reason,
)
from core import audit
from forum import services as forum_services
from forum.locks import lock_question
from forum.models import Category, CloseReason, Question, User


def _question_state(question: Question) -> dict[str, Any]:
    return {
        "closed_at": question.closed_at,
        "close_reason": question.close_reason,
        "duplicate_of": question.duplicate_of_id,
        "locked_at": question.locked_at,
        "category": question.category.slug if question.category_id else None,
        "tags": sorted(question.tags.names()),
    }


def close_question(
    *,
    actor: User,
    question: Question,
    reason: str,
    note: str = "",
    duplicate_of: Question | None = None,
) -> Question:
    """Close (or mark as duplicate of `duplicate_of`) through the forum's service."""
    permissions.check_moderate(actor)
    note = clean_reason(note)
    with transaction.atomic():
        before = _question_state(Question.objects.get(pk=question.pk))
        question = forum_services.close_question(
            actor=actor, question=question, reason=reason, note=note, duplicate_of=duplicate_of
        )
        audit.record(
            actor=actor,
            action=acts.QUESTION_DUPLICATE
            if reason == CloseReason.DUPLICATE
            else acts.QUESTION_CLOSE,
            target=question,
            before=before,
            after=_question_state(question),
            reason=note,
        )
    return question


def reopen_question(*, actor: User, question: Question, reason: str = "") -> Question:
    permissions.check_moderate(actor)
    reason = clean_reason(reason)
    with transaction.atomic():
        before = _question_state(Question.objects.get(pk=question.pk))
        question = forum_services.reopen_question(actor=actor, question=question)
        audit.record(
            actor=actor,
            action=acts.QUESTION_REOPEN,
            target=question,
            before=before,
            after=_question_state(question),
            reason=reason,
        )
    return question


def set_question_lock(
    *, actor: User, question: Question, locked: bool, reason: str = ""
) -> Question:
    permissions.check_moderate(actor)
    reason = clean_reason(reason)
    with transaction.atomic():
        current = lock_question(question.pk)
        if current.is_locked == locked:
            raise ValidationError(
                {
                    "post": [
                        _("This question is already locked.")
                        if locked
                        else _("This question is not locked.")
                    ]
                }
            )
        before = _question_state(current)
        question = forum_services.set_question_lock(actor=actor, question=current, locked=locked)
        audit.record(
            actor=actor,
            action=acts.QUESTION_LOCK if locked else acts.QUESTION_UNLOCK,
            target=question,
            before=before,
            after=_question_state(question),
            reason=reason,
        )
    return question


def _edit_thread(
    *,
    actor: User,
    question: Question,
    action: str,
    category: Category | None,
    tags: list[str] | str,
    reason: str,
) -> Question:
    """Move or retag as a forum edit (a new revision, the search vector, live events)."""
    permissions.check_moderate(actor)
    reason = clean_reason(reason)
    with transaction.atomic():
        current = lock_question(question.pk)
        before = _question_state(current)
        question = forum_services.edit_question(
            actor=actor,
            question=current,
            title=current.title,
            body=current.body,
            tags=tags,
            category=category,
            summary=reason or str(audit.label(action)),
        )
        after = _question_state(question)
        if after == before:
            raise ValidationError({"post": [_("Nothing changed.")]})
        audit.record(
            actor=actor, action=action, target=question, before=before, after=after, reason=reason
        )
    return question


def move_question(
    *, actor: User, question: Question, category: Category | None, reason: str = ""
) -> Question:
    return _edit_thread(
        actor=actor,
        question=question,
        action=acts.QUESTION_MOVE,
        category=category,
        tags=list(question.tags.names()),
        reason=reason,
    )


def retag_question(
    *, actor: User, question: Question, tags: list[str] | str, reason: str = ""
) -> Question:
    return _edit_thread(
        actor=actor,
        question=question,
        action=acts.QUESTION_RETAG,
        category=question.category,
        tags=tags,
        reason=reason,
    )
