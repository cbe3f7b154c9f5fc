"""The points ledger, the tunable rules and privilege thresholds.

Reputation arithmetic (the one place it is written down):

- Every point change is a `PointEvent` row. `delta` is what the rule said at the time
  (kept for the record); `points` is what was actually applied after the daily cap on
  vote-derived gains. A reversal is a new row with the opposite `delta` and `points` of
  the row it reverses, so undoing an award removes exactly what it gave, never more.
- A member starts at 1. `reputation = max(floor, 1 + SUM(points))` over all their rows,
  with the floor (default 1) applied to the *total*, not step by step. Applying the floor
  per row would let a member who sits at the floor keep the points of a withdrawn upvote
  and then collect the refunds of withdrawn downvotes (a farm); applied to the total, a
  penalty taken at the floor is remembered and has to be earned back first.
- The daily cap counts the `points` of capped rows (upvote awards and their reversals)
  by `day`, the local date of the *original* award. A reversal carries the day of the row
  it reverses, so withdrawing yesterday's upvote frees no room today, and withdrawing
  today's frees exactly what it took.
- `User.reputation` caches the total. The services update it with `F()` in the same
  transaction as the rows, under the member's row lock; `recompute_reputation --check`
  proves it equals the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import SingletonModel


class PointRule(models.Model):
    """How many points an event is worth; the community manager tunes these in the admin.

    The rule keys are fixed by the code (`gamification.rules.RULES`, which also holds the
    translated labels and the defaults used when a row is missing); only the numbers and
    switches are stored.
    """

    key = models.SlugField(_("rule"), max_length=40, unique=True)
    delta = models.IntegerField(_("points"))
    enabled = models.BooleanField(_("enabled"), default=True)
    capped = models.BooleanField(
        _("counts toward the daily cap"),
        default=False,
        help_text=_("Gains from this rule count toward the daily limit on vote-derived gains."),
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        from gamification.rules import RULES

        spec = RULES.get(self.key)
        return str(spec.label) if spec else self.key


class PointSettings(SingletonModel):
    """The singleton (pk 1) of the numbers that are not per-rule."""

    daily_vote_cap = models.PositiveIntegerField(
        _("daily cap on vote-derived gains"),
        default=200,
        help_text=_("At most this many points a day from upvotes; the rest is recorded as 0."),
    )
    reputation_floor = models.PositiveIntegerField(
        _("reputation floor"),
        default=1,
        help_text=_("Reputation never shows below this. Changing it recomputes every member."),
    )
    serial_vote_limit = models.PositiveIntegerField(
        _("serial voting limit"),
        default=5,
        help_text=_(
            "Votes from one member on more than this many posts of another in 24 hours still "
            "count for the score but give or cost no points."
        ),
    )

    class Meta(SingletonModel.Meta):
        verbose_name = _("points settings")
        verbose_name_plural = _("points settings")

    def __str__(self) -> str:
        return str(_("Points settings"))


class PrivilegeThreshold(models.Model):
    """Reputation that unlocks a privilege; keys and labels live in `core.privileges`."""

    key = models.SlugField(_("privilege"), max_length=40, unique=True)
    reputation = models.PositiveIntegerField(_("reputation needed"))

    class Meta:
        ordering = ["reputation", "key"]
        verbose_name = _("privilege threshold")
        verbose_name_plural = _("privilege thresholds")

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        from core.privileges import PRIVILEGE_LABELS

        return str(PRIVILEGE_LABELS.get(self.key, self.key))


class PointEventQuerySet(models.QuerySet):
    def awards(self) -> PointEventQuerySet:
        return self.filter(reversal_of__isnull=True)

    def active(self) -> PointEventQuerySet:
        """Awards that have not been reversed."""
        return self.filter(reversal_of__isnull=True, reversed_by__isnull=True)


class PointEvent(models.Model):
    """One row of the append-only points ledger. Never updated, never deleted.

    `key` names what the award is for, e.g. ``vote:answer:12:7`` (member 7's vote on answer
    12) or ``accept:12``. `occurrence` is 1 + the number of earlier awards of the same
    (key, rule, recipient) that have been reversed: re-voting after a withdrawal is a new
    award (occurrence 2), while a second award on top of a standing one gets the standing
    one's occurrence and the unique constraint refuses it. So at most one award per (key,
    rule, recipient) is ever active. Adjustments by the community manager have an empty key.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="point_events",
        verbose_name=_("member"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caused by"),
    )
    rule = models.SlugField(_("rule"), max_length=40)
    delta = models.IntegerField(_("rule points"))
    points = models.IntegerField(_("points applied"))
    capped = models.BooleanField(default=False)
    day = models.DateField(_("day"))
    key = models.CharField(max_length=80, blank=True)
    occurrence = models.PositiveIntegerField(default=1)
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
    # A reversal has the same recipient as the row it reverses, so the two only ever go
    # together, when the member's account is erased.
    reversal_of = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PointEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("point event")
        verbose_name_plural = _("point events")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "rule", "recipient", "occurrence"],
                condition=Q(reversal_of__isnull=True) & ~Q(key=""),
                name="point_award_once",
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0, delta__gte=0) | Q(points__lte=0, delta__lte=0),
                name="point_event_points_follow_delta",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="point_event_history_idx"),
            models.Index(
                fields=["recipient", "day"],
                condition=Q(capped=True),
                name="point_event_cap_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.rule} to {self.recipient_id}"

    @property
    def is_reversal(self) -> bool:
        return self.reversal_of_id is not None

    @property
    def label(self) -> str:
        """What the row was for, translated ("answer upvoted")."""
        from gamification.rules import ADJUSTMENT, LABELS, OPENING_BALANCE

        if self.rule == ADJUSTMENT and self.note == OPENING_BALANCE:
            return str(LABELS[OPENING_BALANCE])
        return str(LABELS.get(self.rule, self.rule))
