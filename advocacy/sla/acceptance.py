"""An escalated question solved by acceptance stops its SLA clocks (issue 15).

When an answer of a question with an open escalation is accepted, the case is closed
as resolved in the same transaction: its clocks stop at the acceptance (no breach is
recorded later by the sweep), and the desk and the asker's page show it resolved.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from advocacy.models import Escalation
from advocacy.models.desk import OPEN_STATUSES
from advocacy.services.escalations._shared import Event, Status, _event, _lock, _publish, _touch
from advocacy.services.escalations.resolve import _CLOSE_FIELDS, _close
from core import events
from forum.events import AnswerAccepted


def stop_clock_on_acceptance(event: AnswerAccepted) -> None:
    escalation = Escalation.objects.filter(
        question_id=event.question_id, status__in=OPEN_STATUSES
    ).first()
    if escalation is None:
        return
    escalation = _lock(escalation)
    if escalation.status not in OPEN_STATUSES:
        return
    now = timezone.now()
    _close(escalation, status=Status.RESOLVED, now=now)
    # Stored text the desk shows as written: the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        escalation.resolution = gettext("Solved: an answer was accepted.")
    _touch(escalation, now, *_CLOSE_FIELDS)
    _event(escalation, Event.RESOLVED, event.actor, accepted_answer=event.answer_id)
    _publish(escalation, "escalation.updated", "resolved")


def register() -> None:
    events.subscribe(AnswerAccepted, stop_clock_on_acceptance, phase=events.IN_TRANSACTION)
