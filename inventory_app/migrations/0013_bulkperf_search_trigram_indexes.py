"""On PostgreSQL only, trigram indexes for the inventory searches 0009 left out, on the tables that
grow with the inventory: recipients (searched by code and names, the autocomplete of every
activity and transfer) and the field spreadsheet's headings (one row per activity × field). The
admin's search runs ``UPPER(col::text) LIKE UPPER('%term%')``, which no b-tree serves; a GIN index
on the same expression with ``gin_trgm_ops`` does. ``IF NOT EXISTS`` everywhere (another app's
migration creates the extension too). SQLite has no GIN: it migrates and searches without them."""

from django.db import migrations

# (index name, table, column)
TRIGRAM_INDEXES = [
    ("inv_recipient_code_trgm_idx", "inventory_app_recipient", "code"),
    ("inv_recipient_name_trgm_idx", "inventory_app_recipient", "name"),
    ("inv_recipient_name_en_trgm_idx", "inventory_app_recipient", "name_en"),
    ("inv_activityfield_group_zh_trgm_idx", "inventory_app_activityfield", "group_zh"),
]


def create_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        # The expression Django's icontains writes, so the planner can use the index for it.
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("inventory_app", "0012_controller_address_en"),
    ]

    operations = [
        migrations.RunPython(create_trigram, drop_trigram, elidable=False),
    ]
