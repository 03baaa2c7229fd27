"""Times the reminder sweep over a million cases and the sending of 10,000 reminders.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/bench_reminders.py

Creates the 1,000,000 cases first (bench/scale_data.py) if the database has fewer. The sweep is
timed in its parts: the indexed queries alone, building the reminder specs from their rows,
recording them (INSERT … ON CONFLICT DO NOTHING), and handing the new ones to the broker. Then
10,000 reminders are rendered and sent over SMTP to a local server on loopback. For comparison
it prints the same query with index scans switched off, and a Python loop over every case.
"""

import argparse
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _setup import setup

connection = setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


def ms(seconds):
    return f"{seconds * 1000:8.1f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--send", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from privacy_office import reminders
    from privacy_office.models import Reminder
    from requests_app import reminders as case_reminders
    from requests_app.models import RightsRequest

    if RightsRequest.objects.count() < args.cases:
        subprocess.run([sys.executable, str(Path(__file__).with_name("scale_data.py")), "--cases", str(args.cases)], check=True)
    total = RightsRequest.objects.count()
    open_cases = RightsRequest.objects.open().count()
    print(f"{total:,} cases ({open_cases:,} open); broker: {settings.CELERY_BROKER_URL.split('@')[-1]}")
    Reminder.objects.all().delete()
    now = timezone.now()

    # 1. The sweep's queries alone (what the 50 ms target is about).
    from datetime import timedelta

    from privacy_office.reminder_time import office_today

    today = office_today(now)
    query = RightsRequest.objects.open().filter(due_on__lte=today + timedelta(days=7)).values_list(
        "id", "due_on", "assignee_id", "created_at", "clock_paused")
    times, rows = [], 0
    for _ in range(args.runs):
        start = time.perf_counter()
        rows = len(list(query))
        times.append(time.perf_counter() - start)
    print(f"sweep query (open cases due within 7 days or overdue): median {ms(statistics.median(times))}, {rows:,} rows")
    with connection.cursor() as cursor:
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql, params)
        plan = [r[0] for r in cursor.fetchall()]
    print("  plan: " + plan[0].strip()[:110])
    print("  " + plan[-1].strip())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexonlyscan = off")
        start = time.perf_counter()
        len(list(query))
        print(f"  same query without its indexes (sequential scan): {ms(time.perf_counter() - start)}")

    # 2. The whole sweep: all rules' queries, specs, record, enqueue.
    start = time.perf_counter()
    specs = case_reminders.due_reminders(now=now)
    t_specs = time.perf_counter() - start
    start = time.perf_counter()
    reminders.reminders_record(specs=specs, now=now)
    t_record = time.perf_counter() - start
    start = time.perf_counter()
    with transaction.atomic():
        enqueued = reminders.reminders_enqueue_unsent(now=now, limit=len(specs) + 1)
    t_enqueue = time.perf_counter() - start
    print(f"full case sweep: rules' queries + {len(specs):,} specs {ms(t_specs)}; record {ms(t_record)}; "
          f"enqueue {len(enqueued):,} tasks {ms(t_enqueue)}")
    start = time.perf_counter()
    again = case_reminders.due_reminders(now=now)
    reminders.reminders_record(specs=again, now=now)
    print(f"the same sweep again (everything already recorded, nothing new): {ms(time.perf_counter() - start)}; "
          f"reminders recorded: {Reminder.objects.count():,} (unchanged)")
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")  # the bench's own tasks

    # 3. Sending 10,000 reminders over SMTP to a server on loopback.
    from aiosmtpd.controller import Controller

    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append(len(envelope.content))
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=0)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.server.sockets[0].getsockname()[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    ids = list(Reminder.objects.filter(status="pending").values_list("id", flat=True)[: args.send])
    if len(ids) < args.send:
        print(f"(only {len(ids):,} pending reminders to send)")
    start = time.perf_counter()
    for reminder_id in ids:
        reminders.reminder_send(reminder_id=reminder_id)
    elapsed = time.perf_counter() - start
    controller.stop()
    print(f"sent {len(ids):,} reminders in {elapsed:.1f} s ({elapsed / max(len(ids), 1) * 1000:.2f} ms each, one worker); "
          f"SMTP server received {len(received):,}")

    # 4. For comparison: a Python loop over every case (what the sweep must never do).
    start = time.perf_counter()
    due = 0
    for due_on, status in RightsRequest.objects.values_list("due_on", "status").iterator(chunk_size=10000):
        if status in ("received", "awaiting_identity", "in_progress", "awaiting_clarification", "response_drafted") and (due_on - today).days <= 7:
            due += 1
    print(f"python loop over all {total:,} cases: {time.perf_counter() - start:.1f} s ({due:,} due)")


if __name__ == "__main__":
    main()
