"""Who reviews edit suggestions. (Who may vote to close and who may suggest an edit are
post-level rules in `forum.permissions`: `check_cast_close_vote`, `check_suggest_edit`.)"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from advocacy.models import EditSuggestion
from core import privileges, roles
from forum.models import User
from forum.permissions import _can, _require_member_in_good_standing, can_see_question


def check_review_suggestions(user: User) -> None:
    """Open the review queue: moderators and members with the "edit any post" privilege."""
    _require_member_in_good_standing(user)
    if not roles.is_moderator(user):
        privileges.check_privilege(user, privileges.EDIT_ANY)


def check_review_suggestion(user: User, suggestion: EditSuggestion) -> None:
    """Approve or reject one suggestion: a reviewer who can see the post and did not
    write the suggestion."""
    check_review_suggestions(user)
    if suggestion.author_id == user.pk:
        raise PermissionDenied(_("You cannot review your own suggestion."))
    if not can_see_question(user, suggestion.thread):
        raise PermissionDenied(_("You cannot review this suggestion."))


can_review_suggestions = _can(check_review_suggestions)
can_review_suggestion = _can(check_review_suggestion)
