"""Substring search on incidents and obligations on PostgreSQL: the admin's search runs
``UPPER("title"::text) LIKE UPPER('%term%')`` (Django's icontains), which no b-tree serves; a
trigram GIN index (``pg_trgm``) on the same expression does. ``CREATE EXTENSION IF NOT EXISTS``
because another app's migration may create the extension too. SQLite has neither operator
classes nor GIN (its LIKE scans the small demo tables), so this is PostgreSQL only."""

from django.db import migrations

INDEXES = {
    "incident_title_trgm_idx": ("breach_app_incident", "title"),
    "incident_reference_trgm_idx": ("breach_app_incident", "reference"),
    "obligation_regref_trgm_idx": ("breach_app_obligation", "regulator_reference"),
    "obligation_code_trgm_idx": ("breach_app_obligation", "code"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("breach_app", "0013_list_order_and_deadline_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
