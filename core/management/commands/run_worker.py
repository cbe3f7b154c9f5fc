"""`python manage.py run_worker`: the background task worker with the periodic scheduler.

django-tasks-db's `db_worker` (same options) runs queued tasks; a scheduler thread in the
same process enqueues due periodic jobs (core.periodic) every `--schedule-interval`
seconds. Run as many workers as you like: the scheduler is safe to run in each of them.
The worker lowers its own CPU priority to settings.WORKER_NICE (`lower_priority`).
"""

from __future__ import annotations

import logging
import os
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core.periodic import run_scheduler


def lower_priority(nice: int) -> None:
    """Run this process at CPU priority `nice` (a higher value yields more), unless it
    was started at a lower priority already (systemd's Nice=, say), or `nice` is 0."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    if os.getpriority(os.PRIO_PROCESS, 0) < nice:
        os.setpriority(os.PRIO_PROCESS, 0, min(nice, 19))


class Command(DbWorkerCommand):
    help = "Run the background task worker and the periodic-job scheduler."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-interval",
            type=float,
            default=15.0,
            help="Seconds between two looks for due periodic jobs (default: %(default)s).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run tasks; enqueue no periodic job from this process.",
        )

    def configure_logging(self, verbosity: int) -> None:
        """db_worker sets its loggers' levels from --verbosity; at the default verbosity a
        level given in settings.LOGGING wins (the dev settings keep routine task lines out
        of `make run`'s terminal)."""
        super().configure_logging(verbosity)
        if verbosity == 1:
            for name, config in settings.LOGGING.get("loggers", {}).items():
                if name.startswith("django_tasks") and "level" in config:
                    logging.getLogger(name).setLevel(config["level"])

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options.pop("schedule_interval")
        no_scheduler = options.pop("no_scheduler")
        # With --reload the parent process only watches files; the child does the work.
        is_reloader_parent = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not is_reloader_parent:
            lower_priority(settings.WORKER_NICE)
        if not no_scheduler and not is_reloader_parent and not options["batch"]:
            stop = threading.Event()
            thread = threading.Thread(
                target=run_scheduler,
                args=(stop,),
                kwargs={"interval": max(interval, 0.5)},
                name="periodic-scheduler",
                daemon=True,
            )
            thread.start()
        super().handle(*args, **options)
