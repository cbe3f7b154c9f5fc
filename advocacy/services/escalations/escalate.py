"""Escalating a question (advocates, staff, flags, SLA rules)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.desk import permissions
from advocacy.health import facts as health_facts
from advocacy.models import Escalation
from advocacy.models.desk import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    REASON_MAX_LENGTH,
    EscalationPriority,
    EscalationSource,
)
from advocacy.services.escalations._shared import (
    ESCALATION_CREATE,
    ESCALATION_JOIN,
    Event,
    _clean,
    _clean_priority,
    _record_change,
    _set_due_times,
)
from forum.locks import lock_question
from forum.models import Question, User

# Escalating -------------------------------------------------------------------------------


def escalate_question(
    *,
    actor: User | None,
    question: Question,
    reason: str,
    priority: str = EscalationPriority.NORMAL,
    source: str = EscalationSource.ADVOCATE,
) -> Escalation:
    """Send `question` to the staff desk; returns the escalation.

    One open escalation per question: when the question already has one, this adds the
    new reason to its history (an "escalated again" line), raises its priority when the
    new one is higher, and returns it. `escalation.is_new` says which happened (the API
    answers 201 or 200).

    `source="advocate"` (the button and the API) checks that `actor` is an advocate or
    staff and needs a reason; `"flag"` (a "needs staff" flag, `actor` the flagger or the
    moderator) and `"sla"` (`actor=None`) are called by those areas' services, which
    decided already, so no permission is checked and the reason may be empty.
    Publishes `escalation.created` / `escalation.updated` on the desk after commit.
    """
    if source not in EscalationSource.values:
        raise ValueError(f"Unknown escalation source: {source!r}")
    if source == EscalationSource.ADVOCATE:
        if actor is None:
            raise PermissionDenied(_("Log in to do that."))
        permissions.check_escalate_question(actor, question)
    errors: dict[str, list[str]] = {}
    try:
        reason = _clean(
            reason,
            field="reason",
            maximum=REASON_MAX_LENGTH,
            required=source == EscalationSource.ADVOCATE,
            what=_("The reason"),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        priority = _clean_priority(priority)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The question's row lock serialises escalations of one question; the partial
        # unique constraint is the backstop.
        question = lock_question(question.pk)
        if source == EscalationSource.ADVOCATE:
            permissions.check_escalate_question(actor, question)
        now = timezone.now()
        existing = (
            Escalation.objects.select_for_update()
            .filter(question=question, status__in=OPEN_STATUSES)
            .first()
        )
        if existing is not None:
            return _join(existing, actor=actor, reason=reason, priority=priority, source=source)
        escalation = Escalation(
            question=question,
            priority=priority,
            source=source,
            created_by=actor if actor and actor.pk else None,
            reason=reason,
            created_at=now,
            updated_at=now,
        )
        _set_due_times(escalation)
        escalation.save()
        _record_change(
            escalation,
            actor=actor,
            now=now,
            fields=None,
            event=Event.CREATED,
            data={"source": source, "priority": priority, "reason": reason},
            audit_action=ESCALATION_CREATE,
            target=question,
            after={"escalation": escalation.pk, "priority": priority, "source": source},
            reason=reason,
            stream_event="escalation.created",
            change="created",
        )
        health_facts.refresh([question.pk])  # the dashboard's "escalated"
    escalation.is_new = True
    return escalation


def _join(
    escalation: Escalation, *, actor: User | None, reason: str, priority: str, source: str
) -> Escalation:
    """A second escalation of an open case: one more line in its history."""
    now = timezone.now()
    raised = PRIORITY_RANK[priority] > PRIORITY_RANK[escalation.priority]
    before = escalation.priority
    fields = []
    if raised:
        escalation.priority = priority
        # A pause under way is added when it ends (`_end_pause`).
        _set_due_times(escalation)
        fields = ["priority", "first_response_due_at", "resolve_due_at"]
    _record_change(
        escalation,
        actor=actor,
        now=now,
        fields=fields,
        event=Event.JOINED,
        data={
            "source": source,
            "priority": priority,
            "reason": reason,
            **({"from": before, "to": priority} if raised else {}),
        },
        audit_action=ESCALATION_JOIN,
        before={"priority": before},
        after={"escalation": escalation.pk, "priority": escalation.priority, "source": source},
        reason=reason,
        change="joined",
    )
    escalation.is_new = False
    return escalation
