"""SLA policies and tiered SLA rules (the manager tunes both in the admin).

`SlaPolicy`: per escalation priority, how long until the first staff response and the
resolution are due (`advocacy.sla.due_times`). `SlaRule`: per category (or for every
category without its own rule), what happens when a question waits: after N minutes
without a community answer, online advocates who answer its tags hear of it; after M
minutes unsolved, it is escalated to the desk. `SlaRuleFiring` records that a rule fired
for a question (unique, so a sweep that runs twice fires once). `SlaSettings` names the
team lead who hears of breaches (empty: every manager).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.models.desk import EscalationPriority
from core.models import SingletonModel

# Ten days: targets longer than that are a typo, not a policy.
MAX_SLA_MINUTES = 14_400


class SlaPolicy(models.Model):
    priority = models.CharField(
        _("priority"), max_length=10, choices=EscalationPriority.choices, unique=True
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SLA_MINUTES)],
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SLA_MINUTES)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="sla_policy_resolution_after_first_response",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_priority_display())


class SlaSettings(SingletonModel):
    """One row (pk 1): who is alerted when an SLA is breached."""

    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team lead"),
        help_text=_("Alerted of SLA breaches. Empty: every community manager."),
    )

    class Meta(SingletonModel.Meta):
        verbose_name = _("SLA settings")
        verbose_name_plural = _("SLA settings")

    def __str__(self) -> str:
        return str(_("SLA settings"))


class SlaRule(models.Model):
    class Action(models.TextChoices):
        NOTIFY_ADVOCATES = "notify_advocates", _("No community answer: alert online advocates")
        ESCALATE = "escalate", _("Still unsolved: escalate to the desk")

    category = models.ForeignKey(
        "forum.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: every category that has no rule of its own for this step."),
    )
    action = models.CharField(_("step"), max_length=20, choices=Action.choices)
    after_minutes = models.PositiveIntegerField(
        _("after (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SLA_MINUTES)]
    )
    priority = models.CharField(
        _("escalation priority"),
        max_length=10,
        choices=EscalationPriority.choices,
        default=EscalationPriority.NORMAL,
        help_text=_("For the escalate step: the priority of the escalation it opens."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Questions asked before this moment are not subject to the rule, so turning a rule
    # on does not alert or escalate the whole back catalogue at once.
    active_since = models.DateTimeField(_("applies to questions asked since"), default=timezone.now)

    class Meta:
        ordering = ["category__name", "action"]
        verbose_name = _("SLA rule")
        verbose_name_plural = _("SLA rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "action"], name="sla_rule_one_per_category_action"
            ),
            models.UniqueConstraint(
                fields=["action"],
                condition=Q(category__isnull=True),
                name="sla_rule_one_default_per_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.after_minutes} min)"


class SlaRuleFiring(models.Model):
    """A rule step done for a question: at most once per (question, step)."""

    question = models.ForeignKey(
        "forum.Question", on_delete=models.CASCADE, related_name="+", verbose_name=_("question")
    )
    action = models.CharField(_("step"), max_length=20, choices=SlaRule.Action.choices)
    fired_at = models.DateTimeField(_("fired"), default=timezone.now)
    # What it did: {"notified": [user ids]} or {"escalation": id, "joined": bool}.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-fired_at", "-pk"]
        verbose_name = _("SLA rule firing")
        verbose_name_plural = _("SLA rule firings")
        constraints = [
            models.UniqueConstraint(fields=["question", "action"], name="sla_firing_once")
        ]

    def __str__(self) -> str:
        return f"{self.action} for question {self.question_id}"
