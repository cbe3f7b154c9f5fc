"""Who reads the community health figures: staff and community managers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from forum.models import User
from forum.permissions import is_staff_member


def check_view_health(user: User) -> None:
    if not is_staff_member(user):
        raise PermissionDenied(_("Only staff and community managers can see community health."))


def can_view_health(user: User) -> bool:
    return is_staff_member(user)
