"""Times the list actions on a selection of 1,000 rows (``--rows``), through Django's test client as
a person's browser posts them (the confirmation page, then "apply" with the versions shown):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_bulk_actions.py [--rows 1000] [--runs 3] [--only TEXT]

- obligations: decide not to notify, confirm the proposals (a second person), turn proposals down;
- notice drafts: approve (each text shown first; all or nothing, as a set);
- cases: assign to me.

Each run acts on fresh rows (copies of one incident's obligation and one generated draft, or of one
case, added in bulk: the database name must contain "bench"). Printed per action: the median time
and the query count of the confirmation page and of the apply, over ``--runs`` runs, and the apply's
Python CPU time and summed SQL time (what the action costs whatever else runs on the machine).
"""

import argparse
import copy
import itertools
import statistics
import time
from datetime import timedelta

from _setup import setup

connection = setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
settings.DEBUG = False

SERIAL = itertools.count(int(time.time()) % 100_000 * 10_000)


def person(username, role):
    from privacy_office.roles import MANAGER, STAFF

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.groups.add(Group.objects.get(name={"staff": STAFF, "manager": MANAGER}[role]))
    client = Client()
    client.force_login(user)
    return user, client


def an_incident(by):
    from breach_app import services
    from breach_app.models import Incident

    incident = Incident.objects.filter(title="bench: bulk actions").first()
    if incident is None:
        incident = services.incident_create(
            by=by, title="bench: bulk actions", discovered_at=timezone.now() - timedelta(hours=2),
            populations={"CN": {"people_min": 1_000_001}, "EU": {"people_min": 20}},
            narratives={"en": {"description": "Bench", "cause": "Bench", "measures_taken": "Bench"}},
            confidentiality=True, risk_level="high", eu_affected_states="DE")
        services.incident_generate_drafts(incident=incident, by=by)
    return incident


def obligations(incident, n, **values):
    from breach_app.models import Obligation

    model = incident.obligations.order_by("pk").first()
    rows = []
    for _ in range(n):
        row = copy.copy(model)
        row.pk, row.code = None, f"B{next(SERIAL)}"[:20]
        for name, value in values.items():
            setattr(row, name, value)
        rows.append(row)
    return Obligation.objects.bulk_create(rows, batch_size=1000)


def drafts(incident, n):
    from breach_app.models import NoticeDraft

    model = NoticeDraft.objects.filter(obligation__incident=incident, phase="initial").order_by("pk").first()
    rows = []
    for obligation in obligations(incident, n, status="pending"):
        row = copy.copy(model)
        row.pk, row.obligation = None, obligation
        row.body = "Bench text without missing facts."
        row.missing_content, row.outdated = [], False
        rows.append(row)
    return NoticeDraft.objects.bulk_create(rows, batch_size=1000)


def cases(n):
    from requests_app.models import RightsRequest

    model = RightsRequest.objects.open().filter(assignee__isnull=True, erased_at__isnull=True).order_by("pk").first()
    if model is None:
        return None
    rows = []
    for _ in range(n):
        row = copy.copy(model)
        row.pk, row.reference = None, f"DSAR-B-{next(SERIAL)}"[:20]
        rows.append(row)
    return RightsRequest.objects.bulk_create(rows, batch_size=1000)


def timed_post(client, url, data):
    """(wall ms, queries, Python CPU ms, summed SQL ms, response): on a shared machine the wall time
    follows the load; the CPU and SQL times say what the action itself costs."""
    with CaptureQueriesContext(connection) as ctx:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.post(url, data)
        elapsed, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000
    assert response.status_code in (200, 302), response.status_code
    sql = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    return elapsed, len(ctx.captured_queries), cpu, sql, response


def run(client, url, action, rows, extra=None, shown=None):
    """The confirmation page, then the apply: (page ms, page queries, apply ms, apply queries, apply
    CPU ms, apply SQL ms)."""
    from breach_app import notices

    selection = {"action": action, "_selected_action": [row.pk for row in rows]}
    page_ms, page_q, _cpu, _sql, _response = timed_post(client, url, selection)
    data = {**selection, "apply": "1", **{f"_loaded_version_{row.pk}": row.version for row in rows}, **(extra or {})}
    if shown:
        data.update({f"_text_sha256_{row.pk}": notices.text_sha256(row.body) for row in rows})
    apply_ms, apply_q, apply_cpu, apply_sql, response = timed_post(client, url, data)
    errors = [str(m) for m in response.wsgi_request._messages if m.level >= 40]
    assert not errors, errors[:3]
    return page_ms, page_q, apply_ms, apply_q, apply_cpu, apply_sql


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="run only the actions whose name holds one of these (comma-separated) texts")
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to add rows to database {name!r}; use one whose name contains 'bench'.")
    settings.BULK_ACTION_MAX_ROWS = max(settings.BULK_ACTION_MAX_ROWS, args.rows)
    staff, staff_client = person("bench-bulk-staff", "staff")
    _manager, manager_client = person("bench-bulk-manager", "manager")
    incident = an_incident(staff)
    proposal = dict(applicability="required", waiver_proposed_by=staff, waiver_proposed_at=timezone.now(),
                    waiver_reason="bench", waiver_legal_basis="bench")
    obligation_url, draft_url = "/admin/breach_app/obligation/", "/admin/breach_app/noticedraft/"
    actions = [
        ("decide not to notify", staff_client, obligation_url, "decide_not_to_notify",
         lambda n: obligations(incident, n, applicability="needs_decision"), {"reason": "bench", "legal_basis": ""}, False),
        ("  (required: proposed)", staff_client, obligation_url, "decide_not_to_notify",
         lambda n: obligations(incident, n, applicability="required"), {"reason": "bench", "legal_basis": "b"}, False),
        ("confirm proposals", manager_client, obligation_url, "confirm_not_to_notify",
         lambda n: obligations(incident, n, **proposal), {}, False),
        ("turn proposals down", manager_client, obligation_url, "turn_down_not_to_notify",
         lambda n: obligations(incident, n, **proposal), {"reason": "bench"}, False),
        ("approve drafts (as a set)", manager_client, draft_url, "approve",
         lambda n: drafts(incident, n), {}, True),
        ("assign cases to me", staff_client, "/admin/requests_app/rightsrequest/", "assign_to_me", cases, {}, False),
    ]
    print(f"{args.rows:,} rows per action, {args.runs} runs\n")
    header = f"{'action':<40} {'page':>9} {'q':>4} {'apply':>10} {'q':>6} {'cpu':>9} {'sql':>9}"
    print(header)
    print("-" * len(header))
    for label, client, url, action, make, extra, shown in actions:
        if args.only and not any(text in label for text in args.only.split(",")):
            continue
        results = []
        for _ in range(args.runs):
            rows = make(args.rows)
            if rows is None:
                break
            results.append(run(client, url, action, rows, extra, shown))
        if not results:
            print(f"{label:<40} (no rows to copy: run bench/scale_data.py first)")
            continue
        page_ms = statistics.median(r[0] for r in results)
        apply_ms = statistics.median(r[2] for r in results)
        cpu = statistics.median(r[4] for r in results)
        sql = statistics.median(r[5] for r in results)
        print(f"{label:<40} {page_ms:7.0f}ms {results[-1][1]:>4} {apply_ms:8.0f}ms {results[-1][3]:>6} "
              f"{cpu:7.0f}ms {sql:7.0f}ms", flush=True)


if __name__ == "__main__":
    main()
