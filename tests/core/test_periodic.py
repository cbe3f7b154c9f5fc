"""Periodic jobs (core.periodic): due jobs are enqueued once per run, whatever the
number of schedulers, through the real database task backend; state survives restarts."""

from __future__ import annotations

import threading
import zoneinfo
from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from core import periodic
from core.models import PeriodicJob
from tests.advocacy import tasks_support
from tests.advocacy.tasks_support import run_queued_tasks
from tests.pg import postgres_only

database_tasks = tasks_support.database_tasks

RUNS: list[str] = []


@task()
def record_run() -> None:
    RUNS.append("ran")


@task()
def failing_job() -> None:
    raise RuntimeError("boom")


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def registry(monkeypatch):
    """An isolated registry holding only what the test registers."""
    monkeypatch.setattr(periodic, "_registry", {})
    RUNS.clear()
    yield periodic._registry
    RUNS.clear()


@pytest.mark.django_db
def test_a_job_is_enqueued_when_due_and_once_per_run(registry, database_tasks):
    periodic.register_periodic(record_run, every=timedelta(minutes=5), name="tick")

    assert periodic.enqueue_due_jobs(now=T0) == ["tick"]
    assert periodic.enqueue_due_jobs(now=T0) == []
    assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=4, seconds=59)) == []
    job = PeriodicJob.objects.get(name="tick")
    assert job.next_run_at == T0 + timedelta(minutes=5)
    assert job.schedule == "every 0:05:00"
    assert DBTaskResult.objects.count() == 1
    assert RUNS == []  # enqueued, not run: the worker runs it

    assert run_queued_tasks() == 1
    assert RUNS == ["ran"]
    assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=5)) == ["tick"]
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_a_run_still_waiting_in_the_queue_is_not_enqueued_again(registry, database_tasks):
    periodic.register_periodic(record_run, every=timedelta(minutes=1), name="tick")
    periodic.enqueue_due_jobs(now=T0)

    # Workers are down: three more periods pass.
    for minutes in (1, 2, 3):
        assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=minutes)) == []
    assert DBTaskResult.objects.count() == 1
    assert run_queued_tasks() == 1
    assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=4)) == ["tick"]


@pytest.mark.django_db
def test_missed_runs_are_not_replayed_after_downtime(registry, database_tasks):
    periodic.register_periodic(record_run, every=timedelta(minutes=1), name="tick")
    periodic.enqueue_due_jobs(now=T0)
    run_queued_tasks()

    later = T0 + timedelta(days=1)
    assert periodic.enqueue_due_jobs(now=later) == ["tick"]
    assert PeriodicJob.objects.get(name="tick").next_run_at == later + timedelta(minutes=1)
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_schedule_survives_a_restart_of_the_process(registry, database_tasks):
    periodic.register_periodic(record_run, every=timedelta(hours=1), name="tick")
    periodic.enqueue_due_jobs(now=T0)

    # A new process: empty registry, same code registers the job again.
    registry.clear()
    periodic.register_periodic(record_run, every=timedelta(hours=1), name="tick")
    assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=30)) == []
    assert PeriodicJob.objects.get(name="tick").next_run_at == T0 + timedelta(hours=1)


@pytest.mark.django_db
def test_a_changed_schedule_takes_effect_at_once(registry, database_tasks):
    periodic.register_periodic(record_run, every=timedelta(hours=6), name="tick")
    periodic.enqueue_due_jobs(now=T0)
    run_queued_tasks()

    periodic.register_periodic(record_run, every=timedelta(minutes=1), name="tick")
    assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=2)) == ["tick"]


@pytest.mark.django_db
def test_a_disabled_job_is_not_enqueued(registry, database_tasks):
    periodic.register_periodic(record_run, every=timedelta(minutes=1), name="tick")
    periodic.enqueue_due_jobs(now=T0)
    PeriodicJob.objects.filter(name="tick").update(enabled=False)
    run_queued_tasks()

    assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=10)) == []


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_keeps_its_schedule(registry, database_tasks):
    periodic.register_periodic(failing_job, every=timedelta(minutes=1), name="bad")
    periodic.enqueue_due_jobs(now=T0)

    run_queued_tasks()

    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=1)) == ["bad"]


