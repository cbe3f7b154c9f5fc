"""The community health dashboard's narrow copy of each question's outcome (bench P8).

`QuestionHealth` holds, per question, what `advocacy.health.figures` would otherwise
derive from the wide question and answer tables on every computation: when it was asked,
its first answer and first community answer (minutes), whether it is solved (and by the
community), escalated, and who gave the accepted answer. `advocacy.health.facts.refresh`
recomputes a row from the source tables; the forum's domain events and the advocacy
services that hide posts or escalate call it, and `manage.py health_facts` checks or
repairs every row (after a member's staff status changes, say).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class QuestionHealth(models.Model):
    question = models.OneToOneField(
        "forum.Question",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("question"),
    )
    # Copied from the question (ids without constraints: a derived copy, not a relation).
    created_at = models.DateTimeField(_("asked"))
    asker_id = models.BigIntegerField(_("asker"))
    category_id = models.BigIntegerField(_("category"), null=True)
    deleted = models.BooleanField(_("deleted"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    # Minutes from the question to the first live answer by someone other than the asker
    # (rounded to 0.1 as the figures show them); by a member who is not staff.
    first_answer_minutes = models.FloatField(_("first answer (minutes)"), null=True)
    community_first_answer_minutes = models.FloatField(
        _("first community answer (minutes)"), null=True
    )
    solved = models.BooleanField(_("solved"), default=False)
    community_solved = models.BooleanField(_("solved by the community"), default=False)
    escalated = models.BooleanField(_("escalated"), default=False)
    # The helper (not staff) whose live accepted answer this is, and when it was posted.
    accepted_helper_id = models.BigIntegerField(_("accepted helper"), null=True)
    accepted_answer_at = models.DateTimeField(_("accepted answer posted"), null=True)

    class Meta:
        verbose_name = _("question health")
        verbose_name_plural = _("question health")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="health_asked_idx",
                condition=Q(deleted=False, hidden=False),
            ),
            models.Index(
                fields=["accepted_answer_at"],
                name="health_accepted_idx",
                condition=Q(accepted_helper_id__isnull=False, deleted=False),
            ),
        ]

    def __str__(self) -> str:
        return f"health of question {self.question_id}"
