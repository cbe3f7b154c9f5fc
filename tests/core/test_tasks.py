"""`core.tasks.enqueue_row`: the row `Task.enqueue` writes, with one plain INSERT."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from core.tasks import enqueue_row
from gamification import tasks
from tests.advocacy import tasks_support
from tests.advocacy.tasks_support import run_queued_tasks

database_tasks = tasks_support.database_tasks
pytestmark = pytest.mark.django_db

# What differs between two rows of the same task and arguments.
OWN = {"id", "enqueued_at"}


def _row(result: DBTaskResult) -> dict:
    return {f.attname: getattr(result, f.attname) for f in DBTaskResult._meta.concrete_fields}


def test_the_row_is_the_one_task_enqueue_writes_in_one_statement(database_tasks):
    args = (7, 12, None, 0, 1)
    tasks.settle_vote.enqueue(*args)
    expected = DBTaskResult.objects.get()

    with CaptureQueriesContext(connection) as ctx:
        enqueue_row(tasks.settle_vote, *args)

    assert len(ctx.captured_queries) == 1
    written = DBTaskResult.objects.exclude(pk=expected.pk).get()
    mine, theirs = _row(written), _row(expected)
    assert {k: v for k, v in mine.items() if k not in OWN} == {
        k: v for k, v in theirs.items() if k not in OWN
    }
    assert written.enqueued_at >= expected.enqueued_at
    assert written.task_result.args == [7, 12, None, 0, 1]


def test_the_worker_runs_it(database_tasks):
    enqueue_row(tasks.settle_vote, 0, 0, None, 0, 1)  # a vote by nobody: pays nothing

    assert run_queued_tasks() == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_it_rolls_back_with_the_callers_transaction(database_tasks):
    def write_that_fails() -> None:
        with transaction.atomic():
            enqueue_row(tasks.settle_vote, 0, 0, None, 0, 1)
            raise RuntimeError("the write that asked for it failed")

    with pytest.raises(RuntimeError):
        write_that_fails()

    assert not DBTaskResult.objects.exists()


def test_a_task_of_another_backend_is_refused():
    with pytest.raises(TypeError, match="django-tasks-db"):
        enqueue_row(tasks.settle_vote, 0, 0, None, 0, 1)  # the suite's ImmediateBackend
