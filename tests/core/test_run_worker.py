"""`manage.py run_worker` yields the CPU to the servers (settings.WORKER_NICE)."""

from __future__ import annotations

import multiprocessing
import os
from unittest import mock

import pytest
from django.core.management import call_command

from core.management.commands import run_worker
from tests.advocacy import tasks_support

database_tasks = tasks_support.database_tasks


def _priority_after(nice: int, start: int = 0) -> int:
    """The priority of a child process that started at `start` and called lower_priority."""

    def child(conn) -> None:  # noqa: ANN001
        os.setpriority(os.PRIO_PROCESS, 0, start)
        run_worker.lower_priority(nice)
        conn.send(os.getpriority(os.PRIO_PROCESS, 0))

    ours, theirs = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=child, args=(theirs,))
    process.start()
    process.join(timeout=30)
    return ours.recv()


@pytest.mark.skipif(os.getpriority(os.PRIO_PROCESS, 0) > 0, reason="already niced")
def test_the_worker_lowers_its_priority_and_never_raises_it():
    assert _priority_after(10) == 10
    assert _priority_after(25) == 19  # the lowest there is
    assert _priority_after(0) == 0  # 0: as started
    assert _priority_after(10, start=15) == 15  # started lower (systemd's Nice=): kept


@pytest.mark.django_db
def test_the_command_applies_the_setting(settings, database_tasks):
    settings.WORKER_NICE = 7
    with (
        mock.patch.object(run_worker, "lower_priority") as lower,
        mock.patch("django_tasks_db.management.commands.db_worker.Command.handle"),
    ):
        call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    lower.assert_called_once_with(7)
