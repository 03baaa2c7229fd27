"""The activity search and autocomplete: an exact code through the unique index, any other term as a
substring of codes, names, purposes and field names (PostgreSQL: trigram indexes)."""

import importlib

import pytest
from django.db import connection
from django.urls import reverse

from inventory_app.models import ProcessingActivity
from inventory_app.tests.test_flat_queries import make_activities


def _changelist_codes(client, term) -> list[str]:
    response = client.get(reverse("admin:inventory_app_processingactivity_changelist"), {"q": term})
    assert response.status_code == 200
    return sorted(a.code for a in response.context["cl"].result_list)


def _autocomplete_codes(client, term) -> list[str]:
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "inventory_app", "model_name": "activityfield", "field_name": "activity", "term": term})
    assert response.status_code == 200
    names = [row["text"] for row in response.json()["results"]]
    return sorted(ProcessingActivity.objects.filter(pk__in=[r["id"] for r in response.json()["results"]])
                  .values_list("code", flat=True)) if names else []


def test_an_exact_code_finds_only_that_activity(staff_client):
    make_activities(12, fields_each=1)
    # "a1" is also part of a10 and a11: the exact code wins, in the list and in the autocomplete.
    assert _changelist_codes(staff_client, "a1") == ["a1"]
    assert _changelist_codes(staff_client, " a1 ") == ["a1"]
    assert _autocomplete_codes(staff_client, "a1") == ["a1"]


def test_any_other_term_still_searches_names_purposes_and_fields(staff_client):
    make_activities(12, fields_each=1)
    assert _changelist_codes(staff_client, "ctivity 1") == ["a1", "a10", "a11"]
    assert _changelist_codes(staff_client, "活动1") == ["a1", "a10", "a11"]
    assert _changelist_codes(staff_client, "field 11-") == ["a11"]  # a field's English name
    assert _autocomplete_codes(staff_client, "ctivity 1") == ["a1", "a10", "a11"]
    assert _changelist_codes(staff_client, "no such thing") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.django_db
def test_the_trigram_indexes_exist_and_creating_them_again_changes_nothing():
    migration = importlib.import_module("inventory_app.migrations.0009_search_trigram_indexes")
    later = importlib.import_module("inventory_app.migrations.0013_bulkperf_search_trigram_indexes")
    names = {name for name, _table, _column in [*migration.TRIGRAM_INDEXES, *later.TRIGRAM_INDEXES]}

    def present():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'inv_%%_trgm_idx'")
            return {row[0] for row in cursor.fetchall()}

    assert present() == names
    with connection.schema_editor() as editor:
        migration.create_trigram(None, editor)
    assert present() == names
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM inventory_app_processingactivity WHERE UPPER(name_en::text) LIKE UPPER(%s)",
                       ["%ctivity 1%"])
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "inv_activity_name_en_trgm_idx" in plan, plan
