"""Compares two shapes of the case due-date reminder sweep over a million cases:

    createdb -h 127.0.0.1 -U postgres bench_shapes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_shapes REDIS_URL=redis://127.0.0.1:6379/14 \
        nice -n 10 .venv/bin/python bench/bench_reminder_shapes.py

(a) the current shape: ``requests_app.reminders.due_reminders(now=, since=)`` reads a window
    (since, now] with indexed queries each minute, and reconciles (since=None) every hour; the
    unique constraint ``reminder_once`` keeps each reminder once.
(b) the stored-next-moment shape (healthchecks' ``alert_after``), built here only: a side table
    ``bench_next_moment(case_id, next_at)`` with an index on next_at, filled from the open cases.
    A sweep picks the rows whose next_at has passed, builds the reminders owed from next_at up to
    now, and advances next_at with a conditional UPDATE … WHERE next_at = <old> (the guard against
    a second sweeper); every write that changes a case's due date, status or clock pause must
    recompute its next_at (timed here as the cost per edit).

Only the due-date rules (7/3/1 days before, due today, overdue daily, escalation) are compared:
they are the volume. Both shapes are timed for the same moments on a steady-state day: a first
reconcile (the stored shape: its backfill and first sweep), the minute holding the next 09:00
(the daily peak) and an ordinary minute; the specs of each moment must be the same set in both.
The stored shape's sweeps run in transactions that are rolled back, so each run starts from the
same state. Recording (INSERT … ON CONFLICT DO NOTHING) and enqueueing are the same in both
shapes and are not in the sweep figures; the hourly reconcile's re-offer (recording again what
is already recorded) is, since only the current shape pays it.
Creates the cases first (bench/scale_data.py) if the database has fewer; refuses a database whose
name does not contain "bench" (it creates and drops a table).
"""

import argparse
import functools
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from _setup import setup

connection = setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from privacy_office.reminder_time import catch_up_floor, manager_ids, morning_of, office_today  # noqa: E402
from privacy_office.reminders import ReminderSpec, content_type_id, reminders_record  # noqa: E402
from requests_app.models import OPEN_STATUSES, RightsRequest  # noqa: E402

DUE_KINDS = {"dsar_due_before", "dsar_due_today", "dsar_overdue", "dsar_overdue_escalation"}
TABLE = "bench_next_moment"


def ms(seconds):
    return f"{seconds * 1000:9.1f} ms"


