"""Bulk assignment is set-based: 500 cases cost the queries of 50, every case still gets its history
row (who, why), audit-log entry and timeline entry, ended cases and stale pages are refused and
named, and a selection over BULK_ACTION_MAX_ROWS is refused with a message."""

import copy

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacy_office.models import AuditLogEntry
from requests_app.models import RightsRequest, Status, TimelineEntry

from .factories import make_case

pytestmark = pytest.mark.django_db

URL = reverse("admin:requests_app_rightsrequest_changelist")


def many_cases(n, *, start=0):
    """``n`` open cases as copies of one registered case (registering each through the service
    would make the test minutes long; the assignment is what is measured)."""
    model = make_case()
    rows = []
    for i in range(n - 1):
        row = copy.copy(model)
        row.pk = None
        row.reference = f"DSAR-2026-{900000 - start - i:06d}"
        rows.append(row)
    return [model, *RightsRequest.objects.bulk_create(rows)]


def post_assign(client, cases, **extra):
    versions = {f"_loaded_version_{c.pk}": c.version for c in cases}
    return client.post(URL, {"action": "assign_to_me", "_selected_action": [c.pk for c in cases], "apply": "1",
                             **versions, **extra}, follow=True)


def assign_queries(client, cases):
    with CaptureQueriesContext(connection) as ctx:
        response = post_assign(client, cases)
    assert response.status_code == 200
    assert f"{len(cases)} cases assigned." in response.content.decode()
    return len(ctx.captured_queries)


def test_assigning_500_cases_costs_the_queries_of_50(staff_client, staff_user):
    warm_up = many_cases(5, start=600)  # content types, permissions and sessions read once
    small = many_cases(50)
    large = many_cases(500, start=50)
    assign_queries(staff_client, warm_up)
    few = assign_queries(staff_client, small)
    many = assign_queries(staff_client, large)
    if connection.vendor == "postgresql":
        assert many == few
    else:
        # SQLite takes at most 999 parameters a statement, so the history INSERT (some 50 columns)
        # is split into batches of about 20 rows: it grows by batch, far below one query a case.
        assert many <= few + len(large) // 10
    assert RightsRequest.objects.filter(assignee=staff_user).count() == 555


def test_each_assigned_case_keeps_history_audit_and_timeline(staff_client, staff_user):
    cases = many_cases(3)
    post_assign(staff_client, cases)
    ct = ContentType.objects.get_for_model(RightsRequest)
    for case in cases:
        fresh = RightsRequest.objects.get(pk=case.pk)
        assert fresh.version == case.version + 1
        record = fresh.history.order_by("-history_id").first()
        assert (record.history_type, record.history_user, record.history_change_reason) == ("~", staff_user, "assigned")
        assert record.assignee_id == staff_user.pk
        entry = AuditLogEntry.objects.get(content_type=ct, object_id=str(case.pk), history_id=record.pk)
        assert entry.user_name == "staff"
        assert entry.changes == [{"field": "assignee", "old": "", "new": str(staff_user.pk)}]
        timeline = fresh.timeline.get(kind=TimelineEntry.Kind.ASSIGNED)
        assert timeline.by == staff_user
        assert timeline.text == "Assigned to staff (was: —)."


def test_an_ended_case_in_the_selection_is_refused_and_named(staff_client, staff_user):
    cases = many_cases(3)
    RightsRequest.objects.filter(pk=cases[1].pk).update(status=Status.CLOSED, closed_at=cases[1].received_at)
    response = post_assign(staff_client, cases)
    body = response.content.decode()
    assert "Nothing was assigned" in body and cases[1].reference in body
    assert not RightsRequest.objects.filter(assignee=staff_user).exists()


def test_a_case_changed_since_the_page_was_shown_is_refused(staff_client, staff_user):
    cases = many_cases(3)
    RightsRequest.objects.filter(pk=cases[2].pk).update(version=cases[2].version + 1)
    body = post_assign(staff_client, cases).content.decode()
    assert "Someone else saved this record after you opened it" in body
    assert not RightsRequest.objects.filter(assignee=staff_user).exists()


def test_select_all_above_the_limit_is_refused_with_a_message(staff_client, staff_user, settings):
    settings.BULK_ACTION_MAX_ROWS = 10
    cases = many_cases(11)
    response = staff_client.post(URL, {"action": "assign_to_me", "_selected_action": [cases[0].pk],
                                       "select_across": "1", "index": "0"}, follow=True)
    body = response.content.decode()
    assert "More than 10 cases are selected" in body
    assert not RightsRequest.objects.filter(assignee=staff_user).exists()
    # At the limit the confirmation page lists every selected case.
    RightsRequest.objects.filter(pk=cases[0].pk).update(status=Status.CLOSED, closed_at=cases[0].received_at)
    status = cases[1].status
    response = staff_client.post(f"{URL}?status__exact={status}", {
        "action": "assign_to_me", "_selected_action": [cases[1].pk], "select_across": "1", "index": "0"})
    assert response.status_code == 200, [str(m) for m in response.wsgi_request._messages]
    assert len(response.context["cases"]) == RightsRequest.objects.filter(status=status).count() == 10
