"""The governance gaps as staff meet them in the admin: a reported audit's page refuses a change,
and cross-border volumes are imported from a file through the import page."""

import io
from datetime import date

import pytest
from django.urls import reverse

from inventory_app import audits
from inventory_app.models import ComplianceAudit, Controller, TransferVolume
from privacy_office.admin_base import REASON_FIELD, VERSION_FIELD

pytestmark = pytest.mark.django_db


def test_a_reported_audit_cannot_be_changed_on_its_page(seeded, staff_user, staff_client):
    audit = audits.audit_save(audit=ComplianceAudit(
        controller=Controller.objects.get(code="lumi-united"), kind=ComplianceAudit.Kind.PERIODIC,
        auditor="Firm A", findings="Two late replies", period_start=date(2026, 1, 1),
        period_end=date(2026, 9, 30), report_on=date(2026, 11, 2)), by=staff_user)
    url = reverse("admin:inventory_app_complianceaudit_change", args=[audit.pk])
    form = {
        "controller": audit.controller_id, "kind": "periodic", "ordered_by": "", "deadline": "", "auditor": "Firm A",
        "scope": "", "period_start": "2026-01-01", "period_end": "2026-09-30", "findings": "No findings",
        "report_on": "2026-11-02", "rectified_on": "", "rectification_reported_on": "",
        "remediation_items-TOTAL_FORMS": 0, "remediation_items-INITIAL_FORMS": 0,
        VERSION_FIELD: audit.version, REASON_FIELD: "tidy up",
    }
    response = staff_client.post(url, form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "不能再修改" in response.content.decode()
    assert ComplianceAudit.objects.get(pk=audit.pk).findings == "Two late replies"
    # The rectification that follows the report is still recorded from the same page.
    response = staff_client.post(url, {**form, "findings": "Two late replies", "rectified_on": "2026-11-09"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ComplianceAudit.objects.get(pk=audit.pk).rectified_on == date(2026, 11, 9)


def test_volumes_are_imported_through_the_import_page(seeded, staff_client, staff_user):
    url = reverse("admin:inventory_app_transfervolume_import")
    rows = ("controller,destination_country,recipient,period_start,period_end,people,sensitive_people,necessity,note\n"
            "lumi-united,DE,,2026-01-01,2026-03-31,40000,0,,Q1\n"
            "lumi-united,DE,,2026-04-01,2026-06-30,70000,5000,,Q2\n")
    upload = io.BytesIO(rows.encode())
    upload.name = "volumes-2026.csv"
    response = staff_client.post(url, {"import_file": upload, "format": "0"})
    assert response.status_code == 200 and response.context["confirm_form"] is not None, response.content[:2000]
    assert TransferVolume.objects.count() == 0  # the preview writes nothing
    response = staff_client.post(reverse("admin:inventory_app_transfervolume_process_import"),
                                 response.context["confirm_form"].initial)
    assert response.status_code == 302
    volumes = TransferVolume.objects.order_by("period_start")
    assert [(v.people, v.note) for v in volumes] == [(40000, "Q1"), (70000, "Q2")]
    assert volumes[0].history.get().history_user == staff_user
