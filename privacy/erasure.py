"""Erasing a member (GDPR article 17): the one service behind the settings page, the
API (`DELETE /api/v1/users/me/`) and the admin.

The member's row stays, renamed `deleted-<id>` and shown as "Deleted member": their
questions, answers, comments, votes and the points ledger keep pointing at it, so
scores, counters and every reputation total stay what they were
(`recompute_reputation --check` and `repair_counters --check` stay clean). What
identifies the person goes, in one transaction: names, e-mail addresses, bio, avatar,
language, the password (the account can no longer log in), tokens, sessions,
notifications, e-mail preferences, CRM records, roles. The audit log keeps every act,
with the actor's name rewritten to the neutral one. Erasing twice changes nothing.
"""

from __future__ import annotations

import logging
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from rest_framework.authtoken.models import Token

from advocacy.models import AuditEntry, CrmRecord, QueueClaim
from core import audit, ratelimit, roles
from core.audit import register
from forum.follows.models import Follow
from forum.locks import lock_member
from forum.models import ERASED_USERNAME_PREFIX, Notification, User
from live.models import LiveEvent
from notifications.models import EmailDigestState, EmailPreference

# The session engines that keep sessions in the database (cached_db in the cache too).
SESSIONS_IN_THE_DATABASE = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)

log = logging.getLogger(__name__)

MEMBER_ERASE = register("member.erase", pgettext_lazy("audit action", "member erased"))
# Password attempts on the erasure form and endpoint, per member: a borrowed session
# must not be able to guess its way to deleting the account.
PASSWORD_RATE = getattr(settings, "CIRCOLO_ERASURE_PASSWORD_RATE", "5/15m")


def can_erase_member(actor: User, member: User) -> bool:
    """The member themselves, or a manager (a superuser) or staff holding the admin's
    "delete member" permission."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.pk == member.pk:
        return True
    return roles.is_manager(actor) or (
        roles.is_staff(actor) and actor.has_perm("forum.delete_user")
    )


def check_erase_member(actor: User, member: User) -> None:
    if not can_erase_member(actor, member):
        raise PermissionDenied(_("You may not erase this account."))


def check_password(member: User, password: str) -> None:
    """The member confirms with their password. Raises PermissionDenied when it is wrong,
    RateLimited after too many attempts."""
    ratelimit.hit(f"erase-password:{member.pk}", PASSWORD_RATE)
    if not password or not member.check_password(password):
        raise PermissionDenied(_("The password is not correct."))


def neutral_username(member: User) -> str:
    return f"{ERASED_USERNAME_PREFIX}{member.pk}"


def _end_sessions(member_id: int) -> None:
    """Delete the member's sessions, from the database and, with cached sessions (the
    production setting), from the cache. A changed password already invalidates them
    (Django checks the session's password hash); this removes them."""
    if settings.SESSION_ENGINE not in SESSIONS_IN_THE_DATABASE:
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(member_id):
            store().delete(session.pk)


def _rewrite_audit(member: User, new_name: str) -> None:
    """The audit log is append-only (AuditEntryQuerySet refuses update); erasure is the
    one rewrite the law requires, and it changes only the names, never the acts."""
    entries = AuditEntry.objects.all()
    member_type = ContentType.objects.get_for_model(get_user_model())
    models.QuerySet.update(entries.filter(actor=member), actor_label=new_name)
    models.QuerySet.update(
        entries.filter(target_type=member_type, target_id=member.pk), target_label=new_name
    )


def erase_member(*, actor: User, member: User) -> User:
    """Erase `member`'s account (see the module docstring) and return the neutral row.

    The caller has checked the member's password when the member acts themselves.
    Locks the member's row; erasing an erased account returns it unchanged. Writes one
    `member.erase` audit entry; deletes the avatar file after commit.
    """
    check_erase_member(actor, member)
    with transaction.atomic():
        member = lock_member(member.pk)
        if member.is_erased:
            return member
        old_name = member.username
        emails = {member.email.lower()} if member.email else set()
        emails.update(
            e.lower()
            for e in EmailAddress.objects.filter(user=member).values_list("email", flat=True)
        )
        avatar = member.avatar.name if member.avatar else ""
        new_name = neutral_username(member)
        member.username = new_name
        member.email = ""
        member.first_name = ""
        member.last_name = ""
        member.display_name = ""
        member.bio = ""
        member.locale = ""
        member.avatar = ""
        member.is_active = False
        member.is_staff = False
        member.is_superuser = False
        member.is_advocate = False
        member.last_login = None
        member.set_unusable_password()
        member.save()
        member.groups.clear()
        member.user_permissions.clear()
        EmailAddress.objects.filter(user=member).delete()
        Token.objects.filter(user=member).delete()
        Notification.objects.filter(recipient=member).delete()
        Follow.objects.filter(user=member).delete()  # what they followed is theirs
        EmailPreference.objects.filter(user=member).delete()
        EmailDigestState.objects.filter(user=member).delete()
        QueueClaim.objects.filter(moderator=member).delete()
        crm = Q(user=member)
        if emails:
            for email in emails:
                crm |= Q(email__iexact=email)
        CrmRecord.objects.filter(crm).delete()
        _end_sessions(member.pk)
        _rewrite_audit(member, new_name)
        # The live backlog replays recent frames for a day; they name authors.
        LiveEvent.objects.filter(frame__contains=f'"{old_name}"').update(
            frame=Replace("frame", Value(f'"{old_name}"'), Value(f'"{new_name}"'))
        )
        audit.record(
            actor=member if actor.pk == member.pk else actor,
            action=MEMBER_ERASE,
            target=member,
        )
        if avatar:
            storage = member.avatar.storage
            transaction.on_commit(lambda: _delete_file(storage, avatar))
    return member


def _delete_file(storage, name: str) -> None:  # noqa: ANN001
    try:
        storage.delete(name)
    except OSError:  # gone already, or the disk says no: the row no longer names it
        log.warning("could not delete the avatar file of an erased member: %s", name)
