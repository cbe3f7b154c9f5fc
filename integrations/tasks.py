"""The webhook work of the task worker (`manage.py run_worker`)."""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task

from core.periodic import register_periodic


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one delivery (enqueued after commit by `integrations.dispatch`, and
    with `run_after` for each retry)."""
    from integrations.delivery import attempt

    delivery = attempt(delivery_id)
    return delivery.status if delivery is not None else "skipped"


@task()
def retry_due_deliveries() -> int:
    """A safety net: attempt pending deliveries whose retry is due but whose task is
    gone (an enqueue that failed after commit, a queue emptied by hand). Running one
    that also has its task queued is harmless: the first attempt takes a lease."""
    from integrations.delivery import due_deliveries

    ids = due_deliveries()
    for delivery_id in ids:
        deliver_webhook.enqueue(delivery_id)
    return len(ids)


# Delivery rows are kept this long (the log a manager reads), then pruned daily.
KEEP_SUCCEEDED = timedelta(days=30)
KEEP_FAILED = timedelta(days=90)


@task()
def prune_webhook_deliveries() -> int:
    from django.utils import timezone

    from integrations.models import Delivery

    now = timezone.now()
    deleted, _ = (
        Delivery.objects.filter(
            status=Delivery.Status.SUCCEEDED, created_at__lte=now - KEEP_SUCCEEDED
        )
        | Delivery.objects.filter(status=Delivery.Status.FAILED, created_at__lte=now - KEEP_FAILED)
    ).delete()
    return deleted


def register() -> None:
    """The periodic jobs of this module (called from the app's `ready()`)."""
    register_periodic(retry_due_deliveries, every=timedelta(minutes=1))
    register_periodic(prune_webhook_deliveries, daily_at=time(4, 30))
