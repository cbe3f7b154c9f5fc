"""The leaderboards' denormalised counters: points per member, period and tag, and the
score buckets that rank a member among the others without scanning them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Leaderboards -----------------------------------------------------------------------------


class Period(models.TextChoices):
    WEEK = "week", _("this week")
    MONTH = "month", _("this month")
    ALL = "all", _("all time")


class ScoreCounter(models.Model):
    """Points a member gained in one period (a week from Monday, a month, or all time), in
    one tag or in all (`tag_id` 0). Denormalised from the ledger, in the same transaction as
    the rows, by `day` (a reversal counts against the period of the row it reverses);
    `recompute_reputation --check` compares them with the ledger."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="score_counters"
    )
    period = models.CharField(max_length=5, choices=Period.choices)
    start = models.DateField()
    tag_id = models.IntegerField(default=0)
    points = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("leaderboard counter")
        verbose_name_plural = _("leaderboard counters")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "start", "tag_id"], name="one_counter_per_period"
            )
        ]
        indexes = [
            models.Index(
                fields=["period", "start", "tag_id", "-points", "user"],
                name="leaderboard_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.start} tag {self.tag_id}: {self.points}"


class ScoreBucket(models.Model):
    """How many counters of one board (period, start, tag) hold exactly `points` (> 0):
    the board's histogram, kept in step with the counters by `leaderboards.bump`, so a
    member's position is a sum over the few distinct scores above theirs instead of a
    count of every member ahead (bench P5). `recompute_reputation --check` compares it
    with the counters."""

    period = models.CharField(max_length=5, choices=Period.choices)
    start = models.DateField()
    tag_id = models.IntegerField(default=0)
    points = models.IntegerField()
    members = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("leaderboard score bucket")
        verbose_name_plural = _("leaderboard score buckets")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "start", "tag_id", "points"], name="one_bucket_per_score"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.start} tag {self.tag_id}: {self.members} at {self.points}"
