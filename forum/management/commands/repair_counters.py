"""`repair_counters [--check]`: cached post counters against the rows they count."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from forum.selectors import CounterDifference, counter_differences
from forum.services.counters import repair_counters


def _describe(difference: CounterDifference) -> str:
    return f"{difference.model} {difference.pk} {difference.field}: {difference.cached}"


class Command(BaseCommand):
    help = (
        "Recompute Question.score/answer_count/comment_count and Answer.score/comment_count "
        "from the votes, answers and comments. With --check, change nothing, print the "
        "differences and exit 1 if there are any."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--check", action="store_true", help="Only report differences (exit 1 if any)."
        )

    def handle(self, *args, check: bool = False, **options) -> None:  # noqa: ANN002, ANN003
        if check:
            differences = counter_differences()
            for difference in differences:
                self.stdout.write(f"{_describe(difference)}, rows say {difference.real}")
            if differences:
                raise CommandError(
                    f"{len(differences)} counter(s) differ from the rows.", returncode=1
                )
            self.stdout.write("Every counter matches the rows.")
            return
        fixed = repair_counters()
        for difference in fixed:
            self.stdout.write(f"{_describe(difference)} -> {difference.real}")
        self.stdout.write(f"Fixed {len(fixed)} counter(s).")
