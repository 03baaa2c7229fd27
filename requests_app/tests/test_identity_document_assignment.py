"""Who may see identity documents is a control: the case's assignee (someone who may work cases)
and holders of requests_app.approve_view_any_identity_document. Assigning is recorded, and never
gives a read-only role (the Auditor) access."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from conftest import make_user
from privacy_office.roles import STAFF
from requests_app import identity_documents, services
from requests_app.models import DocumentAccessLog, RightsRequest, TimelineEntry

from .factories import at, make_case

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:requests_app_rightsrequest_changelist")


@pytest.fixture
def colleague():
    return make_user("colleague", STAFF)


@pytest.fixture
def colleague_client(colleague):
    client = Client()
    client.force_login(colleague)
    return client


@pytest.fixture
def document(colleague):
    case = make_case(assignee=colleague)
    return identity_documents.dsar_upload_identity_document(
        case=case, by=colleague, file=ContentFile(b"%PDF-1.4 passport", name="passport.pdf"), now=at(2026, 3, 3),
    )


def viewer_url(document):
    return reverse("admin:requests_app_rightsrequest_document", args=[document.request_id, document.pk])


def assign_post(client, case, action, **extra):
    case = RightsRequest.objects.get(pk=case.pk)
    return client.post(CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [case.pk], "apply": "1",
                                    f"_loaded_version_{case.pk}": case.version, **extra}, follow=True)


def test_staff_refused_a_passport_cannot_take_the_case_to_read_it(staff_client, staff_user, document, colleague):
    assert staff_client.get(viewer_url(document)).status_code == 403
    # Before: "assign to me", then the passport opened.
    body = assign_post(staff_client, document.request, "assign_to_me").content.decode()
    assert "is assigned to colleague" in body
    case = RightsRequest.objects.get(pk=document.request_id)
    assert case.assignee == colleague
    assert staff_client.get(viewer_url(document)).status_code == 403
    assert not DocumentAccessLog.objects.exists()
    # The change form shows the assignee read-only to them, and the service refuses too.
    form = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).context["adminform"].form
    assert "assignee" not in form.fields
    with pytest.raises(PermissionDenied):
        services.dsar_assign(cases=[case], assignee=staff_user, by=staff_user)


def test_the_auditor_cannot_be_made_assignee_and_never_reads_the_passport(colleague_client, auditor_user,
                                                                          auditor_client, document, colleague):
    # Before: the colleague gave the case to the Auditor, who then read its passport.
    page = assign_post(colleague_client, document.request, "assign_to_user", assignee=auditor_user.pk)
    assert "Select a valid choice" in page.content.decode()  # not among the choices
    assert RightsRequest.objects.get(pk=document.request_id).assignee == colleague
    with pytest.raises(ValidationError, match="cannot be given cases"):
        services.dsar_assign(cases=[document.request], assignee=auditor_user, by=colleague)
    change = colleague_client.get(reverse("admin:requests_app_rightsrequest_change", args=[document.request_id]))
    choices = [str(value) for value, _label in change.context["adminform"].form.fields["assignee"].choices]
    assert str(auditor_user.pk) not in choices and str(colleague.pk) in choices
    # Even if an old row names the Auditor as assignee, the Auditor does not see the document.
    RightsRequest.objects.filter(pk=document.request_id).update(assignee=auditor_user)
    assert auditor_client.get(viewer_url(document)).status_code == 403
    assert not DocumentAccessLog.objects.exists()


def test_assignments_are_recorded_and_a_manager_may_move_a_case(manager_client, manager_user, staff_user, document,
                                                                colleague):
    assign_post(manager_client, document.request, "assign_to_user", assignee=staff_user.pk)
    case = RightsRequest.objects.get(pk=document.request_id)
    assert case.assignee == staff_user
    entry = case.timeline.filter(kind=TimelineEntry.Kind.ASSIGNED).order_by("-at", "-id").first()
    assert entry.by == manager_user and entry.text == "Assigned to staff (was: colleague)."
    record = case.history.first()
    assert record.history_user == manager_user and record.history_change_reason == "assigned"


def test_a_bulk_assignment_from_a_page_shown_before_a_change_is_refused(staff_client, staff_user):
    case = make_case()
    shown = case.version
    services.dsar_update(case=case, by=staff_user, requester_phone="+49 30 999")
    body = staff_client.post(CHANGELIST, {"action": "assign_to_me", ACTION_CHECKBOX_NAME: [case.pk], "apply": "1",
                                          f"_loaded_version_{case.pk}": shown}, follow=True).content.decode()
    assert "Someone else saved this record after you opened it" in body
    body = staff_client.post(CHANGELIST, {"action": "assign_to_me", ACTION_CHECKBOX_NAME: [case.pk], "apply": "1"},
                             follow=True).content.decode()
    assert "did not say which version" in body
    assert RightsRequest.objects.get(pk=case.pk).assignee is None
