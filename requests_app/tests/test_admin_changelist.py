"""The case list: constant queries as rows grow, indexed searches, work-queue filters, bulk assign,
manager-only export."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests_app import identity_checks
from requests_app.models import RightsRequest

from .factories import make_case

pytestmark = pytest.mark.django_db

URL = "/admin/requests_app/rightsrequest/"


def cases(n, *, assignee=None, **kwargs):
    now = timezone.now()
    return [
        make_case(requester_name=f"Person {i:03d}", requester_email=f"p{i}@example.com",
                  requester_phone=f"+86 138 0000 {i:04d}", received_at=now - timedelta(days=i % 20),
                  now=now, assignee=assignee, **kwargs)
        for i in range(n)
    ]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def case_queries(client, url):
    """The list's own queries (the rest is the session, the user and their permissions)."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return [q["sql"] for q in ctx.captured_queries if "requests_app_" in q["sql"]]


def test_query_count_does_not_grow_with_rows(staff_client, staff_user, manager_user):
    cases(5, assignee=staff_user)
    staff_client.get(URL)  # warm the per-process caches (content types, assignee choices)
    small, _ = count_queries(staff_client, URL)
    cases(45, assignee=manager_user)
    large, response = count_queries(staff_client, URL)
    assert len(response.context["cl"].result_list) == 50
    assert small == large
    # A count (PostgreSQL: the planner's estimate first, exact below 50,000 rows) and one page
    # query; no per-row query, no second full count.
    assert len(case_queries(staff_client, URL)) <= 3
    for url in (URL + "?deadline=overdue", URL + "?queue=mine", URL + "?status__exact=received",
                URL + "?q=Person"):
        assert count_queries(staff_client, url)[0] <= large


def test_unfiltered_list_has_no_full_count(staff_client):
    cases(3)
    _n, response = count_queries(staff_client, URL)
    cl = response.context["cl"]
    assert cl.show_full_result_count is False
    assert cl.model_admin.show_facets.name == "NEVER"
    assert cl.model_admin.date_hierarchy is None


@pytest.mark.parametrize("term, expected", [
    ("DSAR-2026-000002", ["Person 001"]),
    ("dsar-2026-2", ["Person 001"]),
    ("P3@Example.com", ["Person 003"]),
    ("+86 138 0000 0004", ["Person 004"]),
    ("Person 00", ["Person 000", "Person 001", "Person 002", "Person 003", "Person 004"]),
    ("person 002", ["Person 002"]),
    ("erson", []),  # not a prefix: no substring scan
    ("example.com", []),  # not an exact e-mail
])
def test_search_by_exact_reference_email_phone_and_name_prefix(staff_client, term, expected, settings):
    for i, case in enumerate(cases(5)):
        RightsRequest.objects.filter(pk=case.pk).update(reference=f"DSAR-2026-{i + 1:06d}")
    response = staff_client.get(URL, {"q": term})
    names = sorted(c.requester_name for c in response.context["cl"].result_list)
    assert names == expected


def test_work_queue_filters(staff_client, staff_user, manager_user):
    now = timezone.now()
    # Received ten days ago: due within 30 days whichever holidays follow (the EU month can roll
    # forward over a weekend and public holidays, e.g. 26 Dec falls on a Saturday in 2026).
    mine = make_case(requester_name="Mine", assignee=staff_user, now=now, received_at=now - timedelta(days=10))
    make_case(requester_name="Theirs", assignee=manager_user, now=now, received_at=now - timedelta(days=1))
    overdue = make_case(requester_name="Late", jurisdiction="KR", now=now, received_at=now - timedelta(days=20))
    waiting = make_case(requester_name="Waiting", now=now, received_at=now - timedelta(days=1))
    identity_checks.dsar_request_identity(case=waiting, by=staff_user)

    def names(query):
        return sorted(c.requester_name for c in staff_client.get(URL + query).context["cl"].result_list)

    assert names("?queue=mine") == ["Mine"]
    assert names("?deadline=overdue") == ["Late"]
    assert names("?queue=identity") == ["Waiting"]
    assert names(f"?assignee={manager_user.pk}") == ["Theirs"]
    assert names("?assignee=none") == ["Late", "Waiting"]
    assert names("?jurisdiction__exact=KR") == ["Late"]
    assert mine.due_on <= timezone.localdate() + timedelta(days=30)  # the engine's date, not a guess
    assert "Mine" in names("?deadline=30")
    body = staff_client.get(URL + "?deadline=overdue").content.decode()
    assert "days overdue" in body and "urgency-danger" in body  # red "days left" column (urgency.css)
    assert overdue.reference in body


def test_bulk_assign_calls_the_service(staff_client, staff_user, manager_user):
    a, b = cases(2)
    versions = {f"_loaded_version_{c.pk}": c.version for c in (a, b)}
    response = staff_client.post(URL, {"action": "assign_to_user", "_selected_action": [a.pk, b.pk],
                                       "apply": "1", "assignee": manager_user.pk, **versions})
    assert response.status_code == 302
    assert set(RightsRequest.objects.values_list("assignee", flat=True)) == {manager_user.pk}
    assert a.timeline.filter(kind="assigned").exists()
    assert a.history.first().history_user == staff_user
    # Taking back a case a colleague now holds would give its identity documents: refused.
    a.refresh_from_db()
    staff_client.post(URL, {"action": "assign_to_me", "_selected_action": [a.pk], "apply": "1",
                            f"_loaded_version_{a.pk}": a.version})
    a.refresh_from_db()
    assert a.assignee == manager_user


def test_export_is_for_managers_only(staff_client, manager_client):
    cases(2)
    export_url = reverse("admin:requests_app_rightsrequest_export")
    assert staff_client.get(export_url).status_code == 403
    assert manager_client.get(export_url).status_code == 200


def test_dashboard_cards_link_to_the_filtered_list(staff_client, staff_user):
    now = timezone.now()
    make_case(jurisdiction="KR", now=now, received_at=now - timedelta(days=20))
    response = staff_client.get("/admin/")
    body = response.content.decode()
    assert "Rights requests" in body
    assert f"{URL}?deadline=overdue" in body
