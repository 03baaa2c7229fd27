"""An incident affecting people in many places (every US state: sixty populations) lists them
read-only on its page, largest first, and edits them on the same page opened with
``?populations=all``: sixty rows of forms, each with a select of every jurisdiction, took over a
second to draw on every visit."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from breach_app.models import AffectedPopulation, Jurisdiction

from .test_admin_edit import change_form, recorded

pytestmark = pytest.mark.django_db


def rows_on(page):
    """The jurisdiction chosen in each population row, in page order (the empty template row left out)."""
    rows = re.findall(r'<select name="populations-(\d+)-jurisdiction"[^>]*>(.*?)</select>', page, re.S)
    return [re.search(r'<option value="([^"]*)" selected>', options).group(1) for _n, options in rows]


def listed_on(page):
    """The jurisdictions of the read-only list, in page order."""
    block = page.split('id="populations-summary"', 1)[1].split("</fieldset>", 1)[0]
    return [html.unescape(name) for name in re.findall(r"<li>([^<:]*): ", block)]


def test_populations_are_listed_largest_first_and_edited_on_the_full_page(staff_client):
    incident = recorded(staff_client)  # CN, 1,000,001 people
    others = [code for code, _label in Jurisdiction.choices if code != "CN"][:14]
    AffectedPopulation.objects.bulk_create(
        AffectedPopulation(incident=incident, jurisdiction=code, people_min=100 + i) for i, code in enumerate(others))
    url = f"/admin/breach_app/incident/{incident.pk}/change/"
    names = dict(Jurisdiction.choices)

    page = staff_client.get(url).content.decode()
    # Every place, largest first, as text: no population form (and no select per row) on the page.
    assert listed_on(page) == [str(names[code]) for code in ["CN", *reversed(others)]]
    assert rows_on(page) == [] and 'name="populations-TOTAL_FORMS"' not in page
    assert 'href="?populations=all"' in page

    full = staff_client.get(url + "?populations=all").content.decode()
    assert rows_on(full) == ["CN", *reversed(others)]
    assert "there are more" not in full and 'id="populations-summary"' not in full

    # The smallest row is changed from the full page; the others stay.
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


def test_the_full_page_rows_keep_the_inline_scripts_names_and_a_reader_sees_them_read_only(staff_client,
                                                                                           auditor_client):
    """The editable rows are written from their forms (not through Django's generic tabular
    template) with the same names, ids and classes, so "add another" still copies the empty row;
    someone who may only read the incident gets Django's read-only rows."""
    incident = recorded(staff_client)
    url = f"/admin/breach_app/incident/{incident.pk}/change/?populations=all"
    row = incident.populations.get()

    full = staff_client.get(url).content.decode()
    assert 'data-inline-type="tabular"' in full and 'id="populations-group"' in full
    assert re.search(r'<tr class="form-row has_original" id="populations-0">', full)
    assert f'<input type="hidden" name="populations-0-id" value="{row.pk}" id="id_populations-0-id">' in full
    assert re.search(r'<tr class="form-row empty-form" id="populations-empty">', full)
    assert 'name="populations-__prefix__-jurisdiction"' in full
    assert '<td class="field-people_min"><input type="number" name="populations-0-people_min" value="1000001"' in full

    read_only = auditor_client.get(url).content.decode()
    assert rows_on(read_only) == [] and 'name="populations-0-people_min"' not in read_only
    assert 'class="field-people_min"' in read_only and "populations-empty" not in read_only
