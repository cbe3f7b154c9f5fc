"""The advocacy app's models, one module per area.

Each engineer's area is its own module; add yours with one import line here.
"""

from advocacy.models.audit import AuditEntry
from advocacy.models.desk import (
    AnswerVerdict,
    CannedResponse,
    DeskNote,
    Escalation,
    EscalationEvent,
)
from advocacy.models.flags import (
    CannedReason,
    FirstPostReview,
    Flag,
    FlagReason,
    FlagStatus,
    ModerationSettings,
    QueueClaim,
)

__all__ = [
    "AnswerVerdict",
    "AuditEntry",
    "CannedResponse",
    "DeskNote",
    "Escalation",
    "EscalationEvent",
    "CannedReason",
    "FirstPostReview",
    "Flag",
    "FlagReason",
    "FlagStatus",
    "ModerationSettings",
    "QueueClaim",
]
