"""The models every app shares.

- `SingletonModel`: one abstract base for every "the manager tunes it in the admin"
  settings model (point settings, fair play, moderation, SLA, the programme's and the
  community's rules). The row is pk 1, held by a check constraint; reads never write it:
  `load()` returns the saved row or, until the manager saves one, an unsaved row with the
  field defaults.
- `PeriodicJob`: one row per registered periodic job (`core.periodic`): when it runs next.
"""

from __future__ import annotations

from typing import Self

from django.db import models
from django.utils.translation import gettext_lazy as _

SINGLETON_PK = 1


class SingletonModel(models.Model):
    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=SINGLETON_PK), name="%(app_label)s_%(class)s_single_row"
            ),
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls, *related: str) -> Self:
        """The saved row (with `related` foreign keys joined), else the defaults, unsaved."""
        rows = cls._default_manager.filter(pk=SINGLETON_PK)
        if related:
            rows = rows.select_related(*related)
        return rows.first() or cls(pk=SINGLETON_PK)

    @classmethod
    def load_for_update(cls) -> Self:
        """The row, created with the defaults if missing, locked until the caller's
        transaction ends (precondition: inside `transaction.atomic()`)."""
        row, _created = cls._default_manager.select_for_update().get_or_create(pk=SINGLETON_PK)
        return row


class PeriodicJob(models.Model):
    """The scheduler takes due rows under `select_for_update(skip_locked=True)` and moves
    `next_run_at` forward in the same transaction as it enqueues the job's task, so several
    workers (and restarts) never enqueue one run twice."""

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
        db_table = "advocacy_periodicjob"  # created by advocacy (migration 0007), kept
        ordering = ["name"]
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name
