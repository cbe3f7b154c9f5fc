# The e-mail models moved from advocacy (created by its migration 0007); the tables keep
# their names, so this changes the migration state only.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('advocacy', '0010_seed_canned_responses'),
        ('forum', '0005_live_backlog_moves_to_live'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='EmailDigestState',
                    fields=[
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to=settings.AUTH_USER_MODEL)),
                        ('covered_until', models.DateTimeField()),
                        ('last_sent_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'verbose_name': 'e-mail digest state',
                        'verbose_name_plural': 'e-mail digest states',
                        'db_table': 'advocacy_emaildigeststate',
                    },
                ),
                migrations.CreateModel(
                    name='NotificationEmail',
                    fields=[
                        ('notification', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='forum.notification')),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'verbose_name': 'notification e-mail',
                        'verbose_name_plural': 'notification e-mails',
                        'db_table': 'advocacy_notificationemail',
                    },
                ),
                migrations.CreateModel(
                    name='EmailPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('answer', 'answer to your question'), ('comment', 'comment on your post'), ('mention', 'mention'), ('accepted', 'your answer was accepted'), ('badge', 'badge awarded'), ('reward', 'reward redemption'), ('moderation', 'moderation'), ('advocate', 'advocate programme'), ('escalation', 'escalation'), ('sla', 'SLA alert')], max_length=20, verbose_name='notification')),
                        ('mode', models.CharField(choices=[('instant', 'Right away'), ('digest', 'In the daily digest'), ('off', 'Never')], max_length=10, verbose_name='e-mail')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='email_preferences', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'e-mail preference',
                        'verbose_name_plural': 'e-mail preferences',
                        'db_table': 'advocacy_emailpreference',
                        'constraints': [models.UniqueConstraint(fields=('user', 'kind'), name='email_preference_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