class SqlClock:
    """Time spent in the database (execute, rows included: psycopg fetches them with it)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


SQL = {}  # label -> median seconds in the database


def median_time(fn, runs, label=None):
    times, sql, result = [], [], None
    for _ in range(runs):
        clock = SqlClock()
        with connection.execute_wrapper(clock):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        sql.append(clock.seconds)
    if label:
        SQL[label] = statistics.median(sql)
    return statistics.median(times), result


# ------------------------------------------------------------------------------------------------
# The stored shape's rules: the same due-date rules as requests_app/reminders.py, written as
# "which moments of this case fall in [start, end], and which is the next one after end".
# ------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def morning(day):
    """``morning_of`` remembered per day: a sweep asks for the same few days thousands of times."""
    return morning_of(day)


def overdue_start(due_on, created_at):
    """First instant the overdue reminders (and the escalation) are owed: the first 09:00 after
    the due date, or the case's registration if later, but never before that day's 09:00 (the
    current rules read "overdue" only once the office's reminder hour has passed today)."""
    first = max(created_at, morning(due_on + timedelta(days=1)))
    that_morning = morning(office_today(first))
    return first if that_morning <= first else that_morning


def next_moment(due_on, created_at, paused):
    """The earliest moment this case has: what the backfill and every edit store (the sweep then
    offers all that is owed from there; the unique constraint drops what was recorded before)."""
    moments = [morning(due_on - timedelta(days=d)) for d in settings.REMINDER_DAYS_BEFORE]
    moments = [m for m in moments if created_at <= m]
    if not paused:
        moments += [max(morning(due_on), created_at), overdue_start(due_on, created_at)]
    return min(moments, default=None)


def plan(due_on, created_at, paused, *, start, end):
    """(kind, threshold, due_at, managers only) owed with a moment in [start, end], and the next
    moment after end (None: nothing more unless the case changes)."""
    today, floor = office_today(end), catch_up_floor(end)
    owed, later = [], []
    for days in sorted(set(settings.REMINDER_DAYS_BEFORE), reverse=True):
        moment = morning(due_on - timedelta(days=days))
        if created_at > moment:
            continue
        if moment > end:
            later.append(moment)
        elif (start is None or moment >= start) and floor <= moment:
            owed.append(("dsar_due_before", f"{days}d:{due_on}", moment, False))
    if not paused:
        due_morning = morning(due_on)
        moment = max(due_morning, created_at)
        if moment > end:
            later.append(moment)
        elif (start is None or moment >= start) and floor <= due_morning:
            owed.append(("dsar_due_today", f"{due_on}", moment, False))
        first = overdue_start(due_on, created_at)
        if first > end:
            later.append(first)
        else:
            if start is None or first >= start:
                owed.append(("dsar_overdue_escalation", f"{due_on}", morning(due_on + timedelta(days=1)), True))
            if due_on < today and morning(today) <= end and (start is None or max(first, morning(today)) >= start):
                owed.append(("dsar_overdue", f"{today}", morning(today), False))
            following = morning(today)
            later.append(following if following > end else morning(today + timedelta(days=1)))
    return owed, min(later, default=None)


def stored_sweep(now, ct, managers):
    """One minute of the stored shape: pick, build, advance (guarded). Returns the specs of the
    rows this sweep won and how many rows it picked."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n.case_id, n.next_at, r.due_on, r.assignee_id, r.created_at, r.clock_paused "
            f'FROM {TABLE} n JOIN "{RightsRequest._meta.db_table}" r ON r.id = n.case_id WHERE n.next_at <= %s',
            [now],
        )
        rows = cursor.fetchall()
        built, ids, old, new = {}, [], [], []
        for case_id, next_at, due_on, assignee_id, created_at, paused in rows:
            owed, following = plan(due_on, created_at, paused, start=next_at, end=now)
            recipients = [assignee_id] if assignee_id else managers
            built[case_id] = [
                ReminderSpec(ct, case_id, kind, threshold, r, due_at)
                for kind, threshold, due_at, to_managers in owed for r in (managers if to_managers else recipients)
            ]
            ids.append(case_id)
            old.append(next_at)
            new.append(following)
        won = []
        if ids:
            # The guard: a second sweeper that read the same rows updates none of them.
            cursor.execute(
                f"UPDATE {TABLE} n SET next_at = v.new_at FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) "
                f"AS v(case_id, old_at, new_at) WHERE n.case_id = v.case_id AND n.next_at = v.old_at RETURNING n.case_id",
                [ids, old, new],
            )
            won = [r[0] for r in cursor.fetchall()]
    return [spec for case_id in won for spec in built[case_id]], len(rows), (ids, old, new)


def rolled_back(fn):
    """Run fn in a transaction that is rolled back: the next run starts from the same state."""
    def run():
        with transaction.atomic():
            result = fn()
            transaction.set_rollback(True)
        return result
    return run


def key(spec):
    return (spec.object_id, spec.kind, spec.threshold, spec.recipient_id, spec.due_at)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=1000)
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("bench: use a database whose name contains 'bench' (this creates and drops a table)")
    from requests_app import reminders

    if RightsRequest.objects.count() < args.cases:
        subprocess.run([sys.executable, str(Path(__file__).with_name("scale_data.py")), "--cases", str(args.cases)], check=True)
    total, open_cases = RightsRequest.objects.count(), RightsRequest.objects.open().count()
    ct, managers = content_type_id(RightsRequest), manager_ids()
    print(f"{total:,} cases ({open_cases:,} open); {args.runs} runs each, median")

    # The moments: a first reconcile after the data was made (after that day's 09:00, when the
    # overdue rules read), then the next 09:00 (the daily peak) and an ordinary minute after it.
    latest = RightsRequest.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    first = max(timezone.now(), latest + timedelta(seconds=1))
    if morning_of(office_today(first)) > first:
        first = morning_of(office_today(first)) + timedelta(minutes=1)
    nine = morning_of(office_today(first) + timedelta(days=1))
    minutes = [
        ("peak minute holding 09:00", nine + timedelta(seconds=30), nine - timedelta(seconds=30)),
        ("ordinary minute", nine + timedelta(minutes=2), nine + timedelta(minutes=1)),
    ]

    def current(at, since):
        return [s for s in reminders.due_reminders(now=at, since=since) if s.kind in DUE_KINDS]

    # ---- (a) the current shape ----------------------------------------------------------------
    t_reconcile, reconcile_specs = median_time(lambda: current(first, None), args.runs, ("a", "first"))
    t_all_rules, all_specs = median_time(lambda: reminders.due_reminders(now=first, since=None), args.runs)
    other = len(all_specs) - len(reconcile_specs)
    window_specs, window_times = {}, {}
    for label, at, since in minutes:
        window_times[label], window_specs[label] = median_time(lambda: current(at, since), args.runs, ("a", label))
    # The hourly reconcile offers again everything recorded: INSERT … ON CONFLICT DO NOTHING over
    # all its specs (rolled back; the first recording is what the first-ever reconcile pays).
    def re_offer():
        with transaction.atomic():
            start = time.perf_counter()
            reminders_record(specs=reconcile_specs, now=first)
            recorded = time.perf_counter() - start
            start = time.perf_counter()
            reminders_record(specs=reconcile_specs, now=first + timedelta(hours=1))
            again = time.perf_counter() - start
            transaction.set_rollback(True)
        return recorded, again
    recorded_first, re_offered = re_offer()

    # ---- (b) the stored shape -----------------------------------------------------------------
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (case_id bigint PRIMARY KEY, next_at timestamptz)")
        values = RightsRequest.objects.open().order_by().values_list("id", "due_on", "created_at", "clock_paused")
        case_ids, moments = [], []
        for case_id, due_on, created_at, paused in values.iterator(chunk_size=10_000):
            case_ids.append(case_id)
            moments.append(next_moment(due_on, created_at, paused))
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM unnest(%s::bigint[], %s::timestamptz[])", [case_ids, moments])
        cursor.execute(f"CREATE INDEX {TABLE}_next_at ON {TABLE} (next_at)")
    backfill = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {TABLE}")

    t_first, (first_specs, first_rows, _) = median_time(
        rolled_back(lambda: stored_sweep(first, ct, managers)), args.runs, ("b", "first"))
    with transaction.atomic():  # keep the first sweep: the steady state the next minutes start from
        stored_sweep(first, ct, managers)
        quiet_specs, _, _ = stored_sweep(nine - timedelta(seconds=30), ct, managers)  # the minutes until 08:59:30
    stored_specs, stored_times, picked = {}, {}, {}
    for label, at, since in minutes:
        if label == "ordinary minute":  # the minute before it, kept
            with transaction.atomic():
                stored_sweep(minutes[0][1], ct, managers)
                stored_sweep(since, ct, managers)
        stored_times[label], (stored_specs[label], picked[label], _) = median_time(
            rolled_back(lambda: stored_sweep(at, ct, managers)), args.runs, ("b", label))

    # The guard: the same advance run twice (a second sweeper with the same rows) updates nothing.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET next_at = %s WHERE case_id IN (SELECT case_id FROM {TABLE} LIMIT 20000)",
                       [nine - timedelta(seconds=1)])
        _, _, (ids, old, new) = stored_sweep(nine, ct, managers)
        cursor.execute(
            f"UPDATE {TABLE} n SET next_at = v.new_at FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) "
            f"AS v(case_id, old_at, new_at) WHERE n.case_id = v.case_id AND n.next_at = v.old_at",
            [ids, old, new],
        )
        second_sweeper_won = cursor.rowcount
        transaction.set_rollback(True)

    # Write cost: a due date changes (an edit, an extension, a pause): recompute and store next_at,
    # inside the edit's own transaction (timed alone), next to the case's own UPDATE for scale.
    sample = random.Random(18).sample(case_ids, min(args.edits, len(case_ids)))
    upsert, case_update = [], []
    with transaction.atomic(), connection.cursor() as cursor:
        for case_id in sample:
            start = time.perf_counter()
            cursor.execute(f'UPDATE "{RightsRequest._meta.db_table}" SET due_on = due_on + 1 WHERE id = %s '
                           "RETURNING due_on, created_at, clock_paused", [case_id])
            due_on, created_at, paused = cursor.fetchone()
            case_update.append(time.perf_counter() - start)
            start = time.perf_counter()
            cursor.execute(f"INSERT INTO {TABLE} VALUES (%s, %s) ON CONFLICT (case_id) DO UPDATE SET next_at = excluded.next_at",
                           [case_id, next_moment(due_on, created_at, paused)])
            upsert.append(time.perf_counter() - start)
        transaction.set_rollback(True)

    # ---- the same specs? ----------------------------------------------------------------------
    def same(a, b):
        return len(a) == len(b) and len({key(s) for s in a}) == len(a) and {key(s) for s in a} == {key(s) for s in b}

    checks = [("first reconcile", reconcile_specs, first_specs)] + [
        (label, window_specs[label], stored_specs[label]) for label, _, _ in minutes]
    print(f"\nmoments (office time): first reconcile {first.astimezone(nine.tzinfo):%Y-%m-%d %H:%M:%S}; peak minute ({minutes[0][2]:%H:%M:%S}, "
          f"{minutes[0][1]:%H:%M:%S}]; ordinary minute ({minutes[1][2]:%H:%M:%S}, {minutes[1][1]:%H:%M:%S}]")
    print(f"{'moment':<30} {'current (a)':>12} {'stored (b)':>12} {'specs (a)':>10} {'specs (b)':>10}  same set"
          "   (of which in the database: a / b)")
    print(f"{'first reconcile / catch-up':<30} {ms(t_reconcile)} {ms(t_first)} {len(reconcile_specs):>10,} "
          f"{len(first_specs):>10,}  {same(reconcile_specs, first_specs)!s:<5}   ({ms(SQL['a', 'first']).strip()} / "
          f"{ms(SQL['b', 'first']).strip()}; b picked {first_rows:,} rows)")
    for label, _, _ in minutes:
        print(f"{label:<30} {ms(window_times[label])} {ms(stored_times[label])} {len(window_specs[label]):>10,} "
              f"{len(stored_specs[label]):>10,}  {same(window_specs[label], stored_specs[label])!s:<5}   "
              f"({ms(SQL['a', label]).strip()} / {ms(SQL['b', label]).strip()}; b picked {picked[label]:,} rows)")
    print(f"{'hourly reconcile (query+build)':<30} {ms(t_reconcile)} {'none':>12}")
    print(f"{'  + re-offer, nothing new':<30} {ms(re_offered)} {'none':>12}   (ON CONFLICT over {len(reconcile_specs):,} specs;"
          f" first recording {ms(recorded_first).strip()})")
    print(f"{'backfill (once; again on a rule change)':<30} {'none':>12} {ms(backfill)}   ({len(case_ids):,} open cases,"
          f" next_at computed in Python)")
    print(f"{'per due-date edit':<30} {'none':>12} {ms(statistics.median(upsert))}   (p99 {ms(sorted(upsert)[int(len(upsert) * .99) - 1]).strip()};"
          f" the case's own UPDATE {ms(statistics.median(case_update)).strip()})")
    print(f"\ncurrent due_reminders() with all four rule families at the first reconcile: {ms(t_all_rules).strip()} "
          f"({other:,} specs from the acknowledgement/identity/extension rules)")
    print(f"minutes between the first reconcile and 08:59:30 (stored shape): {len(quiet_specs):,} specs")
    print(f"guard: a second sweeper advancing the same {len(ids):,} rows updated {second_sweeper_won}")
    bad = [label for label, a, b in checks if not same(a, b)]
    if bad:
        for label, a, b in checks:
            ka, kb = {key(s) for s in a}, {key(s) for s in b}
            print(f"  {label}: only current {sorted(ka - kb)[:3]} … only stored {sorted(kb - ka)[:3]} …")
        sys.exit(1)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")


if __name__ == "__main__":
    main()
