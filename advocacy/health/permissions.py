"""Who reads the community health figures: staff and community managers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import roles
from forum.models import User


def check_view_health(user: User) -> None:
    if not roles.is_staff(user):
        raise PermissionDenied(_("Only staff and community managers can see community health."))


def can_view_health(user: User) -> bool:
    return roles.is_staff(user)
