"""The hourly reconcile offers every reminder owed to every open case near a date; the ones already
recorded are skipped before the insert, so a second reconcile inserts nothing, and its queries do
not grow with the number of cases."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy_office.models import Reminder
from privacy_office.reminders import reminders_sweep

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def overdue_cases(staff_user, n, *, start=0):
    from requests_app.services import dsar_register

    # Received Mon 2026-09-07 10:00 Berlin; GDPR one month: due Wed 2026-10-07 (as test_reminders).
    for i in range(n):
        dsar_register(
            requester_name=f"Erika {start + i}", requester_email=f"erika{start + i}@example.de", jurisdiction="EU",
            request_type="access", received_at=datetime(2026, 9, 7, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")),
            assignee=staff_user,
        )


def reconcile(now):
    with CaptureQueriesContext(connection) as ctx:
        reminders_sweep(now=now)
    inserts = [q["sql"] for q in ctx.captured_queries
               if q["sql"].lstrip().upper().startswith("INSERT") and "privacy_office_reminder" in q["sql"]]
    return len(ctx.captured_queries), inserts


def test_a_second_reconcile_inserts_nothing_and_does_not_grow_with_cases(staff_user, manager_user):
    overdue_cases(staff_user, 3)
    # Fri 2026-10-09 10:00 Shanghai: each case has its 7/3/1-day, due-day, overdue and escalation
    # reminders owed; the first sweep (no state yet) reconciles and records them.
    first = datetime(2026, 10, 9, 10, 0, tzinfo=SH)
    _queries, inserts = reconcile(first)
    assert inserts
    recorded = Reminder.objects.count()
    assert recorded >= 3 * 3
    # An hour later the next reconcile finds every key recorded: no INSERT at all.
    few, inserts = reconcile(first + timedelta(hours=1, minutes=1))
    assert inserts == [] and Reminder.objects.count() == recorded
    # Ten times the cases, all recorded: the same number of queries.
    overdue_cases(staff_user, 27, start=3)
    reconcile(first + timedelta(hours=2, minutes=2))
    recorded = Reminder.objects.count()
    many, inserts = reconcile(first + timedelta(hours=3, minutes=3))
    assert inserts == [] and Reminder.objects.count() == recorded
    assert many == few


def test_a_reconcile_records_a_key_once_even_when_offered_twice(staff_user, manager_user):
    from privacy_office.reminders import ReminderSpec, content_type_id, reminders_record
    from requests_app.models import RightsRequest

    overdue_cases(staff_user, 1)
    case = RightsRequest.objects.get()
    now = datetime(2026, 10, 9, 10, 0, tzinfo=SH)
    spec = ReminderSpec(content_type_id(RightsRequest), case.pk, "dsar_overdue", "2026-10-09", staff_user.pk, now)
    assert reminders_record(specs=[spec, spec], now=now) == 2
    assert reminders_record(specs=[spec], now=now) == 1
    assert Reminder.objects.filter(kind="dsar_overdue", threshold="2026-10-09").count() == 1
