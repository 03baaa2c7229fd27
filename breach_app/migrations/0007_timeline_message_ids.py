"""The incident timeline takes the shared timeline shape: append-only, not versioned, no history.

System entries from now on store a message id and its parameters (shown in each reader's language);
the entries written so far keep their words as their note, and who wrote them moves to ``by``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def _check_foreign_keys_now(schema_editor):
    # PostgreSQL refuses to alter a table with foreign-key checks still deferred from an UPDATE in
    # the same transaction ("pending trigger events"): run them before the columns are dropped.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def text_to_note(apps, schema_editor):
    TimelineEntry = apps.get_model("breach_app", "TimelineEntry")
    TimelineEntry.objects.update(note=F("text"), by=F("recorded_by"))
    _check_foreign_keys_now(schema_editor)


def note_to_text(apps, schema_editor):
    TimelineEntry = apps.get_model("breach_app", "TimelineEntry")
    TimelineEntry.objects.update(text=F("note"), recorded_by=F("by"))
    _check_foreign_keys_now(schema_editor)


def drop_edit_permissions(apps, schema_editor):
    # Append-only: only the view permission is declared now, and Django never removes the old ones.
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="breach_app", content_type__model="timelineentry",
                              codename__in=["add_timelineentry", "change_timelineentry", "delete_timelineentry"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('breach_app', '0006_incident_withdrawn_children_protected'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='timelineentry',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AddField(
            model_name='timelineentry',
            name='message',
            field=models.CharField(blank=True, max_length=300, verbose_name='message'),
        ),
        migrations.AddField(
            model_name='timelineentry',
            name='note',
            field=models.TextField(blank=True, verbose_name='note'),
        ),
        migrations.AddField(
            model_name='timelineentry',
            name='params',
            field=models.JSONField(blank=True, default=dict, verbose_name='details'),
        ),
        migrations.RunPython(text_to_note, note_to_text),
        # A default only so that going back can re-add the column to rows that already exist.
        migrations.AlterField(
            model_name='timelineentry',
            name='text',
            field=models.TextField(default='', verbose_name='what'),
        ),
        migrations.RemoveField(
            model_name='timelineentry',
            name='recorded_by',
        ),
        migrations.RemoveField(
            model_name='timelineentry',
            name='text',
        ),
        migrations.RemoveField(
            model_name='timelineentry',
            name='version',
        ),
        migrations.AlterModelOptions(
            name='timelineentry',
            options={'default_permissions': ('view',), 'ordering': ['incident', 'at', 'id'], 'verbose_name': 'timeline entry', 'verbose_name_plural': 'timeline'},
        ),
        migrations.AlterField(
            model_name='historicalobligation',
            name='recipient',
            field=models.CharField(choices=[('regulator', 'regulator'), ('individuals', 'individuals'), ('attorney_general', 'attorney general'), ('public_notice', 'public notice'), ('credit_bureaus', 'credit bureaus'), ('controller', 'controller (Aqara acted as processor)')], max_length=20, verbose_name='recipient'),
        ),
        migrations.AlterField(
            model_name='obligation',
            name='recipient',
            field=models.CharField(choices=[('regulator', 'regulator'), ('individuals', 'individuals'), ('attorney_general', 'attorney general'), ('public_notice', 'public notice'), ('credit_bureaus', 'credit bureaus'), ('controller', 'controller (Aqara acted as processor)')], max_length=20, verbose_name='recipient'),
        ),
        migrations.AlterField(
            model_name='timelineentry',
            name='at',
            field=models.DateTimeField(verbose_name='when'),
        ),
        migrations.AlterField(
            model_name='timelineentry',
            name='id',
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.DeleteModel(
            name='HistoricalTimelineEntry',
        ),
        migrations.RunPython(drop_edit_permissions, migrations.RunPython.noop),
    ]
