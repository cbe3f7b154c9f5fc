"""`recompute_reputation [--check]`: cached reputation and leaderboard counters against the
points ledger."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forum.models import User
from gamification import leaderboards
from gamification.rewards import selectors as reward_selectors
from gamification.rewards.services import recompute_balances
from gamification.selectors import reputation_drift
from gamification.services.balances import recompute_reputation


class Command(BaseCommand):
    help = (
        "Recompute every member's cached reputation and leaderboard counters from the points "
        "ledger. With --check, change nothing, print the differences and exit 1 if any."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--check", action="store_true", help="Only report differences (exit 1 if any)."
        )

    def handle(self, *args, check: bool = False, **options) -> None:  # noqa: ANN002, ANN003
        if check:
            self._check()
            return
        fixed = recompute_reputation()
        for pk, was, now in fixed:
            self.stdout.write(f"member {pk}: {was} -> {now}")
        with transaction.atomic():
            counters = leaderboards.rebuild_counters()
        balances = recompute_balances()
        for pk, was, now in balances:
            self.stdout.write(f"member {pk}: rewards balance {was} -> {now}")
        self.stdout.write(f"Fixed {len(fixed)} member(s) and {counters} leaderboard counter(s).")

    def _check(self) -> None:
        drift = reputation_drift()
        counters = leaderboards.counter_drift()
        names = dict(
            User.objects.filter(
                pk__in=[pk for pk, *_ in drift] + [key[0] for key, *_ in counters]
            ).values_list("pk", "username")
        )
        for pk, cached, expected in drift:
            self.stdout.write(
                f"{names.get(pk, pk)} (id {pk}): cached {cached}, ledger says {expected}"
            )
        for (pk, period, start, tag_id), stored, expected in counters:
            where = f"tag {tag_id}" if tag_id else "all tags"
            self.stdout.write(
                f"{names.get(pk, pk)} (id {pk}): {period} from {start}, {where}: "
                f"counter {stored}, ledger says {expected}"
            )
        # The boards' score buckets (a member's position) against the counters.
        buckets = leaderboards.bucket_drift()
        for (period, start, tag_id, points), stored, expected in buckets:
            where = f"tag {tag_id}" if tag_id else "all tags"
            self.stdout.write(
                f"score bucket {period} from {start}, {where}, {points} points: "
                f"{stored} member(s), the counters say {expected}"
            )
        # Rewards balances (gamification.rewards): cache against entries, entries against
        # the points ledger.
        balances = reward_selectors.balance_drift()
        unpaid = reward_selectors.unpaid_earnings()
        for pk, cached, expected in balances:
            self.stdout.write(f"member {pk}: rewards balance {cached}, its ledger says {expected}")
        for row in unpaid:
            self.stdout.write(
                f"member {row.member_id}: point event {row.event_id} ({row.points:+d}) "
                "has no rewards entry"
            )
        if drift or counters or buckets or balances or unpaid:
            raise CommandError(
                f"{len(drift)} reputation(s) and {len(counters)} leaderboard counter(s) "
                f"differ from the ledger, {len(buckets)} score bucket(s) from the counters; "
                f"{len(balances) + len(unpaid)} rewards difference(s).",
                returncode=1,
            )
        self.stdout.write("Every cached reputation and leaderboard counter matches the ledger.")
