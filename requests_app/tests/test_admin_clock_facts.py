"""The clock's facts where staff record them on the case page: the requester's time zone, a US
state as the jurisdiction and the new request types (registration form), the fee paid (case form),
the arrival of identity proof (its own action and the identity-check form); and what the due date
means, in English and Chinese. Times typed in the admin are the office's (UTC in these tests)."""

from datetime import date

import pytest
from django.urls import reverse

from requests_app import identity_checks
from requests_app.models import RightsRequest, Status

from .factories import at, make_case
from .test_admin_case_page import case_form, inline_management

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def office_in_utc(settings):
    settings.TIME_ZONE = "UTC"


def register(client, **fields):
    add_url = reverse("admin:requests_app_rightsrequest_add")
    data = {**case_form(**fields), **inline_management(client.get(add_url))}
    return client.post(add_url, data)


def act(case, name):
    return reverse("admin:requests_app_rightsrequest_action", args=[case.pk, name])


def test_registration_takes_the_requesters_time_zone(staff_client):
    # 23:30 Mon 2026-03-02 in Los Angeles = Tue 03-03 07:30 UTC: received Mon 03-02 -> Thu 2026-04-02.
    response = register(staff_client, jurisdiction="EU", received_at_0="2026-03-03", received_at_1="07:30:00",
                        requester_time_zone="America/Los_Angeles")
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = RightsRequest.objects.get()
    assert (case.requester_time_zone, case.received_on, case.due_on) == (
        "America/Los_Angeles", date(2026, 3, 2), date(2026, 4, 2))
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert ("Received 2026-03-02: the earlier of the requester&#x27;s local date (America/Los_Angeles: 2026-03-02) "
            "and the office&#x27;s (Europe/Berlin: 2026-03-03).") in page


def test_an_unknown_time_zone_is_refused_on_its_field(staff_client):
    response = register(staff_client, jurisdiction="EU", requester_time_zone="Europe/Atlantis")
    assert response.status_code == 200
    assert "requester_time_zone" in response.context["adminform"].form.errors
    assert "not a known time zone" in response.content.decode()
    assert not RightsRequest.objects.exists()


def test_a_us_state_and_its_types_on_the_registration_form(staff_client):
    # Texas access, Mon 2026-03-02 16:00 UTC (10:00 in Texas): 45 days -> Wed 2026-04-15.
    response = register(staff_client, jurisdiction="US-TX", received_at_0="2026-03-02", received_at_1="16:00:00")
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = RightsRequest.objects.get()
    assert (case.jurisdiction, case.due_on) == ("US-TX", date(2026, 4, 15))
    # Utah gives no appeal: refused with the types it has.
    response = register(staff_client, jurisdiction="US-UT", request_type="appeal")
    assert response.status_code == 200
    assert "does not exist in US-UT" in response.content.decode()
    # Brazil's simplified confirmation: immediately, on the day of receipt.
    response = register(staff_client, jurisdiction="BR", request_type="confirmation", received_at_0="2026-03-02",
                        received_at_1="14:00:00", requester_name="Ana Souza")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert RightsRequest.objects.get(jurisdiction="BR").due_on == date(2026, 3, 2)


def test_the_add_page_offers_every_state_and_the_new_types_in_chinese(staff_client):
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_add"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert '<option value="US-TX">得克萨斯州</option>' in body
    assert '<option value="JP">日本</option>' in body
    for value in ("confirmation", "opt_out", "appeal"):
        assert f'value="{value}"' in body
    assert "请求人所在时区" in body and "以较早的日期为收到日期" in body  # label and help text in Chinese


def test_fee_paid_on_the_case_form_moves_the_uk_clock(staff_client, staff_user):
    # UK access received Mon 2026-03-02 10:00 UTC -> Thu 04-02; fee paid Thu 03-12 -> Sun 04-12 -> Mon 2026-04-13.
    case = make_case(jurisdiction="UK", received_at=at(2026, 3, 2), requester_name="Oliver Smith",
                     requester_email="oliver@example.com", requester_phone="")
    url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    response = staff_client.get(url)
    data = {**case_form(jurisdiction="UK", received_at_0="2026-03-02", received_at_1="10:00:00",
                        fee_paid_at_0="2026-03-12", fee_paid_at_1="09:00:00"),
            **inline_management(response), "_loaded_version": case.version, "_change_reason": "fee paid"}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case.refresh_from_db()
    assert (case.fee_paid_at, case.due_on) == (at(2026, 3, 12, 9), date(2026, 4, 13))


def test_proof_of_identity_received_through_its_own_action(staff_client, staff_user):
    # UK access received Mon 2026-03-02; ID asked Tue 03-03; it arrives Tue 03-10 -> Fri 2026-04-10.
    case = make_case(jurisdiction="UK", received_at=at(2026, 3, 2), assignee=staff_user)
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    case.refresh_from_db()
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert act(case, "identity_received") in page
    assert "UK: the clock waits for the proof of identity asked for on 2026-03-03" in page
    form_page = staff_client.get(act(case, "identity_received")).content.decode()
    assert "the one-month clock starts that day" in form_page  # the help text
    response = staff_client.post(act(case, "identity_received"), {
        "received_at_0": "2026-03-10", "received_at_1": "09:30:00", "_loaded_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.identity_received_at, case.due_on, case.clock_paused) == (at(2026, 3, 10, 9, 30), date(2026, 4, 10),
                                                                          False)
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert act(case, "identity_received") not in page  # recorded once
    assert "Proof of identity received 2026-03-10; the UK clock starts that day" in page


def test_proof_received_at_on_the_identity_check_form(staff_client, staff_user):
    case = make_case(jurisdiction="UK", received_at=at(2026, 3, 2), assignee=staff_user)
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    case.refresh_from_db()
    fields = {"method": "data_points", "data_points": "email, account id", "verified": "1",
              "_loaded_version": case.version}
    # Before it was asked for: refused on the page, nothing recorded.
    response = staff_client.post(act(case, "record_identity"), {
        **fields, "proof_received_at_0": "2026-03-02", "proof_received_at_1": "12:00:00"})
    assert response.status_code == 200
    assert "cannot have arrived before it was asked for" in response.content.decode()
    case.refresh_from_db()
    assert case.verified_on is None
    # Arrived Fri 03-06 (decided now): Mon 04-06 Easter Monday -> Tue 2026-04-07.
    response = staff_client.post(act(case, "record_identity"), {
        **fields, "proof_received_at_0": "2026-03-06", "proof_received_at_1": "08:00:00"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.identity_received_at, case.due_on) == (Status.IN_PROGRESS, at(2026, 3, 6, 8),
                                                                     date(2026, 4, 7))
