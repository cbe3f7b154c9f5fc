"""The community health dashboard's own record (advocacy.health).

`SolvedThreadView`: how many times signed-out readers viewed a solved thread, per day:
the measured basis of the dashboard's deflection estimate (each such view is counted
as `forum.services.record_view` counts views: the author's own visits never, one viewer
at most once an hour).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SolvedThreadView(models.Model):
    question = models.ForeignKey("forum.Question", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("signed-out views of a solved thread")
        verbose_name_plural = _("signed-out views of solved threads")
        constraints = [
            models.UniqueConstraint(fields=["question", "day"], name="solved_view_once_a_day")
        ]
        indexes = [models.Index(fields=["day"], name="solved_view_day_idx")]

    def __str__(self) -> str:
        return f"{self.views} views of {self.question_id} on {self.day}"
