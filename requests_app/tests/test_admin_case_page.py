"""Working a case in the admin: register, edit (the clock follows), transition buttons, history."""

from datetime import date

import pytest
from django.urls import reverse

from requests_app.models import RightsRequest, Status, TimelineEntry

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def inline_management(response):
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    return data


def case_form(**overrides):
    data = {
        "requester_name": "Oliver Smith", "requester_email": "Oliver@Example.com", "requester_phone": "",
        "account_id": "", "relationship": "self", "data_subject_name": "", "jurisdiction": "US-CA",
        "request_type": "access", "channel": "email", "received_at_0": "2026-03-02", "received_at_1": "18:00:00",
        "description": "", "assignee": "",
    }
    data.update(overrides)
    return data


def test_staff_registers_a_case_in_the_admin(staff_client, staff_user, settings):
    settings.TIME_ZONE = "UTC"
    add_url = reverse("admin:requests_app_rightsrequest_add")
    response = staff_client.get(add_url)
    data = {**case_form(), **inline_management(response)}
    response = staff_client.post(add_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = RightsRequest.objects.get()
    assert case.reference.startswith("DSAR-")
    assert case.requester_email == "oliver@example.com"
    # Mon 2 March 10:00 in Los Angeles: 2 March + 44 days = Wed 2026-04-15.
    assert case.due_on == date(2026, 4, 15)
    assert case.history.first().history_user == staff_user
    assert case.timeline.filter(kind=TimelineEntry.Kind.REGISTERED).exists()


def test_admin_refuses_future_receipt_and_foreign_types(staff_client):
    add_url = reverse("admin:requests_app_rightsrequest_add")
    management = inline_management(staff_client.get(add_url))
    response = staff_client.post(add_url, {**case_form(received_at_0="2099-01-01"), **management})
    assert "cannot have been received in the future" in response.content.decode()
    response = staff_client.post(add_url, {**case_form(jurisdiction="EU", request_type="ccpa_opt_out"), **management})
    assert "does not exist in EU" in response.content.decode()
    assert not RightsRequest.objects.exists()


def test_editing_the_type_in_the_admin_recomputes_the_due_date(staff_client, staff_user, settings):
    settings.TIME_ZONE = "UTC"
    case = make_case(jurisdiction="US-CA", received_at=at(2026, 3, 2, 18), now=at(2026, 3, 2, 19),
                     requester_name="Oliver Smith", requester_email="oliver@example.com", requester_phone="")
    assert case.due_on == date(2026, 4, 15)
    url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    response = staff_client.get(url)
    data = {**case_form(request_type="ccpa_opt_out"), **inline_management(response),
            "_loaded_version": case.version, "_change_reason": "requester only wants to opt out"}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case.refresh_from_db()
    # Opt-out: 15 business days after Mon 2 March -> Mon 2026-03-23.
    assert case.due_on == date(2026, 3, 23)
    record = case.history.first()
    assert record.history_user == staff_user
    assert record.history_change_reason == "requester only wants to opt out"


def test_transition_buttons_call_the_services(staff_client, staff_user):
    case = make_case(jurisdiction="US-CA", request_type="ccpa_opt_out", assignee=staff_user)
    change_url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    page = staff_client.get(change_url).content.decode()
    start_url = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "start_work"])
    assert start_url in page
    assert staff_client.get(start_url).status_code == 200  # confirmation page
    response = staff_client.post(start_url, {"_loaded_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.history.first().history_user == staff_user


def test_illegal_transition_in_the_admin_shows_the_message(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    close_url = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "close"])
    response = staff_client.post(close_url, {"_loaded_version": case.version}, follow=True)
    body = response.content.decode()
    assert f"{case.reference} cannot move from “received” to “closed”" in body
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_stale_action_is_refused(staff_client, staff_user):
    case = make_case(jurisdiction="US-CA", request_type="ccpa_opt_out")
    url = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "start_work"])
    response = staff_client.post(url, {"_loaded_version": case.version - 1 if case.version > 1 else 999}, follow=True)
    assert "Someone else saved this record after you opened it" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_identity_check_extension_and_draft_through_the_admin(staff_client, staff_user):
    case = make_case(jurisdiction="EU", received_at=at(2026, 11, 2), now=at(2026, 11, 2, 12), assignee=staff_user)
    act = lambda name: reverse("admin:requests_app_rightsrequest_action", args=[case.pk, name])  # noqa: E731
    response = staff_client.post(act("record_identity"), {
        "method": "data_points", "data_points": "email", "verified": "1", "_loaded_version": case.version})
    assert response.status_code == 200  # insufficient: form shown again with what is missing
    assert "2 matching data points are needed" in response.content.decode()
    case.refresh_from_db()
    response = staff_client.post(act("record_identity"), {
        "method": "data_points", "data_points": "email, account id", "verified": "1", "_loaded_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.verified_on
    response = staff_client.post(act("generate_draft"), {"kind": "acknowledgement", "language": "zh-hans",
                                                         "_loaded_version": case.version})
    assert response.status_code == 302
    assert case.drafts.get().language == "zh-hans"
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert "Identity check" in page and "Draft generated" in page  # timeline inline


def test_auditor_sees_the_case_but_cannot_act(auditor_client):
    case = make_case()
    assert auditor_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).status_code == 200
    url = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "request_identity"])
    assert auditor_client.post(url, {}).status_code == 403
