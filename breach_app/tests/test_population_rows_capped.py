"""An incident affecting people in many places (every US state: sixty populations) shows its ten
largest populations as editable rows, and edits the others on the same page opened in full: sixty
rows of forms took over a second to draw on every visit."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from breach_app.admin import AffectedPopulationInline
from breach_app.models import AffectedPopulation, Jurisdiction

from .test_admin_edit import change_form, recorded

pytestmark = pytest.mark.django_db


def rows_on(page):
    """The jurisdiction chosen in each population row, in page order (the empty template row left out)."""
    rows = re.findall(r'<select name="populations-(\d+)-jurisdiction"[^>]*>(.*?)</select>', page, re.S)
    return [re.search(r'<option value="([^"]*)" selected>', options).group(1) for _n, options in rows]


def test_the_largest_populations_are_shown_and_the_rest_are_edited_on_the_full_page(staff_client):
    incident = recorded(staff_client)  # CN, 1,000,001 people
    others = [code for code, _label in Jurisdiction.choices if code != "CN"][:14]
    AffectedPopulation.objects.bulk_create(
        AffectedPopulation(incident=incident, jurisdiction=code, people_min=100 + i) for i, code in enumerate(others))
    url = f"/admin/breach_app/incident/{incident.pk}/change/"
    assert AffectedPopulationInline.shown_max == 10

    page = staff_client.get(url).content.decode()
    # The ten largest, largest first; the five smallest are one click away.
    assert rows_on(page) == ["CN", *reversed(others[5:])]
    assert "?populations=all" in page and "there are more" in page

    full = staff_client.get(url + "?populations=all").content.decode()
    assert rows_on(full) == ["CN", *reversed(others)]
    assert "there are more" not in full

    # The smallest row (not on the short page) is changed from the full page; the others stay.
    smallest = incident.populations.get(jurisdiction=others[0])
    data = change_form(incident, [{"id": str(smallest.pk), "incident": str(incident.pk), "jurisdiction": others[0],
                                   "people_min": "5000", "people_max": "5000"}],
                       _change_reason="the processor's count arrived")
    response = staff_client.post(url + "?populations=all", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    counts = dict(incident.populations.values_list("jurisdiction", "people_min"))
    assert counts[others[0]] == 5000
    assert counts["CN"] == 1_000_001 and counts[others[1]] == 101 and len(counts) == 15


def page_queries(client, url):
    client.get(url)  # warm: session refresh, permission and content-type caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_both_pages_cost_the_same_queries_for_3_or_40_populations(staff_client):
    incident = recorded(staff_client)
    codes = [code for code, _label in Jurisdiction.choices if code != "CN"]
    url = f"/admin/breach_app/incident/{incident.pk}/change/"
    AffectedPopulation.objects.bulk_create(
        AffectedPopulation(incident=incident, jurisdiction=code, people_min=10) for code in codes[:2])
    few = page_queries(staff_client, url), page_queries(staff_client, url + "?populations=all")
    AffectedPopulation.objects.bulk_create(
        AffectedPopulation(incident=incident, jurisdiction=code, people_min=10) for code in codes[2:39])
    many = page_queries(staff_client, url), page_queries(staff_client, url + "?populations=all")
    assert many == few, f"{few} queries with 3 populations, {many} with 40"
