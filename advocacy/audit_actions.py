"""The moderation acts the audit log knows, with their translated labels.

They are registered with `core.audit` here; other areas call `core.audit.register(...)`
from their own modules at import time. `core.audit.record` refuses an unknown key, so a
typo cannot write a row nobody can filter for.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from core import audit

# Flags and the moderation queue (the `moderation` area).
FLAG_CREATE = "flag.create"
FLAG_UPHOLD = "flag.uphold"
FLAG_DISMISS = "flag.dismiss"
POST_AUTO_HIDE = "post.auto_hide"
POST_HIDE = "post.hide"
POST_UNHIDE = "post.unhide"
POST_DELETE = "post.delete"
QUESTION_CLOSE = "question.close"
QUESTION_REOPEN = "question.reopen"
QUESTION_DUPLICATE = "question.duplicate"
QUESTION_LOCK = "question.lock"
QUESTION_UNLOCK = "question.unlock"
QUESTION_MOVE = "question.move"
QUESTION_RETAG = "question.retag"
MEMBER_SUSPEND = "member.suspend"
MEMBER_UNSUSPEND = "member.unsuspend"
QUEUE_CLAIM = "queue.claim"
QUEUE_RELEASE = "queue.release"
FIRST_POST_APPROVE = "first_post.approve"
CANNED_REASON_SAVE = "canned_reason.save"

ACTIONS: dict[str, Promise] = {  # registered with core.audit below
    FLAG_CREATE: pgettext_lazy("audit action", "flag raised"),
    FLAG_UPHOLD: pgettext_lazy("audit action", "flag upheld"),
    FLAG_DISMISS: pgettext_lazy("audit action", "flag dismissed"),
    POST_AUTO_HIDE: pgettext_lazy("audit action", "post hidden by flags"),
    POST_HIDE: pgettext_lazy("audit action", "post hidden"),
    POST_UNHIDE: pgettext_lazy("audit action", "post unhidden"),
    POST_DELETE: pgettext_lazy("audit action", "post deleted"),
    QUESTION_CLOSE: pgettext_lazy("audit action", "question closed"),
    QUESTION_REOPEN: pgettext_lazy("audit action", "question reopened"),
    QUESTION_DUPLICATE: pgettext_lazy("audit action", "marked as duplicate"),
    QUESTION_LOCK: pgettext_lazy("audit action", "question locked"),
    QUESTION_UNLOCK: pgettext_lazy("audit action", "question unlocked"),
    QUESTION_MOVE: pgettext_lazy("audit action", "question moved"),
    QUESTION_RETAG: pgettext_lazy("audit action", "question retagged"),
    MEMBER_SUSPEND: pgettext_lazy("audit action", "member suspended"),
    MEMBER_UNSUSPEND: pgettext_lazy("audit action", "suspension lifted"),
    QUEUE_CLAIM: pgettext_lazy("audit action", "queue item claimed"),
    QUEUE_RELEASE: pgettext_lazy("audit action", "queue item released"),
    FIRST_POST_APPROVE: pgettext_lazy("audit action", "first post approved"),
    CANNED_REASON_SAVE: pgettext_lazy("audit action", "canned reason saved"),
}


for _key, _label in ACTIONS.items():
    audit.register(_key, _label)
