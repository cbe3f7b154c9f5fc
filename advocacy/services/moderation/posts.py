"""Hide, unhide and delete a post."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy import audit_actions as acts
from advocacy import permissions
from advocacy.health import facts as health_facts
from advocacy.posts import post_link
from advocacy.services.moderation._shared import (
    HIDDEN_BY_MODERATOR,
    _hidden_state,
    _publish_post_changed,
    clean_reason,
)
from core import audit
from forum import services as forum_services
from forum.locks import lock_post
from forum.models import Answer, Comment, Notification, Question, User
from forum.posts import Post
from notifications.bell import notify_member


def set_hidden(*, actor: User | None, post: Post, hidden: bool, why: str, reason: str = "") -> Post:
    """Hide or unhide `post`; caller holds its row lock (`lock_post`) inside a transaction.

    `why` is stored in `hidden_reason` (``flags`` or ``moderator``). Writes the audit row
    (POST_AUTO_HIDE when `actor` is None) and publishes the thread's update; does nothing
    when the post is already in that state (returns it unchanged).
    """
    if post.is_hidden == hidden:
        return post
    before = _hidden_state(post)
    post.hidden_at = timezone.now() if hidden else None
    post.hidden_reason = why if hidden else ""
    post.save(update_fields=["hidden_at", "hidden_reason"])
    if not isinstance(post, Comment):  # the dashboard counts visible questions and answers
        health_facts.refresh([post.question_id if isinstance(post, Answer) else post.pk])
    action = (
        (acts.POST_HIDE if actor is not None else acts.POST_AUTO_HIDE)
        if hidden
        else acts.POST_UNHIDE
    )
    audit.record(
        actor=actor,
        action=action,
        target=post,
        before=before,
        after=_hidden_state(post),
        reason=reason,
    )
    if hidden and actor is not None:
        notify_member(
            post.author,
            Notification.Kind.MODERATION,
            gettext_noop("A moderator hid one of your posts: %(reason)s"),
            params={"reason": reason or "-"},
            link=post_link(post),
            actor=actor,
        )
    _publish_post_changed(post)
    return post


def hide_post(*, actor: User, post: Post, reason: str = "") -> Post:
    permissions.check_moderate(actor)
    reason = clean_reason(reason)
    with transaction.atomic():
        post = lock_post(post)
        if post.is_hidden:
            raise ValidationError({"post": [_("This post is already hidden.")]})
        return set_hidden(
            actor=actor, post=post, hidden=True, why=HIDDEN_BY_MODERATOR, reason=reason
        )


def unhide_post(*, actor: User, post: Post, reason: str = "") -> Post:
    permissions.check_moderate(actor)
    reason = clean_reason(reason)
    with transaction.atomic():
        post = lock_post(post)
        if not post.is_hidden:
            raise ValidationError({"post": [_("This post is not hidden.")]})
        return set_hidden(actor=actor, post=post, hidden=False, why="", reason=reason)


def delete_post(*, actor: User, post: Post, reason: str = "") -> Post:
    """Soft-delete `post` through the forum's service; when a moderator deletes someone
    else's post, the act is audited in the same transaction (an author deleting their own
    post is not a moderation act)."""
    reason = clean_reason(reason)
    delete = {
        Question: lambda: forum_services.delete_question(actor=actor, question=post),
        Answer: lambda: forum_services.delete_answer(actor=actor, answer=post),
        Comment: lambda: forum_services.delete_comment(actor=actor, comment=post),
    }[type(post)]
    if post.author_id == actor.pk:
        return delete()
    with transaction.atomic():
        post = delete()
        audit.record(
            actor=actor,
            action=acts.POST_DELETE,
            target=post,
            before={"deleted": False},
            after={"deleted": True},
            reason=reason,
        )
    return post
