"""Who may redeem rewards and who decides on redemptions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import roles
from forum.models import User
from forum.permissions import _require_member_in_good_standing
from gamification.rewards.models import Reward


def check_redeem_reward(user: User, reward: Reward) -> None:
    """Logged in, active, not suspended, and the reward is offered."""
    _require_member_in_good_standing(user)
    if not reward.active:
        raise PermissionDenied(_("This reward is no longer offered."))


def check_decide_redemption(user: User) -> None:
    """Support staff and community managers approve or refuse redemptions."""
    if not roles.is_staff(user) or not user.is_active:
        raise PermissionDenied(_("Only staff can approve or refuse redemptions."))
