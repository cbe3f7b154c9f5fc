"""Who may manage webhooks: community managers (superusers), as for the programme."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import roles
from forum.models import User


def can_manage_webhooks(user: User) -> bool:
    return bool(user.is_active and roles.is_manager(user))


def check_manage_webhooks(user: User) -> None:
    if not can_manage_webhooks(user):
        raise PermissionDenied(_("Only community managers can manage webhooks."))
