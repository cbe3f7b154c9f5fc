"""Raising and resolving flags.

`raise_flag` serialises the flags of one post on the post's row lock, so the count that
decides the auto-hide is exact however many members flag at once; the unique constraint
(one open flag per member per post) is the backstop for a member's own double click.
`resolve_flags` resolves every open flag of a post at once (the queue shows them grouped)
and pays the flaggers of upheld flags through the points ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy import audit_actions as acts
from advocacy import permissions
from advocacy.events import FlagRaised
from advocacy.models import Flag, FlagReason, FlagStatus, ModerationSettings
from advocacy.models.flags import FLAG_NOTE_MAX_LENGTH, HIDING_REASONS
from advocacy.services.moderation import (
    HIDDEN_BY_FLAGS,
    HIDDEN_BY_MODERATOR,
    clean_reason,
    drop_claim,
    set_hidden,
)
from core import audit, events, ratelimit, roles
from core.text import clean_note
from forum.locks import lock_post, lock_question, lock_thread
from forum.models import Answer, CloseReason, Comment, Question, User
from forum.posts import Post, post_key, thread_id
from gamification import services as points

# Flags a member may raise in a window (settings.CIRCOLO_FLAG_RATE overrides).
DEFAULT_FLAG_RATE = "30/h"


class ResolveAction:
    HIDE = "hide"
    DISMISS = "dismiss"
    CLOSE = "close"
    LOCK = "lock"
    ALL = (HIDE, DISMISS, CLOSE, LOCK)


def _target_ids(post: Post) -> dict[str, object]:
    """The flag's denormalised pointers: the thread, and the answer or comment flagged."""
    if isinstance(post, Question):
        return {"question_id": post.pk}
    if isinstance(post, Answer):
        return {"question_id": post.question_id, "answer_id": post.pk}
    return {
        "question_id": thread_id(post),
        "answer_id": post.answer_id,
        "comment_id": post.pk,
    }


def _flag_state(flag: Flag) -> dict[str, object]:
    return {
        "post": flag.post_key,
        "reason": flag.reason,
        "note": flag.note,
        "status": flag.status,
        "resolution": flag.resolution,
    }


