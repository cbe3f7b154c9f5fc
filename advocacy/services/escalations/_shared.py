"""What the escalation services share: constants, the desk's audit actions, the
conflict error, validation, locking, history lines and the desk stream's events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from advocacy.desk import sla
from advocacy.events import EscalationChanged
from advocacy.models import Escalation, EscalationEvent
from advocacy.models.desk import (
    EscalationPriority,
    EscalationStatus,
)
from core import audit, events
from core.text import clean_note
from forum.locks import lock_question
from forum.models import User
from live.events import publish

Status = EscalationStatus
Event = EscalationEvent.Kind
DESK = "desk"
HIDDEN_UNSAFE = "unsafe"  # Answer.hidden_reason of an answer staff judged unsafe
BULK_MAX = 100

ESCALATION_CREATE = audit.register(
    "escalation.create", pgettext_lazy("audit action", "question escalated to staff")
)
ESCALATION_JOIN = audit.register(
    "escalation.join", pgettext_lazy("audit action", "question escalated again")
)
ESCALATION_CLAIM = audit.register(
    "escalation.claim", pgettext_lazy("audit action", "escalation claimed")
)
ESCALATION_ASSIGN = audit.register(
    "escalation.assign", pgettext_lazy("audit action", "escalation assigned")
)
ESCALATION_STATUS = audit.register(
    "escalation.status", pgettext_lazy("audit action", "escalation status changed")
)
ESCALATION_PRIORITY = audit.register(
    "escalation.priority", pgettext_lazy("audit action", "escalation priority changed")
)
ESCALATION_RESOLVE = audit.register(
    "escalation.resolve", pgettext_lazy("audit action", "escalation resolved")
)
ESCALATION_DISMISS = audit.register(
    "escalation.dismiss", pgettext_lazy("audit action", "escalation dismissed")
)
ANSWER_OFFICIAL = audit.register(
    "answer.official", pgettext_lazy("audit action", "official answer posted")
)
ANSWER_VERDICT = audit.register(
    "answer.verdict", pgettext_lazy("audit action", "answer judged by staff")
)


class EscalationConflict(Exception):  # noqa: N818 - reads as "raise EscalationConflict(...)"
    """Someone else changed the case first (claimed it, say): the API answers 409."""


# Helpers ----------------------------------------------------------------------------------


def _clean(value: object, *, field: str, maximum: int, required: bool, what: str) -> str:
    return clean_note(
        value,
        field=field,
        max_length=maximum,
        required=required,
        not_text=_("%(what)s must be text."),
        empty=_("%(what)s cannot be empty."),
        too_long=_("%(what)s must be at most %(n)d characters long (it has %(length)d)."),
        params={"what": what},
    )


def _clean_priority(priority: object) -> str:
    if priority not in EscalationPriority.values:
        raise ValidationError({"priority": [_("Choose a priority: low, normal, high or urgent.")]})
    return str(priority)


def _lock(escalation: Escalation, *, question: bool = False) -> Escalation:
    """The escalation's row, locked; with `question`, its question's row first (the
    order `escalate_question` takes them in, so the two cannot deadlock)."""
    if question:
        lock_question(escalation.question_id)
    # No select_related: on PostgreSQL a row that waited for the lock is re-read, but
    # the columns joined to it are not (they came from the statement's snapshot), so a
    # joined assignee could be missing. Related rows load afterwards, current.
    return Escalation.objects.select_for_update().get(pk=escalation.pk)


def _event(
    escalation: Escalation, kind: str, actor: User | None, **data: object
) -> EscalationEvent:
    return EscalationEvent.objects.create(
        escalation=escalation, kind=kind, actor=actor if actor and actor.pk else None, data=data
    )


def _publish(escalation: Escalation, event_type: str, change: str) -> None:
    """Tell the desk (staff only) after commit; ids and states only, never a note's text."""
    publish(
        DESK,
        event_type,
        {
            "id": escalation.pk,
            "question": escalation.question_id,
            **_state(escalation),
            "change": change,
        },
    )
    events.emit(
        EscalationChanged(
            actor_id=None,
            escalation_id=escalation.pk,
            change=change,
            opened=event_type == "escalation.created",
            escalation=escalation,
        )
    )


def _touch(escalation: Escalation, now: dt.datetime, *fields: str) -> None:
    escalation.updated_at = now
    escalation.save(update_fields=[*fields, "updated_at"])


def _record_change(
    escalation: Escalation,
    *,
    actor: User | None,
    now: dt.datetime,
    fields: Sequence[str] | None,
    event: str,
    change: str,
    data: dict[str, object] | None = None,
    audit_action: str = "",
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    target: Model | None = None,
    reason: str = "",
    stream_event: str = "escalation.updated",
) -> None:
    """The tail every change to a case ends with, in this order: save the changed
    `fields` (None: the row is saved already) with `updated_at`, the history line
    `event` (with `data`), the audit row when `audit_action` is given (`target` defaults
    to the question, `after` to the case's state), and the desk's event `change` after
    commit. Caller holds the escalation's row lock; notifications go before this."""
    if fields is not None:
        _touch(escalation, now, *fields)
    _event(escalation, event, actor, **(data or {}))
    if audit_action:
        audit.record(
            actor=actor,
            action=audit_action,
            target=target or escalation.question,
            before=before,
            after=_state(escalation) if after is None else after,
            reason=reason,
        )
    _publish(escalation, stream_event, change)


def _state(escalation: Escalation) -> dict[str, object]:
    return {
        "status": escalation.status,
        "priority": escalation.priority,
        "assignee": escalation.assignee.username if escalation.assignee_id else None,
    }


def _case_link(escalation: Escalation) -> str:
    return reverse("desk:case", kwargs={"pk": escalation.pk})


def _set_due_times(escalation: Escalation) -> None:
    """Due times from the SLA policy of the escalation's priority, counted from its
    opening and moved later by the time it has spent waiting on the customer."""
    due = sla.due_times(
        priority=escalation.priority,
        start=escalation.created_at,
        category_id=escalation.question.category_id,
    )
    pause = dt.timedelta(seconds=escalation.paused_seconds)
    escalation.first_response_due_at = due.first_response + pause
    escalation.resolve_due_at = due.resolve + pause


def _end_pause(escalation: Escalation, now: dt.datetime) -> None:
    if escalation.paused_at is None:
        return
    paused = now - escalation.paused_at
    escalation.paused_seconds += max(0, int(paused.total_seconds()))
    escalation.first_response_due_at += paused
    escalation.resolve_due_at += paused
    escalation.paused_at = None


def _mark_first_response(escalation: Escalation, now: dt.datetime) -> None:
    if escalation.first_response_at is None:
        escalation.first_response_at = now
        escalation.first_response_breached = (
            escalation.first_response_breached or now > escalation.first_response_due_at
        )
