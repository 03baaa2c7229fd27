"""Signed, sent and closed means frozen: an ended case cannot be edited; a correction re-opens it,
by someone holding requests_app.approve_reopen_case, with a reason recorded in the timeline."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from requests_app import case_tasks, services
from requests_app.models import RightsRequest, Status, TimelineEntry

from .factories import at, make_case, send_reply
from .test_admin_case_page import case_form, inline_management
from .test_transitions import verified_case

pytestmark = pytest.mark.django_db


def closed_case(staff_user):
    """EU access received Mon 2026-03-02 (due Thu 04-02), answered on 03-20 and closed."""
    case = verified_case(staff_user, assignee=staff_user)
    send_reply(case, by=staff_user, now=at(2026, 3, 20))  # sending the reply marks the case responded
    services.dsar_close(case=case, by=staff_user, now=at(2026, 3, 21))
    case.refresh_from_db()
    return case


def test_a_closed_case_page_is_read_only_and_its_receipt_date_cannot_be_changed(staff_client, staff_user):
    case = closed_case(staff_user)
    assert case.due_on == date(2026, 4, 2)
    url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "View rights request" in page.content.decode()  # no save button, no editable field
    # Before: moving the receipt date back recomputed the due date, and a timely answer looked late.
    data = {**case_form(jurisdiction="EU", received_at_0="2026-01-05", received_at_1="10:00:00"),
            **inline_management(page), "_loaded_version": case.version}
    assert staff_client.post(url, data).status_code == 403
    case.refresh_from_db()
    assert case.received_on == date(2026, 3, 2) and case.due_on == date(2026, 4, 2)
    with pytest.raises(ValidationError, match="has ended"):
        services.dsar_update(case=case, by=staff_user, received_at=at(2026, 1, 5))
    with pytest.raises(ValidationError, match="has ended"):
        case_tasks.task_create(case=case, title="late work", by=staff_user)
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 2) and case.received_on == date(2026, 3, 2)


def test_re_opening_needs_the_permission_and_a_reason_and_is_in_the_timeline(staff_client, manager_client, staff_user,
                                                                              manager_user):
    case = closed_case(staff_user)
    reopen = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "reopen"])
    change = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    assert reopen not in staff_client.get(change).content.decode()
    staff_client.post(reopen, {"reason": "typo", "_loaded_version": case.version})
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    with pytest.raises(PermissionDenied):
        services.dsar_reopen(case=case, by=staff_user, reason="typo")

    assert reopen in manager_client.get(change).content.decode()
    response = manager_client.post(reopen, {"reason": "", "_loaded_version": case.version})
    assert response.status_code == 200  # the reason is required
    response = manager_client.post(reopen, {"reason": "The requester's e-mail was mistyped",
                                            "_loaded_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESPONDED and case.closed_at is None
    entry = case.timeline.filter(kind=TimelineEntry.Kind.REOPENED).get()
    assert entry.by == manager_user and entry.note == "The requester's e-mail was mistyped"
    assert entry.text == "Re-opened: closed → responded."
    assert case.history.first().history_change_reason == "The requester's e-mail was mistyped"
    # The correction goes through now, and the case can be closed again.
    services.dsar_update(case=case, by=staff_user, requester_email="anna.s@example.com")
    services.dsar_close(case=RightsRequest.objects.get(pk=case.pk), by=staff_user)
    assert RightsRequest.objects.get(pk=case.pk).status == Status.CLOSED


def test_a_refused_case_reopens_where_it_was_and_loses_its_refusal(staff_user, manager_user):
    case = verified_case(staff_user)
    services.dsar_propose_rejection(case=case, by=staff_user, reasons="Unfounded")
    services.dsar_confirm_rejection(case=case, by=manager_user)
    services.dsar_reopen(case=case, by=manager_user, reason="Refused by mistake")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.rejection_reasons == "" and not case.rejection_pending
