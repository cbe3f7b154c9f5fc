"""Check or repair the health dashboard's per-question rows (`QuestionHealth`).

`--check` lists the questions whose row is missing or differs from the forum's tables and
exits 1 when there are any; without it every row is recomputed. Run it after what no
domain event announces (a member made staff or no longer staff, rows edited by hand).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from advocacy.health import facts


class Command(BaseCommand):
    help = "Check (--check) or repair the community health dashboard's per-question rows."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--check", action="store_true", help="report differences only")

    def handle(self, *args, **options) -> None:
        if options["check"]:
            wrong = facts.differences()
            if wrong:
                shown = ", ".join(map(str, wrong[:20])) + (" …" if len(wrong) > 20 else "")
                raise CommandError(f"{len(wrong)} question health rows differ: {shown}")
            self.stdout.write("Question health rows match the forum.")
            return
        self.stdout.write(f"Recomputed {facts.refresh():,} question health rows.")
