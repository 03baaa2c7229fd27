"""Compliance audits (PIPL Arts 54, 64; 审计办法): the programme from the dated count of people
handled, regulator-ordered audits with their clocks, remediation items on the reminder machinery,
evidence computed live from the office's own records, and the report in zh-hans and en."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory_app import audits
from inventory_app.models import ComplianceAudit, Controller, PeopleCount, RemediationItem
from inventory_app.reminders import remediation_reminders
from privacy_office.history import save_with_reason

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def lumi(seeded):
    return Controller.objects.get(code="lumi-united")


def count(controller, on, people, minors=False):
    row = PeopleCount(controller=controller, counted_on=on, people=people, minors=minors)
    save_with_reason(row, by=None, reason="count")
    return row


def test_programme_follows_the_dated_counts(lumi, staff_user):
    assert audits.audit_programme(controller=lumi).count is None
    count(lumi, date(2026, 1, 15), 999_999)
    programme = audits.audit_programme(controller=lumi)
    assert programme.frequency.years == 5 and programme.frequency.unverified and programme.duties == []
    # Reaches 1,000,000 on Wed 2026-11-18: officer report due Wed 2026-12-30 (30 working days,
    # worked in test_governance_rules); audits every 3 years (unverified), first cycle from that day.
    count(lumi, date(2026, 11, 18), 1_000_000)
    programme = audits.audit_programme(controller=lumi)
    report = next(d for d in programme.duties if d.code == "pipo_report")
    assert report.clock.due_on == date(2026, 12, 30)
    assert programme.next_audit.due_on == date(2029, 11, 18) and programme.next_audit.unverified
    # Over 10,000,000 from 2027-03-01: every 2 years from that day; after a report of 2027-06-30, from it.
    count(lumi, date(2027, 3, 1), 10_000_000)
    assert audits.audit_programme(controller=lumi).next_audit.due_on == date(2029, 3, 1)
    audits.audit_save(audit=ComplianceAudit(controller=lumi, auditor="Internal audit", period_start=date(2027, 1, 1),
                                            period_end=date(2027, 3, 31), report_on=date(2027, 6, 30)), by=staff_user)
    programme = audits.audit_programme(controller=lumi)
    assert programme.next_audit.due_on == date(2029, 6, 30) and not programme.next_audit.unverified
    assert "large_handler" in [d.code for d in programme.duties]


def test_ordered_audit_rectification_report_clock(lumi, staff_user):
    audit = audits.audit_save(audit=ComplianceAudit(
        controller=lumi, kind=ComplianceAudit.Kind.ORDERED, ordered_by="广东省网信办", deadline=date(2026, 12, 31),
        auditor="Firm A", period_start=date(2026, 1, 1), period_end=date(2026, 9, 30)), by=staff_user)
    assert audit.reference == "AUD-2026-0001" and audit.rectification_report_due_on is None
    # Rectified Mon 2026-09-28 → 15 working days → Fri 2026-10-23 (worked in test_governance_rules; U).
    audit.rectified_on = date(2026, 9, 28)
    audits.audit_save(audit=audit, by=staff_user)
    assert audit.rectification_report_due_on == date(2026, 10, 23)


def test_remediation_reminders_ahead_and_when_overdue(lumi, staff_user, manager_user):
    from privacy_office.reminder_time import manager_ids

    audit = audits.audit_save(audit=ComplianceAudit(controller=lumi, auditor="Internal audit",
                                                    period_start=date(2026, 1, 1), period_end=date(2026, 6, 30)),
                              by=staff_user)
    item = RemediationItem(audit=audit, title="Fix the contract", owner=staff_user, due_on=date(2026, 11, 20))
    save_with_reason(item, by=staff_user, reason="finding")

    def due(now):
        return sorted((s.kind, s.recipient_id) for s in remediation_reminders(
            now=now, days=None, managers=manager_ids(), floor=now - timedelta(days=7)))
    # Due Fri 2026-11-20: the owner on Tue 17 at 09:00 (3 days ahead), not at 08:59.
    assert due(datetime(2026, 11, 17, 8, 59, tzinfo=SHANGHAI)) == []
    assert due(datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI)) == [("audit_remediation_due", staff_user.pk)]
    # Overdue on Sat 21 at 09:00: owner and managers.
    assert ("audit_remediation_overdue", manager_user.pk) in due(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    assert ("audit_remediation_overdue", manager_user.pk) not in due(datetime(2026, 11, 21, 8, 59, tzinfo=SHANGHAI))
    item.done_on = date(2026, 11, 20)
    item.save()
    assert due(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)) == []


def test_evidence_counts_requests_answered_on_time_and_late(lumi, staff_user):
    from requests_app.models import RightsRequest
    from requests_app.tests.factories import make_case

    today = timezone.localdate()
    on_time, late, open_case = make_case(), make_case(), make_case()
    cases = RightsRequest.objects.filter(pk__in=[on_time.pk, late.pk, open_case.pk])
    start = min(cases.values_list("received_on", flat=True))
    due = max(cases.values_list("due_on", flat=True))
    # Set as the stored facts would be (a reply on the due date, one the day after; one unanswered
    # and past its due date).
    RightsRequest.objects.filter(pk=on_time.pk).update(responded_at=datetime.combine(
        on_time.due_on, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=12))
    RightsRequest.objects.filter(pk=late.pk).update(responded_at=datetime.combine(
        late.due_on + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=12))
    RightsRequest.objects.filter(pk=open_case.pk).update(due_on=max(open_case.received_on, today - timedelta(days=1)))
    audit = audits.audit_save(audit=ComplianceAudit(controller=lumi, auditor="Internal audit", period_start=start,
                                                    period_end=max(due, today)), by=staff_user)
    evidence = audits.audit_evidence(audit=audit)
    assert (evidence.requests_total, evidence.requests_on_time, evidence.requests_late) == (3, 1, 1)
    if open_case.received_on < today:
        assert evidence.requests_open_overdue == 1


@pytest.mark.parametrize("language,heading", [("en", "Personal information protection compliance audit"),
                                               ("zh-hans", "个人信息保护合规审计报告")])
def test_audit_through_the_admin_and_its_report(lumi, staff_user, staff_client, manager_client, language, heading):
    import docx

    response = staff_client.post(reverse("admin:inventory_app_complianceaudit_add"), {
        "controller": lumi.pk, "kind": "ordered", "ordered_by": "", "deadline": "", "auditor": "Firm A", "scope": "",
        "period_start": "2026-01-01", "period_end": "2026-06-30", "findings": "", "report_on": "", "rectified_on": "",
        "rectification_reported_on": "",
        "remediation_items-TOTAL_FORMS": 0, "remediation_items-INITIAL_FORMS": 0})
    assert response.status_code == 200 and "deadline the regulator set" in response.content.decode()
    response = staff_client.post(reverse("admin:inventory_app_complianceaudit_add"), {
        "controller": lumi.pk, "kind": "periodic", "ordered_by": "", "deadline": "", "auditor": "Internal audit",
        "scope": "Rights requests", "period_start": "2026-01-01", "period_end": "2026-06-30", "findings": "Late replies",
        "report_on": "", "rectified_on": "", "rectification_reported_on": "",
        "remediation_items-TOTAL_FORMS": 1, "remediation_items-INITIAL_FORMS": 0,
        "remediation_items-0-title": "Train the team", "remediation_items-0-owner": staff_user.pk,
        "remediation_items-0-due_on": "2026-12-01", "remediation_items-0-done_on": "", "remediation_items-0-note": "",
        "_change_reason": "planned"})
    assert response.status_code == 302, response.content.decode()[:3000]
    audit = ComplianceAudit.objects.get()
    assert audit.reference == "AUD-2026-0001" and audit.remediation_items.get().title == "Train the team"
    page = manager_client.get(reverse("admin:inventory_app_complianceaudit_change", args=[audit.pk]),
                              HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    if language == "zh-hans":
        assert "按时答复" in page.content.decode()
    url = reverse("admin:inventory_app_complianceaudit_report", args=[audit.pk, language])
    assert staff_client.get(url).status_code == 403
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(manager_client.get(url).content)).paragraphs)
    assert heading in text and "Train the team" in text and "Late replies" in text


def test_officer_report_is_a_duty_until_reported(lumi):
    count(lumi, date(2026, 11, 18), 1_000_000)
    codes = [d.code for d in audits.audit_programme(controller=lumi).duties]
    assert codes == ["pipo_designate", "pipo_report"]
    lumi.pipo_reported_on = date(2026, 12, 1)
    lumi.save()
    programme = audits.audit_programme(controller=lumi)
    assert [d.code for d in programme.duties] == ["pipo_designate"] and programme.met == ["pipo_report"]


def test_a_new_officer_email_starts_the_change_report_clock(lumi, manager_client):
    from inventory_app import governance_rules as rules
    from privacy_office.tests.test_concurrency import ChangeForm

    count(lumi, date(2026, 1, 5), 1_200_000)
    lumi.pipo_reported_on = date(2026, 2, 1)
    lumi.save()
    url = reverse("admin:inventory_app_controller_change", args=[lumi.pk])
    form = ChangeForm(manager_client.get(url).content.decode())
    response = manager_client.post(url, form.post(dpo_email="new-officer@aqara.example", _change_reason="new officer"),
                                   follow=True)
    today = timezone.localdate()
    due = rules.pipo_change_report_due(today).due_on
    assert f"report the change to the city-level CAC by {due.isoformat()}" in response.content.decode()
    lumi.refresh_from_db()
    assert lumi.pipo_changed_on == today
    change = next(d for d in audits.audit_programme(controller=lumi).duties if d.code == "pipo_change_report")
    assert change.clock.due_on == due
    lumi.pipo_change_reported_on = today
    lumi.save()
    assert "pipo_change_report" not in [d.code for d in audits.audit_programme(controller=lumi).duties]
