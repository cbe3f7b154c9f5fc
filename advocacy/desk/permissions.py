"""Who may escalate and who works the desk: one place for the pages, the API and the socket.

Escalating is for approved, unsuspended advocates and for staff; everything on the desk
(the queue, a case, notes, claims, official answers, resolutions) is for staff
(`forum.permissions.is_staff_member`: support agents and managers). Editing the canned
responses is for managers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from advocacy.models import Escalation
from core import roles
from forum.models import Question, User
from forum.permissions import _can, _require_member_in_good_standing


def check_escalate_question(user: User, question: Question) -> None:
    _require_member_in_good_standing(user)
    if not roles.is_insider(user):
        raise PermissionDenied(_("Only advocates and staff can escalate a question to staff."))
    if question.is_deleted:
        raise PermissionDenied(_("This question has been deleted."))


def check_work_desk(user: User) -> None:
    """The queue, the case view and every act on a case."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to do that."))
    if not user.is_active or not roles.is_staff(user):
        raise PermissionDenied(_("Only support staff can work the escalation desk."))


def check_work_escalation(user: User, escalation: Escalation) -> None:
    """An act that changes a case: staff, and the case still open."""
    check_work_desk(user)
    if not escalation.is_open:
        raise PermissionDenied(_("This escalation is closed."))


def check_view_own_escalations(user: User) -> None:
    """The "my escalations" page: every member. Advocates and staff follow the escalations
    they raised; an asker follows the escalations of their own questions (issue 15)."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to do that."))


def check_edit_canned_responses(user: User) -> None:
    if not (roles.is_manager(user) and user.is_active):
        raise PermissionDenied(_("Only community managers can edit canned responses."))


can_escalate_question = _can(check_escalate_question)
can_work_desk = _can(check_work_desk)
can_view_own_escalations = _can(check_view_own_escalations)
can_edit_canned_responses = _can(check_edit_canned_responses)
