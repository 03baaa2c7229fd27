"""Times the busiest admin pages at a million cases, next to stock ModelAdmins of the same models.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/scale_data.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_admin.py [--runs 7]

Server time through Django's test client (request → rendered response), median/min/max over
``--runs`` runs after one warm-up, the median CPU time of the Python side, the query count and the
summed SQL time of one run, and the request's peak Python memory (tracemalloc).
"""

import argparse

from _setup import measure, setup

connection = setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.test import Client  # noqa: E402

settings.ROOT_URLCONF = "stock_urls"
settings.ALLOWED_HOSTS = ["testserver"]
settings.DEBUG = False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from breach_app.models import Incident
    from inventory_app.models import DataField
    from privacy_office.models import AuditLogEntry
    from requests_app.models import RightsRequest

    User = get_user_model()
    # A Privacy manager, not a superuser: permission checks cost what they cost in real use.
    manager = User.objects.get(username="bench00")
    client = Client()
    client.force_login(manager)
    assignee = User.objects.get(username="bench05").pk
    ct = ContentType.objects.get_for_model(RightsRequest).pk
    # Case 123,457 (a case in the middle at 100,000 cases: 54,321).
    sample_pk = 123457 if RightsRequest.objects.filter(pk=123457).exists() else 54321
    sample = RightsRequest.objects.order_by().filter(pk=sample_pk).values("reference", "requester_email", "requester_phone").first()
    counts = (RightsRequest.objects.count(), RightsRequest.history.model.objects.count(), AuditLogEntry.objects.count(),
              Incident.objects.count(), DataField.objects.count())
    print(f"data: {counts[0]:,} cases, {counts[1]:,} case history rows, {counts[2]:,} audit-log entries, "
          f"{counts[3]:,} incidents, {counts[4]:,} data fields; {args.runs} runs per page\n")

    rr, st = "/admin/requests_app/rightsrequest/", "/stock/requests_app/rightsrequest/"
    pages = [
        ("rights requests, unfiltered", rr, st, 60, 5),
        ("  filtered by status", rr + "?status__exact=in_progress", st + "?status__exact=in_progress", 80, 5),
        ("  filtered by jurisdiction", rr + "?jurisdiction__exact=EU", st + "?jurisdiction__exact=EU", 80, 5),
        ("  filtered by assignee", rr + f"?assignee={assignee}", st + f"?assignee__id__exact={assignee}", 80, 5),
        ("  overdue", rr + "?deadline=overdue", None, 80, 5),
        ("  search: exact reference", rr + f"?q={sample['reference']}", st + f"?q={sample['reference']}", 80, 5),
        ("  search: e-mail", rr + f"?q={sample['requester_email']}", st + f"?q={sample['requester_email']}", 80, 5),
        ("  search: phone", rr + f"?q=%2B{sample['requester_phone'][1:]}", st + f"?q=%2B{sample['requester_phone'][1:]}", 80, 5),
        ("  search: name prefix", rr + "?q=Wang%20Wei", st + "?q=Wang%20Wei", 80, 5),
        ("  page 5,000", rr + "?p=5000", st + "?p=5000", 100, 5),
        ("audit log, unfiltered", "/admin/privacy_office/auditlogentry/", "/stock/privacy_office/auditlogentry/", 80, 5),
        ("  by user", f"/admin/privacy_office/auditlogentry/?user={assignee}", f"/stock/privacy_office/auditlogentry/?user__id__exact={assignee}", 80, 5),
        ("  by model", f"/admin/privacy_office/auditlogentry/?content_type={ct}", f"/stock/privacy_office/auditlogentry/?content_type__id__exact={ct}", 80, 5),
        ("case change page (50 history rows)", rr + "1/change/", st + "1/change/", 80, 10),
        ("case history page (50 entries)", rr + "1/history/", st + "1/history/", 80, 10),
        ("admin home dashboard", "/admin/", None, 100, 10),
        ("incidents (100k)", "/admin/breach_app/incident/", "/stock/breach_app/incident/", 60, 5),
        ("inventory data fields (100k)", "/admin/inventory_app/datafield/", "/stock/inventory_app/datafield/", 60, 5),
        ("inventory activities", "/admin/inventory_app/processingactivity/", "/stock/inventory_app/processingactivity/", 60, 5),
    ]
    header = (f"{'page':<36} {'median':>8} {'min':>7} {'max':>7} {'cpu':>7} {'q':>3} {'sql':>7} {'peak':>6}  {'target':>10}  "
              f"{'ok':<4} | {'stock median':>12} {'q':>4} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for label, ours, stock, target_ms, target_q in pages:
        mine = measure(client, ours, args.runs)
        if "error" in mine:
            print(f"{label:<36} {mine['error']}")
            continue
        ok = mine["median"] <= target_ms and mine["queries"] <= target_q
        row = (f"{label:<36} {mine['median']:7.1f}ms {mine['min']:6.1f} {mine['max']:6.1f} {mine['cpu']:6.1f}ms {mine['queries']:>3} "
               f"{mine['sql']:6.1f}ms {mine['peak_mb']:4.1f}MB"
               f"  ≤{target_ms:>3}ms/{target_q:<2}  {'yes' if ok else 'NO':<4} | ")
        if stock:
            theirs = measure(client, stock, max(3, args.runs // 2))
            if "error" in theirs:
                row += f"{theirs['error']:>12}"
            else:
                row += f"{theirs['median']:10.1f}ms {theirs['queries']:>4} {theirs['median'] / mine['median']:5.1f}x"
        else:
            row += f"{'—':>12}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