@pytest.mark.django_db
def test_the_immediate_backend_runs_the_job_inline(registry):
    periodic.register_periodic(record_run, every=timedelta(minutes=1), name="tick")

    assert periodic.enqueue_due_jobs(now=T0) == ["tick"]
    assert RUNS == ["ran"]


def test_daily_jobs_run_at_local_wall_clock_time_across_dst(settings):
    settings.TIME_ZONE = "Europe/Rome"
    rome = zoneinfo.ZoneInfo("Europe/Rome")
    daily = periodic.DailyAt(time(7, 0))

    # The night the clocks go forward (29 March 2026): still 07:00 in Rome.
    before = datetime(2026, 3, 28, 8, 0, tzinfo=rome)
    assert daily.next_after(before) == datetime(2026, 3, 29, 7, 0, tzinfo=rome)
    assert daily.next_after(datetime(2026, 3, 29, 6, 59, tzinfo=rome)).hour == 7
    assert daily.first_run(datetime(2026, 3, 29, 7, 0, tzinfo=rome)) == datetime(
        2026, 3, 30, 7, 0, tzinfo=rome
    )


def test_registration_takes_a_task_and_one_schedule(registry):
    with pytest.raises(TypeError):
        periodic.register_periodic(lambda: None, every=timedelta(minutes=1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly one"):
        periodic.register_periodic(record_run)
    with pytest.raises(ValueError, match="exactly one"):
        periodic.register_periodic(record_run, every=timedelta(minutes=1), daily_at=time(7))
    with pytest.raises(ValueError, match="positive"):
        periodic.register_periodic(record_run, every=timedelta(0))


def test_a_job_is_registered_under_the_task_path(registry):
    assert periodic.register_periodic(record_run, every=timedelta(minutes=3)) is record_run

    assert list(registry) == ["tests.core.test_periodic.record_run"]


def test_the_apps_register_their_jobs_in_ready():
    jobs = {name: str(spec.schedule) for name, spec in periodic.registered_jobs().items()}

    assert jobs == {
        "advocacy.tasks.prune_task_results": "daily at 04:00",
        "advocacy.tasks.refresh_health_figures": "every 0:01:00",
        "advocacy.tasks.run_automation": "every 0:01:00",
        "advocacy.tasks.send_daily_digests": "daily at 07:00",
        "advocacy.tasks.sweep_sla": "every 0:00:30",
        "gamification.tasks.sweep_fair_play": "every 0:15:00",
        "integrations.tasks.prune_webhook_deliveries": "daily at 04:30",
        "integrations.tasks.retry_due_deliveries": "every 0:01:00",
    }


@pytest.mark.django_db
def test_the_worker_command_runs_queued_tasks(registry, database_tasks):
    periodic.register_periodic(record_run, every=timedelta(minutes=1), name="tick")
    periodic.enqueue_due_jobs()

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert RUNS == ["ran"]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_schedulers_racing_on_postgresql_enqueue_each_run_once(registry, database_tasks):
    periodic.register_periodic(record_run, every=timedelta(minutes=1), name="tick")
    periodic.enqueue_due_jobs(now=T0)  # the row exists
    run_queued_tasks()
    barrier = threading.Barrier(6)
    results: list[list[str]] = []

    def scheduler() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [[], [], [], [], [], ["tick"]]
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_old_task_results_are_pruned(database_tasks, time_machine):
    from advocacy.tasks import prune_task_results

    time_machine.move_to(T0, tick=False)
    for _ in range(2):
        record_run.enqueue()
    failing_job.enqueue()
    run_queued_tasks()
    time_machine.move_to(T0 + timedelta(days=8), tick=False)
    record_run.enqueue()
    run_queued_tasks()

    assert prune_task_results.call() == 2  # the week-old successes; the failure stays
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        "FAILED",
        "SUCCESSFUL",
    ]


@pytest.mark.django_db
def test_an_idle_tick_only_reads(registry, database_tasks, django_assert_num_queries):
    periodic.register_periodic(record_run, every=timedelta(minutes=5), name="tick")
    periodic.enqueue_due_jobs(now=T0)

    with django_assert_num_queries(2):  # the jobs' schedules, then "is any due?"
        assert periodic.enqueue_due_jobs(now=T0 + timedelta(minutes=1)) == []
