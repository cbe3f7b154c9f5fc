"""In-app notifications: answers to your question, comments on your post, @mentions, and
the acceptance of your answer.

`notify` is called by the forum services inside their transaction, so a notification
exists exactly when the post it reports does; each recipient's bell hears of it on their
`user` stream after commit. A member is never notified of their own action, and one
action notifies a member once (an answer that also mentions the asker is one
"answer" notification).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from core import roles
from forum.models import Answer, Comment, Notification, Question, User
from live.events import publish
from live.streams import user_stream

Kind = Notification.Kind


def unread_count(member: User | int) -> int:
    member_id = member.pk if isinstance(member, User) else member
    return Notification.objects.filter(recipient_id=member_id, read_at__isnull=True).count()


def notifications_for(member: User) -> QuerySet[Notification]:
    """The member's notifications, newest first, with what a list shows."""
    return Notification.objects.filter(recipient=member).select_related("actor", "question")


def mentioned_members(usernames: Iterable[str]) -> list[User]:
    """Active members with these usernames (`render_markdown(...).mentions` spells them)."""
    names = list(dict.fromkeys(usernames))
    if not names:
        return []
    return list(User.objects.filter(username__in=names, is_active=True).order_by("pk"))


def post_key(
    kind: str,
    *,
    question: Question,
    answer: Answer | None = None,
    comment: Comment | None = None,
) -> str:
    """The idempotency key of a notification about a post: one per recipient, kind and
    post (an answer, a comment, an acceptance of an answer is reported once)."""
    return f"{kind}:q{question.pk}:a{answer.pk if answer else ''}:c{comment.pk if comment else ''}"


def notify(
    *,
    actor: User,
    recipients: Iterable[tuple[User | int | None, str]],
    question: Question,
    answer: Answer | None = None,
    comment: Comment | None = None,
) -> list[Notification]:
    """Create one notification per (recipient, kind), first kind wins per recipient.

    Runs inside the caller's transaction; publishes `notification.created` (with the
    recipient's unread count) to each recipient's `user` stream after commit.
    """
    chosen: dict[int, str] = {}
    for recipient, kind in recipients:
        recipient_id = recipient.pk if isinstance(recipient, User) else recipient
        if recipient_id is None or recipient_id == actor.pk or recipient_id in chosen:
            continue
        chosen[recipient_id] = kind
    if chosen and question.category_id and question.category.is_private:
        # The lounge: only members who may read it hear of it (an @mention of a customer
        # must not hand them a private thread's title).
        readers = User.objects.filter(pk__in=list(chosen), is_active=True)
        allowed = {member.pk for member in readers if roles.is_moderator(member)}
        chosen = {pk: kind for pk, kind in chosen.items() if pk in allowed}
    if not chosen:
        return []
    keys = {
        recipient_id: post_key(kind, question=question, answer=answer, comment=comment)
        for recipient_id, kind in chosen.items()
    }
    # Idempotent: a handler run twice (a retry, a duplicate after-commit delivery) finds
    # its notifications already written and writes, publishes and mails nothing.
    done = set(
        Notification.objects.filter(
            recipient_id__in=list(keys), key__in=set(keys.values())
        ).values_list("recipient_id", "key")
    )
    fresh = {pk: kind for pk, kind in chosen.items() if (pk, keys[pk]) not in done}
    if not fresh:
        return []
    try:
        with transaction.atomic():  # a savepoint: a racing delivery wins, this one is a no-op
            created = Notification.objects.bulk_create(
                Notification(
                    recipient_id=recipient_id,
                    actor=actor,
                    kind=kind,
                    question=question,
                    answer=answer,
                    comment=comment,
                    key=keys[recipient_id],
                )
                for recipient_id, kind in fresh.items()
            )
    except IntegrityError:
        return []
    for notification in created:
        publish(
            user_stream(notification.recipient_id),
            "notification.created",
            {
                "id": notification.pk,
                "kind": notification.kind,
                "actor": actor.username,
                "actor_name": actor.name,
                "question": question.pk,
                "title": question.title,
                "answer": answer.pk if answer else None,
                "comment": comment.pk if comment else None,
                "unread": unread_count(notification.recipient_id),
            },
        )
    from notifications.mail.sending import schedule_notification_emails  # sent by the task worker

    schedule_notification_emails(created)
    return created


