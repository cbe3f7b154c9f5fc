"""Who may do what in the forum: one place for the HTML views, the API and the socket.

`check_<verb>_<noun>(user, obj)` raises PermissionDenied with a message a person can read;
`can_<verb>_<noun>(user, obj)` returns a bool for templates; `visible_*` scope querysets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import privileges, roles
from forum.models import Answer, Category, Comment, Question, User
from forum.posts import thread_of


def _require_login(user: User) -> None:
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to do that."))
    if not user.is_active:
        raise PermissionDenied(_("This account is disabled."))


def _require_member_in_good_standing(user: User) -> None:
    """Logged in, active and not suspended: what posting, voting and flagging need."""
    _require_login(user)
    if user.is_suspended:
        until = formats.date_format(timezone.localtime(user.suspended_until), "DATETIME_FORMAT")
        raise PermissionDenied(_("Your account is suspended until %(until)s.") % {"until": until})


def _visible_posts(qs: QuerySet, user: User) -> QuerySet:
    """Deleted and hidden posts stay visible to their author and to moderators only."""
    if roles.is_moderator(user):
        return qs
    public = Q(deleted_at__isnull=True, hidden_at__isnull=True)
    if user.is_authenticated:
        return qs.filter(public | Q(author=user))
    return qs.filter(public)


def visible_questions(qs: QuerySet[Question], user: User) -> QuerySet[Question]:
    """As `_visible_posts`, and the questions of private categories (the advocates'
    lounge) only for moderators."""
    if not roles.is_moderator(user):
        qs = qs.exclude(category__is_private=True)
    return _visible_posts(qs, user)


def visible_answers(qs: QuerySet[Answer], user: User) -> QuerySet[Answer]:
    return _visible_posts(qs, user)


def visible_comments(qs: QuerySet[Comment], user: User) -> QuerySet[Comment]:
    qs = qs.filter(deleted_at__isnull=True)
    if roles.is_moderator(user):
        return qs
    if user.is_authenticated:
        return qs.filter(Q(hidden_at__isnull=True) | Q(author=user))
    return qs.filter(hidden_at__isnull=True)


def visible_categories(qs: QuerySet[Category], user: User) -> QuerySet[Category]:
    """Private categories (the advocates' lounge) exist only for moderators."""
    return qs if roles.is_moderator(user) else qs.filter(is_private=False)


def can_see_question(user: User, question: Question) -> bool:
    """The single-object form of `visible_questions`."""
    if question.category_id and question.category.is_private and not roles.is_moderator(user):
        return False
    if question.deleted_at is None and question.hidden_at is None:
        return True
    return roles.is_moderator(user) or (user.is_authenticated and question.author_id == user.pk)


def check_ask_question(user: User, category: Category | None = None) -> None:
    _require_member_in_good_standing(user)
    check_use_category(user, category)


def check_use_category(user: User, category: Category | None) -> None:
    """Only moderators post in (or move questions into) a private category."""
    if category is not None and category.is_private and not roles.is_moderator(user):
        raise PermissionDenied(_("Only advocates and staff can post in this category."))


def check_answer_question(user: User, question: Question) -> None:
    _require_member_in_good_standing(user)
    if question.is_deleted:
        raise PermissionDenied(_("This question has been deleted."))
    if question.is_locked:
        raise PermissionDenied(_("This question is locked."))
    if question.is_closed:
        raise PermissionDenied(_("This question is closed and no longer accepts answers."))


def check_comment_post(user: User, post: Question | Answer) -> None:
    _require_member_in_good_standing(user)
    question = thread_of(post)
    if post.is_deleted or question.is_deleted:
        raise PermissionDenied(_("You cannot comment on a deleted post."))
    if question.is_locked:
        raise PermissionDenied(_("This question is locked."))
    if user.pk not in (post.author_id, question.author_id):
        # As on Stack Overflow: anyone may comment on their own post and under their own
        # question; elsewhere commenting is a privilege.
        privileges.check_privilege(user, privileges.COMMENT)


def check_vote_post(user: User, post: Question | Answer, value: int = 1) -> None:
    """`value` is the vote being cast: 1 needs the upvote privilege, -1 the downvote one,
    0 (withdrawing) none."""
    _require_member_in_good_standing(user)
    if post.author_id == user.pk:
        raise PermissionDenied(_("You cannot vote on your own post."))
    question = thread_of(post)
    if post.is_deleted or question.is_deleted:
        raise PermissionDenied(_("You cannot vote on a deleted post."))
    if question.is_locked:
        raise PermissionDenied(_("This question is locked."))
    if value > 0:
        privileges.check_privilege(user, privileges.UPVOTE)
    elif value < 0:
        privileges.check_privilege(user, privileges.DOWNVOTE)


def check_edit_post(user: User, post: Question | Answer) -> None:
    _require_member_in_good_standing(user)
    if post.author_id != user.pk and not roles.is_moderator(user):
        privileges.check_privilege(user, privileges.EDIT_ANY)
    question = thread_of(post)
    if question.is_locked and not roles.is_moderator(user):
        raise PermissionDenied(_("This question is locked."))
    if post.is_deleted:
        raise PermissionDenied(_("You cannot edit a deleted post."))


def check_delete_post(user: User, post: Question | Answer | Comment) -> None:
    _require_login(user)
    if post.author_id != user.pk and not roles.is_moderator(user):
        raise PermissionDenied(_("Only the author can delete this post."))
    if post.deleted_at is not None:
        raise PermissionDenied(_("This post is already deleted."))
    if not roles.is_moderator(user) and thread_of(post).is_locked:
        raise PermissionDenied(_("This question is locked."))


def check_accept_answer(user: User, answer: Answer) -> None:
    """The asker accepts; an advocate or staff member may accept for an asker who has been
    away `privileges.ABSENT_ASKER_DAYS` (the community's acceptance, on their behalf)."""
    _require_login(user)
    question = answer.question
    on_behalf = question.author_id != user.pk
    if on_behalf and not privileges.may_accept_for_absent_asker(user):
        raise PermissionDenied(_("Only the person who asked can accept an answer."))
    if answer.is_deleted or question.is_deleted:
        raise PermissionDenied(_("You cannot accept a deleted answer."))
    if question.is_locked:
        raise PermissionDenied(_("This question is locked."))
    if on_behalf:
        _check_asker_absent(question)


def _check_asker_absent(question: Question) -> None:
    if question.accepted_answer_id is not None:
        raise PermissionDenied(
            _(
                "This question already has an accepted answer; only the person who asked can change it."
            )
        )
    days = privileges.ABSENT_ASKER_DAYS
    since = timezone.now() - dt.timedelta(days=days)
    # Asked within the period: no need to look for their replies.
    if question.created_at > since or asker_last_seen(question) > since:
        raise PermissionDenied(
            ngettext(
                "The person who asked was here less than %(days)d day ago: only they can "
                "accept an answer for now.",
                "The person who asked was here less than %(days)d days ago: only they can "
                "accept an answer for now.",
                days,
            )
            % {"days": days}
        )


def asker_last_seen(question: Question) -> dt.datetime:
    """When the asker last showed up in their thread: asking it, or their latest answer or
    comment there. Memoised on the question (a thread's answers share its instance)."""
    seen = getattr(question, "_asker_last_seen", None)
    if seen is None:
        mine = {"author_id": question.author_id}
        answers = Answer.objects.filter(question_id=question.pk, **mine).order_by("-created_at")
        comments = Comment.objects.filter(
            Q(question_id=question.pk) | Q(answer__question_id=question.pk), **mine
        ).order_by("-created_at")
        row = (
            Question.objects.filter(pk=question.pk)
            .annotate(
                last_answer=Subquery(answers.values("created_at")[:1]),
                last_comment=Subquery(comments.values("created_at")[:1]),
            )
            .values_list("last_answer", "last_comment")
            .first()
        )
        seen = max(m for m in (question.created_at, *(row or ())) if m is not None)
        question._asker_last_seen = seen
    return seen


def check_unaccept_answer(user: User, answer: Answer) -> None:
    """The asker withdraws their acceptance; staff undo any (the community's included)."""
    _require_login(user)
    question = answer.question
    if question.author_id != user.pk and not roles.is_staff(user):
        raise PermissionDenied(_("Only the person who asked or staff can withdraw an acceptance."))
    if answer.is_deleted or question.is_deleted:
        raise PermissionDenied(_("You cannot accept a deleted answer."))
    if question.is_locked:
        raise PermissionDenied(_("This question is locked."))


def check_close_question(user: User, question: Question) -> None:
    """Close or reopen at once: moderators only. Members with the close privilege vote
    instead (`advocacy.permissions.community.check_cast_close_vote`); enough votes close."""
    _require_login(user)
    if not roles.is_moderator(user):
        raise PermissionDenied(_("Only moderators can close or reopen questions at once."))
    if question.is_deleted:
        raise PermissionDenied(_("This question has been deleted."))


def check_cast_close_vote(user: User, question: Question) -> None:
    """Members with the close privilege vote to close or reopen (the votes decide:
    advocacy.services.community); a moderator's vote closes or reopens at once."""
    _require_member_in_good_standing(user)
    if not roles.is_moderator(user):
        privileges.check_privilege(user, privileges.CLOSE)
    if question.is_deleted:
        raise PermissionDenied(_("This question has been deleted."))
    if question.is_locked and not roles.is_moderator(user):
        raise PermissionDenied(_("This question is locked."))


def check_suggest_edit(user: User, post: Question | Answer) -> None:
    """Members who may not edit someone else's post directly suggest an edit, which
    waits for review (advocacy.services.community)."""
    _require_member_in_good_standing(user)
    if post.author_id == user.pk or roles.is_moderator(user):
        raise PermissionDenied(_("You can edit this post directly."))
    if privileges.has_privilege(user, privileges.EDIT_ANY):
        raise PermissionDenied(_("You can edit this post directly."))
    if post.is_deleted:
        raise PermissionDenied(_("You cannot edit a deleted post."))
    if thread_of(post).is_locked:
        raise PermissionDenied(_("This question is locked."))


def check_lock_question(user: User, question: Question) -> None:
    _require_login(user)
    if not roles.is_moderator(user):
        raise PermissionDenied(_("Only moderators can lock questions."))


def check_edit_profile(user: User, member: User) -> None:
    _require_login(user)
    if user.pk != member.pk:
        raise PermissionDenied(_("You can only edit your own profile."))


def _can(check: Callable[..., None]) -> Callable[..., bool]:
    def can(*args: object, **kwargs: object) -> bool:
        try:
            check(*args, **kwargs)
        except PermissionDenied:
            return False
        return True

    can.__name__ = check.__name__.replace("check_", "can_", 1)
    can.__doc__ = f"True when {check.__name__} would let the user through."
    return can


can_ask_question = _can(check_ask_question)
can_answer_question = _can(check_answer_question)
can_comment_post = _can(check_comment_post)
can_vote_post = _can(check_vote_post)
can_edit_post = _can(check_edit_post)
can_delete_post = _can(check_delete_post)
can_accept_answer = _can(check_accept_answer)
can_unaccept_answer = _can(check_unaccept_answer)
can_close_question = _can(check_close_question)
can_lock_question = _can(check_lock_question)
can_cast_close_vote = _can(check_cast_close_vote)
can_suggest_edit = _can(check_suggest_edit)
