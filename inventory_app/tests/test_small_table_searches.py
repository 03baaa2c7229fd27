"""Searches on the inventory tables that grow with it: a transfer's two-letter destination is matched
exactly (typing "us" no longer lists every destination holding a "u" or an "s"), activities and
recipients are still found by part of their names, and on PostgreSQL the recipient and heading
searches have trigram indexes to read."""

import pytest
from django.db import connection

from inventory_app.models import Transfer

from .test_flat_queries import make_activities

pytestmark = pytest.mark.django_db

TRANSFERS = "/admin/inventory_app/transfer/"
RECIPIENTS = "/admin/inventory_app/recipient/"


def listed_transfers(client, term) -> int:
    page = client.get(TRANSFERS, {"q": term}).content.decode()
    return page.count('class="action-select"')


def test_a_destination_is_matched_exactly_and_activities_by_part_of_their_name(manager_client):
    first, second = make_activities(2)
    Transfer.objects.filter(activity=second).update(destination_country="SG")
    assert listed_transfers(manager_client, "us") == 1  # typed in lower case
    assert listed_transfers(manager_client, "SG") == 1
    assert listed_transfers(manager_client, "S") == 0  # not a substring of "US" and "SG"
    assert listed_transfers(manager_client, "活动") == 2


def test_recipients_are_found_by_part_of_their_code_or_names(manager_client):
    make_activities(3)
    def listed(term):  # the codes linked in the list's first column
        page = manager_client.get(RECIPIENTS, {"q": term}).content.decode()
        return {code for code in ("r0", "r1", "r2") if f">{code}</a>" in page}

    assert listed("ipient 1") == {"r1"}
    assert listed("接收方") == {"r0", "r1", "r2"}
    assert listed("r2") == {"r2"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_the_recipient_and_heading_searches_have_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'inv_%%trgm_idx'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"inv_recipient_code_trgm_idx", "inv_recipient_name_trgm_idx", "inv_recipient_name_en_trgm_idx",
            "inv_activityfield_group_zh_trgm_idx"} <= names
