# PeriodicJob now belongs to core (core 0001); the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_periodic_job_moves_from_advocacy'),
        ('advocacy', '0013_settings_rows_share_one_constraint'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='PeriodicJob',
                ),
            ],
            database_operations=[],
        ),
    ]