def raise_flag(*, actor: User, post: Post, reason: str, note: str = "") -> Flag:
    """Flag `post` for the moderators; returns the flag.

    Raises PermissionDenied (no flag privilege, own post, suspended), ValidationError
    (unknown reason, note too long, already flagged by this member) or RateLimited.
    Spam and rude flags from `ModerationSettings.auto_hide_threshold` distinct members
    hide the post (`hidden_reason="flags"`) until a moderator reviews it. Publishes
    `flag.created` on the `moderation` stream after commit; a "needs staff" flag also
    goes to the escalation desk (`escalate_needs_staff_flag`).
    """
    permissions.check_flag_post(actor, post)
    errors: dict[str, list[str]] = {}
    if not isinstance(reason, str) or reason not in FlagReason.values:
        errors["reason"] = [_("Choose a reason for the flag.")]
    try:
        note = clean_note(
            note,
            field="note",
            max_length=FLAG_NOTE_MAX_LENGTH,
            not_text=_("The note must be text."),
            too_long=_("The note must be at most %(n)d characters long (it has %(length)d)."),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if not roles.is_staff(actor):
        ratelimit.hit(f"flag:{actor.pk}", getattr(settings, "CIRCOLO_FLAG_RATE", DEFAULT_FLAG_RATE))
    key = post_key(post)
    try:
        with transaction.atomic():
            # The question first, then the post: the forum's lock order.
            lock_thread(post)
            post = lock_post(post)
            permissions.check_flag_post(actor, post)  # deleted while we waited?
            flag = Flag.objects.create(
                flagger=actor, post_key=key, reason=reason, note=note, **_target_ids(post)
            )
            audit.record(
                actor=actor,
                action=acts.FLAG_CREATE,
                target=post,
                after=_flag_state(flag),
                reason=note,
            )
            hidden = _maybe_auto_hide(post, key)
            _publish_flag("flag.created", flag, hidden=hidden)
            events.emit(FlagRaised(actor_id=actor.pk, flag_id=flag.pk, flag=flag))
            if reason == FlagReason.NEEDS_STAFF:
                escalate_needs_staff_flag(flag=flag, post=post)
    except IntegrityError:
        if not Flag.objects.filter(flagger=actor, post_key=key, status=FlagStatus.OPEN).exists():
            raise
        raise ValidationError(
            {"reason": [_("You have already flagged this post; a moderator will look at it.")]}
        ) from None
    return flag


def _maybe_auto_hide(post: Post, key: str) -> bool:
    """Caller holds the post's row lock. Hide it when enough distinct members flagged it
    as spam or rude; True when this call hid it."""
    threshold = ModerationSettings.load().auto_hide_threshold
    if post.is_hidden or threshold < 1:
        return False
    flaggers = (
        Flag.objects.filter(post_key=key, status=FlagStatus.OPEN, reason__in=HIDING_REASONS)
        .aggregate(n=Count("flagger", distinct=True))
        .get("n")
    )
    if flaggers < threshold:
        return False
    set_hidden(actor=None, post=post, hidden=True, why=HIDDEN_BY_FLAGS)
    return True


def escalate_needs_staff_flag(*, flag: Flag, post: Post) -> None:
    """The hook to the escalation desk: a "needs staff" flag escalates the flag's
    question (source "flag", the flag's note as the reason), or joins the open
    escalation's history. Called inside `raise_flag`'s transaction, which holds the
    question's row lock already; the flag also stays in the moderation queue."""
    from advocacy.models.desk import EscalationSource
    from advocacy.services.escalations import escalate_question

    escalate_question(
        actor=flag.flagger,
        question=Question.objects.get(pk=flag.question_id),
        reason=flag.note,
        source=EscalationSource.FLAG,
    )


def _publish_flag(event: str, flag: Flag, **extra: object) -> None:
    from live.events import publish

    publish(
        "moderation",
        event,
        {
            "id": flag.pk,
            "post": flag.post_key,
            "question": flag.question_id,
            "reason": flag.reason,
            "status": flag.status,
            **extra,
        },
    )


def resolve_flags(*, actor: User, flag: Flag, action: str, note: str = "") -> list[Flag]:
    """Resolve every open flag of `flag`'s post with one act, returns them.

    hide: the post is hidden (upheld); dismiss: nothing was wrong, and a post the flags
    hid is shown again (dismissed); close / lock: the flag's thread is closed or locked
    (upheld). Upheld flags pay their flaggers the `flag_upheld` rule. Writes an audit row
    per flag and one for the act, drops the item's claim, publishes `flag.resolved`.
    """
    permissions.check_moderate(actor)
    if action not in ResolveAction.ALL:
        raise ValidationError({"action": [_("Choose hide, dismiss, close or lock.")]})
    note = clean_reason(note)
    if not isinstance(flag, Flag):
        raise ValidationError({"flag": [_("Unknown flag.")]})
    with transaction.atomic():
        post = _flagged_post(flag)
        # Question before its answers and comments: the forum's lock order.
        lock_thread(post)
        if action in (ResolveAction.CLOSE, ResolveAction.LOCK):
            _act_on_thread(actor, post, action, note)
        post = lock_post(post)
        flags = list(
            Flag.objects.select_for_update()
            .filter(post_key=flag.post_key, status=FlagStatus.OPEN)
            .order_by("pk")
        )
        if not flags:
            raise ValidationError({"flag": [_("These flags have already been resolved.")]})
        if action == ResolveAction.HIDE:
            if post.is_hidden and post.hidden_reason == HIDDEN_BY_FLAGS:
                audit.record(
                    actor=actor,
                    action=acts.POST_HIDE,
                    target=post,
                    before={"hidden_reason": HIDDEN_BY_FLAGS},
                    after={"hidden_reason": HIDDEN_BY_FLAGS},
                    reason=note,
                )
            else:
                set_hidden(
                    actor=actor, post=post, hidden=True, why=HIDDEN_BY_MODERATOR, reason=note
                )
        elif action == ResolveAction.DISMISS and post.hidden_reason == HIDDEN_BY_FLAGS:
            set_hidden(actor=actor, post=post, hidden=False, why="", reason=note)
        status = FlagStatus.DISMISSED if action == ResolveAction.DISMISS else FlagStatus.UPHELD
        now = timezone.now()
        for item in flags:
            before = _flag_state(item)
            item.status = status
            item.resolved_at = now
            item.resolved_by = actor
            item.resolution = action
            item.resolution_note = note
            item.save(
                update_fields=[
                    "status",
                    "resolved_at",
                    "resolved_by",
                    "resolution",
                    "resolution_note",
                ]
            )
            audit.record(
                actor=actor,
                action=acts.FLAG_UPHOLD if status == FlagStatus.UPHELD else acts.FLAG_DISMISS,
                target=item,
                label=f"{item.post_key} ({item.get_reason_display()})",
                before=before,
                after=_flag_state(item),
                reason=note,
            )
        if status == FlagStatus.UPHELD:
            for item in flags:
                points.on_flag_upheld(
                    actor=actor,
                    flagger_id=item.flagger_id,
                    flag_id=item.pk,
                    question_id=item.question_id,
                    answer_id=item.answer_id,
                )
        drop_claim(f"flags:{flag.post_key}")
        from live.events import publish

        publish(
            "moderation",
            "flag.resolved",
            {
                "post": flag.post_key,
                "question": flag.question_id,
                "flags": [item.pk for item in flags],
                "action": action,
                "status": status,
            },
        )
    return flags


def _flagged_post(flag: Flag) -> Post:
    if flag.comment_id:
        return Comment.objects.get(pk=flag.comment_id)
    if flag.answer_id:
        return Answer.objects.get(pk=flag.answer_id)
    return Question.objects.get(pk=flag.question_id)


def _act_on_thread(actor: User, post: Post, action: str, note: str) -> None:
    """Close or lock the flagged post's thread (already closed or locked: left as is)."""
    from advocacy.services import moderation

    question = lock_question(thread_id(post))
    if action == ResolveAction.LOCK:
        if not question.is_locked:
            moderation.set_question_lock(actor=actor, question=question, locked=True, reason=note)
        return
    if not question.is_closed:
        reasons = set(
            Flag.objects.filter(post_key=post_key(post), status=FlagStatus.OPEN).values_list(
                "reason", flat=True
            )
        )
        close_reason = (
            CloseReason.OFF_TOPIC if FlagReason.OFF_TOPIC in reasons else CloseReason.OTHER
        )
        moderation.close_question(actor=actor, question=question, reason=close_reason, note=note)
