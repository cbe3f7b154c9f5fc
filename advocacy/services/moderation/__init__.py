"""The moderation queue's acts, one module per verb: posts (hide/unhide, delete), questions
(close/reopen, duplicate, lock/unlock, move, retag), members (suspend/unsuspend), queue
(claims, first-post reviews); `_shared` holds the limits and the reason cleaner.

Each service checks the permission, runs in one transaction, writes an audit row
(`core.audit.record`) next to what it changed and publishes its live events
after commit. Where the forum already has the write (close, lock, edit), it is reused, in
the same transaction as the audit row. Callers import this package (`moderation.hide_post`).
"""

from advocacy.services.moderation._shared import (
    CLAIM_TTL,
    HIDDEN_BY_FLAGS,
    HIDDEN_BY_MODERATOR,
    REASON_MAX_LENGTH,
    SUSPENSION_MAX_DAYS,
    clean_reason,
)
from advocacy.services.moderation.members import suspend_member, unsuspend_member
from advocacy.services.moderation.posts import delete_post, hide_post, set_hidden, unhide_post
from advocacy.services.moderation.questions import (
    close_question,
    move_question,
    reopen_question,
    retag_question,
    set_question_lock,
)
from advocacy.services.moderation.queue import (
    ClaimedByAnother,
    approve_first_post,
    claim_item,
    drop_claim,
    release_item,
)

__all__ = [
    "CLAIM_TTL",
    "HIDDEN_BY_FLAGS",
    "HIDDEN_BY_MODERATOR",
    "REASON_MAX_LENGTH",
    "SUSPENSION_MAX_DAYS",
    "ClaimedByAnother",
    "approve_first_post",
    "claim_item",
    "clean_reason",
    "close_question",
    "delete_post",
    "drop_claim",
    "hide_post",
    "move_question",
    "release_item",
    "reopen_question",
    "retag_question",
    "set_hidden",
    "set_question_lock",
    "suspend_member",
    "unhide_post",
    "unsuspend_member",
]
