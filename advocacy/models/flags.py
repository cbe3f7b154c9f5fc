"""Flags, the moderation queue's claims, first-post reviews, canned reasons and the
tunable auto-hide threshold.

A flag points at exactly one post: a question, an answer or a comment. `question` is
always the thread (so the queue can scope by visibility and group by thread), and
`post_key` (``question:12``, ``answer:40``, ``comment:7``) names the flagged post itself:
it groups flags in the queue and carries the "one open flag per member per post" rule as a
unique constraint, so two clicks or two racing requests cannot open two.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import SingletonModel

FLAG_NOTE_MAX_LENGTH = 500
DEFAULT_AUTO_HIDE_THRESHOLD = 3


class FlagReason(models.TextChoices):
    SPAM = "spam", pgettext_lazy("flag reason", "Spam")
    RUDE = "rude", pgettext_lazy("flag reason", "Rude or abusive")
    OFF_TOPIC = "off_topic", pgettext_lazy("flag reason", "Off topic")
    DUPLICATE = "duplicate", pgettext_lazy("flag reason", "Duplicate")
    NEEDS_STAFF = "needs_staff", pgettext_lazy("flag reason", "Needs staff attention")


# Flags of these reasons from distinct members count toward hiding the post at once.
HIDING_REASONS = (FlagReason.SPAM, FlagReason.RUDE)


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag status", "open")
    UPHELD = "upheld", pgettext_lazy("flag status", "upheld")
    DISMISSED = "dismissed", pgettext_lazy("flag status", "dismissed")


class Flag(models.Model):
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=_("flagged by"),
    )
    question = models.ForeignKey(
        "forum.Question", on_delete=models.CASCADE, related_name="+", verbose_name=_("thread")
    )
    answer = models.ForeignKey(
        "forum.Answer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "forum.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    post_key = models.CharField(max_length=40, editable=False)
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    note = models.CharField(_("note"), max_length=FLAG_NOTE_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    created_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    # What the moderator did (hide, dismiss, close, lock, ...) and why.
    resolution = models.CharField(_("resolution"), max_length=20, blank=True)
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["flagger", "post_key"],
                condition=Q(status="open"),
                name="one_open_flag_per_member_per_post",
            ),
        ]
        indexes = [
            models.Index(
                fields=["post_key", "created_at"],
                condition=Q(status="open"),
                name="flag_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.post_key} by {self.flagger_id}"

    @property
    def post_type(self) -> str:
        return self.post_key.partition(":")[0]

    @property
    def is_open(self) -> bool:
        return self.status == FlagStatus.OPEN


class ModerationSettings(SingletonModel):
    """The singleton (pk 1) of the moderation numbers the community manager tunes."""

    auto_hide_threshold = models.PositiveSmallIntegerField(
        _("flags that hide a post"),
        default=DEFAULT_AUTO_HIDE_THRESHOLD,
        help_text=_(
            "Spam or rude flags from this many different members hide a post until a "
            "moderator reviews it."
        ),
    )
    first_posts_days = models.PositiveSmallIntegerField(
        _("first posts reviewed from the last days"),
        default=30,
        help_text=_("The first-posts queue shows first posts of members from this many days."),
    )

    class Meta(SingletonModel.Meta):
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return str(_("Moderation settings"))


class CannedReason(models.Model):
    """A ready-made reason a moderator picks instead of typing (manager-editable)."""

    class Use(models.TextChoices):
        ANY = "any", _("any act")
        FLAG = "flag", _("resolving flags")
        CLOSE = "close", _("closing")
        HIDE = "hide", _("hiding")
        SUSPEND = "suspend", _("suspending")

    title = models.CharField(_("title"), max_length=80)
    text = models.CharField(_("text"), max_length=500)
    text_it = models.CharField(_("text (Italian)"), max_length=500, blank=True)
    use = models.CharField(_("used for"), max_length=10, choices=Use.choices, default=Use.ANY)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("canned reason")
        verbose_name_plural = _("canned reasons")

    def __str__(self) -> str:
        return self.title

    def text_for(self, language: str | None) -> str:
        if language and language.startswith("it") and self.text_it:
            return self.text_it
        return self.text


class QueueClaim(models.Model):
    """A moderator working one queue item (``flags:answer:40``, ``first:question:12``).

    One row per item (primary key), so two moderators cannot hold the same item: the
    second insert fails on the key and the service reports who holds it. A claim older
    than `advocacy.services.moderation.CLAIM_TTL` can be taken over.
    """

    item = models.CharField(max_length=60, primary_key=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("queue claim")
        verbose_name_plural = _("queue claims")

    def __str__(self) -> str:
        return f"{self.item} by {self.moderator_id}"


class FirstPostReview(models.Model):
    """A first post of a new member that a reviewer has looked at (one per post)."""

    post_key = models.CharField(max_length=40, unique=True)
    question = models.ForeignKey("forum.Question", on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(
        "forum.Answer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(max_length=20)
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("first-post review")
        verbose_name_plural = _("first-post reviews")

    def __str__(self) -> str:
        return f"{self.post_key}: {self.outcome}"
