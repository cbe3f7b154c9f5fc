"""Everything that writes on the escalation desk.

Each service is one transaction: it checks the permission (again on the locked row),
validates, writes the escalation, its history line (`EscalationEvent`), the audit row
(`advocacy.services.audit.record`) and the notifications, and schedules the `desk`
stream's events, which go out after commit. Lock order: escalation, then question, then
answers, as the forum's services take question before answer: services that lock
both take the question first (`_lock(..., question=True)`).

Who calls what:
- `escalate_question`: the escalate button and API (advocates, staff), the moderation
  area for "needs staff" flags (`source="flag"`), the SLA rules (`source="sla"`,
  `actor=None`).
- the desk's pages and API: claim, assign, bulk assign, status, priority, notes, the
  official answer, resolve (with verdicts on the community's answers), dismiss.

Internal notes are written here and shown only on the desk: no event payload,
notification or audit row ever carries their text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from advocacy import audit_actions
from advocacy.desk import permissions, sla
from advocacy.models import AnswerVerdict, DeskNote, Escalation, EscalationEvent
from advocacy.models.desk import (
    NOTE_MAX_LENGTH,
    OPEN_STATUSES,
    PRIORITY_RANK,
    REASON_MAX_LENGTH,
    RESOLUTION_MAX_LENGTH,
    EscalationPriority,
    EscalationSource,
    EscalationStatus,
    Verdict,
)
from advocacy.posts import lock_post
from advocacy.services import audit, moderation
from forum import services as forum_services
from forum.live.events import publish
from forum.models import Answer, Notification, Question, User
from forum.notifications import notify_member
from forum.permissions import is_staff_member
from forum.validation import clean_line, clean_text
from gamification import services as points

Status = EscalationStatus
Event = EscalationEvent.Kind
DESK = "desk"
HIDDEN_UNSAFE = "unsafe"  # Answer.hidden_reason of an answer staff judged unsafe
BULK_MAX = 100

ESCALATION_CREATE = audit_actions.register(
    "escalation.create", pgettext_lazy("audit action", "question escalated to staff")
)
ESCALATION_JOIN = audit_actions.register(
    "escalation.join", pgettext_lazy("audit action", "question escalated again")
)
ESCALATION_CLAIM = audit_actions.register(
    "escalation.claim", pgettext_lazy("audit action", "escalation claimed")
)
ESCALATION_ASSIGN = audit_actions.register(
    "escalation.assign", pgettext_lazy("audit action", "escalation assigned")
)
ESCALATION_STATUS = audit_actions.register(
    "escalation.status", pgettext_lazy("audit action", "escalation status changed")
)
ESCALATION_PRIORITY = audit_actions.register(
    "escalation.priority", pgettext_lazy("audit action", "escalation priority changed")
)
ESCALATION_RESOLVE = audit_actions.register(
    "escalation.resolve", pgettext_lazy("audit action", "escalation resolved")
)
ESCALATION_DISMISS = audit_actions.register(
    "escalation.dismiss", pgettext_lazy("audit action", "escalation dismissed")
)
ANSWER_OFFICIAL = audit_actions.register(
    "answer.official", pgettext_lazy("audit action", "official answer posted")
)
ANSWER_VERDICT = audit_actions.register(
    "answer.verdict", pgettext_lazy("audit action", "answer judged by staff")
)


class EscalationConflict(Exception):  # noqa: N818 - reads as "raise EscalationConflict(...)"
    """Someone else changed the case first (claimed it, say): the API answers 409."""


# Helpers ----------------------------------------------------------------------------------


def _clean(value: object, *, field: str, maximum: int, required: bool, what: str) -> str:
    if not isinstance(value, str):
        raise ValidationError({field: [_("%(what)s must be text.") % {"what": what}]})
    text = clean_text(value).strip()
    if required and not clean_line(text):  # zero-width and bidi characters alone are empty
        raise ValidationError({field: [_("%(what)s cannot be empty.") % {"what": what}]})
    if len(text) > maximum:
        raise ValidationError(
            {
                field: [
                    _("%(what)s must be at most %(n)d characters long (it has %(length)d).")
                    % {"what": what, "n": maximum, "length": len(text)}
                ]
            }
        )
    return text


def _clean_priority(priority: object) -> str:
    if priority not in EscalationPriority.values:
        raise ValidationError({"priority": [_("Choose a priority: low, normal, high or urgent.")]})
    return str(priority)


def _lock(escalation: Escalation, *, question: bool = False) -> Escalation:
    """The escalation's row, locked; with `question`, its question's row first (the
    order `escalate_question` takes them in, so the two cannot deadlock)."""
    if question:
        Question.objects.select_for_update().filter(pk=escalation.question_id).first()
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
            "status": escalation.status,
            "priority": escalation.priority,
            "assignee": escalation.assignee.username if escalation.assignee_id else None,
            "change": change,
        },
    )


def _touch(escalation: Escalation, now: dt.datetime, *fields: str) -> None:
    escalation.updated_at = now
    escalation.save(update_fields=[*fields, "updated_at"])


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
        question = Question.objects.select_for_update().get(pk=question.pk)
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
        _event(escalation, Event.CREATED, actor, source=source, priority=priority, reason=reason)
        audit.record(
            actor=actor,
            action=ESCALATION_CREATE,
            target=question,
            after={"escalation": escalation.pk, "priority": priority, "source": source},
            reason=reason,
        )
        _publish(escalation, "escalation.created", "created")
    escalation.is_new = True
    return escalation


def _join(
    escalation: Escalation, *, actor: User | None, reason: str, priority: str, source: str
) -> Escalation:
    """A second escalation of an open case: one more line in its history."""
    now = timezone.now()
    raised = PRIORITY_RANK[priority] > PRIORITY_RANK[escalation.priority]
    before = escalation.priority
    _event(
        escalation,
        Event.JOINED,
        actor,
        source=source,
        priority=priority,
        reason=reason,
        **({"from": before, "to": priority} if raised else {}),
    )
    fields = []
    if raised:
        escalation.priority = priority
        # A pause under way is added when it ends (`_end_pause`).
        _set_due_times(escalation)
        fields = ["priority", "first_response_due_at", "resolve_due_at"]
    _touch(escalation, now, *fields)
    audit.record(
        actor=actor,
        action=ESCALATION_JOIN,
        target=escalation.question,
        before={"priority": before},
        after={"escalation": escalation.pk, "priority": escalation.priority, "source": source},
        reason=reason,
    )
    _publish(escalation, "escalation.updated", "joined")
    escalation.is_new = False
    return escalation


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
        _touch(escalation, now, "assignee", "status")
        _event(escalation, Event.CLAIMED, actor, assignee=actor.username)
        audit.record(
            actor=actor,
            action=ESCALATION_CLAIM,
            target=escalation.question,
            before=before,
            after=_state(escalation),
        )
        _publish(escalation, "escalation.updated", "claimed")
    return escalation


def _check_assignee(assignee: User | None) -> None:
    if assignee is not None and not (assignee.is_active and is_staff_member(assignee)):
        raise ValidationError({"assignee": [_("Cases can only be assigned to support staff.")]})


def _assign(escalation: Escalation, *, actor: User, assignee: User | None, now) -> None:  # noqa: ANN001
    before = _state(escalation)
    escalation.assignee = assignee
    if assignee is not None and escalation.status == Status.OPEN:
        escalation.status = Status.IN_PROGRESS
    _touch(escalation, now, "assignee", "status")
    _event(escalation, Event.ASSIGNED, actor, assignee=assignee.username if assignee else None)
    audit.record(
        actor=actor,
        action=ESCALATION_ASSIGN,
        target=escalation.question,
        before=before,
        after=_state(escalation),
    )
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
    _publish(escalation, "escalation.updated", "assigned")


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
        _touch(
            escalation,
            now,
            "status",
            "paused_at",
            "paused_seconds",
            "first_response_at",
            "first_response_breached",
            "first_response_due_at",
            "resolve_due_at",
        )
        _event(escalation, Event.STATUS, actor, **{"from": before["status"], "to": status})
        audit.record(
            actor=actor,
            action=ESCALATION_STATUS,
            target=escalation.question,
            before=before,
            after=_state(escalation),
        )
        _publish(escalation, "escalation.updated", "status")
    return escalation


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
        _touch(escalation, timezone.now(), "priority", "first_response_due_at", "resolve_due_at")
        _event(escalation, Event.PRIORITY, actor, **{"from": before["priority"], "to": priority})
        audit.record(
            actor=actor,
            action=ESCALATION_PRIORITY,
            target=escalation.question,
            before=before,
            after=_state(escalation),
        )
        _publish(escalation, "escalation.updated", "priority")
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
        _event(escalation, Event.NOTE, actor, note=note.pk)
        _touch(escalation, now)
        _publish(escalation, "escalation.updated", "note")
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
        _touch(
            escalation,
            now,
            "first_response_at",
            "first_response_breached",
            "assignee",
            "status",
        )
        _event(escalation, Event.ANSWER, actor, answer=answer.pk)
        audit.record(
            actor=actor,
            action=ANSWER_OFFICIAL,
            target=answer,
            before=before,
            after={**_state(escalation), "answer": answer.pk},
        )
        _publish(escalation, "escalation.updated", "answer")
    return answer


# Closing a case ---------------------------------------------------------------------------


def _clean_verdicts(
    escalation: Escalation, verdicts: Iterable[tuple[Answer | int, str]]
) -> list[tuple[Answer, str]]:
    """Each (answer, verdict): an answer of this thread by a community member, once."""
    pairs = list(verdicts)
    ids: list[int] = []
    for answer, verdict in pairs:
        if verdict not in Verdict.values:
            raise ValidationError({"verdicts": [_("A verdict is correct, incorrect or unsafe.")]})
        ids.append(answer.pk if isinstance(answer, Answer) else int(answer))
    if len(set(ids)) != len(ids):
        raise ValidationError({"verdicts": [_("Judge each answer once.")]})
    found = {
        a.pk: a
        for a in Answer.objects.filter(
            pk__in=ids, question_id=escalation.question_id, deleted_at__isnull=True
        ).select_related("author", "question")
    }
    cleaned = []
    for answer_id, (_answer, verdict) in zip(ids, pairs, strict=True):
        answer = found.get(answer_id)
        if answer is None:
            raise ValidationError(
                {
                    "verdicts": [
                        _("Answer %(id)d is not an answer to this question.") % {"id": answer_id}
                    ]
                }
            )
        if answer.is_official:
            raise ValidationError({"verdicts": [_("Official answers are not judged.")]})
        cleaned.append((answer, verdict))
    return cleaned


def _judge(escalation: Escalation, *, actor: User, answer: Answer, verdict: str, now) -> None:  # noqa: ANN001
    """Store one verdict and what follows from it: staff-verified points for a correct
    answer (taken back when a later verdict says otherwise), hiding an unsafe one."""
    existing = AnswerVerdict.objects.select_for_update().filter(answer=answer).first()
    old = existing.verdict if existing else None
    if existing is None:
        AnswerVerdict.objects.create(
            answer=answer,
            author_id=answer.author_id,
            escalation=escalation,
            verdict=verdict,
            judged_by=actor,
            judged_at=now,
        )
    else:
        existing.verdict = verdict
        existing.escalation = escalation
        existing.judged_by = actor
        existing.judged_at = now
        existing.save(update_fields=["verdict", "escalation", "judged_by", "judged_at"])
    if verdict == Verdict.CORRECT:
        points.award_verified_answer(actor=actor, answer=answer)  # once, however often
    elif old == Verdict.CORRECT:
        points.revoke_verified_answer(actor=actor, answer=answer)
    if verdict == Verdict.UNSAFE:
        # The moderation area's hide: audit row, the author told, the thread's readers
        # (and the anonymous page cache) hear of it; a moderator may unhide on review.
        moderation.set_hidden(
            actor=actor,
            post=lock_post(answer),
            hidden=True,
            why=HIDDEN_UNSAFE,
            reason=_("Judged unsafe by staff; hidden pending review."),
        )
    _event(
        escalation,
        Event.VERDICT,
        actor,
        answer=answer.pk,
        author=answer.author.username,
        verdict=verdict,
        **({"previous": old} if old else {}),
    )
    audit.record(
        actor=actor,
        action=ANSWER_VERDICT,
        target=answer,
        before={"verdict": old} if old else {},
        after={"verdict": verdict, "escalation": escalation.pk},
    )


def _close(escalation: Escalation, *, status: str, now) -> None:  # noqa: ANN001
    _end_pause(escalation, now)
    _mark_first_response(escalation, now)
    escalation.status = status
    escalation.resolved_at = now
    escalation.resolve_breached = escalation.resolve_breached or now > escalation.resolve_due_at


_CLOSE_FIELDS = (
    "status",
    "resolved_at",
    "resolution",
    "paused_at",
    "paused_seconds",
    "first_response_due_at",
    "resolve_due_at",
    "first_response_at",
    "first_response_breached",
    "resolve_breached",
)


def resolve_escalation(
    *,
    actor: User,
    escalation: Escalation,
    resolution: str,
    verdicts: Iterable[tuple[Answer | int, str]] = (),
) -> Escalation:
    """Close the case as resolved with a summary, judging the community's answers.

    `verdicts`: (answer or its id, "correct" | "incorrect" | "unsafe") for answers of the
    thread. Correct earns the answer's author the staff-verified points (ledger rule
    `staff_verified`); unsafe hides the answer pending review. The asker and the member
    who escalated are notified. All or nothing: a bad verdict changes nothing.
    """
    permissions.check_work_escalation(actor, escalation)
    resolution = _clean(
        resolution,
        field="resolution",
        maximum=RESOLUTION_MAX_LENGTH,
        required=True,
        what=_("The resolution"),
    )
    with transaction.atomic():
        escalation = _lock(escalation, question=True)
        permissions.check_work_escalation(actor, escalation)
        question = escalation.question
        judged = _clean_verdicts(escalation, verdicts)
        before = _state(escalation)
        now = timezone.now()
        for answer, verdict in judged:
            _judge(escalation, actor=actor, answer=answer, verdict=verdict, now=now)
        _close(escalation, status=Status.RESOLVED, now=now)
        escalation.resolution = resolution
        if escalation.assignee_id is None:
            escalation.assignee = actor
        _touch(escalation, now, *_CLOSE_FIELDS, "assignee")
        _event(escalation, Event.RESOLVED, actor, verdicts=len(judged))
        audit.record(
            actor=actor,
            action=ESCALATION_RESOLVE,
            target=question,
            before=before,
            after={**_state(escalation), "verdicts": {str(a.pk): v for a, v in judged}},
            reason=resolution,
        )
        notify_member(
            question.author,
            Notification.Kind.ESCALATION,
            gettext_noop("Support staff resolved your question “%(title)s”"),
            params={"title": question.title},
            link=question.get_absolute_url(),
            actor=actor,
            question=question,
        )
        if escalation.created_by_id and escalation.created_by_id != question.author_id:
            notify_member(
                escalation.created_by,
                Notification.Kind.ESCALATION,
                gettext_noop("Staff resolved the escalation of “%(title)s”"),
                params={"title": question.title},
                link=reverse("desk:mine"),
                actor=actor,
                question=question,
            )
        _publish(escalation, "escalation.updated", "resolved")
    return escalation


def dismiss_escalation(*, actor: User, escalation: Escalation, reason: str) -> Escalation:
    """Close the case without staff action (not for the desk), saying why; the member who
    escalated hears of it, with the reason."""
    permissions.check_work_escalation(actor, escalation)
    reason = _clean(
        reason, field="reason", maximum=RESOLUTION_MAX_LENGTH, required=True, what=_("The reason")
    )
    with transaction.atomic():
        escalation = _lock(escalation)
        permissions.check_work_escalation(actor, escalation)
        before = _state(escalation)
        now = timezone.now()
        _close(escalation, status=Status.DISMISSED, now=now)
        escalation.resolution = reason
        _touch(escalation, now, *_CLOSE_FIELDS)
        _event(escalation, Event.DISMISSED, actor)
        audit.record(
            actor=actor,
            action=ESCALATION_DISMISS,
            target=escalation.question,
            before=before,
            after=_state(escalation),
            reason=reason,
        )
        if escalation.created_by_id:
            notify_member(
                escalation.created_by,
                Notification.Kind.ESCALATION,
                gettext_noop("Staff dismissed the escalation of “%(title)s”: %(reason)s"),
                params={"title": escalation.question.title, "reason": reason[:200]},
                link=reverse("desk:mine"),
                actor=actor,
                question=escalation.question,
            )
        _publish(escalation, "escalation.updated", "dismissed")
    return escalation
