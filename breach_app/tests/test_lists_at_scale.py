"""The incident and obligation lists as they behave at 100,000 incidents: exact references through
the unique index, substring search, nearest-deadline order, a fixed number of queries per page,
and list actions refused past BULK_ACTION_MAX_ROWS."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from breach_app.admin import ObligationAdmin
from breach_app.models import Incident, Obligation

from .factories import make_incident

pytestmark = pytest.mark.django_db

INCIDENTS = "/admin/breach_app/incident/"
OBLIGATIONS = "/admin/breach_app/obligation/"


def references(page: str) -> list[str]:
    """The incident references listed (as links or in the incident column), in page order."""
    return re.findall(r">(INC-\d{4}-\d{4})[ <]", page)


def test_incident_search_by_reference_is_exact_and_accepts_how_people_type_it(staff_client, staff_user):
    wanted = make_incident(by=staff_user, title="Lost laptop")
    mentions = make_incident(by=staff_user, title=f"Follow-up of {wanted.reference}")
    number = int(wanted.reference.rsplit("-", 1)[1])
    typed = f"inc-{wanted.reference[4:8]}-{number}"  # lower case, without the leading zeros
    listed = references(staff_client.get(INCIDENTS, {"q": typed}).content.decode())
    assert listed == [wanted.reference]  # not the incident whose title mentions it
    # Anything else is a substring search over reference and title.
    assert references(staff_client.get(INCIDENTS, {"q": "laptop"}).content.decode()) == [wanted.reference]
    assert references(staff_client.get(INCIDENTS, {"q": "follow-up"}).content.decode()) == [mentions.reference]


def test_incidents_sorted_by_nearest_deadline_put_empty_clocks_last(staff_client, staff_user):
    now = timezone.now()
    later = make_incident(by=staff_user, title="later", discovered_at=now - timedelta(minutes=5))
    sooner = make_incident(by=staff_user, title="sooner", discovered_at=now - timedelta(hours=2))
    none = make_incident(by=staff_user, title="no clock", discovered_at=now - timedelta(hours=1))
    Incident.objects.filter(pk=none.pk).update(next_deadline=None)
    Incident.objects.filter(pk=sooner.pk).update(next_deadline=now + timedelta(hours=1))
    Incident.objects.filter(pk=later.pk).update(next_deadline=now + timedelta(hours=3))
    # Column 6 is "nearest deadline" (0 is the action checkbox).
    ascending = references(staff_client.get(INCIDENTS, {"o": "6"}).content.decode())
    assert [r for r in ascending if r in {later.reference, sooner.reference, none.reference}] == [
        sooner.reference, later.reference, none.reference]
    descending = references(staff_client.get(INCIDENTS, {"o": "-6"}).content.decode())
    assert [r for r in descending if r in {later.reference, sooner.reference, none.reference}] == [
        none.reference, later.reference, sooner.reference]


@pytest.fixture
def three_incidents(staff_user):
    a = make_incident(by=staff_user, title="Ticket store exposed")
    b = make_incident(by=staff_user, title="Lost laptop in Munich", populations={"EU": {"people_min": 20}})
    c = make_incident(by=staff_user, title="Vendor leak", populations={"EU": {"people_min": 20}})
    ob = b.obligations.order_by("code").first()
    Obligation.objects.filter(pk=ob.pk).update(regulator_reference="BayLDA-2026-7781")
    return a, b, c


def listed_incidents(page: str) -> set[str]:
    return set(references(page))


@pytest.mark.parametrize("ids_max", [1000, 0], ids=["by incident ids", "by subquery"])
def test_obligation_search_finds_by_incident_title_reference_code_and_regulator_reference(
        staff_client, three_incidents, monkeypatch, ids_max):
    monkeypatch.setattr(ObligationAdmin, "SEARCH_INCIDENT_IDS_MAX", ids_max)
    a, b, c = three_incidents
    found = listed_incidents(staff_client.get(OBLIGATIONS, {"q": "laptop munich"}).content.decode())
    assert found == {b.reference}
    found = listed_incidents(staff_client.get(OBLIGATIONS, {"q": a.reference.lower()}).content.decode())
    assert found == {a.reference}
    page = staff_client.get(OBLIGATIONS, {"q": "lda-2026-77"}).content.decode()
    assert listed_incidents(page) == {b.reference} and page.count('class="action-select"') == 1
    found = listed_incidents(staff_client.get(OBLIGATIONS, {"q": "cn-cac"}).content.decode())
    assert found == {a.reference}  # only the first incident affects people in China


def test_obligation_list_costs_the_same_queries_for_5_or_50_rows_and_counts_no_facets(staff_client, staff_user):
    make_incident(by=staff_user)

    def queries(url):
        staff_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = staff_client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    few, _page = queries(OBLIGATIONS)
    for i in range(8):
        make_incident(by=staff_user, title=f"more {i}", populations={"EU": {"people_min": 20}, "CN": {"people_min": 5}})
    assert Obligation.objects.count() >= 50
    many, page = queries(OBLIGATIONS)
    assert many == few
    assert queries(OBLIGATIONS + "?status__exact=pending&jurisdiction__exact=EU")[0] <= few + 1
    assert "show_facets" not in page  # no facet counts offered: each would count 300,000 rows
    # Only the deadline column sorts (its order is indexed); the others are plain headers.
    assert re.search(r'<th scope="col" class="sortable[^"]*column-obligation_deadline', page)
    assert not re.search(r'<th scope="col" class="sortable[^"]*column-name_link', page)


def test_list_action_over_the_limit_is_refused_with_a_message_and_changes_nothing(
        staff_client, staff_user, settings):
    settings.BULK_ACTION_MAX_ROWS = 2
    incidents = [make_incident(by=staff_user, title=f"leak {i}") for i in range(3)]
    versions = {f"_loaded_version_{i.pk}": i.version for i in incidents}
    response = staff_client.post(INCIDENTS, {"action": "generate_drafts", "_selected_action": [i.pk for i in incidents],
                                             "apply": "1", **versions}, follow=True)
    assert "More than 2 records are selected; a list action works on at most 2 at a time." in response.content.decode()
    assert not Obligation.objects.filter(incident__in=incidents, drafts__isnull=False).exists()
    # "Select all" across the list is the same selection.
    response = staff_client.post(OBLIGATIONS, {"action": "mark_sent", "select_across": "1",
                                               "_selected_action": [incidents[0].obligations.first().pk]}, follow=True)
    assert "More than 2 records are selected" in response.content.decode()
    # Within the limit the confirmation page lists the records.
    response = staff_client.post(INCIDENTS, {"action": "generate_drafts",
                                             "_selected_action": [i.pk for i in incidents[:2]]})
    page = response.content.decode()
    assert incidents[0].reference in page and incidents[1].reference in page


def test_list_action_message_reads_in_chinese(staff_client, staff_user, settings):
    settings.BULK_ACTION_MAX_ROWS = 1
    incidents = [make_incident(by=staff_user, title=f"leak {i}") for i in range(2)]
    response = staff_client.post(INCIDENTS, {"action": "generate_drafts", "_selected_action": [i.pk for i in incidents]},
                                 follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "超过 1 条记录" in response.content.decode()
