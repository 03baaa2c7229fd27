"""Reminders: the right people, at the right moments, once, in their language (tasks run eagerly).

Dates are worked out by hand. The office zone is Asia/Shanghai (UTC+8, no DST); reminders for a
day go out at 09:00 there (= 01:00 UTC).
"""

from datetime import datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from privacy_office.models import Reminder, StaffProfile
from privacy_office.reminders import reminders_enqueue_unsent, reminders_record
from privacy_office.tasks import sweep_reminders

SH = ZoneInfo("Asia/Shanghai")
UTC = dt_timezone.utc
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager(reminder_mail):
    reminder_mail.REMINDER_DAYS_BEFORE = [7, 3, 1]


@pytest.fixture
def people(staff_user, manager_user):
    StaffProfile.objects.create(user=staff_user, language="zh-hans")
    StaffProfile.objects.create(user=manager_user, language="en")
    return staff_user, manager_user


def sweep_at(when, django_capture_on_commit_callbacks, modules=("requests_app.reminders", "breach_app.reminders")):
    """One sweep at ``when`` (without the weekly digests unless asked): record what is due and
    send it (the send task runs eagerly, at commit)."""
    from importlib import import_module

    with django_capture_on_commit_callbacks(execute=True):
        for name in modules:
            reminders_record(specs=import_module(name).due_reminders(now=when), now=when)
        reminders_enqueue_unsent(now=when)


def eu_case(staff_user, received):
    from requests_app.services import dsar_register

    return dsar_register(
        requester_name="Erika Mustermann", requester_email="erika@example.de", jurisdiction="EU",
        request_type="access", received_at=received, assignee=staff_user,
    )


def subjects(to):
    return [m.subject for m in mail.outbox if to in m.to]


