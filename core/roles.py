"""Who is who: the one meaning of each role (PRODUCT.md, "Who uses it").

- staff: the company's support agents and the community managers (`User.is_staff` or
  `User.is_superuser`): they work the desk, bypass reputation privileges and rate limits,
  and are left out of leaderboards and community figures.
- manager: the community manager (`User.is_superuser`): tunes the rules, approves
  advocates, adjusts reputation. A manager is also staff.
- advocate: a member the manager approved (`User.is_advocate`), suspended or not.
- moderator: staff, or an advocate who is not suspended. Moderators work the queue, see
  hidden posts and the private lounge.
- insider: staff or advocate, who may receive the team's notifications.

Every role check asks these predicates (they take a User or an AnonymousUser, which holds
no role); querysets filter with the matching `*_q(prefix)`. Nothing else reads
`is_staff`, `is_superuser` or `is_advocate` to decide who may do what.
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone


def is_staff(user) -> bool:  # noqa: ANN001 - a User or AnonymousUser
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def is_manager(user) -> bool:  # noqa: ANN001
    return bool(user.is_authenticated and user.is_superuser)


def is_advocate(user) -> bool:  # noqa: ANN001
    return bool(user.is_authenticated and getattr(user, "is_advocate", False))


def is_moderator(user) -> bool:  # noqa: ANN001
    return is_staff(user) or (is_advocate(user) and not user.is_suspended)


def is_insider(user) -> bool:  # noqa: ANN001
    return is_staff(user) or is_advocate(user)


def _field(prefix: str, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


def staff_q(prefix: str = "") -> Q:
    """Staff as a filter on User, or on the user behind `prefix` (e.g. "author")."""
    return Q(**{_field(prefix, "is_staff"): True}) | Q(**{_field(prefix, "is_superuser"): True})


def staff_flag(prefix: str) -> ExpressionWrapper:
    """Whether the user behind `prefix` is staff, as a column to annotate (NULL, so falsy,
    when there is no such user)."""
    return ExpressionWrapper(staff_q(prefix), output_field=BooleanField())


def manager_q(prefix: str = "") -> Q:
    return Q(**{_field(prefix, "is_superuser"): True})


def insider_q(prefix: str = "") -> Q:
    return staff_q(prefix) | Q(**{_field(prefix, "is_advocate"): True})


def moderator_q(prefix: str = "") -> Q:
    suspended = Q(**{_field(prefix, "suspended_until__gt"): timezone.now()})
    return staff_q(prefix) | (Q(**{_field(prefix, "is_advocate"): True}) & ~suspended)
