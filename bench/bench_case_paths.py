"""Times the rights-request paths the page bench does not cover, on the scale data set:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/scale_data.py --cases 100000 ...
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/bench_case_paths.py [--runs 5]

- the case change page with 300 reminders, 300 timeline entries and 100 tasks (and the stock page);
- bulk "assign to me" of 1,000 open cases through the admin (rolled back after each run);
- the overdue count, the partial e-mail search, the hourly reminder reconcile and the hourly
  identity-document purge, each beside the query it replaced, with the plan's index.

It adds the case's reminders, timeline, tasks and one identity document per case (rows only, no files)
to the bench database the first time; refuses a database whose name lacks "bench".
"""

import argparse
import json
import statistics
import time
from datetime import timedelta

from _setup import setup

connection = setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.ROOT_URLCONF = "stock_urls"
settings.ALLOWED_HOSTS = ["testserver"]
settings.DEBUG = False


class Rollback(Exception):
    pass


def timed(fn, runs, *, rollback=False):
    """(median ms, min, max, queries of one run) of ``fn()``; each run rolled back if asked."""

    def once():
        if not rollback:
            return fn()
        try:
            with transaction.atomic():
                fn()
                raise Rollback
        except Rollback:
            pass

    once()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        once()
    return statistics.median(times), min(times), max(times), len(ctx.captured_queries)


