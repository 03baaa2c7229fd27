"""A compliance audit whose report is made is frozen: the service refuses a change in the user's
language and names the fields; the rectification that follows the report can still be recorded."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from inventory_app import audits
from inventory_app.models import ComplianceAudit, Controller

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(seeded, staff_user):
    # Ordered audit, report made Mon 2026-11-02 (before the regulator's deadline of Mon 2026-11-30).
    return audits.audit_save(audit=ComplianceAudit(
        controller=Controller.objects.get(code="lumi-united"), kind=ComplianceAudit.Kind.ORDERED,
        ordered_by="广东省网信办", deadline=date(2026, 11, 30), auditor="Firm A", findings="Two late replies",
        period_start=date(2026, 1, 1), period_end=date(2026, 9, 30), report_on=date(2026, 11, 2)), by=staff_user)


def test_findings_cannot_change_after_the_report(reported, staff_user):
    reported.findings = "No findings"
    with translation.override("en"), pytest.raises(ValidationError, match="report of AUD-2026-0001 was made on 2026-11-02") as err:
        audits.audit_save(audit=reported, by=staff_user)
    assert "findings" in str(err.value)
    stored = ComplianceAudit.objects.get(pk=reported.pk)
    assert stored.findings == "Two late replies" and stored.history.count() == 1


def test_the_refusal_is_in_chinese_for_chinese_staff(reported, staff_user):
    reported.report_on = date(2026, 11, 3)
    reported.period_end = date(2026, 10, 31)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        audits.audit_save(audit=reported, by=staff_user)
    message = err.value.messages[0]
    assert "AUD-2026-0001" in message and "不能再修改" in message and "报告日期" in message
    assert ComplianceAudit.objects.get(pk=reported.pk).report_on == date(2026, 11, 2)


def test_rectification_is_still_recorded_after_the_report(reported, staff_user):
    # Rectified Mon 2026-11-09 → 15 working days (U), counted from the day after: Tue 10 – Fri 13 (4),
    # Mon 16 – Fri 20 (9), Mon 23 – Fri 27 (14), Mon 2026-11-30 (15). No holiday in between.
    reported.rectified_on = date(2026, 11, 9)
    audits.audit_save(audit=reported, by=staff_user)
    reported.refresh_from_db()
    assert reported.rectification_report_due_on == date(2026, 11, 30)
    reported.rectification_reported_on = date(2026, 11, 16)
    audits.audit_save(audit=reported, by=staff_user)
    assert ComplianceAudit.objects.get(pk=reported.pk).rectification_reported_on == date(2026, 11, 16)


def test_before_the_report_an_audit_can_still_be_changed(seeded, staff_user):
    audit = audits.audit_save(audit=ComplianceAudit(
        controller=Controller.objects.get(code="lumi-united"), auditor="Internal", period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30)), by=staff_user)
    audit.findings = "Late replies"
    audit.report_on = date(2026, 11, 2)  # the edit that makes the report is itself allowed
    audits.audit_save(audit=audit, by=staff_user)
    assert ComplianceAudit.objects.get(pk=audit.pk).findings == "Late replies"
