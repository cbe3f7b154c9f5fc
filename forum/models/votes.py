"""What members add to a post besides comments: votes, and the revisions of its text."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models.posts import TITLE_MAX_LENGTH, Answer, Question


class Vote(models.Model):
    """One member's up (+1) or down (-1) vote on a question or an answer.

    Withdrawing a vote deletes the row; the unique constraints make a second vote on the
    same post impossible even when two requests race.
    """

    UP = 1
    DOWN = -1

    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="vote_on_exactly_one_post",
            ),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_is_one"),
            models.UniqueConstraint(
                fields=["voter", "question"],
                condition=Q(question__isnull=False),
                name="one_vote_per_question",
            ),
            models.UniqueConstraint(
                fields=["voter", "answer"],
                condition=Q(answer__isnull=False),
                name="one_vote_per_answer",
            ),
        ]

    def __str__(self) -> str:
        target = f"question {self.question_id}" if self.question_id else f"answer {self.answer_id}"
        return f"{self.value:+d} on {target} by {self.voter_id}"


class Revision(models.Model):
    """A saved version of a question or answer; number 1 is the original post."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField()
    tags = models.CharField(max_length=250, blank=True)
    summary = models.CharField(_("edit summary"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="revision_of_exactly_one_post",
            ),
            models.UniqueConstraint(
                fields=["question", "number"],
                condition=Q(question__isnull=False),
                name="unique_question_revision",
            ),
            models.UniqueConstraint(
                fields=["answer", "number"],
                condition=Q(answer__isnull=False),
                name="unique_answer_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.question_id or self.answer_id}"
