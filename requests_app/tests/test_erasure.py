"""Erasure of a requester's personal data after the retention period: the only deletion besides the
identity-document purge. A Privacy manager erases ended cases past CASE_RETENTION_DAYS
from the case list; each stays as a tombstone (reference, jurisdiction, type, dates, outcome, who
erased it, when and why), and the personal data is gone from its history and the audit log too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.conf import settings as django_settings
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from privacy_office.models import AuditLogEntry
from requests_app import case_tasks, identity_checks, identity_documents, letters, services
from requests_app.models import (
    IdentityCheck,
    IdentityDocument,
    ResponseDraft,
    RightsRequest,
    Status,
    Task,
    TimelineEntry,
)

from .factories import at, make_case

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:requests_app_rightsrequest_changelist")
PERSONAL = ("Anna Schmidt", "anna@example.com", "4930", "passport-anna", "Berlin", "Kundennummer 4711")


def _ended_case(staff_user, *, ended):
    """An EU access case with a draft, a task, an identity check and document, withdrawn on ``ended``."""
    received = ended - timedelta(days=8)
    case = make_case(by=staff_user, now=received + timedelta(hours=1), received_at=received,
                     description="Please send me everything you hold about me, Anna Schmidt, Berlin.",
                     account_id="Kundennummer 4711")
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=received + timedelta(hours=2))
    identity_documents.dsar_upload_identity_document(case=case, by=staff_user, now=received + timedelta(hours=3),
                                           file=ContentFile(b"%PDF-1.4 passport", name="passport-anna.pdf"))
    identity_checks.dsar_record_identity_check(case=case, by=staff_user, method="identity_document",
                                        data_points=["passport of Anna Schmidt"], note="Berlin address matches",
                                        now=received + timedelta(days=1))
    case_tasks.task_create(case=case, by=staff_user, title="Export Anna Schmidt's orders", now=received + timedelta(days=1))
    letters.draft_generate(case=case, kind="acknowledgement", language="en", by=staff_user,
                            now=received + timedelta(days=1))
    services.dsar_update(case=case, by=staff_user, now=received + timedelta(days=2),
                         requester_email="anna.schmidt@example.com")
    case_tasks.task_set_done(task=case.tasks.get(), by=staff_user, now=received + timedelta(days=3))
    services.dsar_withdraw(case=case, by=staff_user, note="Anna Schmidt withdrew by phone", now=ended)
    case.refresh_from_db()
    return case


def _records_of(case) -> str:
    """Everything kept about the case and its children: rows, history rows, audit-log entries."""
    children = {
        ResponseDraft: list(case.drafts.values_list("pk", flat=True)),
        Task: list(case.tasks.values_list("pk", flat=True)),
        IdentityCheck: list(case.identity_checks.values_list("pk", flat=True)),
        IdentityDocument: list(case.identity_documents.values_list("pk", flat=True)),
        RightsRequest: [case.pk],
    }
    dump = []
    for model, ids in children.items():
        dump += list(model.objects.filter(pk__in=ids).values())
        dump += list(model.history.filter(id__in=ids).values())
        dump += list(AuditLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                                  object_id__in=[str(i) for i in ids]).values())
    dump += list(case.timeline.values())
    dump += [entry.text for entry in case.timeline.all()]
    return json.dumps(dump, default=str, ensure_ascii=False)


def _erase(client, cases, reason):
    # The confirmation page posts the version of each case it showed.
    versions = {f"_loaded_version_{c.pk}": RightsRequest.objects.get(pk=c.pk).version for c in cases}
    return client.post(CHANGELIST, {"action": "erase_personal_data", ACTION_CHECKBOX_NAME: [c.pk for c in cases],
                                    "apply": "1", "reason": reason, **versions}, follow=True)


def test_a_manager_erases_an_ended_case_past_retention_and_a_tombstone_stays(
        manager_client, manager_user, staff_user, django_capture_on_commit_callbacks):
    old = _ended_case(staff_user, ended=at(2022, 3, 10))
    recent = _ended_case(staff_user, ended=at(2026, 1, 5))
    document = old.identity_documents.get()
    assert storages["private"].exists(document.file.name)
    assert "Anna Schmidt" in _records_of(old) and "passport-anna" in _records_of(old)
    kept = {f: getattr(old, f) for f in ("reference", "jurisdiction", "request_type", "received_at", "due_on",
                                         "status", "closed_at", "assignee_id")}

    # The confirmation page says which will be erased and why the other will not.
    page = manager_client.post(CHANGELIST, {"action": "erase_personal_data",
                                            ACTION_CHECKBOX_NAME: [old.pk, recent.pk]}).content.decode()
    assert "will be erased" in page
    assert "It is kept until 2029-01-05: 1096 days after it ended (CASE_RETENTION_DAYS)." in page
    assert not RightsRequest.objects.filter(erased_at__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = _erase(manager_client, [old, recent], "retention period ended")
    body = response.content.decode()
    assert f"Personal data erased; the cases are kept as records without it: {old.reference}." in body
    assert f"The personal data of {recent.reference} cannot be erased" in body

    old.refresh_from_db()
    assert {f: getattr(old, f) for f in kept} == kept  # the tombstone
    assert (old.erased_by, old.erasure_reason) == (manager_user, "retention period ended")
    assert old.erased_at is not None
    assert old.requester_name == old.requester_email == old.requester_phone == old.description == ""
    records = _records_of(old)
    for value in PERSONAL:
        assert value not in records, value
    assert "retention period ended" in records  # who erased it and why is on record
    assert not storages["private"].exists(document.file.name)  # the passport file is gone
    document.refresh_from_db()
    assert document.deleted_at is not None and not document.file
    assert old.timeline.filter(kind=TimelineEntry.Kind.ERASURE).exists()

    recent.refresh_from_db()
    assert recent.erased_at is None and recent.requester_name == "Anna Schmidt"
    assert storages["private"].exists(recent.identity_documents.get().file.name)


def test_an_erased_case_is_shown_read_only_and_stays_in_the_list_and_the_audit_log(
        manager_client, staff_client, staff_user):
    case = _ended_case(staff_user, ended=at(2022, 3, 10))
    _erase(manager_client, [case], "retention period ended")
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert "Personal data erased" in page and "retention period ended" in page
    assert 'name="_save"' not in page and "Anna Schmidt" not in page
    assert case.reference in staff_client.get(CHANGELIST).content.decode()
    audit = manager_client.get(reverse("admin:privacy_office_auditlogentry_changelist")).content.decode()
    assert case.reference in audit and "Anna Schmidt" not in audit
    # Nothing can be typed back in: the change form refuses a POST.
    response = staff_client.post(reverse("admin:requests_app_rightsrequest_change", args=[case.pk]),
                                 {"requester_name": "Anna Schmidt"})
    assert response.status_code == 403
    draft = case.drafts.get()
    assert staff_client.post(reverse("admin:requests_app_responsedraft_change", args=[draft.pk]),
                             {"subject": "x", "body": "Dear Anna"}).status_code == 403


def test_an_open_case_is_never_erased(manager_client, staff_user):
    case = make_case(by=staff_user, received_at=at(2022, 3, 2), now=at(2022, 3, 2, 12))
    response = _erase(manager_client, [case], "retention period ended")
    assert "The case has not ended (it is “received”)." in response.content.decode()
    case.refresh_from_db()
    assert case.erased_at is None and case.requester_name == "Anna Schmidt" and case.status == Status.RECEIVED


def test_the_reason_is_required_and_the_erasure_happens_once(manager_client, staff_user):
    case = _ended_case(staff_user, ended=at(2022, 3, 10))
    response = _erase(manager_client, [case], "")
    assert "This field is required." in response.content.decode()
    case.refresh_from_db()
    assert case.erased_at is None
    _erase(manager_client, [case], "retention period ended")
    response = _erase(manager_client, [case], "again")
    assert "Its personal data was already erased on" in response.content.decode()
    case.refresh_from_db()
    assert case.erasure_reason == "retention period ended"


def test_only_a_manager_may_erase(staff_client, auditor_client, staff_user):
    case = _ended_case(staff_user, ended=at(2022, 3, 10))
    assert 'value="erase_personal_data"' not in staff_client.get(CHANGELIST).content.decode()
    for client in (staff_client, auditor_client):
        _erase(client, [case], "forged")
    case.refresh_from_db()
    assert case.erased_at is None and case.requester_name == "Anna Schmidt"


def test_the_retention_period_is_a_setting(manager_client, staff_user, settings):
    # Ended 800 days before now: past a 730-day period, within the default 1,096 days.
    case = _ended_case(staff_user, ended=timezone.now() - timedelta(days=800))
    assert "It is kept until" in _erase(manager_client, [case], "retention period ended").content.decode()
    settings.CASE_RETENTION_DAYS = 730
    _erase(manager_client, [case], "retention period ended")
    case.refresh_from_db()
    assert case.erased_at is not None


def test_the_confirmation_page_in_chinese(manager_client, staff_user):
    case = _ended_case(staff_user, ended=at(2026, 1, 5))
    manager_client.cookies["django_language"] = "zh-hans"
    page = manager_client.post(CHANGELIST, {"action": "erase_personal_data", ACTION_CHECKBOX_NAME: [case.pk]},
                               HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "保留至 2029-01-05：结束后 1096 天（CASE_RETENTION_DAYS）。" in page
    assert "删除理由" in page


def test_a_retention_period_below_24_months_is_refused_at_start_up():
    env = {**os.environ, "CASE_RETENTION_DAYS": "365"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=Path(django_settings.BASE_DIR), env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "CASE_RETENTION_DAYS must be at least 730" in result.stderr


def test_a_selection_larger_than_one_confirmation_page_is_refused_not_cut(manager_client, staff_user, monkeypatch):
    from requests_app import views

    monkeypatch.setattr(views, "ERASURE_PAGE_MAX_ROWS", 2)
    cases = [_ended_case(staff_user, ended=at(2022, 3, 10)) for _ in range(3)]
    page = manager_client.post(CHANGELIST, {"action": "erase_personal_data",
                                            ACTION_CHECKBOX_NAME: [case.pk for case in cases]}, follow=True)
    assert "More than 2 cases are selected" in page.content.decode()
    assert not RightsRequest.objects.filter(erased_at__isnull=False).exists()
