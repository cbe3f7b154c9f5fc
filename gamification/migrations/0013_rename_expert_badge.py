"""The "Expert" badge (50 accepted answers) becomes "Authority": "Expert" is also the rank at
1,000 reputation (issue 15). Badge names live in code; the only stored copies are in the
bell's badge notifications, which keep the name in each language."""

from django.db import migrations

OLD = {"en": "Expert", "it": "Esperto"}
NEW = {"en": "Authority", "it": "Autorità"}


def rename(apps, schema_editor, before=OLD, after=NEW):
    Notification = apps.get_model("forum", "Notification")
    for notification in Notification.objects.filter(kind="badge", link__endswith="#badge-expert"):
        params = (notification.data or {}).get("params") or {}
        if params.get("badge") == before:
            params["badge"] = dict(after)
            notification.save(update_fields=["data"])


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, before=NEW, after=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("gamification", "0012_score_buckets"),
        ("forum", "0007_solved_thread_views"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
