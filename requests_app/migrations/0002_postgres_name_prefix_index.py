"""Name-prefix search on PostgreSQL: the admin's search runs
``UPPER("requester_name"::text) LIKE UPPER('term%')`` (Django's istartswith). With a non-C
collation only an expression index with ``text_pattern_ops`` serves it; SQLite has no operator
classes (its LIKE is case-insensitive and uses ``dsar_name_idx``), so this is PostgreSQL only."""

from django.db import migrations

INDEX = "dsar_name_prefix_upper_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {INDEX} ON requests_app_rightsrequest '
        f'(UPPER("requester_name"::text) text_pattern_ops)'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