def plan_indexes(queryset) -> str:
    """The indexes the planner uses for ``queryset`` (EXPLAIN, not run)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        if "Index Name" in node:
            found.append(f"{node['Node Type']} {node['Index Name']}")
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan[0]["Plan"])
    return ", ".join(found) or "no index (sequential scan)"


def row(label, result, note=""):
    median, low, high, queries = result
    print(f"{label:<52} {median:9.1f}ms {low:8.1f} {high:8.1f} {queries:>6}  {note}", flush=True)


def seed(case, users, ct):
    """300 reminders, 300 timeline entries and 100 tasks on ``case``."""
    from privacy_office.models import Reminder
    from requests_app.models import Task, TimelineEntry

    if Reminder.objects.filter(content_type_id=ct, object_id=case.pk, kind="bench_overdue").exists():
        return
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(content_type_id=ct, object_id=case.pk, kind="bench_overdue", threshold=f"d{i}",
                 recipient_id=users[i % len(users)], due_at=now - timedelta(days=i), status="sent", sent_at=now)
        for i in range(300))
    TimelineEntry.objects.bulk_create(
        TimelineEntry(request=case, kind="task", message="", params={}, note=f"bench {i}", by_id=users[i % len(users)],
                      at=now - timedelta(minutes=i))
        for i in range(300))
    Task.objects.bulk_create(Task(request=case, title=f"bench task {i}", owner_id=users[i % len(users)])
                             for i in range(100))


def seed_documents(users):
    """One identity document on every case (rows only, no files). Those whose retention ended
    before now are written as already purged (as the hourly purge would have left them), so the
    purge measured below is its steady state: a few or none due."""
    from requests_app.identity_documents import retention_start
    from requests_app.models import IdentityDocument, RightsRequest

    if IdentityDocument.objects.count() >= RightsRequest.objects.count() // 2:
        return
    now = timezone.now()
    cutoff = now - timedelta(days=settings.IDENTITY_DOCUMENT_RETENTION_DAYS)
    batch = []
    for pk, closed_at, verified_on in RightsRequest.objects.order_by("pk").values_list(
            "pk", "closed_at", "verified_on").iterator(chunk_size=5000):
        starts = retention_start(closed_at=closed_at, verified_on=verified_on)
        purged = starts is not None and starts <= cutoff
        batch.append(IdentityDocument(
            request_id=pk, original_name="bench.pdf", uploaded_at=now - timedelta(days=400), uploaded_by_id=users[0],
            retention_starts_at=starts, deleted_at=now if purged else None,
            deletion_reason="bench: purged" if purged else ""))
        if len(batch) == 5000:
            IdentityDocument.objects.bulk_create(batch)
            batch = []
    IdentityDocument.objects.bulk_create(batch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to add rows to database {name!r}; use one whose name contains 'bench'.")

    from privacy_office.models import Reminder
    from privacy_office.reminders import reminders_record, unrecorded
    from requests_app import reminders as case_reminders
    from requests_app.identity_documents import identity_documents_delete_expired
    from requests_app.models import IdentityDocument, RightsRequest

    User = get_user_model()
    manager = User.objects.get(username="bench00")
    users = sorted(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    client = Client()
    client.force_login(manager)
    ct = ContentType.objects.get_for_model(RightsRequest).pk
    case = RightsRequest.objects.open().order_by("pk").first()
    seed(case, users, ct)
    seed_documents(users)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"data: {RightsRequest.objects.count():,} cases ({RightsRequest.objects.open().count():,} open), "
          f"{Reminder.objects.count():,} reminders, {IdentityDocument.objects.count():,} identity documents; "
          f"{args.runs} runs each\n")
    print(f"{'path':<52} {'median':>11} {'min':>8} {'max':>8} {'queries':>6}  plan / note")
    print("-" * 120)

    # 1. The case page with 300 reminders, 300 timeline entries and 100 tasks.
    ours = f"/admin/requests_app/rightsrequest/{case.pk}/change/"
    stock = f"/stock/requests_app/rightsrequest/{case.pk}/change/"
    row("case page, 300 reminders/timeline, 100 tasks", timed(lambda: client.get(ours), args.runs))
    try:
        client.get(stock)
    except Exception as exc:  # the stock site cannot render the project's change-form templates
        print(f"  stock ModelAdmin: change page not served by bench/stock_urls.py ({type(exc).__name__})", flush=True)
    else:
        row("  stock ModelAdmin (no inlines)", timed(lambda: client.get(stock), args.runs))

    # 2. Bulk "assign to me" of 1,000 open cases (confirmation POST, rolled back each run).
    # Unassigned open cases (taking a colleague's needs the identity-documents approval): made so
    # for the bench, once.
    unassigned = RightsRequest.objects.open().filter(assignee__isnull=True)
    if unassigned.count() < 1000:
        RightsRequest.objects.filter(pk__in=RightsRequest.objects.open().order_by("-pk").values("pk")[:1000]).update(
            assignee=None)
    bulk = list(unassigned.order_by("pk").values_list("pk", "version")[:1000])
    data = {"action": "assign_to_me", "_selected_action": [pk for pk, _v in bulk], "apply": "1",
            **{f"_loaded_version_{pk}": v for pk, v in bulk}}
    result = timed(lambda: client.post("/admin/requests_app/rightsrequest/", data), args.runs, rollback=True)
    row(f"bulk assign to me, {len(bulk):,} cases (admin POST)", result)

    # 3. The overdue count (dashboard, "overdue" filter) and the reconcile query.
    overdue = RightsRequest.objects.overdue()
    row("overdue count", timed(lambda: overdue.all().count(), args.runs),
        plan_indexes(overdue.order_by().values("pk")))
    horizon = timezone.localdate() + timedelta(days=7)
    reconcile_rows = (RightsRequest.objects.open().filter(due_on__lte=horizon).order_by()
                      .values_list("id", "due_on", "assignee_id", "created_at", "clock_paused"))
    row("reconcile's case query", timed(lambda: list(reconcile_rows.all()), args.runs), plan_indexes(reconcile_rows))

    # 4. Partial e-mail search.
    email = RightsRequest.objects.open().exclude(requester_email="").order_by("pk").values_list(
        "requester_email", flat=True).first()
    fragment = email.split("@")[0][-6:] + "@"
    url = f"/admin/requests_app/rightsrequest/?q={fragment}"
    found = RightsRequest.objects.filter(requester_email__contains=fragment).count()
    row(f"partial e-mail search '{fragment}'", timed(lambda: client.get(url), args.runs),
        plan_indexes(RightsRequest.objects.filter(requester_email__contains=fragment).values("pk")) + f"; found {found}")

    # 5. The hourly reconcile: every reminder owed to every open case, all recorded already.
    now = timezone.now()
    specs = case_reminders.due_reminders(now=now, since=None)
    reminders_record(specs=specs, now=now)  # the first hour records them
    row(f"reconcile, {len(specs):,} specs all recorded (new)",
        timed(lambda: reminders_record(specs=case_reminders.due_reminders(now=now, since=None), now=now), args.runs),
        f"inserted {len(unrecorded(specs))}")

    def reinsert_all():
        rows = [Reminder(content_type_id=s.content_type_id, object_id=s.object_id, kind=s.kind, threshold=s.threshold,
                         recipient_id=s.recipient_id, due_at=s.due_at) for s in case_reminders.due_reminders(now=now)]
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)

    row("  before: re-insert all, ON CONFLICT DO NOTHING", timed(reinsert_all, args.runs, rollback=True))

    # 6. The hourly identity-document purge at steady state.
    row("identity-document purge (hourly, stored date)",
        timed(lambda: identity_documents_delete_expired(now=now), args.runs, rollback=True),
        plan_indexes(IdentityDocument.objects.filter(
            deleted_at__isnull=True, retention_starts_at__lte=now - timedelta(days=30)).values("pk")))
    cutoff = now - timedelta(days=settings.IDENTITY_DOCUMENT_RETENTION_DAYS)
    old = IdentityDocument.objects.filter(deleted_at__isnull=True).filter(
        Q(request__closed_at__lte=cutoff) | Q(request__verified_on__lte=timezone.localdate(cutoff) - timedelta(days=1)))
    row("  before: join every case", timed(lambda: list(old.values_list("pk", flat=True)), args.runs),
        plan_indexes(old.values("pk")))


if __name__ == "__main__":
    main()
