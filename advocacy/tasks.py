"""Background work of the advocacy app, run by the task worker (`manage.py run_worker`).

Periodic (`register()`, called from `apps.py`): the SLA sweep every 30 seconds, the
automation rules every minute, the community health figures a manager is looking at
recomputed every minute, old task results pruned daily at 04:00. The e-mail tasks
live in `notifications.tasks`.
"""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task

from advocacy.health.figures import REFRESH_SECONDS
from core.periodic import register_periodic

# Kept on purpose, the one compatibility re-export left: the e-mail tasks moved to
# notifications.tasks, but rows queued before the move (django-tasks' database backend)
# hold "advocacy.tasks.send_notification_emails" / "...send_daily_digests", and the worker
# imports a queued task by that dotted path; without these names those rows would fail.
# tests/advocacy/test_mail.py runs such a row. Nothing in the code imports them from here.
from notifications.tasks import send_daily_digests, send_notification_emails  # noqa: F401


@task()
def sweep_sla() -> dict[str, list[int]]:
    from advocacy.sla.sweep import sweep_sla as sweep

    return sweep().as_dict()


# Finished task rows are kept this long (the sweep alone writes 2,880 a day).
KEEP_SUCCESSFUL = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)


@task()
def prune_task_results() -> int:
    """Delete finished task results of the database backend: successful ones after a
    week, failed ones after a month (long enough to look into them)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    deleted, _ = (
        DBTaskResult.objects.successful().filter(finished_at__lte=now - KEEP_SUCCESSFUL)
        | DBTaskResult.objects.failed().filter(finished_at__lte=now - KEEP_FAILED)
    ).delete()
    return deleted


@task()
def run_automation() -> dict[str, int]:
    """The automation rules (the SLA alerts run with the SLA sweep above)."""
    from advocacy.automation.engine import run_rules
    from advocacy.automation.rules import SlaAlerts

    return run_rules(skip=[SlaAlerts.key])


@task()
def refresh_health_figures() -> list[int]:
    """Keep the health dashboard's figures warm (advocacy.health.figures.refresh_reports)."""
    from advocacy.health.figures import refresh_reports

    return refresh_reports()


def register() -> None:
    """The periodic jobs of this module (called from the app's `ready()`)."""
    register_periodic(sweep_sla, every=timedelta(seconds=30))
    register_periodic(prune_task_results, daily_at=time(4, 0))
    register_periodic(run_automation, every=timedelta(minutes=1))
    register_periodic(refresh_health_figures, every=timedelta(seconds=REFRESH_SECONDS))
