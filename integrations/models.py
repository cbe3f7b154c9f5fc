"""Outbound webhooks: the endpoints managers register, and every delivery made to them.

A delivery row is written in the same transaction as the domain act it reports (an
outbox: it exists exactly when the act does), with its body frozen as sent, so every
retry sends the same bytes under the same `webhook-id` (Standard Webhooks lets the
receiver de-duplicate on it).
"""

from __future__ import annotations

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The events an endpoint may subscribe to (API.md, "Webhooks and feeds").
EVENT_TYPES: tuple[str, ...] = (
    "question.created",
    "answer.created",
    "answer.accepted",
    "escalation.created",
    "escalation.updated",
    "escalation.resolved",
    "flag.created",
    "member.advocate_approved",
    "member.advocate_revoked",
    "redemption.created",
    "redemption.decided",
)
TEST_EVENT = "webhook.test"  # sent by "send test event", whatever the subscription


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Endpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # Shown once, when created; kept to sign (an HMAC key cannot be stored hashed).
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    trusted_personal_data = models.BooleanField(
        _("trusted with personal data"),
        default=False,
        help_text=_("Payloads include members' e-mail addresses."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Failed attempts since the last success; the endpoint is disabled when a delivery
    # gives up and this has reached the number of attempts a delivery makes.
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    body = models.TextField(editable=False)  # the JSON exactly as signed and sent
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"
