"""Community self-moderation: close and reopen votes, and edit suggestions.

Members with the close privilege vote to close or reopen a question; when the pending
votes of one kind reach the tunable number the question closes (or reopens) and those
votes are settled. Members below the "edit any post" privilege suggest edits to other
people's posts; reviewers approve (the edit becomes a revision credited to the suggester)
or reject them. Rows are written only by `advocacy.services.community`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import SingletonModel
from forum.models import TITLE_MAX_LENGTH, Answer, Category, CloseReason, Question

NOTE_MAX_LENGTH = 500
REVIEW_REASON_MAX_LENGTH = 500
SUMMARY_MAX_LENGTH = 200
DEFAULT_CLOSE_VOTES = 3
DEFAULT_REOPEN_VOTES = 3


class CommunityRules(SingletonModel):
    """How many votes close or reopen a question. A single row (pk 1), tuned in the admin;
    the defaults apply until it is saved."""

    close_votes_needed = models.PositiveSmallIntegerField(
        _("votes to close"),
        default=DEFAULT_CLOSE_VOTES,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    reopen_votes_needed = models.PositiveSmallIntegerField(
        _("votes to reopen"),
        default=DEFAULT_REOPEN_VOTES,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )

    class Meta(SingletonModel.Meta):
        verbose_name = _("community moderation rules")
        verbose_name_plural = _("community moderation rules")
        constraints = [
            *SingletonModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(close_votes_needed__gte=1, reopen_votes_needed__gte=1),
                name="community_votes_needed_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Community moderation rules"))


class CloseVote(models.Model):
    """One member's vote to close (with a reason) or to reopen a question.

    Pending while `settled_at` is empty; the close or reopen it helped decide (or a
    moderator's) settles every pending vote of that kind. One pending vote per member,
    question and kind: the unique constraint holds even when two clicks race.
    """

    class Kind(models.TextChoices):
        CLOSE = "close", pgettext_lazy("close vote", "close")
        REOPEN = "reopen", pgettext_lazy("close vote", "reopen")

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="close_votes", verbose_name=_("question")
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="close_votes",
        verbose_name=_("voter"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=CloseReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("cast"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("close vote")
        verbose_name_plural = _("close votes")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "voter", "kind"],
                condition=Q(settled_at__isnull=True),
                name="one_pending_close_vote_per_member",
            ),
        ]
        indexes = [
            models.Index(
                fields=["question", "kind"],
                name="close_vote_pending_idx",
                condition=Q(settled_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} vote on {self.question_id} by {self.voter_id}"


class EditSuggestion(models.Model):
    """An edit proposed by a member who may not edit the post directly, waiting for review.

    At most one pending suggestion per post (as on Stack Overflow: a second one would
    have to be merged by hand). `base_revision` is the revision number the suggestion was
    written against; a suggestion whose post moved on since can still be approved, and
    the reviewer sees the difference against the current text.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("edit suggestion", "pending")
        APPROVED = "approved", pgettext_lazy("edit suggestion", "approved")
        REJECTED = "rejected", pgettext_lazy("edit suggestion", "rejected")

    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="edit_suggestions",
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="edit_suggestions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="edit_suggestions",
        verbose_name=_("suggested by"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(_("body"))
    tags = models.CharField(_("tags"), max_length=250, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(_("edit summary"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    base_revision = models.PositiveIntegerField(default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    review_reason = models.CharField(_("reason"), max_length=REVIEW_REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("suggested"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("edit suggestion")
        verbose_name_plural = _("edit suggestions")
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="suggestion_on_exactly_one_post",
            ),
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(status="pending", question__isnull=False),
                name="one_pending_suggestion_per_question",
            ),
            models.UniqueConstraint(
                fields=["answer"],
                condition=Q(status="pending", answer__isnull=False),
                name="one_pending_suggestion_per_answer",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="suggestion_pending_idx",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        target = f"question {self.question_id}" if self.question_id else f"answer {self.answer_id}"
        return f"Edit suggestion {self.pk} on {target} ({self.status})"

    @property
    def post(self) -> Question | Answer:
        return self.question if self.question_id else self.answer

    @property
    def thread(self) -> Question:
        return self.question if self.question_id else self.answer.question
