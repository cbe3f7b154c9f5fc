"""Closing a case: resolve with verdicts on the community's answers, or dismiss."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy.desk import permissions
from advocacy.models import AnswerVerdict, Escalation
from advocacy.models.desk import (
    OPEN_STATUSES,
    RESOLUTION_MAX_LENGTH,
    Verdict,
)
from advocacy.services import moderation
from advocacy.services.escalations._shared import (
    ANSWER_VERDICT,
    ESCALATION_DISMISS,
    ESCALATION_RESOLVE,
    HIDDEN_UNSAFE,
    Event,
    Status,
    _clean,
    _end_pause,
    _event,
    _lock,
    _mark_first_response,
    _record_change,
    _state,
)
from core import audit
from forum import services as forum_services
from forum.locks import lock_post
from forum.models import Answer, Notification, Question, User
from gamification import services as points
from notifications.bell import notify_member

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
        # A hidden answer cannot stand as the solution: the acceptance (and its points)
        # is withdrawn through the forum's service, as the asker withdrawing it would.
        if Question.objects.filter(
            pk=answer.question_id, accepted_answer_id=answer.pk, locked_at__isnull=True
        ).exists():
            forum_services.unaccept_answer(actor=actor, answer=answer)
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
        _record_change(
            escalation,
            actor=actor,
            now=now,
            fields=(*_CLOSE_FIELDS, "assignee"),
            event=Event.RESOLVED,
            data={"verdicts": len(judged)},
            audit_action=ESCALATION_RESOLVE,
            before=before,
            after={**_state(escalation), "verdicts": {str(a.pk): v for a, v in judged}},
            reason=resolution,
            change="resolved",
        )
    return escalation


def resolve_on_acceptance(
    *, question_id: int, actor: User | None, answer_id: int
) -> Escalation | None:
    """Close the question's open case as resolved because answer `answer_id` was
    accepted: its SLA clocks stop at the acceptance and the desk hears of it. No audit
    row (the acceptance is the member's act, not staff's). Runs in the acceptance's
    transaction, which holds the question's row lock, so the lock order is the desk's
    (question, then escalation). Returns the case, or None when none was open."""
    escalation = Escalation.objects.filter(
        question_id=question_id, status__in=OPEN_STATUSES
    ).first()
    if escalation is None:
        return None
    escalation = _lock(escalation)
    if escalation.status not in OPEN_STATUSES:
        return None
    now = timezone.now()
    _close(escalation, status=Status.RESOLVED, now=now)
    # Stored text the desk shows as written: the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        escalation.resolution = _("Solved: an answer was accepted.")
    _record_change(
        escalation,
        actor=actor,
        now=now,
        fields=_CLOSE_FIELDS,
        event=Event.RESOLVED,
        data={"accepted_answer": answer_id},
        change="resolved",
    )
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
        _record_change(
            escalation,
            actor=actor,
            now=now,
            fields=_CLOSE_FIELDS,
            event=Event.DISMISSED,
            audit_action=ESCALATION_DISMISS,
            before=before,
            reason=reason,
            change="dismissed",
        )
    return escalation