def test_case_reminders_at_7_3_1_days_due_day_and_overdue(people, django_capture_on_commit_callbacks):
    staff, manager = people
    # Received Mon 2026-09-07 10:00 Berlin; GDPR one month (Reg. 1182/71): Wed 2026-10-07.
    case = eu_case(staff, datetime(2026, 9, 7, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    assert str(case.due_on) == "2026-10-07"
    Reminder.objects.all().delete()
    created = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)
    type(case).objects.filter(pk=case.pk).update(created_at=created)

    # Tue 2026-09-29 08:59 Shanghai: the 7-day reminder's moment (09:00) has not come.
    sweep_at(datetime(2026, 9, 29, 8, 59, tzinfo=SH), django_capture_on_commit_callbacks)
    assert [m.subject for m in mail.outbox] == []
    # 09:01: the 7-day reminder to the assignee, in Chinese (her language).
    sweep_at(datetime(2026, 9, 30, 9, 1, tzinfo=SH), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff.email]
    assert "剩余 7 天" in message.subject and case.reference in message.subject
    assert "2026-10-07" in message.body
    assert f"https://privacy.example/admin/requests_app/rightsrequest/{case.pk}/change/" in message.body
    # No requester identity in a reminder.
    assert "Erika" not in message.body + message.subject and "erika@" not in message.body
    # The same sweep again sends nothing.
    sweep_at(datetime(2026, 9, 30, 9, 2, tzinfo=SH), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    # Sun 2026-10-04 09:00 = 3 days before; Tue 10-06 = 1 day before; Wed 10-07 = due day.
    sweep_at(datetime(2026, 10, 4, 9, 0, tzinfo=SH), django_capture_on_commit_callbacks)
    sweep_at(datetime(2026, 10, 6, 9, 0, tzinfo=SH), django_capture_on_commit_callbacks)
    sweep_at(datetime(2026, 10, 7, 9, 0, tzinfo=SH), django_capture_on_commit_callbacks)
    staff_subjects = [s for s in subjects(staff.email) if "延期" not in s]
    assert len(staff_subjects) == 4
    assert "剩余 3 天" in staff_subjects[1] and "剩余 1 天" in staff_subjects[2] and "今日到期" in staff_subjects[3]
    # The last days to send a lawful extension notice (the original deadline 10-07): 3 and 1 days before.
    assert [s for s in subjects(staff.email) if "延期" in s] == [f"【{case.reference}】延期通知最后期限：2026-10-07"] * 2
    # Thu 10-08 and Fri 10-09: overdue daily to the assignee; the managers are told once, in English.
    sweep_at(datetime(2026, 10, 8, 9, 0, tzinfo=SH), django_capture_on_commit_callbacks)
    sweep_at(datetime(2026, 10, 8, 15, 0, tzinfo=SH), django_capture_on_commit_callbacks)
    sweep_at(datetime(2026, 10, 9, 9, 0, tzinfo=SH), django_capture_on_commit_callbacks)
    staff_subjects = subjects(staff.email)
    assert [s for s in staff_subjects if "已逾期" in s] == [
        f"【{case.reference}】已逾期 1 天：权利请求 {case.reference}",
        f"【{case.reference}】已逾期 2 天：权利请求 {case.reference}",
    ]
    assert subjects(manager.email) == [f"[Escalation] Rights request {case.reference} is overdue (due 2026-10-07)"]
    assert Reminder.objects.filter(status="sent").count() == len(mail.outbox) == 9


def test_no_7_day_reminder_for_a_case_registered_after_that_moment(people, django_capture_on_commit_callbacks):
    staff, _ = people
    case = eu_case(staff, datetime(2026, 9, 7, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    # Registered Sat 2026-10-03 12:00 Shanghai: the 7-day moment (09-30 09:00) was before it.
    type(case).objects.filter(pk=case.pk).update(created_at=datetime(2026, 10, 3, 12, 0, tzinfo=SH))
    sweep_at(datetime(2026, 10, 3, 12, 5, tzinfo=SH), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_reminder_missed_while_down_is_sent_late_not_skipped(people, django_capture_on_commit_callbacks):
    staff, _ = people
    case = eu_case(staff, datetime(2026, 9, 7, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    type(case).objects.filter(pk=case.pk).update(created_at=datetime(2026, 9, 7, 9, 0, tzinfo=UTC))
    # The system was down from 09-29 to 10-02 12:00: the 7-day reminder (09-30 09:00) is late.
    sweep_at(datetime(2026, 10, 2, 12, 0, tzinfo=SH), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get()
    assert reminder.late is True and reminder.status == "sent"
    assert "延迟发送" in mail.outbox[0].subject


def test_the_database_refuses_a_second_identical_reminder(people):
    from django.contrib.contenttypes.models import ContentType

    staff, _ = people
    ct = ContentType.objects.get_for_model(type(staff))
    fields = dict(content_type=ct, object_id=1, kind="dsar_due_today", threshold="2026-10-07", recipient=staff,
                  due_at=datetime(2026, 10, 7, 1, 0, tzinfo=UTC))
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**fields)


def test_mail_failure_is_recorded_and_retried_then_sent_once(people, settings, django_capture_on_commit_callbacks):
    staff, _ = people
    case = eu_case(staff, datetime(2026, 9, 7, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    type(case).objects.filter(pk=case.pk).update(created_at=datetime(2026, 9, 7, 9, 0, tzinfo=UTC))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    from privacy_office.celery import app

    app.conf.task_eager_propagates = False
    sweep_at(datetime(2026, 9, 30, 9, 1, tzinfo=SH), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get()
    assert reminder.status in ("retrying", "failed")
    assert reminder.attempts >= 2  # the task retried with back-off
    assert "Connection refused" in reminder.last_error or "Error" in reminder.last_error
    # The mail server is back; ten minutes later the next sweep hands the unsent reminder over again.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        reminders_enqueue_unsent(now=datetime(2026, 9, 30, 9, 15, tzinfo=SH))
    reminder.refresh_from_db()
    assert reminder.status == "sent"
    assert len(mail.outbox) == 1


def china_incident(staff, title, discovered):
    """A high-risk incident concerning 1,000,001 people in China, discovered at ``discovered``."""
    from breach_app.services import incident_create

    return incident_create(
        by=staff, title=title, discovered_at=discovered, aware_at=discovered,
        populations={"CN": {"people_min": 1_000_001, "people_max": 1_000_001}}, risk_level="high",
    )


def test_obligation_reminders_at_50_75_90_percent_and_expiry(people, django_capture_on_commit_callbacks):
    staff, manager = people
    # Discovered Fri 2026-11-20 22:00 Shanghai (14:00 UTC); 1,000,001 people in China: the CAC
    # incident report is due 4 h later, 02:00 Sat (reporting measures Art. 4) — no weekend roll.
    discovered = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    incident = china_incident(staff, "Camera account database exposed", discovered)
    cac = incident.obligations.get(code="CN-CAC-INCIDENT")
    assert cac.deadline == discovered + timedelta(hours=4)
    # 50 % = 16:00 UTC, 75 % = 17:00, 90 % = 17:36, expiry = 18:00.
    sweep_at(discovered + timedelta(hours=1, minutes=59), django_capture_on_commit_callbacks)
    assert not [m for m in mail.outbox if "CN-CAC-INCIDENT" in m.subject]
    sweep_at(discovered + timedelta(hours=2, minutes=1), django_capture_on_commit_callbacks)
    cac_mail = [m for m in mail.outbox if "CN-CAC-INCIDENT" in m.subject]
    assert {tuple(m.to) for m in cac_mail} == {(staff.email,), (manager.email,)}
    assert any("时限已过 50%" in m.subject for m in cac_mail if m.to == [staff.email])
    assert any("50% of the time used" in m.subject for m in cac_mail if m.to == [manager.email])
    sweep_at(discovered + timedelta(hours=3, minutes=37), django_capture_on_commit_callbacks)
    sweep_at(discovered + timedelta(hours=4, minutes=1), django_capture_on_commit_callbacks)
    manager_cac = [m.subject for m in mail.outbox if "CN-CAC-INCIDENT" in m.subject and m.to == [manager.email]]
    assert len(manager_cac) == 4
    assert "75%" in manager_cac[1] and "90%" in manager_cac[2] and "DEADLINE PASSED" in manager_cac[3]
    # PIPL Art. 57 "immediately" duties are announced at once.
    assert any("Notify IMMEDIATELY" in m.subject for m in mail.outbox if m.to == [manager.email])


def test_a_sent_obligation_is_not_reminded_again(people, django_capture_on_commit_callbacks):
    from breach_app.models import Obligation
    staff, manager = people
    discovered = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    incident = china_incident(staff, "Leak", discovered)
    Obligation.objects.filter(incident=incident).update(status="sent", sent_at=discovered + timedelta(hours=1))
    sweep_at(discovered + timedelta(hours=5), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_weekly_digest_and_manager_summary(people, django_capture_on_commit_callbacks):
    staff, manager = people
    eu_case(staff, datetime(2026, 9, 7, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    Reminder.objects.all().delete()
    # Mon 2026-10-12 09:05 Shanghai: digest day (Monday 09:00). The case (due 10-07) is overdue.
    sweep_at(datetime(2026, 10, 12, 9, 5, tzinfo=SH), django_capture_on_commit_callbacks, modules=("privacy_office.digest",))
    staff_mail = [m for m in mail.outbox if m.to == [staff.email]]
    manager_mail = [m for m in mail.outbox if m.to == [manager.email]]
    assert len(staff_mail) == 1 and "2026-W42 隐私工作周报：1 个未结案件" in staff_mail[0].subject
    assert "已逾期：DSAR-" in staff_mail[0].body
    assert sorted(m.subject.split(":")[0] for m in manager_mail) == [
        "Privacy office summary for 2026-W42", "Your privacy work for 2026-W42",
    ]


def test_beat_schedules_the_sweep_every_minute_or_faster(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-sweep"]
    assert entry["task"] == sweep_reminders.name
    # The shortest clock is 1 h (CAC, CII operator): its 90 % mark must be caught within minutes.
    assert entry["schedule"] <= 60


def test_minute_sweeps_on_a_window_find_exactly_what_full_sweeps_find(people, monkeypatch, django_capture_on_commit_callbacks):
    """Sweeps every 2 hours for ten days, each reading only what (since, now] concerns, record the
    same case reminders as the full look of the first test — and a 3-day outage loses nothing."""
    import privacy_office.reminders as reminders_module
    from privacy_office.reminders import reminders_sweep

    staff, manager = people
    monkeypatch.setattr(reminders_module, "RECONCILE_EVERY", timedelta(days=365))
    case = eu_case(staff, datetime(2026, 9, 7, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    type(case).objects.filter(pk=case.pk).update(created_at=datetime(2026, 9, 7, 9, 0, tzinfo=UTC))
    Reminder.objects.all().delete()
    moment = datetime(2026, 9, 28, 1, 5, tzinfo=SH)  # every day has a sweep at 09:05
    while moment <= datetime(2026, 10, 9, 11, 0, tzinfo=SH):
        if not (datetime(2026, 10, 2, 12, 0, tzinfo=SH) < moment < datetime(2026, 10, 5, 12, 0, tzinfo=SH)):  # outage
            reminders_sweep(now=moment)
        moment += timedelta(hours=2)
    got = set(Reminder.objects.exclude(kind__in=["weekly_digest", "manager_summary"]).values_list("kind", "threshold", "recipient_id"))
    assert got == {
        ("dsar_due_before", "7d:2026-10-07", staff.pk),
        ("dsar_due_before", "3d:2026-10-07", staff.pk),  # 10-04 09:00 fell in the outage: found late
        ("dsar_due_before", "1d:2026-10-07", staff.pk),
        ("dsar_extension_last_chance", "3d:2026-10-07", staff.pk),
        ("dsar_extension_last_chance", "1d:2026-10-07", staff.pk),
        ("dsar_due_today", "2026-10-07", staff.pk),
        ("dsar_overdue", "2026-10-08", staff.pk),
        ("dsar_overdue", "2026-10-09", staff.pk),
        ("dsar_overdue_escalation", "2026-10-07", manager.pk),
    }
    late = set(Reminder.objects.filter(late=True).values_list("kind", "threshold"))
    assert late == {("dsar_due_before", "3d:2026-10-07"), ("dsar_extension_last_chance", "3d:2026-10-07")}


def test_reminder_history_shows_on_the_case_and_the_incident(people, manager_client, django_capture_on_commit_callbacks):
    staff, manager = people
    case = eu_case(staff, datetime(2026, 9, 7, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    type(case).objects.filter(pk=case.pk).update(created_at=datetime(2026, 9, 7, 9, 0, tzinfo=UTC))
    discovered = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    incident = china_incident(staff, "Leak", discovered)
    sweep_at(datetime(2026, 9, 30, 9, 1, tzinfo=SH), django_capture_on_commit_callbacks)
    sweep_at(discovered + timedelta(hours=2, minutes=1), django_capture_on_commit_callbacks)
    page = manager_client.get(f"/admin/requests_app/rightsrequest/{case.pk}/change/").content.decode()
    assert "Reminders sent" in page and "7d:2026-10-07" in page
    page = manager_client.get(f"/admin/breach_app/incident/{incident.pk}/change/").content.decode()
    assert "CN-CAC-INCIDENT" in page and "CN-CAC-INCIDENT 50 →" in page.replace("&nbsp;", " ")
    log = manager_client.get("/admin/privacy_office/reminder/", {"status__exact": "sent"})
    assert log.status_code == 200 and "dsar_due_before" in log.content.decode()
