"""Regulated records are never destroyed through the admin, superuser included.

Today a superuser's delete of an incident removed its sent notices and timeline, and a deleted case
left its passport file on disk. Now: no delete button, no delete action, a forged POST to the delete
URL is refused (403), inline rows cannot be deleted; an incident recorded in error is withdrawn with
a reason and stays in the register."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from breach_app import services as breach_services
from breach_app.models import Incident, NoticeDraft, Obligation, TimelineEntry
from breach_app.tests.factories import make_incident
from conftest import make_user
from inventory_app.models import ActivityField, ProcessingActivity, Service
from privacy_office.models import AuditLogEntry, AuditReview, Reminder
from requests_app import case_tasks, letters
from requests_app.models import ResponseDraft, RightsRequest
from requests_app.tests.factories import make_case, make_inventory
from requests_app.tests.test_admin_case_page import case_form, inline_management

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(make_user("root", is_superuser=True))
    return client


@pytest.fixture
def records(staff_user, manager_user):
    """One of each regulated record, made through the services."""
    make_inventory()
    case = make_case(by=staff_user)
    draft = letters.draft_generate(case=case, kind="acknowledgement", language="en", by=staff_user)
    incident = make_incident(by=staff_user)
    obligation = incident.obligations.get(code="CN-CAC-INCIDENT")
    notice = breach_services.notice_draft_generate(obligation=obligation, by=staff_user, language="en")
    breach_services.notice_draft_approve(draft=notice, by=manager_user)
    breach_services.notice_draft_mark_sent(draft=notice, by=staff_user, channel="portal")
    review = AuditReview.objects.create(period_start="2026-06-01", period_end="2026-06-07", reviewed_by=manager_user)
    reminder = Reminder.objects.create(
        content_type=ContentType.objects.get_for_model(RightsRequest), object_id=case.pk, kind="case_due",
        threshold="7", recipient=staff_user, due_at=timezone.now(),
    )
    return {
        RightsRequest: case, ResponseDraft: draft, Incident: incident,
        Obligation: notice.obligation, NoticeDraft: notice,
        TimelineEntry: incident.timeline.first(), AuditReview: review, AuditLogEntry: AuditLogEntry.objects.first(),
        Reminder: reminder, ProcessingActivity: ProcessingActivity.objects.first(), Service: Service.objects.first(),
    }


def _admin_url(obj, view):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk] if view != "changelist" else [])


MODELS = [RightsRequest, ResponseDraft, Incident, Obligation, NoticeDraft, TimelineEntry, AuditReview,
          AuditLogEntry, Reminder, ProcessingActivity, Service]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_the_delete_url_is_refused_to_a_superuser(superuser_client, records, model):
    obj = records[model]
    url = _admin_url(obj, "delete")
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403  # a forged confirmation
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_no_delete_button_and_no_delete_action_and_a_forged_action_deletes_nothing(superuser_client, records, model):
    obj = records[model]
    page = superuser_client.get(_admin_url(obj, "change")).content.decode()
    assert _admin_url(obj, "delete") not in page
    changelist = _admin_url(obj, "changelist")
    assert 'value="delete_selected"' not in superuser_client.get(changelist).content.decode()
    superuser_client.post(changelist, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"})
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_forged_inline_delete_on_the_case_page_is_ignored(superuser_client, records, staff_user, settings):
    settings.TIME_ZONE = "UTC"
    case = records[RightsRequest]
    draft = records[ResponseDraft]
    task = case_tasks.task_create(case=case, title="Export the account data", by=staff_user)
    url = _admin_url(case, "change")
    page = superuser_client.get(url)
    body = page.content.decode()
    assert 'name="tasks-0-DELETE"' not in body and 'name="drafts-0-DELETE"' not in body
    data = inline_management(page)
    # A valid save of the case that also claims to delete its task and its draft.
    data.update({"tasks-TOTAL_FORMS": 1, "tasks-INITIAL_FORMS": 1, "tasks-0-id": task.pk,
                 "tasks-0-request": case.pk, "tasks-0-title": task.title, "tasks-0-DELETE": "on",
                 "drafts-TOTAL_FORMS": 1, "drafts-INITIAL_FORMS": 1, "drafts-0-id": draft.pk,
                 "drafts-0-request": case.pk, "drafts-0-DELETE": "on"})
    data.update(case_form(requester_name=case.requester_name, requester_email=case.requester_email,
                          requester_phone=case.requester_phone, jurisdiction=case.jurisdiction,
                          request_type=case.request_type, received_at_0=case.received_at.strftime("%Y-%m-%d"),
                          received_at_1=case.received_at.strftime("%H:%M:%S"), description="forged delete"))
    data.update({"_loaded_version": case.version, "_change_reason": "forged inline delete"})
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.description == "forged delete"  # the save itself went through
    assert case.tasks.filter(pk=task.pk).exists() and case.drafts.filter(pk=draft.pk).exists()


def test_the_incident_page_offers_no_inline_delete(superuser_client, records):
    page = superuser_client.get(_admin_url(records[Incident], "change")).content.decode()
    assert 'name="timeline-0-DELETE"' not in page and 'name="obligations-0-DELETE"' not in page


def test_a_regulated_parent_cannot_be_deleted_even_outside_the_admin(records):
    # The children's foreign keys PROTECT their parent: no cascade into sent notices or timelines.
    with pytest.raises(ProtectedError):
        records[Incident].delete()
    with pytest.raises(ProtectedError):
        records[RightsRequest].delete()
    assert NoticeDraft.objects.filter(sent_at__isnull=False).exists()


def test_an_activity_link_is_still_removed_on_the_activity_page(superuser_client, records):
    # A data-field link is part of its activity's description; removing it is an edit, kept in history.
    link = ActivityField.objects.first()
    assert superuser_client.post(_admin_url(link, "delete"), {"post": "yes"}).status_code == 302
    assert not ActivityField.objects.filter(pk=link.pk).exists()
    assert ActivityField.history.filter(id=link.pk, history_type="-").exists()


# --------------------------------------------------------------------------- withdrawing an incident


def test_an_incident_recorded_in_error_is_withdrawn_with_a_reason_and_kept(staff_client, staff_user, manager_client):
    incident = make_incident(by=staff_user)
    page = staff_client.get(_admin_url(incident, "change")).content.decode()
    withdraw_url = reverse("admin:breach_app_incident_withdraw", args=[incident.pk])
    assert withdraw_url in page

    response = staff_client.post(withdraw_url, {"reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()

    reason = "SOC test alert, no personal data involved"
    response = staff_client.post(withdraw_url, {"reason": reason, f"_loaded_version_{incident.pk}": str(incident.version)},
                                 follow=True)
    # Its required notifications are still open: withdrawing them is proposed, and a second person confirms.
    assert "Withdrawal proposed" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN and incident.withdrawal_pending
    response = manager_client.post(reverse("admin:breach_app_incident_confirm_withdrawal", args=[incident.pk]),
                                   {"_loaded_version": str(incident.version)}, follow=True)
    assert "Withdrawal confirmed" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.WITHDRAWN
    assert incident.history.first().history_change_reason == reason
    assert incident.timeline.filter(note__contains=reason, kind=TimelineEntry.Kind.DECISION).exists()
    # No clock runs for it any more: its obligations were decided "not to notify", with the reason.
    assert not incident.obligations.live().exists()
    decided = incident.obligations.filter(status=Obligation.Status.NOT_NOTIFIED)
    assert decided.exists() and all(reason in o.decision_reason for o in decided)
    assert incident not in Incident.objects.open()
    # Still listed in the register.
    assert incident.reference in staff_client.get(reverse("admin:breach_app_incident_changelist")).content.decode()


def test_an_incident_with_a_sent_notice_cannot_be_withdrawn(staff_client, records):
    incident = records[Incident]
    response = staff_client.post(reverse("admin:breach_app_incident_withdraw", args=[incident.pk]),
                                 {"reason": "recorded in error",
                                  f"_loaded_version_{incident.pk}": str(Incident.objects.get(pk=incident.pk).version)})
    assert response.status_code == 200
    assert "Notices were already sent for this incident" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN


def test_withdrawing_is_refused_to_an_auditor(auditor_client, staff_user):
    incident = make_incident(by=staff_user)
    url = reverse("admin:breach_app_incident_withdraw", args=[incident.pk])
    assert auditor_client.post(url, {"reason": "forged"}).status_code == 403
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN
