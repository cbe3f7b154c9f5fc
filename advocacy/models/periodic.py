"""One row per registered periodic job (advocacy.periodic): when it runs next.

The scheduler takes due rows under `select_for_update(skip_locked=True)` and moves
`next_run_at` forward in the same transaction as it enqueues the job's task, so several
workers (and restarts) never enqueue one run twice.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJob(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    # How the code schedules it ("every 0:01:00", "daily at 07:00"): when the code's
    # schedule changes, the next run is recomputed from it.
    schedule = models.CharField(_("schedule"), max_length=100, blank=True)
    next_run_at = models.DateTimeField(_("next run"), db_index=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)
    # A manager may pause a job in the admin without a deploy.
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name
