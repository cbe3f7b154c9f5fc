"""Staff and manager actions on points: verified answers, adjustments."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import roles
from forum.models import Answer, User
from gamification import rules
from gamification.models import PointEvent
from gamification.services.ledger import (
    Applied,
    _apply,
    _award,
    _reverse_active,
    _Row,
)

# Staff and manager actions ----------------------------------------------------------------


def _verify_key(answer_id: int) -> str:
    return f"verify:{answer_id}"


def award_verified_answer(*, actor: User, answer: Answer) -> Applied:
    """Staff confirm an answer is correct (the escalation desk): the answerer earns points.

    Verifying an answer twice awards it once (the second call changes nothing).
    """
    if not roles.is_staff(actor):
        raise PermissionDenied(_("Only staff can verify answers."))
    key = _verify_key(answer.pk)
    with transaction.atomic(savepoint=False):
        Answer.objects.select_for_update(no_key=True).filter(pk=answer.pk).first()
        if PointEvent.objects.filter(key=key).active().exists():
            return Applied([], {})
        rows = _award(
            rules.STAFF_VERIFIED,
            recipient_id=answer.author_id,
            actor=actor,
            key=key,
            question_id=answer.question_id,
            answer_id=answer.pk,
        )
        return _apply(rows)


def revoke_verified_answer(*, actor: User, answer: Answer) -> Applied:
    if not roles.is_staff(actor):
        raise PermissionDenied(_("Only staff can verify answers."))
    with transaction.atomic(savepoint=False):
        Answer.objects.select_for_update(no_key=True).filter(pk=answer.pk).first()
        return _apply(_reverse_active(PointEvent.objects.filter(key=_verify_key(answer.pk)), actor))


ADJUSTMENT_LIMIT = 100_000


def adjust_reputation(*, actor: User, member: User, points: int, note: str) -> Applied:
    """A manager adds or removes points by hand (imports, corrections), with a reason."""
    if not roles.is_manager(actor):
        raise PermissionDenied(_("Only community managers can adjust reputation."))
    errors: dict[str, list[str]] = {}
    if type(points) is not int or points == 0 or abs(points) > ADJUSTMENT_LIMIT:
        errors["points"] = [
            _("Enter a whole number of points between -%(limit)d and %(limit)d, not 0.")
            % {"limit": ADJUSTMENT_LIMIT}
        ]
    note = " ".join(str(note).split())[:200]
    if not note:
        errors["note"] = [_("Say why the points are adjusted.")]
    if errors:
        raise ValidationError(errors)
    row = _Row(
        recipient_id=member.pk,
        actor_id=actor.pk,
        rule=rules.ADJUSTMENT,
        delta=points,
        note=note,
    )
    with transaction.atomic():
        return _apply([row])
