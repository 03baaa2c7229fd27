"""Substring search on the incident timeline (its notes) and on notice drafts (their text) on
PostgreSQL: the admin's search runs ``UPPER("note"::text) LIKE UPPER('%term%')`` (Django's
icontains), which no b-tree serves; a trigram GIN index (``pg_trgm``) on the same expression does.
``IF NOT EXISTS`` everywhere: another migration creates the extension too, and running this twice
changes nothing. SQLite has no GIN (its LIKE scans the small demo tables): PostgreSQL only."""

from django.db import migrations

INDEXES = {
    "inc_timeline_note_trgm_idx": ("breach_app_timelineentry", "note"),
    "notice_draft_body_trgm_idx": ("breach_app_noticedraft", "body"),
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
    dependencies = [('breach_app', '0014_search_trigram_indexes')]
    operations = [migrations.RunPython(create, drop, elidable=False)]
