"""The e-mail work of the task worker (`manage.py run_worker`): the e-mails of new
notifications, enqueued after commit by `notifications.mail.sending.schedule_notification_emails`,
and the daily digest, a periodic job (07:00, site time).

Both lived in `advocacy.tasks`, which still re-exports them: django-tasks stores a
queued task's dotted path and imports it when the task runs.
"""

from __future__ import annotations

from datetime import time

from django_tasks import task

from core.periodic import register_periodic


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    from notifications.mail.sending import send_instant_emails

    return send_instant_emails(notification_ids)


@task()
def send_daily_digests() -> int:
    from notifications.mail.sending import send_daily_digests as send

    return send()


def register() -> None:
    """The periodic jobs of this module (called from the app's `ready()`)."""
    # Under its old name: the job's row (and its next run) was keyed by the old path.
    register_periodic(
        send_daily_digests, daily_at=time(7, 0), name="advocacy.tasks.send_daily_digests"
    )
