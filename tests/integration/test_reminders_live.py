"""Reminders through real parts: Celery worker and beat processes, the broker (Redis in CI), and
an SMTP server on loopback. Data is committed (transactional tests) so the processes see it."""

import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.conf import settings
from django.utils import timezone

from privacy_office.models import Reminder, StaffProfile

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workload(staff_user, manager_user):
    """An overdue EU case assigned to staff (zh-hans) and an incident discovered 3 h ago with
    1,000,001 people in China (CAC incident report due 4 h after discovery)."""
    from breach_app.services import incident_create
    from requests_app.services import dsar_register

    StaffProfile.objects.create(user=staff_user, language="zh-hans")
    StaffProfile.objects.create(user=manager_user, language="en")
    case = dsar_register(
        requester_name="Erika Mustermann", requester_email="erika@example.de", jurisdiction="EU",
        request_type="access", received_at=datetime(2026, 9, 7, 8, 0, tzinfo=dt_timezone.utc), assignee=staff_user,
    )
    discovered = timezone.now() - timedelta(hours=3)
    incident = incident_create(
        by=staff_user, title="Camera account database exposed", discovered_at=discovered, aware_at=discovered,
        populations={"CN": {"people_min": 1_000_001, "people_max": 1_000_001}}, risk_level="high",
    )
    return case, incident


def subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


def settle(inbox, *, at_least: int, quiet: float = 6.0, timeout: float = 90.0):
    """Wait for at least ``at_least`` messages, then until nothing new arrives for ``quiet`` seconds
    (several beat ticks: a duplicate would show up)."""
    inbox.wait_for(at_least, timeout=timeout)
    seen, stable_since = len(inbox.messages), time.monotonic()
    while time.monotonic() - stable_since < quiet:
        time.sleep(0.5)
        if len(inbox.messages) != seen:
            seen, stable_since = len(inbox.messages), time.monotonic()
    return list(inbox.messages)


def assert_each_once(messages):
    keys = Counter((m["To"], subject(m)) for m in messages)
    duplicates = {k: n for k, n in keys.items() if n > 1}
    assert duplicates == {}


def expected_reminders(case, incident, staff_user, manager_user):
    return {
        (staff_user.email, f"【{case.reference}】已逾期"),
        (manager_user.email, f"[Escalation] Rights request {case.reference} is overdue"),
        (staff_user.email, f"【{incident.reference}】时限已过 50%"),
        (manager_user.email, f"[{incident.reference}] 75% of the time used"),
        (manager_user.email, f"[{incident.reference}] Notify IMMEDIATELY"),
    }


def assert_expected(messages, expected):
    for to, prefix in expected:
        assert any(m["To"] == to and subject(m).startswith(prefix) for m in messages), (to, prefix, [(m["To"], subject(m)) for m in messages])


def test_worker_and_two_beats_send_every_reminder_once_in_each_language(
    workload, staff_user, manager_user, smtp_sink, celery_processes
):
    case, incident = workload
    smtp_sink.start()
    celery_processes.env["REMINDER_DAY_HOUR"] = "0"  # the case's overdue reminder is due whatever the hour
    celery_processes.start_worker()
    # Two beat instances (a misconfigured deployment): each fires the sweep every second.
    celery_processes.start_beat("beat1")
    celery_processes.start_beat("beat2")
    messages = settle(smtp_sink.inbox, at_least=len(expected_reminders(case, incident, staff_user, manager_user)))
    assert messages, celery_processes.output()
    assert_expected(messages, expected_reminders(case, incident, staff_user, manager_user))
    assert_each_once(messages)
    # Every message was recorded as sent, and nothing else is pending.
    assert Reminder.objects.filter(status="sent").count() == len(messages)
    assert not Reminder.objects.exclude(status="sent").exists()
    body = next(m for m in messages if subject(m).startswith(f"【{case.reference}】已逾期")).get_content()
    assert f"/admin/requests_app/rightsrequest/{case.pk}/change/" in body
    assert "Erika" not in body and "erika@" not in body


def test_mail_server_down_at_first_then_back(workload, staff_user, manager_user, smtp_sink, celery_processes):
    case, incident = workload
    celery_processes.env["REMINDER_DAY_HOUR"] = "0"
    celery_processes.start_worker()
    celery_processes.start_beat()
    # Nothing listens on the SMTP port: the reminders are recorded, fail, and are retried.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Reminder.objects.filter(status="retrying").exists():
        time.sleep(0.5)
    retrying = Reminder.objects.filter(status="retrying").first()
    assert retrying is not None, celery_processes.output()
    assert "Connection refused" in retrying.last_error or "Errno" in retrying.last_error
    assert smtp_sink.inbox.messages == []
    smtp_sink.start()
    messages = settle(smtp_sink.inbox, at_least=len(expected_reminders(case, incident, staff_user, manager_user)), quiet=8)
    assert_expected(messages, expected_reminders(case, incident, staff_user, manager_user))
    assert_each_once(messages)
    assert not Reminder.objects.exclude(status="sent").exists(), list(Reminder.objects.values("kind", "status", "last_error"))
    assert Reminder.objects.filter(attempts__gte=2).exists()


def test_the_same_sweep_fired_twice_sends_nothing_twice(workload, staff_user, manager_user, smtp_sink, celery_processes):
    case, incident = workload
    smtp_sink.start()
    celery_processes.env["REMINDER_DAY_HOUR"] = "0"
    celery_processes.start_worker()
    # No beat: the sweep is sent to the broker twice at once, by two separate processes.
    call = [sys.executable, "-m", "celery", "-A", "privacy_office", "call", "privacy_office.tasks.sweep_reminders"]
    callers = [subprocess.Popen(call, cwd=settings.BASE_DIR, env=celery_processes.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT) for _ in range(2)]
    for caller in callers:
        output, _ = caller.communicate(timeout=60)
        assert caller.returncode == 0, output
    messages = settle(smtp_sink.inbox, at_least=len(expected_reminders(case, incident, staff_user, manager_user)))
    assert_expected(messages, expected_reminders(case, incident, staff_user, manager_user))
    assert_each_once(messages)
    assert Reminder.objects.filter(status="sent").count() == len(messages)
