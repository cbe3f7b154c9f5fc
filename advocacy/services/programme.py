"""The advocate programme's writes: approving and revoking advocates.

Each is one transaction under the member's row lock: it sets `User.is_advocate`, appends
the audit row and notifies the member (the bell hears of it after commit).
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from advocacy.events import AdvocateApproved, AdvocateRevoked
from advocacy.models.audit import REASON_MAX_LENGTH
from advocacy.programme import actions, permissions, selectors
from core import audit, events
from core.text import clean_note
from forum.locks import lock_member
from forum.models import Notification, User
from notifications.bell import notify_member

REASON_MIN_LENGTH = 5


_clean_reason = partial(
    clean_note,
    field="reason",
    max_length=REASON_MAX_LENGTH,
    min_length=REASON_MIN_LENGTH,
    empty=gettext_lazy("Give a reason of at least %(n)d characters."),
    too_long=gettext_lazy("A reason has at most %(n)d characters."),
)


def _lock_member(member: User) -> User:
    return lock_member(member.pk)


def approve_advocate(*, actor: User, member: User, note: str = "", override: bool = False) -> User:
    """Make `member` an advocate, audited, with a welcome notification.

    The member must meet every judged eligibility rule, unless `override` (the manager
    approves outside the thresholds and must say why in `note`). Raises PermissionDenied
    (not the manager) and ValidationError (already an advocate, not eligible, bad note).
    The only event is the member's `notification.created`, after commit.
    """
    permissions.check_manage_advocates(actor)
    note = _clean_reason(note, required=override)
    with transaction.atomic():
        member = _lock_member(member)
        if member.is_advocate:
            raise ValidationError(
                {"member": [_("%(name)s is already an advocate.") % {"name": member.name}]}
            )
        if not member.is_active:
            raise ValidationError({"member": [_("This account is disabled.")]})
        evidence = selectors.evaluate(member)
        if not evidence.eligible and not override:
            missing = ", ".join(c.label for c in evidence.unmet)
            raise ValidationError(
                {
                    "member": [
                        _("%(name)s does not meet: %(missing)s.")
                        % {"name": member.name, "missing": missing}
                    ]
                }
            )
        member.is_advocate = True
        member.save(update_fields=["is_advocate"])
        audit.record(
            actor=actor,
            action=actions.ADVOCATE_APPROVE,
            target=member,
            before={"is_advocate": False},
            after={
                "is_advocate": True,
                "override": override,
                "evidence": {c.key: c.have for c in evidence.criteria},
            },
            reason=note,
        )
        notify_member(
            member,
            Notification.Kind.ADVOCATE,
            gettext_noop(
                "Welcome to the advocate programme! You can now work the moderation queue, "
                "escalate threads to staff and join the advocates' lounge."
            ),
            link=reverse("programme:advocates"),
            actor=actor,
        )
        events.emit(AdvocateApproved(actor_id=actor.pk, member_id=member.pk, member=member))
    return member


def revoke_advocate(*, actor: User, member: User, reason: str) -> User:
    """Remove `member` from the programme, audited, with a notification giving the reason.

    Raises PermissionDenied (not the manager) and ValidationError (not an advocate, a
    missing or overlong reason).
    """
    permissions.check_manage_advocates(actor)
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        member = _lock_member(member)
        if not member.is_advocate:
            raise ValidationError(
                {"member": [_("%(name)s is not an advocate.") % {"name": member.name}]}
            )
        member.is_advocate = False
        member.save(update_fields=["is_advocate"])
        audit.record(
            actor=actor,
            action=actions.ADVOCATE_REVOKE,
            target=member,
            before={"is_advocate": True},
            after={"is_advocate": False},
            reason=reason,
        )
        notify_member(
            member,
            Notification.Kind.ADVOCATE,
            gettext_noop("You are no longer an advocate. Reason: %(reason)s"),
            params={"reason": reason},
            actor=actor,
        )
        events.emit(AdvocateRevoked(actor_id=actor.pk, member_id=member.pk, member=member))
    return member
