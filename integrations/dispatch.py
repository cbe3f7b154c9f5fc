"""Emitting webhook events: the one function services call.

    from integrations.dispatch import emit
    emit("answer.created", answer)

Called inside the service's transaction, after its writes. It writes one `Delivery`
(body frozen, as it will be signed and sent) per active endpoint subscribed to the event,
in the caller's transaction, and enqueues their sending after commit: a rolled-back act
sends nothing, a committed one is never lost (the rows are there to retry), and nothing
is sent inside the request. With no endpoint subscribed it costs no query (the active
subscriptions are cached, and the cache is dropped whenever an endpoint changes).
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from integrations import payloads
from integrations.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

SUBSCRIPTIONS_KEY = "integrations:subscriptions:v1"
SUBSCRIPTIONS_SECONDS = 300


def active_subscriptions() -> list[tuple[int, frozenset[str], bool]]:
    """(endpoint id, events, trusted with personal data) of every active endpoint."""
    cached = cache.get(SUBSCRIPTIONS_KEY)
    if cached is None:
        cached = [
            (pk, frozenset(events or ()), trusted)
            for pk, events, trusted in Endpoint.objects.filter(is_active=True).values_list(
                "pk", "events", "trusted_personal_data"
            )
        ]
        cache.set(SUBSCRIPTIONS_KEY, cached, SUBSCRIPTIONS_SECONDS)
    return cached


def forget_subscriptions() -> None:
    """Drop the cached subscriptions now and again after commit (an endpoint changed)."""
    cache.delete(SUBSCRIPTIONS_KEY)
    transaction.on_commit(partial(cache.delete, SUBSCRIPTIONS_KEY))


def encode(event_type: str, data: dict[str, Any], *, timestamp=None) -> str:
    """The request body of the Standard Webhooks envelope `{"type","timestamp","data"}`."""
    return json.dumps(
        {
            "type": event_type,
            "timestamp": (timestamp or timezone.now()).isoformat(),
            "data": data,
        },
        separators=(",", ":"),
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )


def emit(event_type: str, obj: object) -> list[Delivery]:
    """Record the deliveries of `event_type` about `obj` and send them after commit.

    `obj` is the domain object (question, answer, escalation, flag, member, redemption);
    `integrations.payloads` decides what of it may leave the site. Never raises for a
    webhook problem: the domain act matters more than its announcement.
    """
    builder = payloads.BUILDERS[event_type]  # a KeyError here is a programming error
    targets = [
        (pk, trusted) for pk, events, trusted in active_subscriptions() if event_type in events
    ]
    if not targets:
        return []
    payload = builder(obj)
    if payload is None:
        return []
    now = timezone.now()
    public_body = encode(event_type, payload.data, timestamp=now)
    personal_body = (
        encode(event_type, {**payload.data, **payload.personal}, timestamp=now)
        if payload.personal
        else public_body
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint_id=pk,
            event=event_type,
            body=personal_body if trusted else public_body,
            created_at=now,
        )
        for pk, trusted in targets
    )
    schedule([d.pk for d in deliveries])
    return deliveries


def schedule(delivery_ids: list[int]) -> None:
    """Enqueue the first attempt of each delivery once the transaction commits."""
    if delivery_ids:
        transaction.on_commit(partial(_enqueue, delivery_ids), robust=True)


def _enqueue(delivery_ids: list[int]) -> None:
    from integrations.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        try:
            deliver_webhook.enqueue(delivery_id)
        except Exception:  # the act is committed; the delivery row stays pending to retry
            logger.exception("Could not enqueue webhook delivery %s", delivery_id)
