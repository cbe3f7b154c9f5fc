"""`{% load desk %}`: SLA countdowns, the escalation card of the question page and the
desk's small labels."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advocacy.desk import permissions, selectors
from advocacy.models import Escalation
from advocacy.models.desk import EscalationPriority, EscalationSource, EscalationStatus, Verdict
from forum.models import Question

register = template.Library()


def _duration(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return ngettext("%(n)d day", "%(n)d days", hours // 24) % {"n": hours // 24}


@register.inclusion_tag("advocacy/desk/_countdown.html")
def countdown(escalation: Escalation, which: str = "next") -> dict[str, object]:
    """The time left until a due time (or how late it is), with a breach marker.

    `which`: "next" (first response until there is one, then resolution), "first" or
    "resolve". Stopped while waiting on the customer; none once the case is closed.
    static/js/desk.js ticks it every 30 seconds from `data-due`.
    """
    if which == "first":
        due, met = escalation.first_response_due_at, escalation.first_response_at
        breached = escalation.first_response_breached
    elif which == "resolve":
        due, met = escalation.resolve_due_at, escalation.resolved_at
        breached = escalation.resolve_breached
    else:
        due = escalation.next_due_at
        met = escalation.resolved_at
        breached = escalation.first_response_breached or escalation.resolve_breached
    now = timezone.now()
    state = "running"
    if met is not None:
        state = "met"
        breached = breached or met > due
    elif not escalation.is_open:
        state = "closed"
    elif escalation.is_paused:
        state = "paused"
    elif due <= now:
        breached = True
    left = (due - now).total_seconds()
    return {
        "due": due,
        "met": met,
        "state": state,
        "breached": breached,
        "overdue": state == "running" and left <= 0,
        "soon": state == "running" and 0 < left <= 15 * 60,
        "text": _duration(left),
    }


@register.inclusion_tag("advocacy/_asker_escalation.html", takes_context=True)
def asker_escalation(context: template.Context, question: Question) -> dict[str, object]:
    """On the asker's own question: whether support staff have it and when to expect their
    answer (issue 15). One query for the asker; none for anyone else."""
    user = context["user"]
    if not (user.is_authenticated and user.pk == question.author_id):
        return {"asker_case": None}
    return {"asker_case": selectors.open_escalation(question=question)}


@register.inclusion_tag("advocacy/_escalation_card.html", takes_context=True)
def escalation_card(context: template.Context, question: Question) -> dict[str, object]:
    """On the question page, for advocates and staff: the escalate button, or the open
    escalation's status. Nothing (and no query) for anyone else."""
    user = context["user"]
    if not permissions.can_escalate_question(user, question):
        return {"show": False}
    return {
        "show": True,
        "question": question,
        "open_case": selectors.open_escalation(question=question),
        "is_staff": permissions.can_work_desk(user),
        "priorities": EscalationPriority.choices,
    }


@register.filter
def status_label(value: str) -> str:
    return str(dict(EscalationStatus.choices).get(value, value))


@register.filter
def priority_label(value: str) -> str:
    return str(dict(EscalationPriority.choices).get(value, value))


@register.filter
def verdict_label(value: str) -> str:
    return str(dict(Verdict.choices).get(value, value))


@register.filter
def source_label(value: str) -> str:
    return str(dict(EscalationSource.choices).get(value, value))
