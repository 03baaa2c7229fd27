"""The covering partial index of the open cases' clock (overdue count, dashboard, reminder reconcile),
and, on PostgreSQL only, a trigram index for part of an e-mail address: the admin's search runs
``requester_email LIKE '%term%'`` (addresses are stored lower-case), which no b-tree serves.
``CREATE EXTENSION IF NOT EXISTS`` because another app's migration may create it too; SQLite has
no GIN (its LIKE scans), so it migrates and searches without it."""

from django.db import migrations, models


TRIGRAM_INDEX = "dsar_email_trgm_idx"


def create_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON requests_app_rightsrequest "
        f'USING gin ("requester_email" gin_trgm_ops)'
    )


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0010_case_facts_every_state'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='rightsrequest',
            index=models.Index(condition=models.Q(('status__in', ['received', 'awaiting_identity', 'in_progress', 'awaiting_clarification', 'response_drafted'])), fields=['due_on'], include=('id', 'assignee', 'created_at', 'clock_paused'), name='dsar_open_due_cover_idx'),
        ),
        migrations.RunPython(create_trigram, drop_trigram, elidable=False),
    ]
