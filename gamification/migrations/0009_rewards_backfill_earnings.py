"""Credit the rewards balance with what the ledger already holds: every award with positive
points (not an adjustment) earned them, and every reversal of one took them back. Keeps
`recompute_reputation --check` true on databases that had points before rewards."""

from django.db import migrations
from django.db.models import Sum


def backfill(apps, schema_editor):
    PointEvent = apps.get_model("gamification", "PointEvent")
    RewardEntry = apps.get_model("gamification", "RewardEntry")
    RewardAccount = apps.get_model("gamification", "RewardAccount")
    earning = PointEvent.objects.filter(
        reversal_of__isnull=True, points__gt=0
    ).exclude(rule="adjustment")
    rows = [
        RewardEntry(
            member_id=e.recipient_id,
            kind="earned",
            points=e.points,
            point_event_id=e.pk,
            created_at=e.created_at,
        )
        for e in earning.iterator(chunk_size=2000)
    ]
    rows += [
        RewardEntry(
            member_id=e.recipient_id,
            kind="taken_back",
            points=e.points,
            point_event_id=e.pk,
            created_at=e.created_at,
        )
        for e in PointEvent.objects.filter(reversal_of__in=earning).iterator(chunk_size=2000)
    ]
    RewardEntry.objects.bulk_create(rows, batch_size=2000)
    RewardAccount.objects.bulk_create(
        [
            RewardAccount(member_id=member, balance=total)
            for member, total in RewardEntry.objects.values("member")
            .annotate(s=Sum("points"))
            .values_list("member", "s")
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("gamification", "0008_rewards_catalogue_balance_ledger")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
