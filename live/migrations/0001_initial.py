# The backlog's models moved from the forum app; their tables (created by forum 0003)
# keep their names, so this changes the migration state only.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("forum", "0004_moderation_advocacy_desk_fields"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LiveStream",
                    fields=[
                        ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                        ("last_id", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={"db_table": "forum_livestream"},
                ),
                migrations.CreateModel(
                    name="LiveEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("stream", models.CharField(max_length=100)),
                        ("seq", models.PositiveBigIntegerField()),
                        ("frame", models.TextField()),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ],
                    options={
                        "db_table": "forum_liveevent",
                        "constraints": [models.UniqueConstraint(fields=("stream", "seq"), name="one_live_event_per_id")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
