"""Working a case: claim, assign, status, priority, notes, the official answer."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy.desk import permissions
from advocacy.models import DeskNote, Escalation
from advocacy.models.desk import (
    NOTE_MAX_LENGTH,
)
from advocacy.services.escalations._shared import (
    ANSWER_OFFICIAL,
    BULK_MAX,
    ESCALATION_ASSIGN,
    ESCALATION_CLAIM,
    ESCALATION_PRIORITY,
    ESCALATION_STATUS,
    EscalationConflict,
    Event,
    Status,
    _case_link,
    _clean,
    _clean_priority,
    _end_pause,
    _lock,
    _mark_first_response,
    _record_change,
    _set_due_times,
    _state,
)
from core import roles
from forum import services as forum_services
from forum.models import Answer, Notification, User
from notifications.bell import notify_member

# Working a case ---------------------------------------------------------------------------


def claim_escalation(*, actor: User, escalation: Escalation) -> Escalation:
    """Take an unassigned case (an open one becomes "in progress").

    Claiming one's own case again changes nothing. When another agent holds it (two
    agents clicked at once: the row lock lets one through first), raises
    EscalationConflict naming who has it, and nothing changes.
    """
    permissions.check_work_escalation(actor, escalation)
    with transaction.atomic():
        escalation = _lock(escalation)
        permissions.check_work_escalation(actor, escalation)
        if escalation.assignee_id == actor.pk:
            return escalation
        if escalation.assignee_id is not None:
            raise EscalationConflict(
                _("%(name)s has already claimed this escalation.")
                % {"name": escalation.assignee.name}
            )
        before = _state(escalation)
        now = timezone.now()
        escalation.assignee = actor
        if escalation.status == Status.OPEN:
            escalation.status = Status.IN_PROGRESS
        _record_change(
            escalation,
            actor=actor,
            now=now,
            fields=("assignee", "status"),
            event=Event.CLAIMED,
            data={"assignee": actor.username},
            audit_action=ESCALATION_CLAIM,
            before=before,
            change="claimed",
        )
    return escalation


def _check_assignee(assignee: User | None) -> None:
    if assignee is not None and not (assignee.is_active and roles.is_staff(assignee)):
        raise ValidationError({"assignee": [_("Cases can only be assigned to support staff.")]})


def _assign(escalation: Escalation, *, actor: User, assignee: User | None, now) -> None:  # noqa: ANN001
    before = _state(escalation)
    escalation.assignee = assignee
    if assignee is not None and escalation.status == Status.OPEN:
        escalation.status = Status.IN_PROGRESS
    if assignee is not None:
        notify_member(
            assignee,
            Notification.Kind.ESCALATION,
            gettext_noop("%(who)s assigned you the escalation of “%(title)s”"),
            params={"who": actor.name, "title": escalation.question.title},
            link=_case_link(escalation),
            actor=actor,
            question=escalation.question,
        )
    _record_change(
        escalation,
        actor=actor,
        now=now,
        fields=("assignee", "status"),
        event=Event.ASSIGNED,
        data={"assignee": assignee.username if assignee else None},
        audit_action=ESCALATION_ASSIGN,
        before=before,
        change="assigned",
    )


def assign_escalation(*, actor: User, escalation: Escalation, assignee: User | None) -> Escalation:
    """Give the case to a member of staff (or to no one, with None); the assignee hears
    of it. Assigning overrides a claim: it is a deliberate hand-over."""
    permissions.check_work_escalation(actor, escalation)
    _check_assignee(assignee)
    with transaction.atomic():
        escalation = _lock(escalation)
        permissions.check_work_escalation(actor, escalation)
        if escalation.assignee_id == (assignee.pk if assignee else None):
            return escalation
        _assign(escalation, actor=actor, assignee=assignee, now=timezone.now())
    return escalation


def bulk_assign_escalations(
    *, actor: User, escalation_ids: Sequence[int], assignee: User | None
) -> list[Escalation]:
    """Assign several cases at once, all or none: an unknown id or a closed case refuses
    the whole batch (ValidationError) and changes nothing."""
    permissions.check_work_desk(actor)
    _check_assignee(assignee)
    ids = sorted({int(pk) for pk in escalation_ids})
    if not ids:
        raise ValidationError({"escalations": [_("Choose at least one escalation.")]})
    if len(ids) > BULK_MAX:
        raise ValidationError(
            {"escalations": [_("Assign at most %(n)d escalations at once.") % {"n": BULK_MAX}]}
        )
    with transaction.atomic():
        # Locked in id order, as every other batch takes them, so two batches cannot
        # deadlock.
        locked = list(Escalation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(locked) != len(ids):
            raise ValidationError({"escalations": [_("Some of these escalations do not exist.")]})
        closed = [e.pk for e in locked if not e.is_open]
        if closed:
            raise ValidationError(
                {
                    "escalations": [
                        _("Escalations %(ids)s are closed; nothing was assigned.")
                        % {"ids": ", ".join(f"#{pk}" for pk in closed)}
                    ]
                }
            )
        now = timezone.now()
        for escalation in locked:
            if escalation.assignee_id != (assignee.pk if assignee else None):
                _assign(escalation, actor=actor, assignee=assignee, now=now)
    return locked


SETTABLE_STATUSES = (Status.IN_PROGRESS, Status.WAITING)


def set_escalation_status(*, actor: User, escalation: Escalation, status: str) -> Escalation:
    """Move an open case between "in progress" and "waiting on customer".

    Waiting on the customer stops the SLA clocks (`paused_at`); going back to work moves
    both due times later by the pause. Setting "waiting" counts as the first staff
    response (staff asked the customer something). Resolve and dismiss have their own
    services.
    """
    permissions.check_work_escalation(actor, escalation)
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": [_("Choose “in progress” or “waiting on customer”.")]})
    with transaction.atomic():
        escalation = _lock(escalation)
        permissions.check_work_escalation(actor, escalation)
        if escalation.status == status:
            return escalation
        before = _state(escalation)
        now = timezone.now()
        if status == Status.WAITING:
            escalation.paused_at = now
            _mark_first_response(escalation, now)
        else:
            _end_pause(escalation, now)
        escalation.status = status
        _record_change(
            escalation,
            actor=actor,
            now=now,
            fields=(
                "status",
                "paused_at",
                "paused_seconds",
                "first_response_at",
                "first_response_breached",
                "first_response_due_at",
                "resolve_due_at",
            ),
            event=Event.STATUS,
            data={"from": before["status"], "to": status},
            audit_action=ESCALATION_STATUS,
            before=before,
            change="status",
        )
    return escalation


def resume_after_customer_reply(*, escalation: Escalation) -> bool:
    """The SLA sweep's part (no actor): a case waiting on the customer goes back to "in
    progress", its clocks running again, once the customer has written in the thread
    (`desk.selectors.waiting_with_reply`). The assignee hears of it. Returns whether the
    case changed (another sweep or an agent may have been first)."""
    from advocacy.desk.selectors import waiting_with_reply

    with transaction.atomic():
        escalation = _lock(escalation)
        if not waiting_with_reply().filter(pk=escalation.pk).exists():
            return False
        now = timezone.now()
        _end_pause(escalation, now)
        escalation.status = Status.IN_PROGRESS
        if escalation.assignee_id:
            notify_member(
                escalation.assignee,
                Notification.Kind.ESCALATION,
                gettext_noop("The customer replied on “%(title)s”: the case is back in progress."),
                params={"title": escalation.question.title},
                link=_case_link(escalation),
                question=escalation.question,
            )
        _record_change(
            escalation,
            actor=None,
            now=now,
            fields=(
                "status",
                "paused_at",
                "paused_seconds",
                "first_response_due_at",
                "resolve_due_at",
            ),
            event=Event.STATUS,
            data={"from": Status.WAITING, "to": Status.IN_PROGRESS, "customer_replied": True},
            change="status",
        )
    return True


def set_escalation_priority(*, actor: User, escalation: Escalation, priority: str) -> Escalation:
    """Change the priority; the due times follow the new priority's policy."""
    permissions.check_work_escalation(actor, escalation)
    priority = _clean_priority(priority)
    with transaction.atomic():
        escalation = _lock(escalation)
        permissions.check_work_escalation(actor, escalation)
        if escalation.priority == priority:
            return escalation
        before = _state(escalation)
        escalation.priority = priority
        _set_due_times(escalation)
        _record_change(
            escalation,
            actor=actor,
            now=timezone.now(),
            fields=("priority", "first_response_due_at", "resolve_due_at"),
            event=Event.PRIORITY,
            data={"from": before["priority"], "to": priority},
            audit_action=ESCALATION_PRIORITY,
            before=before,
            change="priority",
        )
    return escalation


