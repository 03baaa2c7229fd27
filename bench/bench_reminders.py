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
import time
from pathlib import Path

from _setup import setup

import logging

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line at INFO

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
        rows = len(list(query.all()))  # .all(): a fresh query each run, not the cached result
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
        len(list(query.all()))
        print(f"  same query without its indexes (sequential scan): {ms(time.perf_counter() - start)}")

    # 2. The sweep as beat runs it, in a steady state: yesterday's hourly reconcile recorded
    #    everything then due (and the worker sent it); now the minute that holds today's 09:00
    #    reminder hour (the day's peak), then an ordinary minute. Queries, specs, record, enqueue.
    from privacy_office.models import SweepState
    from privacy_office.reminder_time import morning_of

    nine = morning_of(today)  # the next 09:00 after the data was made: a steady-state day
    if nine <= now:
        nine = morning_of(today + timedelta(days=1))

    def sweep(label, at, since):
        SweepState.objects.all().delete()
        if since is not None:
            SweepState.objects.create(name="reminders", swept_until=since, reconciled_at=at)
        before = Reminder.objects.count()
        start = time.perf_counter()
        with transaction.atomic():
            offered = reminders.reminders_sweep(now=at)
            enqueued = reminders.reminders_enqueue_unsent(now=at, limit=1_000_000)
        elapsed = time.perf_counter() - start
        print(f"  {label:<46} {ms(elapsed)}: {offered:,} offered, {Reminder.objects.count() - before:,} new, "
              f"{len(enqueued):,} enqueued")

    def drain():
        Reminder.objects.update(status="sent", sent_at=now)  # as the worker would have done
        if settings.CELERY_BROKER_URL.startswith("redis://"):
            import redis

            redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")  # the bench's own tasks

    print("sweeps (record + enqueue included):")
    sweep("reconcile, first ever (records everything due)", now, None)
    drain()
    sweep("hourly reconcile, nothing new", now + timedelta(minutes=1), None)
    sweep("minute sweep holding 09:00 (daily peak)", nine + timedelta(seconds=30), nine - timedelta(seconds=30))
    drain()
    sweep("ordinary minute sweep", nine + timedelta(minutes=2), nine + timedelta(minutes=1))
    from django.db.models import Q

    day = nine.date()
    for label, where in (
        ("an ordinary minute's case query", Q(created_at__gt=nine + timedelta(minutes=1))),
        ("the 09:00 minute's case query", Q(due_on__in=[day + timedelta(days=n) for n in (7, 3, 1, 0, -1)])
         | Q(created_at__gt=nine) | Q(due_on__lt=day, clock_paused=False)),
    ):
        minute = RightsRequest.objects.open().filter(where, due_on__lte=day + timedelta(days=7)).values_list(
            "id", "due_on", "assignee_id", "created_at", "clock_paused")
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            rows = len(list(minute.all()))
            times.append(time.perf_counter() - start)
        with connection.cursor() as cursor:
            sql, params = minute.query.sql_with_params()
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql, params)
            execution = [r[0] for r in cursor.fetchall()][-1].strip()
        print(f"  {label}: median {ms(statistics.median(times))} with {rows:,} rows fetched; {execution}")

    # 3. Sending 10,000 reminders over SMTP to a server on loopback.
    from aiosmtpd.controller import Controller

    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append(len(envelope.content))
            return "250 OK"

    port = 0
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    ids = list(Reminder.objects.order_by("-id").values_list("id", flat=True)[: args.send])
    Reminder.objects.filter(id__in=ids).update(status="pending", sent_at=None)
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
