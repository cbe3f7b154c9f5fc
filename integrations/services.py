"""Writes of the webhooks: endpoints (managers only), test events and manual retries."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import clean_line
from forum.models import User
from integrations import dispatch, ssrf
from integrations.models import EVENT_TYPES, TEST_EVENT, Delivery, Endpoint
from integrations.permissions import check_manage_webhooks

URL_MAX = 500
DESCRIPTION_MAX = 200


class Conflict(Exception):
    """The action does not fit the object's state (nothing changed)."""


def clean_url(url: object) -> str:
    """An http(s) URL the SSRF guard accepts; raises ValidationError."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": [_("Enter the URL that receives the webhooks.")]})
    url = url.strip()
    if len(url) > URL_MAX:
        raise ValidationError({"url": [_("At most %(max)s characters.") % {"max": URL_MAX}]})
    try:
        ssrf.check_url(url)
    except ssrf.UnsafeTarget as exc:
        raise ValidationError({"url": [str(exc)]}) from exc
    return url


def clean_events(events: object) -> list[str]:
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    unknown = [e for e in events if not isinstance(e, str) or e not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {"events": [_("Unknown event: %(event)s.") % {"event": str(unknown[0])[:60]}]}
        )
    return [e for e in EVENT_TYPES if e in events]  # canonical order, no duplicates


def clean_description(description: object) -> str:
    if not isinstance(description, str):
        raise ValidationError({"description": [_("Enter text.")]})
    description = clean_line(description)
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {"description": [_("At most %(max)s characters.") % {"max": DESCRIPTION_MAX}]}
        )
    return description


def create_endpoint(
    *,
    actor: User,
    url: str,
    events: list[str],
    description: str = "",
    trusted_personal_data: bool = False,
) -> Endpoint:
    """Register an endpoint with a new secret (the caller shows it once)."""
    check_manage_webhooks(actor)
    errors: dict[str, list[str]] = {}
    values = {}
    for name, cleaner, value in (
        ("url", clean_url, url),
        ("events", clean_events, events),
        ("description", clean_description, description),
    ):
        try:
            values[name] = cleaner(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            **values, trusted_personal_data=bool(trusted_personal_data), created_by=actor
        )
        dispatch.forget_subscriptions()
    return endpoint


def update_endpoint(*, actor: User, endpoint: Endpoint, **changes: object) -> Endpoint:
    """Change url, events, description, is_active or trusted_personal_data. Enabling a
    disabled endpoint clears its failure count."""
    check_manage_webhooks(actor)
    cleaners = {"url": clean_url, "events": clean_events, "description": clean_description}
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for name, value in changes.items():
        if name in cleaners:
            try:
                values[name] = cleaners[name](value)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        elif name in ("is_active", "trusted_personal_data"):
            values[name] = bool(value)
        else:
            raise TypeError(f"update_endpoint() got an unexpected field {name!r}")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        if values.get("is_active") and not endpoint.is_active:
            endpoint.consecutive_failures = 0
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
        for name, value in values.items():
            setattr(endpoint, name, value)
        endpoint.save()
        dispatch.forget_subscriptions()
    return endpoint


def delete_endpoint(*, actor: User, endpoint: Endpoint) -> None:
    """Delete the endpoint and its delivery log."""
    check_manage_webhooks(actor)
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).delete()
        dispatch.forget_subscriptions()


def send_test_event(*, actor: User, endpoint: Endpoint) -> Delivery:
    """A `webhook.test` delivery to this endpoint, whatever it subscribes to (sent by the
    worker after commit, logged and retried like any other)."""
    check_manage_webhooks(actor)
    if not endpoint.is_active:
        raise Conflict(_("This endpoint is disabled; enable it first."))
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            event=TEST_EVENT,
            body=dispatch.encode(
                TEST_EVENT,
                {"endpoint_id": endpoint.pk, "message": "This is a test event from Circolo."},
                timestamp=now,
            ),
            created_at=now,
        )
        dispatch.schedule([delivery.pk])
    return delivery


def retry_delivery(*, actor: User, delivery: Delivery) -> Delivery:
    """Attempt the delivery again now (after commit, by the worker); a failed one becomes
    pending for one more attempt."""
    check_manage_webhooks(actor)
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
        )
        if not delivery.endpoint.is_active:
            raise Conflict(_("This endpoint is disabled; enable it first."))
        if delivery.status == Delivery.Status.SUCCEEDED:
            raise Conflict(_("This delivery succeeded already."))
        delivery.status = Delivery.Status.PENDING
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "next_attempt_at"])
        dispatch.schedule([delivery.pk])
    return delivery
