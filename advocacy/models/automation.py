"""Automation rules (issue 13 part 2): the manager's settings of each rule, the activity
log of what the rules did (unique per rule, subject and step: the idempotence key), and
the members' opt-outs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AutomationRule(models.Model):
    """A rule's switch and parameters; rules without a row run with their defaults,
    disabled (`advocacy.automation.rules` lists them)."""

    key = models.CharField(_("rule"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=False)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")

    def __str__(self) -> str:
        return self.key


class AutomationAction(models.Model):
    """One thing a rule did, once: the unique (rule, subject, step) is claimed in the
    transaction that does it, so two workers or a re-run never do it twice."""

    rule = models.CharField(_("rule"), max_length=40)
    subject = models.CharField(_("subject"), max_length=60)  # "question:12", "user:3"
    step = models.CharField(_("step"), max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    question = models.ForeignKey(
        "forum.Question", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("automation action")
        verbose_name_plural = _("automation actions")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject", "step"], name="automation_action_once"
            )
        ]
        indexes = [models.Index(fields=["rule", "-created_at"], name="automation_rule_idx")]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject} {self.step}"


class AutomationOptOut(models.Model):
    """A member who does not want a rule's messages (from settings or the e-mail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="automation_opt_outs"
    )
    rule = models.CharField(_("rule"), max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("automation opt-out")
        verbose_name_plural = _("automation opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "rule"], name="automation_opt_out_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opted out of {self.rule}"
