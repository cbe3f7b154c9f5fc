"""The fair-play thresholds (a singleton the community manager edits) and the cases the
sweep records for staff.

A case is one pattern (serial voting from one member to another, or a ring of two or
three members upvoting each other) with its evidence: every vote award involved and,
for those the sweep took back, the reversal row it wrote in the points ledger. While a
case is open, later sweeps that find the same pattern add to it (one open case per
pattern, by a unique constraint on its signature); once staff mark it reviewed, a new
occurrence opens a new case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import SingletonModel


class FairPlaySettings(SingletonModel):
    """The singleton (pk 1) of the fair-play thresholds; a missing row means the defaults."""

    ring_vote_limit = models.PositiveIntegerField(
        _("vote ring limit"),
        default=5,
        help_text=_(
            "When members upvote each other (two members both ways, or three in a circle) "
            "more than this many times each within the ring window, further upvotes among "
            "them count for the score but give no points."
        ),
    )
    ring_window_hours = models.PositiveIntegerField(
        _("vote ring window (hours)"),
        default=168,
        help_text=_("How far back upvotes count toward a vote ring."),
    )
    detect_rings_of_three = models.BooleanField(
        _("detect rings of three"),
        default=True,
        help_text=_("Also look for three members upvoting each other in a circle."),
    )
    new_account_hours = models.PositiveIntegerField(
        _("new account period (hours)"),
        default=24,
        help_text=_(
            "Votes from accounts younger than this count for the score but give no points. "
            "0 turns the check off."
        ),
    )
    require_verified_email = models.BooleanField(
        _("only verified accounts give points"),
        default=True,
        help_text=_(
            "Votes from members without a verified e-mail address count for the score but "
            "give no points. Staff are exempt."
        ),
    )

    class Meta(SingletonModel.Meta):
        verbose_name = _("fair play settings")
        verbose_name_plural = _("fair play settings")

    def __str__(self) -> str:
        return str(_("Fair play settings"))


class FairPlayCase(models.Model):
    class Kind(models.TextChoices):
        SERIAL = "serial", _("serial voting")
        RING = "ring", _("vote ring")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        REVIEWED = "reviewed", _("reviewed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # "serial:<voter>><target>", "ring:<a>,<b>" or "ring:<a>><b>><c>" (a directed circle
    # starting from its lowest id): the same pattern found again maps to the same case.
    signature = models.CharField(max_length=100)
    voters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("voters")
    )
    targets = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("targets")
    )
    vote_count = models.PositiveIntegerField(_("votes involved"), default=0)
    points_reversed = models.IntegerField(_("points reversed"), default=0)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("fair play case")
        verbose_name_plural = _("fair play cases")
        constraints = [
            models.UniqueConstraint(
                fields=["signature"],
                condition=Q(status="open"),
                name="fair_play_one_open_case_per_pattern",
            )
        ]
        indexes = [models.Index(fields=["status", "-detected_at"], name="fair_play_case_list_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.signature} ({self.status})"


class FairPlayEvidence(models.Model):
    """One vote award of a case and, when the sweep took its points back, the reversal
    row. An award is listed once per case; it is reversed at most once in all (the
    ledger's one-to-one `reversal_of`, and `reversal` is unique here too)."""

    case = models.ForeignKey(FairPlayCase, on_delete=models.CASCADE, related_name="evidence")
    award = models.ForeignKey("gamification.PointEvent", on_delete=models.CASCADE, related_name="+")
    reversal = models.OneToOneField(
        "gamification.PointEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["award__created_at", "award_id"]
        verbose_name = _("fair play evidence")
        verbose_name_plural = _("fair play evidence")
        constraints = [
            models.UniqueConstraint(fields=["case", "award"], name="fair_play_award_once_per_case")
        ]

    def __str__(self) -> str:
        return f"case {self.case_id}: award {self.award_id}"
