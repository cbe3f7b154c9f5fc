"""The advocacy app's models, one module per area.

Each engineer's area is its own module; add yours with one import line here.
"""

from advocacy.models.audit import AuditEntry
from advocacy.models.automation import AutomationAction, AutomationOptOut, AutomationRule
from advocacy.models.community import CloseVote, CommunityRules, EditSuggestion
from advocacy.models.crm import CrmRecord
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
from advocacy.models.health import QuestionHealth
from advocacy.models.programme import AdvocateRules
from advocacy.models.sla import SlaPolicy, SlaRule, SlaRuleFiring, SlaSettings

__all__ = [
    "AutomationAction",
    "AutomationOptOut",
    "AutomationRule",
    "CrmRecord",
    "QuestionHealth",
    "SlaPolicy",
    "SlaRule",
    "SlaRuleFiring",
    "SlaSettings",
    "AdvocateRules",
    "CloseVote",
    "CommunityRules",
    "EditSuggestion",
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