def add_note(*, actor: User, escalation: Escalation, body: str) -> DeskNote:
    """An internal note on a case (also on a closed one): staff only, never public.

    The desk hears "a note was added" (ids only); the text stays in `DeskNote`.
    """
    permissions.check_work_desk(actor)
    body = _clean(body, field="body", maximum=NOTE_MAX_LENGTH, required=True, what=_("The note"))
    with transaction.atomic():
        escalation = _lock(escalation)
        now = timezone.now()
        note = DeskNote.objects.create(
            escalation=escalation, author=actor, body=body, created_at=now
        )
        _record_change(
            escalation,
            actor=actor,
            now=now,
            fields=(),
            event=Event.NOTE,
            data={"note": note.pk},
            change="note",
        )
    return note


def post_official_answer(*, actor: User, escalation: Escalation, body: str) -> Answer:
    """Post staff's answer into the public thread, marked "Staff" and pinned below the
    question (`Answer.is_official`).

    Written by `forum.services.post_answer` (its checks, revision, counters, the asker's
    notification and `answer.created` on the question's stream all happen as for any
    answer); the answer is marked official in the same transaction, before the event
    goes out. Counts as the first response; an unassigned case becomes the agent's.
    """
    permissions.check_work_escalation(actor, escalation)
    with transaction.atomic():
        escalation = _lock(escalation, question=True)
        permissions.check_work_escalation(actor, escalation)
        answer = forum_services.post_answer(actor=actor, question=escalation.question, body=body)
        Answer.objects.filter(pk=answer.pk).update(is_official=True)
        answer.is_official = True
        before = _state(escalation)
        now = timezone.now()
        _mark_first_response(escalation, now)
        if escalation.assignee_id is None:
            escalation.assignee = actor
        if escalation.status == Status.OPEN:
            escalation.status = Status.IN_PROGRESS
        _record_change(
            escalation,
            actor=actor,
            now=now,
            fields=("first_response_at", "first_response_breached", "assignee", "status"),
            event=Event.ANSWER,
            data={"answer": answer.pk},
            audit_action=ANSWER_OFFICIAL,
            target=answer,
            before=before,
            after={**_state(escalation), "answer": answer.pk},
            change="answer",
        )
    return answer
