"""Default SLA policies (urgent 1 h / 4 h, high 4 h / 1 day, normal 8 h / 3 days, low
1 day / 5 days) and the default tiered rules (15 minutes without a community answer:
alert online advocates; 60 minutes unsolved: escalate), all tunable in the admin."""

from django.db import migrations
from django.utils import timezone

POLICIES = {
    "urgent": (60, 4 * 60),
    "high": (4 * 60, 24 * 60),
    "normal": (8 * 60, 3 * 24 * 60),
    "low": (24 * 60, 5 * 24 * 60),
}


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("advocacy", "SlaPolicy")
    SlaRule = apps.get_model("advocacy", "SlaRule")
    SlaSettings = apps.get_model("advocacy", "SlaSettings")
    for priority, (first, resolve) in POLICIES.items():
        SlaPolicy.objects.get_or_create(
            priority=priority,
            defaults={"first_response_minutes": first, "resolution_minutes": resolve},
        )
    now = timezone.now()
    for action, minutes in (("notify_advocates", 15), ("escalate", 60)):
        if not SlaRule.objects.filter(category__isnull=True, action=action).exists():
            SlaRule.objects.create(
                category=None, action=action, after_minutes=minutes, active_since=now
            )
    SlaSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("advocacy", "0007_sla_email_crm_periodic_jobs")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
