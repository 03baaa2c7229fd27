"""Withdrawing an incident "recorded in error" decides its open obligations not to notify. While a
REQUIRED notification is open that removes a legal duty, so (like a decision not to notify it) it
is a proposal that a second person holding the waive permission confirms or declines. Today's hole:
a staff member alone withdrew an incident with an open required notification and its clock stopped."""

import re
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from breach_app import services
from breach_app.models import Incident, Obligation, TimelineEntry

from .factories import UTC, codes, make_incident

pytestmark = pytest.mark.django_db

REASON = "Duplicate of INC-2026-0001, entered twice by the SOC"


def page_of(client, incident) -> str:
    return client.get(reverse("admin:breach_app_incident_change", args=[incident.pk])).content.decode()


def withdraw(client, incident, reason=REASON):
    incident.refresh_from_db()
    return client.post(reverse("admin:breach_app_incident_withdraw", args=[incident.pk]),
                       {"reason": reason, f"_loaded_version_{incident.pk}": str(incident.version)}, follow=True)


def press(client, incident, what, **extra):
    """Press the Confirm/Decline button of the incident page, posting the version the page showed."""
    page = page_of(client, incident)
    url = reverse(f"admin:breach_app_incident_{what}_withdrawal", args=[incident.pk])
    assert url in page
    form = re.search(re.escape(url) + r'".*?</form>', page, re.S).group(0)
    version = re.search(r'name="_loaded_version" value="(\d+)"', form).group(1)
    return client.post(url, {"_loaded_version": version, **extra}, follow=True)


@pytest.fixture
def incident(staff_user):
    """An incident whose Singapore notification to the PDPC is REQUIRED and still open."""
    incident = make_incident(by=staff_user, populations={"SG": {"people_min": 800}}, significant_harm=True,
                             sg_assessed_at=datetime(2026, 6, 5, 10, 0, tzinfo=UTC))
    assert codes(incident)["SG-PDPC"].applicability == Obligation.Applicability.REQUIRED
    return incident


def test_staff_alone_cannot_withdraw_an_incident_with_an_open_required_notification(
        incident, staff_client, staff_user, manager_client, manager_user):
    response = withdraw(staff_client, incident)
    assert "Withdrawal proposed" in response.content.decode()
    incident.refresh_from_db()
    pdpc = codes(incident)["SG-PDPC"]
    # Only a proposal: the incident stays open and the PDPC clock runs on.
    assert incident.status == Incident.Status.OPEN and pdpc.is_live and pdpc.status != "not_notified"
    assert incident.withdrawal_proposed_by == staff_user and incident.withdrawal_reason == REASON
    assert incident.history.first().history_change_reason == "withdrawal proposed"
    entry = incident.timeline.order_by("-id").first()
    assert entry.kind == TimelineEntry.Kind.DECISION and entry.note == REASON and "SG-PDPC" in entry.text
    assert "awaiting confirmation" in entry.text

    # The proposer sees the proposal and may take it back, but has no Confirm button (nor may force one).
    page = page_of(staff_client, incident)
    assert "proposed on" in page and REASON in page
    assert reverse("admin:breach_app_incident_confirm_withdrawal", args=[incident.pk]) not in page
    assert reverse("admin:breach_app_incident_withdraw", args=[incident.pk]) not in page
    staff_client.post(reverse("admin:breach_app_incident_confirm_withdrawal", args=[incident.pk]),
                      {"_loaded_version": str(incident.version)})
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN and incident.withdrawal_pending

    # A second person with the permission confirms it: withdrawn, the duty removed, with the proposer's reason.
    response = press(manager_client, incident, "confirm")
    assert "Withdrawal confirmed" in response.content.decode()
    incident.refresh_from_db()
    pdpc.refresh_from_db()
    assert incident.status == Incident.Status.WITHDRAWN and not incident.withdrawal_pending
    assert pdpc.status == "not_notified" and pdpc.decided_by == manager_user and REASON in pdpc.decision_reason
    assert not incident.obligations.live().exists()
    assert incident.history.first().history_user == manager_user
    confirmed = incident.timeline.filter(message__startswith="Withdrawal proposed by").get()
    assert confirmed.by == manager_user and confirmed.note == REASON and "staff" in confirmed.text


def test_a_proposed_withdrawal_can_be_declined(incident, staff_client, manager_client, manager_user):
    withdraw(staff_client, incident)
    response = press(manager_client, incident, "decline", note="The SOC confirmed it is a real breach")
    assert "Proposed withdrawal declined" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN and not incident.withdrawal_pending
    assert codes(incident)["SG-PDPC"].is_live
    entry = incident.timeline.order_by("-id").first()
    assert entry.by == manager_user and entry.note == "The SOC confirmed it is a real breach"
    assert "declined" in entry.text
    assert incident.history.first().history_change_reason == "proposed withdrawal declined"
    # It can be proposed again afterwards.
    assert reverse("admin:breach_app_incident_withdraw", args=[incident.pk]) in page_of(staff_client, incident)


def test_the_confirm_button_without_the_loaded_version_changes_nothing(incident, staff_client, manager_client):
    withdraw(staff_client, incident)
    manager_client.post(reverse("admin:breach_app_incident_confirm_withdrawal", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN and incident.withdrawal_pending


def test_an_incident_without_open_required_notifications_is_withdrawn_by_one_person(staff_client, staff_user):
    incident = make_incident(by=staff_user, populations={"SG": {"people_min": 10}}, significant_harm=None)
    assert not incident.obligations.filter(applicability=Obligation.Applicability.REQUIRED).exists()
    response = withdraw(staff_client, incident)
    assert "Incident withdrawn; it stays in the register with your reason." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.WITHDRAWN and incident.withdrawal_proposed_by is None
    assert not incident.obligations.live().exists()


def test_the_services_refuse_a_withdrawal_without_a_second_person(incident, staff_user, manager_user):
    services.incident_withdraw(incident=incident, by=manager_user, reason=REASON)
    with pytest.raises(ValidationError, match="already proposed"):
        services.incident_withdraw(incident=incident, by=staff_user, reason=REASON)
    with pytest.raises(ValidationError, match="someone else must confirm"):
        services.incident_confirm_withdrawal(incident=incident, by=manager_user)
    with pytest.raises(PermissionDenied):
        services.incident_confirm_withdrawal(incident=incident, by=staff_user)
    with pytest.raises(PermissionDenied):
        services.incident_decline_withdrawal(incident=incident, by=staff_user)
    # Moving the status to "withdrawn" directly is the same proposal, not a way round it.
    services.incident_decline_withdrawal(incident=incident, by=manager_user)
    services.incident_change_status(incident=incident, by=staff_user, to_status=Incident.Status.WITHDRAWN,
                                    note=REASON)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN and incident.withdrawal_pending
    with pytest.raises(ValidationError, match="No withdrawal"):
        services.incident_decline_withdrawal(incident=make_incident(by=staff_user), by=manager_user)


def test_the_proposal_reads_in_chinese(incident, staff_client, manager_client):
    withdraw(staff_client, incident)
    with translation.override("zh-hans"):
        assert "提议撤回该事件" in incident.timeline.order_by("-id").first().text
    page = manager_client.get(reverse("admin:breach_app_incident_change", args=[incident.pk]),
                              HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "确认撤回" in page and "拒绝撤回" in page and "提议将此事件作为误录撤回" in page
