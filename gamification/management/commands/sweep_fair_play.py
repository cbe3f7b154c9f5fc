"""`sweep_fair_play`: run the fair-play sweep now (the worker runs it every 15 minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from gamification.fairplay.sweep import sweep_fair_play


class Command(BaseCommand):
    help = (
        "Find serial voting and vote rings that slipped past the checks made as votes "
        "arrive, reverse their points with ledger rows and record the cases for staff. "
        "Idempotent: a second run reverses nothing more."
    )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        report = sweep_fair_play()
        self.stdout.write(
            f"{len(report.cases)} case(s), {report.reversed} award(s) reversed, "
            f"{report.points} point(s) taken back."
        )
