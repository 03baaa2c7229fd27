"""The audit log names a notice draft or an obligation in the reader's language, whoever changed it:
the name is built from the record's labels ("EU-SA · regulator report · initial · en"), stored in
English and shown through the labels' translations. A Berlin manager read the Chinese officer's
"EU-SA · 监管报告 · 初次 · en" before."""

import pytest
from django.utils import translation

from breach_app.models import NoticeDraft, Obligation
from privacy_office.models import AuditLogEntry, StaffProfile

from .test_admin_edit import recorded

pytestmark = pytest.mark.django_db


def test_a_draft_changed_by_a_chinese_officer_is_named_in_each_readers_language(staff_client, staff_user,
                                                                             manager_client, manager_user):
    incident = recorded(staff_client)
    obligation = incident.obligations.first()
    with translation.override("zh-hans"):  # written while the officer reads Chinese
        draft = NoticeDraft.objects.create(obligation=obligation, kind="regulator_report", phase="initial",
                                           language="en", body="x", generated_body="x")
    entry = AuditLogEntry.objects.filter(content_type__model="noticedraft", object_id=str(draft.pk)).get()
    assert entry.object_repr == f"{obligation.code} · regulator report · initial · en"  # one language on record

    StaffProfile.objects.update_or_create(user=manager_user, defaults={"language": "en"})
    english = manager_client.get("/admin/privacy_office/auditlogentry/?q=" + f"={entry.object_repr}").content.decode()
    page = manager_client.get("/admin/privacy_office/auditlogentry/").content.decode()
    assert f"{obligation.code} · regulator report · initial · en" in page
    assert "监管报告" not in page.split('id="result_list"')[1]
    assert english  # the exact-name search still answers

    # The same entry read by a manager who reads Chinese (the language is taken at sign-in).
    StaffProfile.objects.update_or_create(user=manager_user, defaults={"language": "zh-hans"})
    manager_client.logout()
    manager_client.force_login(manager_user)
    with translation.override("zh-hans"):
        kind, phase = str(NoticeDraft.Kind.REGULATOR_REPORT.label), str(NoticeDraft.Phase.INITIAL.label)
        recipient = str(Obligation.Recipient(obligation.recipient).label)
    page = manager_client.get("/admin/privacy_office/auditlogentry/").content.decode()
    assert f"{obligation.code} · {kind} · {phase} · en" in page
    assert f"{obligation.code} ({recipient})" in page
