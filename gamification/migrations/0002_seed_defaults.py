"""Seed the point rules, the settings singleton and the privilege thresholds with the
defaults of PRODUCT.md, so the community manager finds them in the admin.

The numbers are copied here (not imported) so this migration keeps meaning what it meant
when the code's defaults change later.
"""

from django.db import migrations

RULES = [
    # key, delta, enabled, capped
    ("answer_upvoted", 10, True, True),
    ("question_upvoted", 5, True, True),
    ("answer_accepted", 15, True, False),
    ("accept_bonus_asker", 2, True, False),
    ("answer_downvoted", -2, True, False),
    ("downvote_cast", -1, True, False),
    ("staff_verified", 20, True, False),
    ("question_downvoted", -2, False, False),
]
PRIVILEGES = {
    "upvote": 15,
    "flag": 15,
    "comment": 50,
    "downvote": 125,
    "review": 500,
    "edit_any": 1000,
    "close": 2000,
}


def seed(apps, schema_editor):
    PointRule = apps.get_model("gamification", "PointRule")
    PointSettings = apps.get_model("gamification", "PointSettings")
    PrivilegeThreshold = apps.get_model("gamification", "PrivilegeThreshold")
    for key, delta, enabled, capped in RULES:
        PointRule.objects.get_or_create(
            key=key, defaults={"delta": delta, "enabled": enabled, "capped": capped}
        )
    PointSettings.objects.get_or_create(
        pk=1, defaults={"daily_vote_cap": 200, "reputation_floor": 1}
    )
    for key, reputation in PRIVILEGES.items():
        PrivilegeThreshold.objects.get_or_create(key=key, defaults={"reputation": reputation})


class Migration(migrations.Migration):
    dependencies = [("gamification", "0001_ledger_rules_privileges")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
