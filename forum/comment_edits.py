"""Editing a comment (a service; the API's `PATCH /api/v1/comments/{id}/`).

As on Stack Overflow, a comment is a quick remark, not a post with a history: its author
may correct it within `EDIT_WINDOW` of posting it, moderators at any time. The text goes
through the same validation and Markdown rendering as a new comment; the thread hears
`comment.updated` after commit (which also refreshes the cached anonymous page).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from forum.markdown import render_markdown
from forum.models import Comment, User
from forum.validation import clean_comment
from live.events import publish

EDIT_WINDOW = timedelta(minutes=5)


def check_edit_comment(user: User, comment: Comment) -> None:
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to do that."))
    if roles.is_moderator(user):
        if comment.deleted_at is not None:
            raise PermissionDenied(_("This post is already deleted."))
        return
    if user.is_suspended or not user.is_active:
        raise PermissionDenied(_("Your account cannot edit comments now."))
    if comment.author_id != user.pk:
        raise PermissionDenied(_("Only the author can edit this comment."))
    if comment.deleted_at is not None:
        raise PermissionDenied(_("This post is already deleted."))
    if comment.thread.is_locked:
        raise PermissionDenied(_("This question is locked."))
    if timezone.now() - comment.created_at > EDIT_WINDOW:
        raise PermissionDenied(_("Comments can be edited only in the first 5 minutes."))


def edit_comment(*, actor: User, comment: Comment, body: str) -> Comment:
    """Replace the comment's text. Raises PermissionDenied and ValidationError."""
    check_edit_comment(actor, comment)
    try:
        body = clean_comment(body)
    except ValidationError as exc:
        raise ValidationError({"body": exc.messages}) from exc
    html = render_markdown(body).html
    with transaction.atomic():
        locked = (
            Comment.objects.select_for_update(no_key=True, of=("self",))
            .select_related("question", "answer__question")
            .get(pk=comment.pk)
        )
        check_edit_comment(actor, locked)  # deleted meanwhile?
        if locked.body == body:
            return locked
        locked.body, locked.body_html = body, html
        locked.save(update_fields=["body", "body_html"])
        question_id = locked.thread.pk
        publish(
            f"question.{question_id}",
            "comment.updated",
            {
                "id": locked.pk,
                "question": question_id,
                "post": "question" if locked.question_id else "answer",
                "post_id": locked.question_id or locked.answer_id,
            },
        )
    return locked
