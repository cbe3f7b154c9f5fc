"""The advocacy app's models, one module per area.

Each engineer's area is its own module; add yours with one import line here.
"""

from advocacy.models.audit import AuditEntry
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
    "AuditEntry",
    "CannedReason",
    "FirstPostReview",
    "Flag",
    "FlagReason",
    "FlagStatus",
    "ModerationSettings",
    "QueueClaim",
]
