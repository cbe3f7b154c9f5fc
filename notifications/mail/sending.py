"""Building and sending notification e-mails (in the task worker).

`schedule_notification_emails` is the only function called in a request's transaction:
it enqueues one task after commit (a rolled-back notification is never e-mailed).
`send_instant_emails` and `send_daily_digests` run in the worker; both are idempotent
(`NotificationEmail` is unique per notification; a member's digest state is advanced
under its row lock), so a task that runs twice sends once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import ngettext

from forum.models import Notification, User
from forum.permissions import can_see_question
from notifications.bell import describe
from notifications.mail import tokens
from notifications.mail.preferences import email_modes_for, verified_email
from notifications.models import EmailDigestState, EmailMode, NotificationEmail

logger = logging.getLogger(__name__)

# A digest lists at most this many notifications ("and N more" after them).
DIGEST_MAX_ITEMS = 50
# A member with no digest sent yet gets the last day's notifications.
FIRST_DIGEST_WINDOW = dt.timedelta(days=1)
SUBJECT_MAX_LENGTH = 120


def site_url() -> str:
    return getattr(settings, "CIRCOLO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def absolute(path: str) -> str:
    return f"{site_url()}{path}" if path.startswith("/") else path


def schedule_notification_emails(notifications: Iterable[Notification]) -> None:
    """Enqueue the e-mailing of these new notifications after the caller's transaction
    commits (called by `notifications.bell.notify` / `notify_member`)."""
    ids = [n.pk for n in notifications if n is not None and n.pk]
    if not ids:
        return

    def enqueue() -> None:
        from notifications.tasks import send_notification_emails

        try:
            send_notification_emails.enqueue(ids)
        except Exception:  # the post is saved; a lost e-mail must not turn it into a 500
            logger.exception("Could not enqueue the e-mails of notifications %s", ids)

    transaction.on_commit(enqueue)


@dataclass(frozen=True)
class Item:
    text: str
    url: str
    created_at: dt.datetime


def _item(notification: Notification) -> Item:
    link = notification.link or (
        notification.question.get_absolute_url() if notification.question_id else ""
    )
    return Item(
        text=describe(notification),
        url=absolute(link or reverse("notifications:list")),
        created_at=notification.created_at,
    )


def _visible(notification: Notification) -> bool:
    """A notification about a question the member may no longer see (hidden, deleted,
    moved to the private lounge) is not e-mailed."""
    if not notification.question_id:
        return True
    return can_see_question(notification.recipient, notification.question)


def _unsubscribe_url(member: User, scope: str) -> str:
    return absolute(
        reverse("mail:unsubscribe", kwargs={"token": tokens.make_token(member.pk, scope)})
    )


def _message(
    *, member: User, address: str, subject: str, template: str, context: dict, scope: str
) -> EmailMultiAlternatives:
    """One e-mail in the member's language with the unsubscribe link and headers."""
    unsubscribe = _unsubscribe_url(member, scope)
    context = {
        **context,
        "member": member,
        "unsubscribe_url": unsubscribe,
        "settings_url": absolute(reverse("mail:settings")),
        "notifications_url": absolute(reverse("notifications:list")),
        "site_url": site_url(),
    }
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    # One line whatever the title holds, cut with an ellipsis when long.
    subject = Truncator(" ".join(subject.split())).chars(SUBJECT_MAX_LENGTH)
    message = EmailMultiAlternatives(
        subject=f"{prefix}{subject}",
        body=render_to_string(f"mail/{template}.txt", context),
        to=[address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"mail/{template}.html", context), "text/html")
    return message


def _language(member: User) -> str:
    return member.locale or settings.LANGUAGE_CODE


def send_instant_emails(notification_ids: Iterable[int]) -> int:
    """E-mail each of these notifications whose recipient wants its kind right away, has
    a verified address and may still see what it is about; returns how many were sent."""
    sent = 0
    modes: dict[int, dict[str, str]] = {}
    notifications = (
        Notification.objects.filter(pk__in=list(notification_ids))
        .select_related("recipient", "actor", "question", "question__category")
        .order_by("pk")
    )
    for notification in notifications:
        member = notification.recipient
        if member.pk not in modes:
            modes[member.pk] = email_modes_for(member)
        if modes[member.pk].get(notification.kind) != EmailMode.INSTANT:
            continue
        address = verified_email(member)
        if address is None or not _visible(notification):
            continue
        try:
            with transaction.atomic():
                # The row first: a second run of this task stops here.
                NotificationEmail.objects.create(notification=notification)
                with translation.override(_language(member)):
                    item = _item(notification)
                    message = _message(
                        member=member,
                        address=address,
                        subject=item.text,
                        template="notification",
                        context={"item": item, "kind": notification.get_kind_display()},
                        scope=notification.kind,
                    )
                message.send()
        except IntegrityError:
            continue
        sent += 1
    return sent


def members_with_digest_items(*, now: dt.datetime) -> list[int]:
    """Ids of members with unread notifications from the last week (the digest's
    candidates; each is checked against their own state and choices)."""
    return list(
        Notification.objects.filter(
            read_at__isnull=True,
            created_at__gt=now - dt.timedelta(days=7),
            created_at__lte=now,
            recipient__is_active=True,
        )
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


def send_digest(member: User, *, now: dt.datetime) -> bool:
    """Send `member` one e-mail listing their unread notifications of digest kinds since
    their last digest; True when one was sent. Advances the member's digest state in the
    same transaction, under its row lock."""
    digest_kinds = [k for k, mode in email_modes_for(member).items() if mode == EmailMode.DIGEST]
    with transaction.atomic():
        EmailDigestState.objects.get_or_create(
            user=member, defaults={"covered_until": now - FIRST_DIGEST_WINDOW}
        )
        state = EmailDigestState.objects.select_for_update().get(user=member)
        if state.covered_until >= now:
            return False
        pending = (
            Notification.objects.filter(
                recipient=member,
                kind__in=digest_kinds,
                read_at__isnull=True,
                created_at__gt=state.covered_until,
                created_at__lte=now,
            )
            .select_related("recipient", "actor", "question", "question__category")
            .order_by("created_at", "pk")
        )
        notifications = [n for n in pending if _visible(n)]
        state.covered_until = now
        address = verified_email(member) if notifications else None
        if address is None:
            state.save(update_fields=["covered_until"])
            return False
        with translation.override(_language(member)):
            items = [_item(n) for n in notifications[:DIGEST_MAX_ITEMS]]
            more = len(notifications) - len(items)
            message = _message(
                member=member,
                address=address,
                subject=ngettext(
                    "Your daily digest: %(count)s new notification",
                    "Your daily digest: %(count)s new notifications",
                    len(notifications),
                )
                % {"count": len(notifications)},
                template="digest",
                context={"items": items, "more": more, "count": len(notifications)},
                scope=tokens.DIGEST,
            )
        message.send()
        state.last_sent_at = now
        state.save(update_fields=["covered_until", "last_sent_at"])
    return True


def send_daily_digests(*, now: dt.datetime | None = None) -> int:
    """Send every member's daily digest that is due; returns how many were sent. One
    member's failure is logged and does not stop the others."""
    now = now or timezone.now()
    sent = 0
    for member in User.objects.filter(pk__in=members_with_digest_items(now=now)).order_by("pk"):
        try:
            sent += send_digest(member, now=now)
        except Exception:
            logger.exception("The digest of member %s could not be sent", member.pk)
    return sent
