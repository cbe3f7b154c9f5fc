# PeriodicJob moved from advocacy (created by its migration 0007); the table keeps its
# name, so this changes the migration state only.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('advocacy', '0012_automation_rules'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PeriodicJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('schedule', models.CharField(blank=True, max_length=100, verbose_name='schedule')),
                        ('next_run_at', models.DateTimeField(db_index=True, verbose_name='next run')),
                        ('last_enqueued_at', models.DateTimeField(blank=True, null=True, verbose_name='last enqueued')),
                        ('last_task_id', models.CharField(blank=True, max_length=64, verbose_name='last task id')),
                        ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                    ],
                    options={
                        'verbose_name': 'periodic job',
                        'verbose_name_plural': 'periodic jobs',
                        'db_table': 'advocacy_periodicjob',
                        'ordering': ['name'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
