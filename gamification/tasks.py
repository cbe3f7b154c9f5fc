"""Background work of the gamification app, run by the task worker (`manage.py run_worker`).

Periodic (advocacy.periodic): the fair-play sweep every 15 minutes.
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from advocacy.periodic import periodic


@periodic(every=timedelta(minutes=15))
@task()
def sweep_fair_play() -> dict[str, object]:
    """Reverse serial voting and vote rings that slipped through; record the cases."""
    from gamification.fairplay.sweep import sweep_fair_play as sweep

    return sweep().as_dict()
