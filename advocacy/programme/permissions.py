"""Who runs the advocate programme.

The community manager (a superuser) approves and revokes advocates; support staff may
read the candidates and their evidence but not decide. Everyone may see who the
advocates are (the mark next to their names says so anyway).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import roles
from forum.models import User
from forum.permissions import _can, _require_login


def check_view_candidates(user: User) -> None:
    _require_login(user)
    if not roles.is_staff(user):
        raise PermissionDenied(_("Only staff can see the advocate candidates."))


def check_manage_advocates(user: User) -> None:
    """Approve or revoke advocates: the community manager only."""
    _require_login(user)
    if not roles.is_manager(user):
        raise PermissionDenied(_("Only the community manager can approve or revoke advocates."))


can_view_candidates = _can(check_view_candidates)
can_manage_advocates = _can(check_manage_advocates)
