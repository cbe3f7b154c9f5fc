"""E-mail notifications: what each member wants by e-mail, and what was sent.

`EmailPreference`: one row per (member, notification kind) the member changed from the
default (`advocacy.emails.DEFAULT_MODES`): instant, in the daily digest, or off.
`NotificationEmail`: a notification e-mailed at once (unique, so a task that runs twice
sends once). `EmailDigestState`: up to when a member's digest has covered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import Notification


class EmailMode(models.TextChoices):
    INSTANT = "instant", _("Right away")
    DIGEST = "digest", _("In the daily digest")
    OFF = "off", _("Never")


class EmailPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(_("notification"), max_length=20, choices=Notification.Kind.choices)
    mode = models.CharField(_("e-mail"), max_length=10, choices=EmailMode.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "advocacy_emailpreference"  # created by advocacy before notifications/
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.mode}"


class NotificationEmail(models.Model):
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "advocacy_notificationemail"
        verbose_name = _("notification e-mail")
        verbose_name_plural = _("notification e-mails")

    def __str__(self) -> str:
        return f"e-mail for notification {self.notification_id}"


class EmailDigestState(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    # Notifications created up to this moment have been in a digest (or were skipped).
    covered_until = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "advocacy_emaildigeststate"
        verbose_name = _("e-mail digest state")
        verbose_name_plural = _("e-mail digest states")

    def __str__(self) -> str:
        return f"digest of {self.user_id} until {self.covered_until}"
