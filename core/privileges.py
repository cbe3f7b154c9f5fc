"""Privileges unlocked by reputation: the one table of thresholds (tunable in the admin).

`forum.permissions` asks `check_privilege(user, key)`; nothing else compares reputation
to a number. Staff and managers hold every privilege.

The policy lives here, in core, so the forum can ask without knowing gamification; the
thresholds' source (gamification's `PrivilegeThreshold` rows, cached with the rest of its
tuning) is plugged in by GamificationConfig.ready() with `set_thresholds_source`. To add a
privilege: a key, a default and a label below, then ask `check_privilege(user, KEY)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import roles

UPVOTE = "upvote"
FLAG = "flag"
COMMENT = "comment"
DOWNVOTE = "downvote"
REVIEW = "review"
EDIT_ANY = "edit_any"
CLOSE = "close"

# Defaults from PRODUCT.md; `PrivilegeThreshold` rows override them.
PRIVILEGES: dict[str, int] = {
    UPVOTE: 15,
    FLAG: 15,
    COMMENT: 50,
    DOWNVOTE: 125,
    REVIEW: 500,
    EDIT_ANY: 1000,
    CLOSE: 2000,
}

# What the privilege lets a member do, as the end of "You need N reputation to ...".
PRIVILEGE_LABELS = {
    UPVOTE: gettext_lazy("vote up"),
    FLAG: gettext_lazy("flag posts for moderators"),
    COMMENT: gettext_lazy("comment on other people's posts"),
    DOWNVOTE: gettext_lazy("vote down"),
    REVIEW: gettext_lazy("review first posts of new members"),
    EDIT_ANY: gettext_lazy("edit other people's posts"),
    CLOSE: gettext_lazy("close, reopen and mark duplicates"),
}


_source: Callable[[], dict[str, int]] | None = None


def set_thresholds_source(source: Callable[[], dict[str, int]]) -> None:
    """Where the tuned thresholds come from (every key of PRIVILEGES, as reputation)."""
    global _source
    _source = source


def thresholds() -> dict[str, int]:
    return _source() if _source is not None else dict(PRIVILEGES)


def bypasses_privileges(user) -> bool:  # noqa: ANN001 - a User or AnonymousUser
    return roles.is_staff(user)


def has_privilege(user, key: str) -> bool:  # noqa: ANN001
    """True when `user` may use privilege `key` (unknown keys raise KeyError)."""
    needed = thresholds()[key]
    if not user.is_authenticated or not user.is_active:
        return False
    return bypasses_privileges(user) or user.reputation >= needed


def check_privilege(user, key: str) -> None:  # noqa: ANN001
    """Raise PermissionDenied saying what unlocks `key` when `user` does not hold it."""
    if has_privilege(user, key):
        return
    raise PermissionDenied(
        _("You need %(needed)d reputation to %(action)s; you have %(have)d.")
        % {
            "needed": thresholds()[key],
            "action": PRIVILEGE_LABELS[key],
            "have": getattr(user, "reputation", 0),
        }
    )


@dataclass(frozen=True)
class PrivilegeRow:
    key: str
    label: str
    reputation: int
    held: bool


def privilege_table(user) -> list[PrivilegeRow]:  # noqa: ANN001
    """Every privilege by threshold, with whether `user` holds it (for the privileges page)."""
    return [
        PrivilegeRow(key, str(PRIVILEGE_LABELS[key]), needed, has_privilege(user, key))
        for key, needed in sorted(thresholds().items(), key=lambda kv: (kv[1], kv[0]))
    ]


# Role privileges: what a role (not reputation) lets a member do ----------------------------

# An advocate or staff member may accept an answer for an asker who has been away this
# long (no acceptance, no reply in the thread): the community's acceptance.
ABSENT_ASKER_DAYS = 14


def may_accept_for_absent_asker(user) -> bool:  # noqa: ANN001
    """Moderators (`core.roles`: staff, or an advocate who is not suspended), active."""
    return bool(user.is_authenticated and user.is_active and roles.is_moderator(user))
