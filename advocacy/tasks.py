"""Background work of the advocacy app, run by the task worker (`manage.py run_worker`).

Periodic (advocacy.periodic): the SLA sweep every 30 seconds, the e-mail digests daily at
07:00 (site time). On demand: the e-mails of new notifications, enqueued after commit by
`forum.notifications` (`advocacy.mail.schedule_notification_emails`).
"""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task

from advocacy.periodic import periodic


@periodic(every=timedelta(seconds=30))
@task()
def sweep_sla() -> dict[str, list[int]]:
    from advocacy.sla.sweep import sweep_sla as sweep

    return sweep().as_dict()


@periodic(daily_at=time(7, 0))
@task()
def send_daily_digests() -> int:
    from advocacy.mail import send_daily_digests as send

    return send()


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    from advocacy.mail import send_instant_emails

    return send_instant_emails(notification_ids)
