"""The case list finds a case by part of its e-mail address, and a broad filter stays pageable to
its end: past the exact-count cap PostgreSQL gives the planner's estimate and the last page is the
true end of the list; SQLite still pages up to the cap."""

import copy

import pytest
from django.db import connection
from django.urls import reverse

from privacy_office.admin_base import LargeTablePaginator
from requests_app.models import RightsRequest

from .factories import make_case

pytestmark = pytest.mark.django_db

URL = reverse("admin:requests_app_rightsrequest_changelist")


def listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [case.reference for case in response.context["cl"].result_list]


def test_part_of_an_email_address_finds_the_case(staff_client):
    anna = make_case(requester_email="Anna.Schmidt@Example.com")
    make_case(requester_name="Bo Li", requester_email="bo.li@aqara.example")
    assert listed(staff_client, q="anna.schmidt@example.com") == [anna.reference]
    assert listed(staff_client, q="schmidt@") == [anna.reference]
    assert listed(staff_client, q="@EXAMPLE.com") == [anna.reference]
    assert listed(staff_client, q="nobody@") == []


def many_cases(n):
    model = make_case()
    rows = []
    for i in range(n - 1):
        row = copy.copy(model)
        row.pk = None
        row.reference = f"DSAR-2026-{800000 + i:06d}"
        rows.append(row)
    RightsRequest.objects.bulk_create(rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_a_filter_past_the_cap_gets_an_estimate_and_a_true_last_page(staff_client, monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "CAP", 20)
    many_cases(120)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE requests_app_rightsrequest")
    response = staff_client.get(URL, {"status__exact": "received"})
    paginator = response.context["cl"].paginator
    assert paginator.estimated and paginator.count > 20
    last = paginator.num_pages
    assert last > 1
    response = staff_client.get(URL, {"status__exact": "received", "p": last})
    assert response.status_code == 200
    expected = list(RightsRequest.objects.filter(status="received").order_by("-due_on", "-id")
                    .values_list("reference", flat=True)[:50])[::-1]
    shown = [case.reference for case in response.context["cl"].result_list]
    assert shown == expected[-len(shown):] and shown


def test_sqlite_and_postgres_page_a_filtered_list_up_to_the_cap(staff_client, monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "CAP", 60)
    many_cases(60)
    response = staff_client.get(URL, {"status__exact": "received", "p": 2})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 10  # 60 rows, 50 a page
    assert response.context["cl"].paginator.count == 60
