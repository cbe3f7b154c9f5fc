"""The moderation queue's acts: hide/unhide, close/reopen, duplicate, lock/unlock, move,
retag, suspend/unsuspend, first-post reviews and claims.

Each service checks the permission, runs in one transaction, writes an audit row
(`advocacy.services.audit.record`) next to what it changed and publishes its live events
after commit. Where the forum already has the write (close, lock, edit), it is reused, in
the same transaction as the audit row.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy import audit_actions as acts
from advocacy import permissions
from advocacy.models import FirstPostReview, QueueClaim
from advocacy.posts import Post, lock_post, post_key, post_link, thread_id
from advocacy.services import audit
from forum import services as forum_services
from forum.models import Answer, Category, CloseReason, Comment, Notification, Question, User
from forum.validation import clean_text
from live.events import publish
from notifications.bell import notify_member

REASON_MAX_LENGTH = 500
SUSPENSION_MAX_DAYS = 365
CLAIM_TTL = timedelta(minutes=15)
HIDDEN_BY_FLAGS = "flags"
HIDDEN_BY_MODERATOR = "moderator"


def clean_reason(reason: str, *, required: bool = False) -> str:
    """A moderator's reason: cleaned, at most REASON_MAX_LENGTH characters."""
    if not isinstance(reason, str):
        raise ValidationError({"reason": [_("The reason must be text.")]})
    reason = clean_text(reason).strip()
    if required and not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("The reason must be at most %(n)d characters long (it has %(length)d).")
                    % {"n": REASON_MAX_LENGTH, "length": len(reason)}
                ]
            }
        )
    return reason


def _hidden_state(post: Post) -> dict[str, Any]:
    return {"hidden_at": post.hidden_at, "hidden_reason": post.hidden_reason}


def _publish_post_changed(post: Post) -> None:
    """Tell the thread's viewers the post changed (they refetch what they may see)."""
    question_id = thread_id(post)
    stream = f"question.{question_id}"
    if isinstance(post, Question):
        publish("feed", "question.updated", {"id": post.pk})
        publish(stream, "question.updated", {"id": post.pk})
    elif isinstance(post, Answer):
        publish(stream, "answer.updated", {"id": post.pk, "question": question_id})
    else:
        publish(
            stream,
            "comment.updated",
            {
                "id": post.pk,
                "question": question_id,
                "post": "question" if post.question_id else "answer",
                "post_id": post.question_id or post.answer_id,
            },
        )


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


# Questions: close, reopen, duplicate, lock, move, retag ---------------------------------


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


def _question_state(question: Question) -> dict[str, Any]:
    return {
        "closed_at": question.closed_at,
        "close_reason": question.close_reason,
        "duplicate_of": question.duplicate_of_id,
        "locked_at": question.locked_at,
        "category": question.category.slug if question.category_id else None,
        "tags": sorted(question.tags.names()),
    }


def close_question(
    *,
    actor: User,
    question: Question,
    reason: str,
    note: str = "",
    duplicate_of: Question | None = None,
) -> Question:
    """Close (or mark as duplicate of `duplicate_of`) through the forum's service."""
    permissions.check_moderate(actor)
    note = clean_reason(note)
    with transaction.atomic():
        before = _question_state(Question.objects.get(pk=question.pk))
        question = forum_services.close_question(
            actor=actor, question=question, reason=reason, note=note, duplicate_of=duplicate_of
        )
        audit.record(
            actor=actor,
            action=acts.QUESTION_DUPLICATE
            if reason == CloseReason.DUPLICATE
            else acts.QUESTION_CLOSE,
            target=question,
            before=before,
            after=_question_state(question),
            reason=note,
        )
    return question


def reopen_question(*, actor: User, question: Question, reason: str = "") -> Question:
    permissions.check_moderate(actor)
    reason = clean_reason(reason)
    with transaction.atomic():
        before = _question_state(Question.objects.get(pk=question.pk))
        question = forum_services.reopen_question(actor=actor, question=question)
        audit.record(
            actor=actor,
            action=acts.QUESTION_REOPEN,
            target=question,
            before=before,
            after=_question_state(question),
            reason=reason,
        )
    return question


