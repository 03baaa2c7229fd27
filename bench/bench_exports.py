"""Times the admin exports at two table sizes and checks that their memory is flat in the rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_e .venv/bin/python bench/bench_exports.py \
        [--sizes 100000 1000000] [--runs 3] [--formats csv xlsx]

For each size it REPLACES the audit log and the reminder log of that database with that many rows
(generate_series; it refuses to run unless the database name contains "bench"), then exports the
audit log and the reminder log as a Privacy manager through the admin's export form (Django's test
client, the streamed body read to its end and thrown away), each run in a fresh child process:

- time: median over ``--runs`` runs (seconds, request to last byte);
- queries: SQL statements of one run (fixed: the same at both sizes), the session's expiry refresh
  that a request of more than five minutes triggers left out;
- peak: the child's peak RSS growth over its RSS just before the export (MB; tracemalloc is left
  out, it slows Python several times over and would distort the time);
- flat: the larger size's peak within 1.5x of the smaller's.

The sync/background threshold (EXPORT_SYNC_MAX_ROWS) is raised for the bench so that the file is
written by the request: the background job writes it with the same code (``export_table`` ->
``csv_pieces`` / ``write_xlsx``) into a temporary file.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPORTS = {
    "audit log": ("admin:privacy_office_auditlogentry_export", "privacy_office.AuditLogEntry"),
    "reminder log": ("admin:privacy_office_reminder_export", "privacy_office.Reminder"),
}


def child(name: str, file_format: str) -> None:
    """One export in this process; prints one JSON line."""
    import resource

    os.environ["EXPORT_SYNC_MAX_ROWS"] = str(10**9)
    from _setup import setup

    connection = setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    setup_test_environment()  # the export form's context, as a person's browser gets the form
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    url = reverse(EXPORTS[name][0])
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench_manager"))
    form = client.get(url).context["form"]
    index = next(value for value, label in form.fields["format"].choices if label.lower() == file_format)
    prefix = form.fields["resource"].choices[0][1].lower() + "_"
    data = {"format": index, "resource": "0", **{f: "on" for f in form.fields if f.startswith(prefix)}}

    def rss_mb():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

    before = rss_mb()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
        size = 0
        for piece in response.streaming_content:
            size += len(piece)
    elapsed = time.perf_counter() - start
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert response.status_code == 200 and response.streaming, response.status_code
    # The statements themselves, so a count that differs between sizes can be read.
    # A request longer than SESSION_IDLE_RESOLUTION (5 min) also moves the session's expiry on
    # (three statements on django_session): not the export's, so not counted.
    export_queries = [q for q in queries.captured_queries if "django_session" not in q["sql"]]
    print(json.dumps({"seconds": elapsed, "queries": len(export_queries), "rss_growth_mb": max(peak_rss - before, 0.0),
                      "bytes": size, "statements": [q["sql"][:70] for q in export_queries]}))


def load(size: int) -> None:
    """``size`` audit-log entries and reminders (every third entry names an assignee in its diff)."""
    from _setup import setup

    connection = setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from privacy_office.models import AuditLogEntry, Reminder
    from privacy_office.roles import MANAGER
    from requests_app.models import RightsRequest

    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        sys.exit(f"bench: refusing to replace the audit log of {name!r} (its name must contain 'bench')")
    call_command("migrate", verbosity=0)
    call_command("sync_roles", verbosity=0) if "sync_roles" in _commands() else None
    User = get_user_model()
    manager, _created = User.objects.get_or_create(username="bench_manager",
                                                   defaults={"is_staff": True, "email": "m@bench"})
    manager.groups.add(Group.objects.get(name=MANAGER))
    staff = [User.objects.get_or_create(username=f"bench_staff{i}", defaults={"is_staff": True})[0].pk
             for i in range(10)]
    ct = ContentType.objects.get_for_model(RightsRequest).pk
    users = "ARRAY[" + ",".join(map(str, staff)) + "]"
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{AuditLogEntry._meta.db_table}", "{Reminder._meta.db_table}"')
        cursor.execute(
            f'INSERT INTO "{AuditLogEntry._meta.db_table}" (at, user_id, user_name, content_type_id, object_id, '
            f"object_repr, action, reason, changes, history_id) "
            f"SELECT now() - g * interval '20 seconds', ({users})[1 + g % 10], 'bench', {ct}, g::text, "
            f"'RR-2026-' || g, '~', 'changed in the admin', "
            f"CASE WHEN g % 3 = 0 THEN jsonb_build_array(jsonb_build_object('field', 'assignee', 'old', NULL, "
            f"'new', (({users})[1 + g % 10])::text), jsonb_build_object('field', 'status', 'old', 'received', "
            f"'new', 'in_progress')) ELSE '[{{\"field\": \"status\", \"old\": \"received\", \"new\": \"in_progress\"}}]'"
            f"::jsonb END, g FROM generate_series(1, {size}) AS g"
        )
        cursor.execute(
            f'INSERT INTO "{Reminder._meta.db_table}" (content_type_id, object_id, kind, threshold, recipient_id, '
            f"due_at, status, attempts, last_error, created_at, late, language, subject) "
            f"SELECT {ct}, g, 'dsar_due_before', '7', ({users})[1 + g % 10], now() - g * interval '1 minute', "
            f"'sent', 1, '', now(), false, 'en', 'RR-2026-' || g || ' due in 7 days' "
            f"FROM generate_series(1, {size}) AS g"
        )
        cursor.execute(f'ANALYZE "{AuditLogEntry._meta.db_table}", "{Reminder._meta.db_table}"')


def _commands():
    from django.core.management import get_commands

    return get_commands()


def run_child(*args) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=HERE)
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs=2, default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    if args.load:
        return load(args.load)

    results = {}
    for size in args.sizes:
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--load", str(size)], check=True, cwd=HERE)
        print(f"# loaded {size:,} audit-log entries and reminders in {time.perf_counter() - start:.0f} s", flush=True)
        for name in EXPORTS:
            for file_format in args.formats:
                runs = [run_child("--child", name, file_format) for _ in range(args.runs)]
                results[(name, file_format, size)] = {
                    "seconds": statistics.median(r["seconds"] for r in runs),
                    "queries": runs[0]["queries"],
                    "rss": max(r["rss_growth_mb"] for r in runs),
                    "mb_out": runs[0]["bytes"] / 2**20,
                    "statements": runs[0].get("statements", []),
                }
                r = results[(name, file_format, size)]
                print(f"# {name} {file_format} {size:,}: {r['seconds']:.1f} s, {r['queries']} queries, "
                      f"+{r['rss']:.1f} MB RSS, file {r['mb_out']:.0f} MB", flush=True)

    small, large = args.sizes
    print("\nexport           format  rows        median s  queries  peak RSS +MB  flat (≤1.5x)")
    for name in EXPORTS:
        for file_format in args.formats:
            a, b = results[(name, file_format, small)], results[(name, file_format, large)]
            for size, r in ((small, a), (large, b)):
                print(f"{name:16} {file_format:6}  {size:>10,}  {r['seconds']:8.1f}  {r['queries']:7}  "
                      f"{r['rss']:12.1f}")
            flat_rss = b["rss"] <= 1.5 * max(a["rss"], 1.0)
            same_queries = a["queries"] == b["queries"]
            print(f"{'':16} {'':6}  {'':>10}  {'':8}  {'same' if same_queries else 'DIFFER':>7}  "
                  f"{'flat' if flat_rss else 'GROWS':>12}")
            if not same_queries:
                for size, r in ((small, a), (large, b)):
                    print(f"    statements at {size:,}: " + " | ".join(r["statements"]))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
