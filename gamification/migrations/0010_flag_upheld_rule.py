"""Seed the rule that pays a member whose flag the moderators upheld (advocacy)."""

from django.db import migrations


def seed(apps, schema_editor):
    PointRule = apps.get_model("gamification", "PointRule")
    PointRule.objects.get_or_create(
        key="flag_upheld", defaults={"delta": 2, "enabled": True, "capped": False}
    )


class Migration(migrations.Migration):
    dependencies = [("gamification", "0009_rewards_backfill_earnings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
