"""A task's row for django-tasks-db's worker, written with one plain INSERT.

`Task.enqueue` builds a model instance, sends its signals and compiles the INSERT on every
call: a sixth of what a vote costs the interpreter in a storm of them (bench P7), for a
row whose columns are the same but for its id, its arguments and its time. Here the
statement is compiled once per connection vendor and each call only adapts those three.
The row is the one `enqueue` writes (tests/core/test_tasks.py compares them), in the
caller's transaction: it commits, or rolls back, with the write that asked for it.
"""

from __future__ import annotations

import functools
import uuid

from django.db import connection
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import Task, TaskResultStatus, normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

_COLUMNS = (
    "id",
    "status",
    "args_kwargs",
    "priority",
    "task_path",
    "queue_name",
    "backend_name",
    "run_after",
    "enqueued_at",
    "exception_class_path",
    "traceback",
    "worker_ids",
)


@functools.cache
def _fields() -> list:
    return [DBTaskResult._meta.get_field(name) for name in _COLUMNS]


@functools.cache
def _insert_sql(vendor: str) -> str:  # noqa: ARG001 - one statement per vendor's quoting
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _fields())
    marks = ", ".join(["%s"] * len(_COLUMNS))
    return f"INSERT INTO {quote(DBTaskResult._meta.db_table)} ({columns}) VALUES ({marks})"


def enqueue_row(task: Task, *args: object) -> None:
    """Write the row that `task.enqueue(*args)` writes, for the database backend's worker
    (`manage.py run_worker`). Positional arguments only, as JSON gives them back."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        raise TypeError(f"{task.module_path} does not use django-tasks-db's backend")
    backend.validate_task(task)
    values = {
        "id": uuid.uuid4(),
        "status": TaskResultStatus.READY,
        "args_kwargs": normalize_json({"args": args, "kwargs": {}}),
        "priority": task.priority,
        "task_path": task.module_path,
        "queue_name": task.queue_name,
        "backend_name": backend.alias,
        "run_after": task.run_after or get_date_max(),
        "enqueued_at": timezone.now(),
        "exception_class_path": "",
        "traceback": "",
        "worker_ids": [],
    }
    params = [field.get_db_prep_save(values[field.name], connection) for field in _fields()]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), params)
