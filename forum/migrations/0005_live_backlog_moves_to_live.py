# LiveStream and LiveEvent now belong to the live app (live 0001); the tables stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("forum", "0004_moderation_advocacy_desk_fields"),
        ("live", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="LiveEvent"),
                migrations.DeleteModel(name="LiveStream"),
            ],
            database_operations=[],
        ),
    ]
