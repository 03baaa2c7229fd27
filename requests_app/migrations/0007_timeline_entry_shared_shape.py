# The timeline takes the office's shared shape (TimelineEntryBase): "message" may be blank (an entry that
# is only a note). Forms only: no SQL (sqlmigrate prints nothing but the transaction).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0006_case_erasure_tombstone'),
    ]

    operations = [
        migrations.AlterField(
            model_name='timelineentry',
            name='message',
            field=models.CharField(blank=True, max_length=300, verbose_name='message'),
        ),
    ]
