"""Counting signed-out views of solved threads: the deflection estimate's basis.

`SolvedThreadView` is one row per (solved question, day); `count_solved_view` is called
by `forum.services.record_view` for signed-out readers (so the author's own visits never
count, and one viewer at most once an hour, as views are counted). It lives in the forum
because the forum counts it; the community health dashboard (advocacy.health) reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from forum.models import Question


class SolvedThreadView(models.Model):
    question = models.ForeignKey("forum.Question", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        app_label = "forum"
        verbose_name = _("signed-out views of a solved thread")
        verbose_name_plural = _("signed-out views of solved threads")
        constraints = [
            models.UniqueConstraint(fields=["question", "day"], name="solved_view_once_a_day")
        ]
        indexes = [models.Index(fields=["day"], name="solved_view_day_idx")]

    def __str__(self) -> str:
        return f"{self.views} views of {self.question_id} on {self.day}"


def count_solved_view(question: Question) -> None:
    """One more signed-out view of `question` today, if it is solved now (a read and
    one UPDATE; an INSERT the first time of the day). Whether it is solved is read from
    the database: the anonymous page cache hands over a Question with only its pk."""
    from forum.models import Question

    if not Question.objects.filter(pk=question.pk, accepted_answer__isnull=False).exists():
        return  # an unsolved thread costs one indexed read of its own row
    day = timezone.localdate()
    rows = SolvedThreadView.objects.filter(question_id=question.pk, day=day)
    if rows.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            SolvedThreadView.objects.create(question_id=question.pk, day=day, views=1)
    except IntegrityError:  # another reader made today's row first
        rows.update(views=F("views") + 1)
