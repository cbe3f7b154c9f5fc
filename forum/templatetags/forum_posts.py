"""Template helpers for the question page partials.

The partials (`_question.html`, `_answer.html`, `_vote_box.html`, `_comments.html`) must
render the same whether the page view or the live layer calls them, so they work out what
the viewer may do themselves, from `forum.permissions`, instead of trusting flags set by
one particular view. None of these helpers queries the database when the thread was
loaded by `selectors.question_thread` (answers carry their question, comments their post).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language

from forum import permissions
from forum.models import Answer, Category, Comment, Question, User
from forum.posts import post_type

register = template.Library()


@dataclass(frozen=True)
class PostState:
    """What the viewer sees and may do on one question or answer."""

    kind: str  # "question" or "answer"
    my_vote: int
    can_edit: bool
    can_delete: bool
    can_comment: bool
    can_accept: bool
    can_close: bool
    can_lock: bool
    # Members below the moderators: vote to close / reopen, suggest an edit for review.
    can_vote_close: bool
    can_suggest_edit: bool
    # Why the up / down button would be refused ('' when it works); the value each sends
    # depends on my_vote, since pressing a pressed button withdraws (value 0).
    up_refusal: str
    down_refusal: str

    @property
    def up_next(self) -> int:
        """The value the up button sends: pressing it again withdraws the vote."""
        return next_vote(self.my_vote, 1)

    @property
    def down_next(self) -> int:
        return next_vote(self.my_vote, -1)


def next_vote(my_vote: int, pressed: int) -> int:
    return 0 if my_vote == pressed else pressed


@register.simple_tag
def post_state(post: Question | Answer, user: User, my_votes: dict | None = None) -> PostState:
    """`{% post_state answer user my_votes as state %}`; my_votes as in selectors.Thread."""
    kind = post_key(post).partition("-")[0]
    my_vote = (my_votes or {}).get((kind, post.pk), 0) if user.is_authenticated else 0
    is_question = kind == "question"
    return PostState(
        kind=kind,
        my_vote=my_vote,
        can_edit=permissions.can_edit_post(user, post),
        can_delete=permissions.can_delete_post(user, post),
        can_comment=permissions.can_comment_post(user, post),
        # The accept button, or on the accepted answer the unaccept one.
        can_accept=not is_question
        and (
            permissions.can_unaccept_answer(user, post)
            if post.question.accepted_answer_id == post.pk
            else permissions.can_accept_answer(user, post)
        ),
        can_close=is_question and permissions.can_close_question(user, post),
        can_lock=is_question and permissions.can_lock_question(user, post),
        can_vote_close=is_question
        and not permissions.can_close_question(user, post)
        and permissions.can_cast_close_vote(user, post),
        can_suggest_edit=permissions.can_suggest_edit(user, post),
        up_refusal=_vote_refusal(user, post, next_vote(my_vote, 1)),
        down_refusal=_vote_refusal(user, post, next_vote(my_vote, -1)),
    )


def _vote_refusal(user: User, post: Question | Answer, value: int) -> str:
    try:
        permissions.check_vote_post(user, post, value=value)
    except PermissionDenied as exc:
        return str(exc)
    return ""


@register.filter
def post_key(post: Question | Answer) -> str:
    """ "question-12" or "answer-34": the suffix of a post's element ids."""
    return f"{post_type(post)}-{post.pk}"


@register.filter
def deletable_by(comment: Comment, user: User) -> bool:
    """`{% if comment|deletable_by:user %}`."""
    return permissions.can_delete_post(user, comment)


@register.filter
def category_label(category: Category | None) -> str:
    """A category's name in the page's language (the Italian name is optional)."""
    if category is None:
        return ""
    if get_language() == "it" and category.name_it:
        return category.name_it
    return category.name
