"""The SLA timers' writes: a tiered rule step fired for a question, a breach recorded on
an escalation. Called by the sweep (`advocacy.sla.sweep`) in the task worker, never in a
request. Each is one transaction and idempotent: the step's `SlaRuleFiring` row is
unique per (question, step), and a breach flag is set by a conditional UPDATE, so two
sweeps racing (two workers) fire and alert once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from advocacy.events import EscalationChanged
from advocacy.models import Escalation, EscalationEvent, SlaRule, SlaRuleFiring
from advocacy.sla import selectors
from core import events
from forum.models import Notification, Question
from live.events import publish
from notifications.bell import notify_member

DESK = "desk"


def fire_sla_rule(*, rule: SlaRule, question: Question, now: dt.datetime) -> SlaRuleFiring | None:
    """Do the rule's step for `question`; None when it had already fired.

    Notify step: each online advocate who answers the question's tags gets an SLA
    notification (after commit, on their `user` stream). Escalate step: the desk's
    `escalate_question(source="sla")` opens (or joins) the question's escalation with the
    rule's priority, publishing on the `desk` stream after commit.
    """
    from advocacy.services.escalations import escalate_question

    try:
        with transaction.atomic():
            firing = SlaRuleFiring.objects.create(
                question=question, action=rule.action, fired_at=now
            )
            if rule.action == SlaRule.Action.NOTIFY_ADVOCATES:
                notified = []
                for advocate in selectors.online_advocates_for(question, now=now):
                    notify_member(
                        advocate,
                        Notification.Kind.SLA,
                        gettext_noop(
                            "No answer yet after %(minutes)s minutes: can you help with “%(title)s”?"
                        ),
                        params={"minutes": rule.after_minutes, "title": question.title},
                        link=question.get_absolute_url(),
                        question=question,
                    )
                    notified.append(advocate.pk)
                firing.data = {"notified": notified}
            else:
                # The reason is stored text the desk shows as written: the site's language.
                with translation.override(settings.LANGUAGE_CODE):
                    reason = gettext("Still unsolved %(minutes)s minutes after it was asked.") % {
                        "minutes": rule.after_minutes
                    }
                escalation = escalate_question(
                    actor=None,
                    question=question,
                    reason=reason,
                    priority=rule.priority,
                    source="sla",
                )
                firing.data = {"escalation": escalation.pk, "joined": not escalation.is_new}
            firing.save(update_fields=["data"])
            return firing
    except IntegrityError:
        # Another sweep fired this step for this question first.
        return None


def record_sla_breach(*, escalation: Escalation, now: dt.datetime) -> list[str]:
    """Record the breaches of `escalation` due by `now` that are not recorded yet;
    returns which ("first_response", "resolution").

    Sets the breach flags (conditional UPDATE under the row lock), adds an "SLA breached"
    line to the case history, notifies the team lead (or every manager) and publishes
    `escalation.updated` with the breach flags on the `desk` stream after commit. A
    paused or closed case is never marked.
    """
    with transaction.atomic():
        locked = (
            selectors.escalations_breaching(now=now)
            .select_for_update(of=("self",))
            .select_related("question", "assignee")
            .filter(pk=escalation.pk)
            .first()
        )
        if locked is None:
            return []
        breached: list[str] = []
        fields: list[str] = []
        if (
            locked.first_response_at is None
            and locked.first_response_due_at < now
            and not locked.first_response_breached
        ):
            locked.first_response_breached = True
            breached.append("first_response")
            fields.append("first_response_breached")
        if locked.resolve_due_at < now and not locked.resolve_breached:
            locked.resolve_breached = True
            breached.append("resolution")
            fields.append("resolve_breached")
        if not breached:
            return []
        locked.updated_at = now
        locked.save(update_fields=[*fields, "updated_at"])
        for which in breached:
            EscalationEvent.objects.create(
                escalation=locked,
                kind=EscalationEvent.Kind.BREACHED,
                data={"which": which},
                created_at=now,
            )
        link = reverse("desk:case", kwargs={"pk": locked.pk})
        message = (
            gettext_noop("SLA breached: no first response yet to escalation #%(id)s “%(title)s”")
            if "first_response" in breached
            else gettext_noop(
                "SLA breached: escalation #%(id)s “%(title)s” is not resolved in time"
            )
        )
        for lead in selectors.team_leads():
            notify_member(
                lead,
                Notification.Kind.SLA,
                message,
                params={"id": locked.pk, "title": locked.question.title},
                link=link,
                question=locked.question,
            )
        publish(
            DESK,
            "escalation.updated",
            {
                "id": locked.pk,
                "question": locked.question_id,
                "status": locked.status,
                "priority": locked.priority,
                "assignee": locked.assignee.username if locked.assignee_id else None,
                "change": "breached",
                "breached": breached,
                "first_response_breached": locked.first_response_breached,
                "resolve_breached": locked.resolve_breached,
            },
        )
        events.emit(
            EscalationChanged(
                actor_id=None, escalation_id=locked.pk, change="breached", escalation=locked
            )
        )
    return breached
