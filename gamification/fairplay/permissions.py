"""Who may see and review fair-play cases: support staff and community managers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from forum.models import User
from forum.permissions import is_staff_member


def can_review_fair_play(user: User) -> bool:
    return is_staff_member(user)


def check_review_fair_play(user: User) -> None:
    if not can_review_fair_play(user):
        raise PermissionDenied(_("Only staff can see and review fair play cases."))
