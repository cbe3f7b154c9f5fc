"""Badges, their awards, and the named ranks reached at a reputation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Badges --------------------------------------------------------------------------------


class Tier(models.TextChoices):
    BRONZE = "bronze", _("bronze")
    SILVER = "silver", _("silver")
    GOLD = "gold", _("gold")


class Badge(models.Model):
    """The stored tuning of one badge of the registry (`gamification.badges.BADGES`):
    whether it is awarded and, for badges earned by reaching a number, that number."""

    key = models.SlugField(_("badge"), max_length=40, unique=True)
    enabled = models.BooleanField(_("awarded"), default=True)
    threshold = models.PositiveIntegerField(
        _("threshold"),
        null=True,
        blank=True,
        help_text=_("The number to reach (score, count, days), for badges that have one."),
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self) -> str:
        from gamification.badges import BADGES

        spec = BADGES.get(self.key)
        return str(spec.name) if spec else self.key


class BadgeAward(models.Model):
    """A badge a member earned. `scope` is "" for badges earned once; repeatable badges are
    earned once per scope (``answer:12``, ``question:7``, ``tag:3``). The unique constraint
    makes every award happen at most once, whichever request gets there first."""

    badge = models.SlugField(_("badge"), max_length=40)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards"
    )
    scope = models.CharField(max_length=40, blank=True)
    tier = models.CharField(max_length=6, choices=Tier.choices)
    question = models.ForeignKey(
        "forum.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # see LOCK ORDER in gamification.services
    )
    answer = models.ForeignKey(
        "forum.Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # see LOCK ORDER in gamification.services
    )
    tag = models.ForeignKey(
        "taggit.Tag", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "badge", "scope"], name="badge_awarded_once_per_scope"
            )
        ]
        indexes = [models.Index(fields=["badge"], name="badge_award_badge_idx")]

    def __str__(self) -> str:
        return f"{self.badge} {self.scope} for {self.member_id}"


# Ranks ----------------------------------------------------------------------------------


class Rank(models.Model):
    """A named level reached at a reputation; the community manager names and places them."""

    name = models.CharField(_("name"), max_length=40)
    name_it = models.CharField(_("name (Italian)"), max_length=40, blank=True)
    reputation = models.PositiveIntegerField(_("from reputation"), unique=True)

    class Meta:
        ordering = ["reputation"]
        verbose_name = _("rank")
        verbose_name_plural = _("ranks")

    def __str__(self) -> str:
        return self.name
