"""Background work of the gamification app, run by the task worker (`manage.py run_worker`).

Periodic (`register()`, called from `apps.py`): the fair-play sweep every 15 minutes.
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from core.periodic import register_periodic


@task()
def sweep_fair_play() -> dict[str, object]:
    """Reverse serial voting and vote rings that slipped through; record the cases."""
    from gamification.fairplay.sweep import sweep_fair_play as sweep

    return sweep().as_dict()


def register() -> None:
    """The periodic jobs of this module (called from the app's `ready()`)."""
    register_periodic(sweep_fair_play, every=timedelta(minutes=15))
