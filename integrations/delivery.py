"""Making one delivery attempt, in the worker (`integrations.tasks.deliver_webhook`).

Standard Webhooks: a POST of the frozen body with `webhook-id` (the delivery's message
id, the same on every retry), `webhook-timestamp` (this attempt's time) and
`webhook-signature` (`v1,<base64 HMAC-SHA256>` by the `standardwebhooks` package).

A non-2xx answer, a redirect, a timeout, a connection error or a target that the SSRF
guard now refuses is a failed attempt; it is retried after 5 s, 5 min, 30 min, 2 h, 5 h
and 10 h (7 attempts over 17 h 35 min), each retry a task enqueued with `run_after`.
When a delivery gives up and the endpoint has not succeeded for at least as many
attempts, the endpoint is disabled and every manager is told (bell and e-mail).

Attempts never hold a row lock while the request is in flight: the delivery is claimed
(attempt counted, a lease set in `next_attempt_at`) in one short transaction, sent, and
the outcome written in another; a second task for the same delivery finds the lease and
does nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop
from standardwebhooks import Webhook

from core import roles
from forum.models import Notification, User
from integrations import dispatch, ssrf, transport
from integrations.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(seconds=transport.TIMEOUT_SECONDS * 6)
USER_AGENT = "Circolo-Webhooks/1.0"


def signed_headers(endpoint: Endpoint, delivery: Delivery, now: datetime) -> dict[str, str]:
    signature = Webhook(endpoint.secret).sign(delivery.message_id, now, delivery.body)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # not due yet, or another worker holds the lease
        if not delivery.endpoint.is_active:
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = "endpoint disabled"
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            return None
        delivery.attempts = F("attempts") + 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
        delivery.refresh_from_db(fields=["attempts"])
        return delivery


def attempt(delivery_id: int) -> Delivery | None:
    """Make the delivery's next attempt if it is due; returns it (None: nothing to do)."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    try:
        target = ssrf.check_url(endpoint.url)
    except ssrf.UnsafeTarget as exc:
        outcome = transport.Outcome(status=None, error=str(exc)[:300])
    else:
        headers = signed_headers(endpoint, delivery, now)
        outcome = transport.post(target, delivery.body.encode(), headers)
    _record(delivery, outcome)
    return delivery


def _record(delivery: Delivery, outcome: transport.Outcome) -> None:
    now = timezone.now()
    with transaction.atomic():
        delivery.response_code = outcome.status
        delivery.last_error = outcome.error
        if outcome.status is not None and not outcome.ok:
            delivery.last_error = f"HTTP {outcome.status}"
        if outcome.ok:
            delivery.status = Delivery.Status.SUCCEEDED
            delivery.next_attempt_at = None
            Endpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
        else:
            Endpoint.objects.filter(pk=delivery.endpoint_id).update(
                consecutive_failures=F("consecutive_failures") + 1
            )
            if delivery.attempts < MAX_ATTEMPTS:
                delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
                _schedule_retry(delivery.pk, delivery.next_attempt_at)
            else:
                delivery.status = Delivery.Status.FAILED
                delivery.next_attempt_at = None
                _maybe_disable(delivery.endpoint_id, now)
        delivery.save(update_fields=["status", "response_code", "last_error", "next_attempt_at"])


def _schedule_retry(delivery_id: int, when: datetime) -> None:
    def enqueue() -> None:
        from integrations.tasks import deliver_webhook

        try:
            if deliver_webhook.get_backend().supports_defer:
                deliver_webhook.using(run_after=when).enqueue(delivery_id)
            # A backend that cannot defer (the test suite's immediate one) leaves the
            # delivery pending with its `next_attempt_at`; `retry_due_deliveries` runs it.
        except Exception:
            logger.exception("Could not schedule the retry of webhook delivery %s", delivery_id)

    transaction.on_commit(enqueue)


def _maybe_disable(endpoint_id: int, now: datetime) -> None:
    """Disable the endpoint after repeated failure and tell the managers. Caller holds a
    transaction."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
    if not endpoint.is_active or endpoint.consecutive_failures < MAX_ATTEMPTS:
        return
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed attempts in a row"
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    dispatch.forget_subscriptions()
    from notifications.bell import notify_member

    link = reverse("admin:integrations_endpoint_change", args=[endpoint.pk])
    for manager in User.objects.filter(roles.manager_q(), is_active=True).order_by("pk"):
        notify_member(
            manager,
            # No kind of its own (that would alter forum's Notification choices); an
            # operational alert like the SLA's, e-mailed right away by default.
            Notification.Kind.SLA,
            gettext_noop(
                "The webhook endpoint %(url)s was disabled after %(failures)s failed "
                "deliveries in a row. Fix it, then enable it again."
            ),
            params={"url": endpoint.url, "failures": endpoint.consecutive_failures},
            link=link,
        )


def due_deliveries(now: datetime | None = None) -> list[int]:
    """Pending deliveries whose next attempt is due (also the ones a lost task left)."""
    now = now or timezone.now()
    due = Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1)
    )
    return list(
        Delivery.objects.filter(due, status=Delivery.Status.PENDING, endpoint__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
