"""The community's acceptance in the audit log: an advocate or staff member accepting for
an absent asker (`forum.services.accepting`), and staff undoing an acceptance that was
not theirs to make, each recorded in the transaction of the act."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from core import audit, events
from forum.events import AnswerAccepted, AnswerUnaccepted

ACCEPT_ON_BEHALF = audit.register(
    "answer.accept_on_behalf", pgettext_lazy("audit action", "answer accepted for the asker")
)
UNACCEPT_BY_STAFF = audit.register(
    "answer.unaccept_by_staff", pgettext_lazy("audit action", "acceptance undone by staff")
)


def audit_community_acceptance(event: AnswerAccepted) -> None:
    if event.on_behalf:
        audit.record(
            actor=event.actor,
            action=ACCEPT_ON_BEHALF,
            target=event.answer,
            before={"accepted_answer": event.previous_answer_id},
            after={"accepted_answer": event.answer_id},
        )


def audit_acceptance_undone(event: AnswerUnaccepted) -> None:
    if event.actor_id != event.answer.question.author_id:
        audit.record(
            actor=event.actor,
            action=UNACCEPT_BY_STAFF,
            target=event.answer,
            before={"accepted_answer": event.answer_id, "on_behalf": event.on_behalf},
            after={"accepted_answer": None},
        )


def register() -> None:
    """Called by AdvocacyConfig.ready()."""
    now = events.IN_TRANSACTION
    events.subscribe(AnswerAccepted, audit_community_acceptance, phase=now)
    events.subscribe(AnswerUnaccepted, audit_acceptance_undone, phase=now)
