"""Writes of the e-mail preferences: the settings page and the unsubscribe links."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forum.models import Notification, User
from notifications.mail import tokens
from notifications.mail.preferences import DEFAULT_MODES, email_modes_for
from notifications.models import EmailMode, EmailPreference


def _save(member: User, modes: Mapping[str, str]) -> None:
    for kind, mode in modes.items():
        if mode == DEFAULT_MODES.get(kind):
            # Back to the default: no row, so a better default later reaches the member.
            EmailPreference.objects.filter(user=member, kind=kind).delete()
        else:
            EmailPreference.objects.update_or_create(
                user=member, kind=kind, defaults={"mode": mode}
            )


def set_email_preferences(*, actor: User, modes: Mapping[str, str]) -> dict[str, str]:
    """Set the actor's e-mail mode per notification kind (kinds not given keep theirs);
    returns every kind's mode. All or nothing: an unknown kind or mode changes nothing."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Log in to do that."))
    errors: dict[str, list[str]] = {}
    for kind, mode in modes.items():
        if kind not in Notification.Kind.values:
            errors.setdefault("kind", []).append(_("Unknown notification type."))
        elif mode not in EmailMode.values:
            errors.setdefault(kind, []).append(_("Choose right away, daily digest or never."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _save(actor, modes)
    return email_modes_for(actor)


def unsubscribe(*, member: User, scope: str) -> list[str]:
    """Stop the e-mails a signed unsubscribe link names (no login: the token is the
    proof); returns the kinds turned off now. Idempotent: a replayed link turns off
    nothing more and fails nothing.

    `scope`: a notification kind, `digest` (every kind now sent in the digest) or `all`.
    """
    with transaction.atomic():
        modes = email_modes_for(member)
        if scope == tokens.ALL:
            kinds = list(modes)
        elif scope == tokens.DIGEST:
            kinds = [k for k, mode in modes.items() if mode == EmailMode.DIGEST]
        elif scope in Notification.Kind.values:
            kinds = [scope]
        else:
            raise ValidationError({"scope": [_("This unsubscribe link is not valid.")]})
        turned_off = [k for k in kinds if modes[k] != EmailMode.OFF]
        _save(member, dict.fromkeys(turned_off, EmailMode.OFF))
    return turned_off
