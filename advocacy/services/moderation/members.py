"""Suspend and unsuspend a member."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy import audit_actions as acts
from advocacy import permissions
from advocacy.services.moderation._shared import (
    SUSPENSION_MAX_DAYS,
    clean_reason,
)
from core import audit
from forum.locks import lock_member
from forum.models import Notification, User
from notifications.bell import notify_member


def suspend_member(*, actor: User, member: User, days: int, reason: str) -> User:
    """Suspend `member` for `days` (1 to 365) from now: no posting, voting, flagging or
    earning until then. A longer or shorter new suspension replaces the current one."""
    permissions.check_suspend_member(actor, member)
    errors: dict[str, list[str]] = {}
    if type(days) is not int or not 1 <= days <= SUSPENSION_MAX_DAYS:
        errors["days"] = [_("Suspend for 1 to %(max)d days.") % {"max": SUSPENSION_MAX_DAYS}]
    try:
        reason = clean_reason(reason, required=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = lock_member(member.pk)
        permissions.check_suspend_member(actor, member)
        before = {"suspended_until": member.suspended_until}
        member.suspended_until = timezone.now() + timedelta(days=days)
        member.save(update_fields=["suspended_until"])
        audit.record(
            actor=actor,
            action=acts.MEMBER_SUSPEND,
            target=member,
            before=before,
            after={"suspended_until": member.suspended_until, "days": days},
            reason=reason,
        )
        notify_member(
            member,
            Notification.Kind.MODERATION,
            gettext_noop("Your account is suspended for %(days)s days: %(reason)s"),
            params={"days": days, "reason": reason},
            actor=actor,
        )
    return member


def unsuspend_member(*, actor: User, member: User, reason: str = "") -> User:
    permissions.check_suspend_member(actor, member)
    reason = clean_reason(reason)
    with transaction.atomic():
        member = lock_member(member.pk)
        if not member.is_suspended:
            raise ValidationError({"member": [_("This member is not suspended.")]})
        before = {"suspended_until": member.suspended_until}
        member.suspended_until = None
        member.save(update_fields=["suspended_until"])
        audit.record(
            actor=actor,
            action=acts.MEMBER_UNSUSPEND,
            target=member,
            before=before,
            after={"suspended_until": None},
            reason=reason,
        )
    return member