def set_question_lock(
    *, actor: User, question: Question, locked: bool, reason: str = ""
) -> Question:
    permissions.check_moderate(actor)
    reason = clean_reason(reason)
    with transaction.atomic():
        current = Question.objects.select_for_update().get(pk=question.pk)
        if current.is_locked == locked:
            raise ValidationError(
                {
                    "post": [
                        _("This question is already locked.")
                        if locked
                        else _("This question is not locked.")
                    ]
                }
            )
        before = _question_state(current)
        question = forum_services.set_question_lock(actor=actor, question=current, locked=locked)
        audit.record(
            actor=actor,
            action=acts.QUESTION_LOCK if locked else acts.QUESTION_UNLOCK,
            target=question,
            before=before,
            after=_question_state(question),
            reason=reason,
        )
    return question


def _edit_thread(
    *,
    actor: User,
    question: Question,
    action: str,
    category: Category | None,
    tags: list[str] | str,
    reason: str,
) -> Question:
    """Move or retag as a forum edit (a new revision, the search vector, live events)."""
    permissions.check_moderate(actor)
    reason = clean_reason(reason)
    with transaction.atomic():
        current = Question.objects.select_for_update().get(pk=question.pk)
        before = _question_state(current)
        question = forum_services.edit_question(
            actor=actor,
            question=current,
            title=current.title,
            body=current.body,
            tags=tags,
            category=category,
            summary=reason or str(acts.label(action)),
        )
        after = _question_state(question)
        if after == before:
            raise ValidationError({"post": [_("Nothing changed.")]})
        audit.record(
            actor=actor, action=action, target=question, before=before, after=after, reason=reason
        )
    return question


def move_question(
    *, actor: User, question: Question, category: Category | None, reason: str = ""
) -> Question:
    return _edit_thread(
        actor=actor,
        question=question,
        action=acts.QUESTION_MOVE,
        category=category,
        tags=list(question.tags.names()),
        reason=reason,
    )


def retag_question(
    *, actor: User, question: Question, tags: list[str] | str, reason: str = ""
) -> Question:
    return _edit_thread(
        actor=actor,
        question=question,
        action=acts.QUESTION_RETAG,
        category=question.category,
        tags=tags,
        reason=reason,
    )


# Members --------------------------------------------------------------------------------


