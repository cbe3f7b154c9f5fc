# The e-mail models now belong to the notifications app (notifications 0001); tables stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
        ('advocacy', '0010_seed_canned_responses'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='emailpreference',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='notificationemail',
                    name='notification',
                ),
                migrations.DeleteModel(
                    name='EmailDigestState',
                ),
                migrations.DeleteModel(
                    name='EmailPreference',
                ),
                migrations.DeleteModel(
                    name='NotificationEmail',
                ),
            ],
            database_operations=[],
        ),
    ]
