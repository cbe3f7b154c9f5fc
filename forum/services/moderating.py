"""Closing, reopening and locking questions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import clean_line
from forum import permissions
from forum.locks import lock_question
from forum.models import (
    CloseReason,
    Question,
    User,
)
from forum.services._common import (
    _feed,
    _raise_if,
    _thread,
)
from live.events import publish


def close_question(
    *,
    actor: User,
    question: Question,
    reason: str,
    note: str = "",
    duplicate_of: Question | None = None,
) -> Question:
    """Close a question to new answers at once (moderators); a duplicate points at the
    question that answers it. Members with the close privilege vote instead
    (advocacy.services.community), which closes through `close_locked_question`."""
    permissions.check_close_question(actor, question)
    with transaction.atomic():
        question = lock_question(question.pk)
        permissions.check_close_question(actor, question)
        return close_locked_question(
            actor=actor, question=question, reason=reason, note=note, duplicate_of=duplicate_of
        )


def close_locked_question(
    *,
    actor: User,
    question: Question,
    reason: str,
    note: str = "",
    duplicate_of: Question | None = None,
) -> Question:
    """Validate and write a close. The caller holds the question's row lock (`question`
    is the locked row) and has decided that `actor` may close it: a moderator, or the
    member whose vote completed the community's close votes. Raises ValidationError."""
    errors: dict[str, list[str]] = {}
    if reason not in CloseReason.values:
        errors["reason"] = [_("Choose a reason for closing.")]
    if reason == CloseReason.DUPLICATE:
        if duplicate_of is None:
            errors["duplicate_of"] = [_("Say which question this one duplicates.")]
        elif duplicate_of.pk == question.pk:
            errors["duplicate_of"] = [_("A question cannot duplicate itself.")]
        elif not _may_point_to(actor, question, duplicate_of):
            errors["duplicate_of"] = [_("That question has been deleted.")]
    if question.is_closed:
        errors["reason"] = [_("This question is already closed.")]
    _raise_if(errors)
    question.closed_at = timezone.now()
    question.closed_by = actor
    question.close_reason = reason
    question.close_note = clean_line(note)[:500]
    question.duplicate_of = duplicate_of if reason == CloseReason.DUPLICATE else None
    question.save(
        update_fields=["closed_at", "closed_by", "close_reason", "close_note", "duplicate_of"]
    )
    publish(_feed(question.category), "question.updated", {"id": question.pk})
    publish(
        _thread(question.pk),
        "question.closed",
        {"id": question.pk, "reason": reason, "duplicate_of": question.duplicate_of_id},
    )
    return question


def _may_point_to(actor: User, question: Question, target: Question) -> bool:
    """A duplicate's original must be alive and visible to the actor, and a public
    question never points into the lounge (its readers would see the lounge's title)."""
    found = permissions.visible_questions(
        Question.objects.filter(pk=target.pk, deleted_at__isnull=True), actor
    ).select_related("category")
    original = found.first()
    if original is None:
        return False
    if original.category_id and original.category.is_private:
        return bool(question.category_id and question.category.is_private)
    return True


def reopen_question(*, actor: User, question: Question) -> Question:
    """Reopen at once (moderators); members vote (advocacy.services.community)."""
    permissions.check_close_question(actor, question)
    with transaction.atomic():
        question = lock_question(question.pk)
        permissions.check_close_question(actor, question)
        return reopen_locked_question(actor=actor, question=question)


def reopen_locked_question(*, actor: User, question: Question) -> Question:
    """Write a reopen. The caller holds the question's row lock and has decided that
    `actor` may reopen it (see `close_locked_question`). Raises ValidationError."""
    if not question.is_closed:
        raise ValidationError({"reason": [_("This question is not closed.")]})
    question.closed_at = None
    question.closed_by = None
    question.close_reason = ""
    question.close_note = ""
    question.duplicate_of = None
    question.save(
        update_fields=["closed_at", "closed_by", "close_reason", "close_note", "duplicate_of"]
    )
    publish(_feed(question.category), "question.updated", {"id": question.pk})
    publish(_thread(question.pk), "question.updated", {"id": question.pk})
    return question


def set_question_lock(*, actor: User, question: Question, locked: bool) -> Question:
    """Lock (no answers, comments, votes or edits by members) or unlock a question."""
    permissions.check_lock_question(actor, question)
    with transaction.atomic():
        question = lock_question(question.pk)
        question.locked_at = timezone.now() if locked else None
        question.save(update_fields=["locked_at"])
        publish(_thread(question.pk), "question.updated", {"id": question.pk})
    return question
