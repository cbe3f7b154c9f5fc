"""Seed the badge tuning and the default ranks (numbers copied, not imported, so this
migration keeps meaning what it meant)."""

from django.db import migrations

BADGES = {
    "curious": None,
    "first-answer": None,
    "supporter": None,
    "commentator": 10,
    "civic-duty": 100,
    "well-received": 5,
    "good-answer": 10,
    "great-answer": 25,
    "problem-solver": 1,
    "troubleshooter": 10,
    "expert": 50,
    "guru": 150,
    "quick-fix": 15,
    "regular": 7,
    "tag-bronze": 10,
    "tag-silver": 50,
    "tag-gold": 150,
}
RANKS = [
    (1, "Newcomer", "Nuovo arrivato"),
    (50, "Member", "Membro"),
    (200, "Contributor", "Collaboratore"),
    (1000, "Expert", "Esperto"),
    (3000, "Champion", "Campione"),
    (10000, "Legend", "Leggenda"),
]


def seed(apps, schema_editor):
    Badge = apps.get_model("gamification", "Badge")
    Rank = apps.get_model("gamification", "Rank")
    for key, threshold in BADGES.items():
        Badge.objects.get_or_create(key=key, defaults={"enabled": True, "threshold": threshold})
    if not Rank.objects.exists():
        for reputation, name, name_it in RANKS:
            Rank.objects.create(reputation=reputation, name=name, name_it=name_it)


class Migration(migrations.Migration):
    dependencies = [("gamification", "0004_badges_ranks_leaderboards")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
