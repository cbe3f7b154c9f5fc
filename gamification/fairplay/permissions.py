"""Who may see and review fair-play cases: support staff and community managers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import roles
from forum.models import User


def can_review_fair_play(user: User) -> bool:
    return roles.is_staff(user)


def check_review_fair_play(user: User) -> None:
    if not can_review_fair_play(user):
        raise PermissionDenied(_("Only staff can see and review fair play cases."))
