"""A refusal removes the duty to answer: staff propose it, and it takes effect only when a second
person holding requests_app.approve_reject_request confirms it (privacy_office/roles.py APPROVALS)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from requests_app import letters, services
from requests_app.models import DraftKind, RightsRequest, Status, TimelineEntry

from .factories import make_case

pytestmark = pytest.mark.django_db


def act(case, name):
    return reverse("admin:requests_app_rightsrequest_action", args=[case.pk, name])


def version(case):
    return RightsRequest.objects.get(pk=case.pk).version


def test_staff_refusal_in_the_admin_is_only_a_proposal_until_a_manager_confirms(staff_client, manager_client,
                                                                                 staff_user, manager_user):
    case = make_case(assignee=staff_user)
    # Before: one click by staff alone turned the case into "rejected". Now it is a proposal.
    response = staff_client.post(act(case, "reject"), {"reasons": "Manifestly unfounded", "remedies": "",
                                                       "_loaded_version": version(case)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.closed_at is None
    assert case.rejection_pending and case.rejection_proposed_by == staff_user
    # Staff cannot confirm it (no button, and a forged POST is refused).
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert act(case, "confirm_rejection") not in page
    body = staff_client.post(act(case, "confirm_rejection"), {"_loaded_version": version(case)},
                             follow=True).content.decode()
    assert "Can confirm the refusal of a rights request proposed by someone else" in body
    case.refresh_from_db()
    assert case.status == Status.RECEIVED

    # The manager reads the proposal on the confirmation page, then confirms it.
    page = manager_client.get(act(case, "confirm_rejection")).content.decode()
    assert "Manifestly unfounded" in page and "staff" in page
    response = manager_client.post(act(case, "confirm_rejection"), {"_loaded_version": version(case)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REJECTED and case.closed_at is not None
    assert case.rejection_reasons == "Manifestly unfounded"
    assert case.history.first().history_user == manager_user
    assert case.timeline.filter(kind=TimelineEntry.Kind.REFUSAL).count() == 2


def test_a_proposal_changed_after_the_manager_opened_it_is_not_confirmed(staff_client, manager_client, staff_user,
                                                                         manager_user):
    case = make_case(assignee=staff_user)
    services.dsar_propose_rejection(case=case, by=staff_user, reasons="Repeated request")
    shown = version(case)
    services.dsar_decline_rejection(case=case, by=manager_user, note="answer it")
    services.dsar_propose_rejection(case=case, by=staff_user, reasons="Something else entirely")
    body = manager_client.post(act(case, "confirm_rejection"), {"_loaded_version": shown}, follow=True).content.decode()
    assert "Someone else saved this record after you opened it" in body
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_the_service_refuses_a_refusal_without_a_second_person(staff_user, manager_user):
    case = make_case()
    with pytest.raises(ValidationError, match="then confirmed by a second person"):
        services.dsar_transition(case=case, to_status=Status.REJECTED, by=staff_user)
    services.dsar_propose_rejection(case=case, by=staff_user, reasons="Unfounded")
    with pytest.raises(PermissionDenied):
        services.dsar_confirm_rejection(case=case, by=staff_user)
    own = make_case(requester_email="own@example.com")
    services.dsar_propose_rejection(case=own, by=manager_user, reasons="Unfounded")
    with pytest.raises(ValidationError, match="a second person must confirm it"):
        services.dsar_confirm_rejection(case=own, by=manager_user)
    # The refusal letter cannot go out before the refusal is confirmed.
    draft = letters.draft_generate(case=case, kind=DraftKind.REFUSAL, language="en", by=staff_user)
    with pytest.raises(ValidationError, match="not been confirmed"):
        letters.draft_mark_sent(draft=draft, by=staff_user)
    services.dsar_confirm_rejection(case=case, by=manager_user)
    letters.draft_mark_sent(draft=draft, by=staff_user)
    case.refresh_from_db()
    assert case.status == Status.REJECTED


def test_a_declined_proposal_leaves_the_case_open(staff_user, manager_user):
    case = make_case()
    services.dsar_propose_rejection(case=case, by=staff_user, reasons="Unfounded")
    with pytest.raises(ValidationError, match="already waiting"):
        services.dsar_propose_rejection(case=case, by=staff_user, reasons="Again")
    services.dsar_decline_rejection(case=case, by=manager_user, note="We can answer this")
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and not case.rejection_pending and case.rejection_reasons == ""
    assert case.history.filter(rejection_reasons="Unfounded").exists()  # the proposal stays on record