def notify_member(
    recipient: User,
    kind: str,
    message: str,
    *,
    params: dict[str, object] | None = None,
    link: str = "",
    actor: User | None = None,
    question: Question | None = None,
    key: str = "",
) -> Notification | None:
    """Notify one member of something beyond a post: a badge, a reward, a moderation act,
    an escalation, an SLA alert.

    `message` is an English msgid marked with `gettext_noop` and formatted with `params`
    (`"You earned the %(badge)s badge"`); it is translated when shown, so each member
    reads it in their own language. Runs inside the caller's transaction and publishes
    `notification.created` after commit, as `notify` does. Returns None (and writes
    nothing) when the actor notifies themselves, or when `key` is given and the recipient
    already has a notification with that key (idempotency: a re-run handler is harmless).
    """
    if actor is not None and actor.pk == recipient.pk:
        return None
    if key and Notification.objects.filter(recipient=recipient, key=key).exists():
        return None  # already told (a retried or duplicated handler)
    try:
        with transaction.atomic():  # a savepoint: a racing delivery wins, this one is a no-op
            notification = Notification.objects.create(
                recipient=recipient,
                actor=actor,
                kind=kind,
                question=question,
                data={"message": message, "params": params or {}},
                link=link,
                key=key,
            )
    except IntegrityError:
        return None
    with translation.override(recipient.locale or settings.LANGUAGE_CODE):
        text = describe(notification)
    publish(
        user_stream(recipient.pk),
        "notification.created",
        {
            "id": notification.pk,
            "kind": kind,
            "actor": actor.username if actor else None,
            "actor_name": actor.name if actor else None,
            "question": question.pk if question else None,
            "title": question.title if question else None,
            "text": text,
            "link": link,
            "unread": unread_count(recipient),
        },
    )
    from notifications.mail.sending import schedule_notification_emails  # sent by the task worker

    schedule_notification_emails([notification])
    return notification


def _in_language(value: object) -> object:
    """A param given in several languages (``{"en": "Curious", "it": "Curioso"}``: a badge
    or reward name) in the active one, falling back to English."""
    if not isinstance(value, dict):
        return value
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return value.get(language) or value.get("en") or next(iter(value.values()), "")


def describe(notification: Notification) -> str:
    """The sentence a notification shows, in the active language (plain text: templates
    escape it)."""
    who = notification.actor.name if notification.actor_id else ""
    title = notification.question.title if notification.question_id else ""
    values = {"who": who, "title": title}
    if notification.kind == Kind.ANSWER:
        return gettext("%(who)s answered your question “%(title)s”") % values
    if notification.kind == Kind.COMMENT:
        return gettext("%(who)s commented on your post in “%(title)s”") % values
    if notification.kind == Kind.MENTION:
        return gettext("%(who)s mentioned you in “%(title)s”") % values
    if notification.kind == Kind.ACCEPTED:
        return gettext("%(who)s accepted your answer to “%(title)s”") % values
    if notification.kind == Kind.COMMUNITY_ACCEPTED:
        return (
            gettext("%(who)s accepted an answer to your question “%(title)s” on your behalf")
            % values
        )
    message = notification.data.get("message", "")
    params = {k: _in_language(v) for k, v in (notification.data.get("params") or {}).items()}
    for text in (gettext(message), message):
        try:
            return text % params if params else text
        except (KeyError, TypeError, ValueError):
            # A translation (or a caller) that lost a placeholder must not break the bell.
            continue
    return message


def mark_notifications_read(*, actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's unread notifications (all, or those of `ids`) read.

    Returns how many changed; other members' ids are ignored. Publishes
    `notification.read` (ids, unread count) to the actor's `user` stream after commit, so
    the bell of every open tab updates.
    """
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
        id_list = None if ids is None else sorted(set(ids))
        if id_list is not None:
            unread = unread.filter(pk__in=id_list)
        marked = unread.update(read_at=timezone.now())
        if marked:
            publish(
                user_stream(actor.pk),
                "notification.read",
                {"ids": id_list, "unread": unread_count(actor)},
            )
    return marked
