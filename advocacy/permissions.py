"""Who may flag and moderate: one place for the HTML views, the API and the socket.

`check_*` raise PermissionDenied with a message a person can read; `can_*` return a bool
for templates. Reputation privileges come from the gamification table (FLAG, REVIEW).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import privileges, roles
from forum.models import Question, User
from forum.permissions import _can, _require_login, _require_member_in_good_standing
from forum.posts import Post, thread_of


def check_flag_post(user: User, post: Post, *, thread: Question | None = None) -> None:
    """Members in good standing with the flag privilege flag other members' posts.

    `thread`: the post's question when the caller has it (a page rendering many posts),
    so the check reads no row."""
    _require_member_in_good_standing(user)
    privileges.check_privilege(user, privileges.FLAG)
    if post.author_id == user.pk:
        raise PermissionDenied(_("You cannot flag your own post."))
    thread = thread if thread is not None else thread_of(post)
    if post.deleted_at is not None or thread.deleted_at is not None:
        raise PermissionDenied(_("You cannot flag a deleted post."))


def check_moderate(user: User) -> None:
    """Advocates (not suspended), staff and managers work the moderation queue."""
    _require_login(user)
    if not roles.is_moderator(user):
        raise PermissionDenied(_("Only advocates and staff can moderate."))


def check_review_first_posts(user: User) -> None:
    """Moderators, and members with the review privilege, review new members' first posts."""
    _require_login(user)
    if roles.is_moderator(user):
        return
    _require_member_in_good_standing(user)
    privileges.check_privilege(user, privileges.REVIEW)


def check_view_audit_log(user: User) -> None:
    _require_login(user)
    if not roles.is_moderator(user):
        raise PermissionDenied(_("Only advocates and staff can read the audit log."))


def check_suspend_member(user: User, member: User) -> None:
    """Moderators suspend members; only staff suspend an advocate; nobody suspends staff,
    managers or themselves here."""
    check_moderate(user)
    if member.pk == user.pk:
        raise PermissionDenied(_("You cannot suspend yourself."))
    if roles.is_staff(member):
        raise PermissionDenied(_("Staff accounts cannot be suspended here."))
    if roles.is_advocate(member) and not roles.is_staff(user):
        raise PermissionDenied(_("Only staff can suspend an advocate."))


can_flag_post = _can(check_flag_post)
can_moderate = _can(check_moderate)
can_review_first_posts = _can(check_review_first_posts)
can_view_audit_log = _can(check_view_audit_log)
can_suspend_member = _can(check_suspend_member)
