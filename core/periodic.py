"""Periodic jobs on top of django-tasks (which has no beat of its own).

How to register a job: a django-tasks task in your app's `tasks.py`, registered from the
app's `AppConfig.ready()`::

    # myapp/tasks.py
    @task()
    def sweep_vote_fraud() -> None:
        ...

    # myapp/apps.py
    def ready(self) -> None:
        from core.periodic import register_periodic
        from myapp import tasks

        register_periodic(tasks.sweep_vote_fraud, every=timedelta(minutes=5))
        register_periodic(tasks.send_digests, daily_at=time(7, 0))  # settings.TIME_ZONE

The task takes no arguments, is idempotent (it may, rarely, run twice or overlap with
itself when a run outlasts the interval) and does its own work in its own transactions.

How it runs: `python manage.py run_worker` is django-tasks-db's `db_worker` plus a
scheduler thread that calls `enqueue_due_jobs()` every few seconds. Each job has a
`PeriodicJob` row (created on first sight) holding `next_run_at`; due rows are taken
with `select_for_update(skip_locked=True)` and their task is enqueued in the same
transaction that moves `next_run_at` forward (a compare-and-set on the old value too,
for databases without row locks), so any number of workers and restarts enqueue each run
once. Missed runs (workers down for a day) are not replayed: a job runs once when the
workers come back, then keeps its rhythm. A run whose task is still waiting in the queue
is not enqueued a second time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import close_old_connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task

from core.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Every:
    """Every `interval`, the first run as soon as the job is first seen."""

    interval: timedelta

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0):
            raise ValueError("A periodic interval must be positive.")

    def first_run(self, now: datetime) -> datetime:
        return now

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.interval

    def __str__(self) -> str:
        return f"every {self.interval}"


@dataclass(frozen=True)
class DailyAt:
    """Once a day at a local wall-clock time (settings.TIME_ZONE; DST-safe)."""

    at: time

    def first_run(self, now: datetime) -> datetime:
        return self.next_after(now)

    def next_after(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment)
        day = local.date()
        for _attempt in range(3):
            candidate = timezone.make_aware(datetime.combine(day, self.at))
            if candidate > moment:
                return candidate
            day += timedelta(days=1)
        raise AssertionError("unreachable")  # pragma: no cover

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M}"


Schedule = Every | DailyAt


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    task: Task
    schedule: Schedule


_registry: dict[str, PeriodicSpec] = {}


def register_periodic(
    task: Task,
    *,
    every: timedelta | None = None,
    daily_at: time | None = None,
    name: str | None = None,
) -> Task:
    """Register `task` (a django-tasks Task taking no arguments) to run periodically.

    Exactly one of `every` or `daily_at`. The name defaults to the task's module path and
    keys its `PeriodicJob` row, so renaming a task starts a new schedule.
    """
    if not isinstance(task, Task):
        raise TypeError("register_periodic() takes a django-tasks Task (decorate with @task).")
    if (every is None) == (daily_at is None):
        raise ValueError("Give exactly one of every= or daily_at=.")
    schedule: Schedule = Every(every) if every is not None else DailyAt(daily_at)  # type: ignore[arg-type]
    key = name or task.module_path
    _registry[key] = PeriodicSpec(name=key, task=task, schedule=schedule)
    return task


def registered_jobs() -> dict[str, PeriodicSpec]:
    """Every job the apps registered in their `ready()`."""
    return dict(_registry)


def _still_queued(spec: PeriodicSpec, task_id: str) -> bool:
    """True when the job's previous run is still waiting for a worker."""
    if not task_id:
        return False
    backend = spec.task.get_backend()
    if not backend.supports_get_result:
        return False
    try:
        return backend.get_result(task_id).status == TaskResultStatus.READY
    except Exception:  # noqa: BLE001 - a pruned or unreadable result: not queued
        return False


def enqueue_due_jobs(*, now: datetime | None = None) -> list[str]:
    """Enqueue every registered job that is due; returns the names enqueued.

    Safe to call from any number of processes at once (see the module docstring).
    """
    jobs = registered_jobs()
    if not jobs:
        return []
    now = now or timezone.now()
    known = dict(PeriodicJob.objects.filter(name__in=list(jobs)).values_list("name", "schedule"))
    missing = [name for name in jobs if name not in known]
    if missing:
        PeriodicJob.objects.bulk_create(
            [
                PeriodicJob(
                    name=name,
                    schedule=str(jobs[name].schedule),
                    next_run_at=jobs[name].schedule.first_run(now),
                )
                for name in missing
            ],
            ignore_conflicts=True,  # another scheduler may create it at the same moment
        )
    # A schedule changed in the code takes effect now, not after the old next run.
    for name, schedule in known.items():
        spec = jobs[name]
        if schedule != str(spec.schedule):
            PeriodicJob.objects.filter(name=name, schedule=schedule).update(
                schedule=str(spec.schedule), next_run_at=spec.schedule.first_run(now)
            )
    due_now = PeriodicJob.objects.filter(name__in=list(jobs), enabled=True, next_run_at__lte=now)
    if not due_now.exists():
        return []  # the usual tick: one read, no write lock (SQLite takes it at BEGIN)
    enqueued: list[str] = []
    with transaction.atomic():
        due = list(
            PeriodicJob.objects.select_for_update(skip_locked=True)
            .filter(name__in=list(jobs), enabled=True, next_run_at__lte=now)
            .order_by("next_run_at", "pk")
        )
        for job in due:
            spec = jobs[job.name]
            fields = {"next_run_at": spec.schedule.next_after(now)}
            queued = _still_queued(spec, job.last_task_id)
            # Compare-and-set: only the process that moves next_run_at enqueues.
            claimed = PeriodicJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
                **fields
            )
            if not claimed:
                continue
            if queued:
                logger.info("Periodic job %s: previous run still queued, skipped", job.name)
                continue
            try:
                with transaction.atomic():
                    result = spec.task.enqueue()
                    PeriodicJob.objects.filter(pk=job.pk).update(
                        last_enqueued_at=now, last_task_id=str(result.id)
                    )
            except Exception:
                logger.exception("Periodic job %s could not be enqueued", job.name)
                continue
            enqueued.append(job.name)
    return enqueued


def run_scheduler(stop: threading.Event, *, interval: float = 15.0) -> None:
    """Call `enqueue_due_jobs` every `interval` seconds until `stop` is set (a worker
    thread of `run_worker`). Errors are logged, never fatal: the next tick retries."""
    logger.info("Periodic scheduler started (%d jobs)", len(registered_jobs()))
    while not stop.is_set():
        try:
            names = enqueue_due_jobs()
            if names:
                logger.debug("Enqueued periodic jobs: %s", ", ".join(names))
        except Exception:
            logger.exception("Periodic scheduler tick failed")
        finally:
            close_old_connections()
        stop.wait(interval)
