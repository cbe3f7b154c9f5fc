"""The bell's rows: what a member should hear about."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models.posts import Answer, Comment, Question


class Notification(models.Model):
    """Something a member should hear about: written by the forum services, in the same
    transaction as the post or acceptance it reports (never for the member's own action)."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("answer to your question")
        COMMENT = "comment", _("comment on your post")
        MENTION = "mention", _("mention")
        ACCEPTED = "accepted", _("your answer was accepted")
        BADGE = "badge", _("badge awarded")
        REWARD = "reward", _("reward redemption")
        MODERATION = "moderation", _("moderation")
        ADVOCATE = "advocate", _("advocate programme")
        ESCALATION = "escalation", _("escalation")
        SLA = "sla", _("SLA alert")
        FOLLOW = "follow", _("activity in what you follow")
        COMMUNITY_ACCEPTED = "community_accepted", _("accepted by the community for you")
        ACCEPT_REMINDER = "accept_reminder", _("reminder to accept an answer")
        ROUTED = "routed", _("unanswered question for you")
        WIN_BACK = "win_back", _("questions waiting for your help")
        WELCOME = "welcome", _("welcome")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Empty for what the system itself reports (a badge, an SLA alert).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Kinds beyond posts carry what their text needs (badge name, reward, reason) here
    # and where the notification leads in `link`.
    data = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    # Idempotency key: one notification per (recipient, key), so an after-commit handler
    # that runs twice (a retry, a duplicate delivery) writes nothing the second time.
    # Empty for notifications that are not deduplicated.
    key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="notification_once_per_key",
                condition=~Q(key=""),
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on {self.question_id}"
