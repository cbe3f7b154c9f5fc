"""Everything that writes on the escalation desk.

Each service is one transaction: it checks the permission (again on the locked row),
validates, writes the escalation, its history line (`EscalationEvent`), the audit row
(`core.audit.record`) and the notifications, and schedules the `desk`
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

from advocacy.services.escalations._shared import (
    ANSWER_OFFICIAL,
    ANSWER_VERDICT,
    BULK_MAX,
    DESK,
    ESCALATION_ASSIGN,
    ESCALATION_CLAIM,
    ESCALATION_CREATE,
    ESCALATION_DISMISS,
    ESCALATION_JOIN,
    ESCALATION_PRIORITY,
    ESCALATION_RESOLVE,
    ESCALATION_STATUS,
    HIDDEN_UNSAFE,
    EscalationConflict,
)
from advocacy.services.escalations.escalate import escalate_question
from advocacy.services.escalations.resolve import (
    dismiss_escalation,
    resolve_escalation,
    resolve_on_acceptance,
)
from advocacy.services.escalations.work import (
    SETTABLE_STATUSES,
    add_note,
    assign_escalation,
    bulk_assign_escalations,
    claim_escalation,
    post_official_answer,
    resume_after_customer_reply,
    set_escalation_priority,
    set_escalation_status,
)

__all__ = [
    "ANSWER_OFFICIAL",
    "ANSWER_VERDICT",
    "BULK_MAX",
    "DESK",
    "ESCALATION_ASSIGN",
    "ESCALATION_CLAIM",
    "ESCALATION_CREATE",
    "ESCALATION_DISMISS",
    "ESCALATION_JOIN",
    "ESCALATION_PRIORITY",
    "ESCALATION_RESOLVE",
    "ESCALATION_STATUS",
    "HIDDEN_UNSAFE",
    "SETTABLE_STATUSES",
    "EscalationConflict",
    "add_note",
    "assign_escalation",
    "bulk_assign_escalations",
    "claim_escalation",
    "dismiss_escalation",
    "escalate_question",
    "post_official_answer",
    "resume_after_customer_reply",
    "resolve_escalation",
    "resolve_on_acceptance",
    "set_escalation_priority",
    "set_escalation_status",
]