def suspend_member(*, actor: User, member: User, days: int, reason: str) -> User:
    """Suspend `member` for `days` (1 to 365) from now: no posting, voting, flagging or
    earning until then. A longer or shorter new suspension replaces the current one."""
    permissions.check_suspend_member(actor, member)
    errors: dict[str, list[str]] = {}
    if type(days) is not int or not 1 <= days <= SUSPENSION_MAX_DAYS:
        errors["days"] = [_("Suspend for 1 to %(max)d days.") % {"max": SUSPENSION_MAX_DAYS}]
    try:
        reason = clean_reason(reason, required=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = User.objects.select_for_update().get(pk=member.pk)
        permissions.check_suspend_member(actor, member)
        before = {"suspended_until": member.suspended_until}
        member.suspended_until = timezone.now() + timedelta(days=days)
        member.save(update_fields=["suspended_until"])
        audit.record(
            actor=actor,
            action=acts.MEMBER_SUSPEND,
            target=member,
            before=before,
            after={"suspended_until": member.suspended_until, "days": days},
            reason=reason,
        )
        notify_member(
            member,
            Notification.Kind.MODERATION,
            gettext_noop("Your account is suspended for %(days)s days: %(reason)s"),
            params={"days": days, "reason": reason},
            actor=actor,
        )
    return member


def unsuspend_member(*, actor: User, member: User, reason: str = "") -> User:
    permissions.check_suspend_member(actor, member)
    reason = clean_reason(reason)
    with transaction.atomic():
        member = User.objects.select_for_update().get(pk=member.pk)
        if not member.is_suspended:
            raise ValidationError({"member": [_("This member is not suspended.")]})
        before = {"suspended_until": member.suspended_until}
        member.suspended_until = None
        member.save(update_fields=["suspended_until"])
        audit.record(
            actor=actor,
            action=acts.MEMBER_UNSUSPEND,
            target=member,
            before=before,
            after={"suspended_until": None},
            reason=reason,
        )
    return member


# Claims ---------------------------------------------------------------------------------


class ClaimedByAnother(PermissionDenied):
    """The item is being worked by another moderator."""


def claim_item(*, actor: User, item: str) -> QueueClaim:
    """Claim queue item `item` (``flags:answer:40``, ``first:question:12``) for `actor`.

    Atomic: the claim is a row keyed by the item, so of two moderators claiming at once
    one inserts and the other waits on the key, then finds the winner's row and gets
    ClaimedByAnother. A claim older than CLAIM_TTL is taken over; claiming one's own
    item again refreshes it.
    """
    _check_item(actor, item)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = QueueClaim.objects.create(item=item, moderator=actor, claimed_at=now)
        except IntegrityError:
            claim = QueueClaim.objects.select_for_update().get(item=item)
            if claim.moderator_id != actor.pk and claim.claimed_at > now - CLAIM_TTL:
                raise ClaimedByAnother(
                    _("%(name)s is already working on this item.") % {"name": claim.moderator.name}
                ) from None
            claim.moderator = actor
            claim.claimed_at = now
            claim.save(update_fields=["moderator", "claimed_at"])
        audit.record(actor=actor, action=acts.QUEUE_CLAIM, target=None, label=item)
        publish("moderation", "item.claimed", {"item": item, "moderator": actor.username})
    return claim


def release_item(*, actor: User, item: str) -> bool:
    """Give up one's claim (moderators may release anyone's stale or own claim)."""
    _check_item(actor, item)
    with transaction.atomic():
        claim = QueueClaim.objects.select_for_update().filter(item=item).first()
        if claim is None:
            return False
        if claim.moderator_id != actor.pk and claim.claimed_at > timezone.now() - CLAIM_TTL:
            raise ClaimedByAnother(
                _("%(name)s is already working on this item.") % {"name": claim.moderator.name}
            )
        QueueClaim.objects.filter(item=item).delete()
        audit.record(actor=actor, action=acts.QUEUE_RELEASE, target=None, label=item)
        publish("moderation", "item.released", {"item": item})
    return True


def drop_claim(item: str) -> None:
    """The item was dealt with: forget its claim. Caller is inside the act's transaction."""
    QueueClaim.objects.filter(item=item).delete()


def _check_item(actor: User, item: str) -> None:
    queue, _colon, key = item.partition(":")
    if queue == "flags":
        permissions.check_moderate(actor)
    elif queue == "first":
        permissions.check_review_first_posts(actor)
    else:
        raise ValidationError({"item": [_("Unknown queue item.")]})
    kind, _colon, pk = key.partition(":")
    if kind not in ("question", "answer", "comment") or not pk.isdigit() or len(item) > 60:
        raise ValidationError({"item": [_("Unknown queue item.")]})


# First posts ----------------------------------------------------------------------------


def approve_first_post(*, actor: User, post: Question | Answer) -> FirstPostReview:
    """Mark a new member's first post as reviewed and fine (it leaves the queue)."""
    permissions.check_review_first_posts(actor)
    key = post_key(post)
    try:
        with transaction.atomic():
            review = FirstPostReview.objects.create(
                post_key=key,
                question_id=post.pk if isinstance(post, Question) else post.question_id,
                answer=post if isinstance(post, Answer) else None,
                reviewer=actor,
                outcome="approved",
            )
            audit.record(actor=actor, action=acts.FIRST_POST_APPROVE, target=post)
            drop_claim(f"first:{key}")
            publish("moderation", "first_post.reviewed", {"post": key})
    except IntegrityError:
        raise ValidationError({"post": [_("This post has already been reviewed.")]}) from None
    return review
