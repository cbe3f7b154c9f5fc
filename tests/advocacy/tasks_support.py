"""Running tasks through the real django-tasks-db backend in tests (the suite's default
is the ImmediateBackend): `database_tasks` switches the backend, `run_queued_tasks` is
what one `db_worker` process does with the queue, in this process."""

from __future__ import annotations

from unittest import mock

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def run_queued_tasks(*, worker_id: str = "test-worker") -> int:
    """Run every ready task as a `db_worker --batch` would; returns how many ran."""
    before = DBTaskResult.objects.finished().count()
    # The worker drops "unusable" connections between tasks; inside a test's transaction
    # (autocommit off) that would close the test's own connection.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        _worker(worker_id).run()
    return DBTaskResult.objects.finished().count() - before


def _worker(worker_id: str) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
