"""`recompute_reputation [--check]`: cached reputation against the points ledger."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from forum.models import User
from gamification.selectors import reputation_drift
from gamification.services import recompute_reputation


class Command(BaseCommand):
    help = (
        "Recompute every member's cached reputation from the points ledger. With --check, "
        "change nothing, print the differences and exit 1 if there are any."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--check", action="store_true", help="Only report differences (exit 1 if any)."
        )

    def handle(self, *args, check: bool = False, **options) -> None:  # noqa: ANN002, ANN003
        if check:
            drift = reputation_drift()
            names = dict(
                User.objects.filter(pk__in=[pk for pk, *_ in drift]).values_list("pk", "username")
            )
            for pk, cached, expected in drift:
                self.stdout.write(
                    f"{names.get(pk, pk)} (id {pk}): cached {cached}, ledger says {expected}"
                )
            if drift:
                raise CommandError(f"{len(drift)} member(s) differ from the ledger.", returncode=1)
            self.stdout.write("Every cached reputation matches the ledger.")
            return
        fixed = recompute_reputation()
        for pk, was, now in fixed:
            self.stdout.write(f"member {pk}: {was} -> {now}")
        self.stdout.write(f"Fixed {len(fixed)} member(s).")
