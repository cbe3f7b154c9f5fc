"""Telling followers (in the task worker, after the post's transaction committed).

Events: `question` (a new question: followers of its tags and of its category),
`answer` (a new answer: followers of the question), `accepted` (an answer accepted:
followers of the question). Each follower gets at most one "follow" notification per
event, however many of the event's things they follow; never the actor; never a member
who already heard of it directly (the asker's "answer", a mention, the answerer's
"accepted"); for the lounge only members who may read it. Running the task twice
notifies nobody twice (the event's key is stored in the notification and checked).

The queries are bounded whatever the number of followers: read the event, read the
recipients (one query), drop those already told (one), create (one), count unread (one);
then one live event per recipient and one e-mail task.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext_noop
from django_tasks import task

from core import events, roles
from forum.events import AnswerAccepted, AnswerPosted, QuestionAsked
from forum.follows.models import Follow
from forum.models import Answer, Notification, Question, User
from live.events import publish
from live.streams import user_stream

Kind = Notification.Kind
logger = logging.getLogger(__name__)

MESSAGES = {
    "question": gettext_noop("%(who)s asked “%(title)s” in %(topic)s, which you follow"),
    "answer": gettext_noop("%(who)s answered “%(title)s”, which you follow"),
    "accepted": gettext_noop("An answer to “%(title)s”, which you follow, was accepted"),
}
# Who already heard of the event through the forum's own notification, by event.
_DIRECT_KINDS = {
    "question": [Kind.MENTION],
    "answer": [Kind.ANSWER, Kind.MENTION],
    "accepted": [Kind.ACCEPTED, Kind.COMMUNITY_ACCEPTED],
}


def _text(notification: Notification, locale: str) -> str:
    from notifications.bell import describe

    with translation.override(locale or settings.LANGUAGE_CODE):
        return describe(notification)


def _followers(event: str, question: Question) -> tuple[Q, str]:
    """The filter on Follow for the event, and the name of what they follow (for the
    "question" event, the tag or category it arrived in, for the sentence)."""
    if event != "question":
        return Q(question=question), ""
    tags = list(question.tags.all())
    where = Q(tag__in=tags) if tags else Q(pk__in=[])
    if question.category_id:
        where |= Q(category_id=question.category_id)
    topic = question.category.name if question.category_id else ", ".join(t.name for t in tags)
    return where, topic


def notify_followers_now(event: str, object_id: int, actor_id: int) -> list[Notification]:
    """The task's body (callable directly): returns the notifications it created."""
    if event not in MESSAGES:
        raise ValueError(f"Unknown follow event {event!r}")
    answer = None
    if event == "question":
        question = Question.objects.select_related("category").filter(pk=object_id).first()
    else:
        answer = Answer.objects.select_related("question__category").filter(pk=object_id).first()
        if answer is None or answer.deleted_at or answer.hidden_at:
            return []
        question = answer.question
    if question is None or question.deleted_at or question.hidden_at:
        return []
    actor = User.objects.filter(pk=actor_id).first()
    if actor is None:
        return []
    follows, topic = _followers(event, question)
    recipients = User.objects.filter(
        pk__in=Follow.objects.filter(follows).values("user_id"), is_active=True
    ).exclude(pk=actor_id)
    if question.category_id and question.category.is_private:
        # The lounge: only those who may read it (suspended advocates may not).
        recipients = recipients.filter(roles.moderator_q())
    key = f"{event}:{object_id}"
    direct = Notification.objects.filter(question=question, kind__in=_DIRECT_KINDS[event])
    direct = direct.filter(answer=answer) if answer else direct.filter(answer__isnull=True)
    already = Q(pk__in=direct.values("recipient_id")) | Q(
        pk__in=Notification.objects.filter(
            recipient__in=recipients, kind=Kind.FOLLOW, data__event=key
        ).values("recipient_id")
    )
    locales = dict(recipients.exclude(already).values_list("pk", "locale").order_by("pk"))
    recipient_ids = list(locales)
    if not recipient_ids:
        return []
    link = question.get_absolute_url() + (f"#answer-{answer.pk}" if answer else "")
    params = {"who": actor.name, "title": question.title, "topic": topic}
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(
                Notification(
                    recipient_id=recipient_id,
                    actor=actor,
                    kind=Kind.FOLLOW,
                    question=question,
                    answer=answer,
                    data={"message": MESSAGES[event], "params": params, "event": key},
                    link=link,
                    key=f"follow:{key}",
                )
                for recipient_id in recipient_ids
            )
            unread = dict(
                Notification.objects.filter(recipient_id__in=recipient_ids, read_at__isnull=True)
                .values("recipient_id")
                .annotate(n=Count("pk"))
                .values_list("recipient_id", "n")
            )
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
                        "comment": None,
                        "text": _text(notification, locales[notification.recipient_id]),
                        "link": link,
                        "unread": unread.get(notification.recipient_id, 0),
                    },
                )
            from notifications.mail.sending import (
                schedule_notification_emails,  # sent by the task worker
            )

            schedule_notification_emails(created)
    except IntegrityError:
        return []  # a racing run of the same task told them (the key is unique)
    return created


@task()
def notify_followers(event: str, object_id: int, actor_id: int) -> int:
    return len(notify_followers_now(event, object_id, actor_id))


# Handlers of the forum's domain events (AFTER COMMIT: the post is saved) ----------------


def _enqueue(event: str, object_id: int, actor_id: int | None) -> None:
    try:
        notify_followers.enqueue(event, object_id, actor_id)
    except Exception:  # the post is saved; a lost fan-out must not turn it into a 500
        logger.exception("Could not enqueue the follow fan-out of %s %s", event, object_id)


def tell_followers_of_question(event: QuestionAsked) -> None:
    """Followers of the new question's tags and category hear of it."""
    _enqueue("question", event.question_id, event.actor_id)


def tell_followers_of_answer(event: AnswerPosted) -> None:
    """Followers of the question hear of the new answer."""
    _enqueue("answer", event.answer_id, event.actor_id)


def tell_followers_of_acceptance(event: AnswerAccepted) -> None:
    """Followers of the question hear that an answer was accepted."""
    _enqueue("accepted", event.answer_id, event.actor_id)


def register() -> None:
    """Called by `notifications.handlers.register()`."""
    later = events.AFTER_COMMIT
    events.subscribe(QuestionAsked, tell_followers_of_question, phase=later)
    events.subscribe(AnswerPosted, tell_followers_of_answer, phase=later)
    events.subscribe(AnswerAccepted, tell_followers_of_acceptance, phase=later)
