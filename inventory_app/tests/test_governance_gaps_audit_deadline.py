"""An audit ordered by a regulator: reminder e-mails before its deadline, on the day and when
overdue, to the person who recorded it and the managers, until its report date is recorded."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from inventory_app import audits
from inventory_app.models import ComplianceAudit, Controller
from inventory_app.reminders import audit_deadline_reminders
from privacy_office.models import Reminder, StaffProfile
from privacy_office.reminder_time import manager_ids
from privacy_office.reminders import reminder_send, reminders_record

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def ordered(seeded, staff_user):
    return audits.audit_save(audit=ComplianceAudit(
        controller=Controller.objects.get(code="lumi-united"), kind=ComplianceAudit.Kind.ORDERED,
        ordered_by="广东省网信办", deadline=date(2026, 11, 30), auditor="Firm A",
        period_start=date(2026, 1, 1), period_end=date(2026, 9, 30)), by=staff_user)


def due(now):
    return sorted((s.kind, s.threshold, s.recipient_id) for s in audit_deadline_reminders(
        now=now, days=None, managers=manager_ids(), floor=now - timedelta(days=7)))


def at(day, hour, minute=0):
    return datetime(2026, day[0], day[1], hour, minute, tzinfo=SHANGHAI)


def test_reminders_before_on_and_after_the_regulators_deadline(ordered, staff_user, manager_user):
    # Deadline Mon 2026-11-30 (the regulator's date, no counting). 7 days before → Mon 2026-11-23,
    # 3 days before → Fri 2026-11-27, on the day → Mon 2026-11-30, overdue → Tue 2026-12-01; each at 09:00.
    both = sorted([staff_user.pk, manager_user.pk])
    assert due(at((11, 23), 8, 59)) == []
    assert due(at((11, 23), 9)) == [("audit_deadline_before", "7d:2026-11-30", r) for r in both]
    kinds = {(k, t) for k, t, _ in due(at((11, 27), 9))}
    assert kinds == {("audit_deadline_before", "7d:2026-11-30"), ("audit_deadline_before", "3d:2026-11-30")}
    assert ("audit_deadline_today", "2026-11-30") not in {(k, t) for k, t, _ in due(at((11, 30), 8, 59))}
    assert ("audit_deadline_today", "2026-11-30", staff_user.pk) in due(at((11, 30), 9))
    assert ("audit_deadline_overdue", "2026-11-30", manager_user.pk) not in due(at((11, 30), 23, 59))
    assert ("audit_deadline_overdue", "2026-11-30", manager_user.pk) in due(at((12, 1), 9))
    # The report is made: nothing more is due.
    ordered.report_on = date(2026, 11, 29)
    audits.audit_save(audit=ordered, by=staff_user)
    assert due(at((12, 1), 9)) == []


def test_a_periodic_audit_has_no_deadline_reminders(seeded, staff_user, manager_user):
    audits.audit_save(audit=ComplianceAudit(
        controller=Controller.objects.get(code="lumi-united"), deadline=date(2026, 11, 30), auditor="Internal",
        period_start=date(2026, 1, 1), period_end=date(2026, 9, 30)), by=staff_user)
    assert due(at((11, 30), 9)) == []


def test_the_email_in_each_recipients_language_and_obsolete_once_reported(ordered, staff_user, manager_user):
    StaffProfile.objects.update_or_create(user=manager_user, defaults={"language": "zh-hans"})
    StaffProfile.objects.update_or_create(user=staff_user, defaults={"language": "en"})
    now = at((11, 27), 9)
    reminders_record(specs=[s for s in audit_deadline_reminders(now=now, days=None, managers=manager_ids(),
                                                                floor=now - timedelta(days=1))
                            if s.threshold == "3d:2026-11-30"], now=now)
    Reminder.objects.update(created_at=now)  # recorded by the sweep at that moment (the test clock is elsewhere)
    rows = Reminder.objects.filter(kind="audit_deadline_before").order_by("recipient__username")
    assert [r.recipient.username for r in rows] == ["manager", "staff"]
    for row in rows:
        assert reminder_send(reminder_id=row.pk, now=now) == "sent"
    by_to = {m.to[0]: m for m in mail.outbox}
    english = by_to[staff_user.email]
    assert english.subject == f"[{ordered.reference}] Ordered audit: report due to the regulator in 3 days (2026-11-30)"
    assert "ordered by 广东省网信办" in english.body and "/admin/inventory_app/complianceaudit/" in english.body
    assert by_to[manager_user.email].subject == f"【{ordered.reference}】监管要求的审计：距期限还有 3 天（2026-11-30）"
    # Recorded for the day, but the report was made before it went out: it is dropped, not sent.
    now = at((11, 30), 9)
    reminders_record(specs=audit_deadline_reminders(now=now, days=None, managers=manager_ids(),
                                                    floor=now - timedelta(hours=1)), now=now)
    today = Reminder.objects.filter(kind="audit_deadline_today").first()
    ordered.report_on = date(2026, 11, 30)
    audits.audit_save(audit=ordered, by=staff_user)
    assert reminder_send(reminder_id=today.pk, now=now) == "obsolete"
