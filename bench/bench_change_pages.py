"""Times every change page with its largest realistic set of related rows, next to a stock
ModelAdmin of the same model (bench/stock_urls.py), on the scale data set:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/scale_data.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_change_pages.py [--runs 7]

- a case with 300 reminders, 300 timeline entries and 100 tasks; case 1 with 50 history rows;
- an incident with 500 obligations (two drafts each), 500 timeline entries and 60 affected
  populations, as it opens and opened in full (``?populations=all``: 60 editable rows);
- an obligation with two drafts;
- an activity with 501 fields; a data field used by 1,001 activities.

The related rows are added once and kept (the database name must contain "bench"). For each page:
median/min/max server time through Django's test client over ``--runs`` runs after one warm-up,
the median CPU time of the Python side (what other work on a shared machine barely changes), the
query count and summed SQL time of one run, and the request's peak Python memory (tracemalloc).
The stock page is measured in the same run; ``stock faster`` marks a page where it wins.
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

LONG_ACTIVITY = "bench-activity-501-fields"
SHARED_FIELD = "bench-field-1001-activities"


def inventory_rows():
    """An activity with 501 fields and a data field used by 1,001 activities, created once in bulk."""
    from inventory_app.models import ActivityField, Controller, DataField, ProcessingActivity

    activity = ProcessingActivity.objects.filter(code=LONG_ACTIVITY).first()
    field = DataField.objects.filter(code=SHARED_FIELD).first()
    if activity and field:
        return activity, field
    controller, _created = Controller.objects.get_or_create(code="bench-controller", defaults={"name_zh": "基准"})
    activity = ProcessingActivity.objects.create(code=LONG_ACTIVITY, name_zh="基准活动", controller=controller,
                                                 pipl_basis="contract")
    fields = list(DataField.objects.filter(code__startswith="bench-field-").order_by("pk")[:501])
    if len(fields) < 501:
        raise SystemExit("bench: run bench/scale_data.py first (it adds the data fields)")
    ActivityField.objects.bulk_create(ActivityField(activity=activity, field=f, position=i) for i, f in enumerate(fields))
    field = DataField.objects.create(code=SHARED_FIELD, name_zh="共用字段", name_en="shared field", category="identifier")
    users = ProcessingActivity.objects.bulk_create(
        ProcessingActivity(code=f"bench-user-{i:04d}", name_zh=f"基准 {i}", controller=controller, pipl_basis="contract")
        for i in range(1001))
    ActivityField.objects.bulk_create(ActivityField(activity=a, field=field) for a in users)
    return activity, field


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to add rows to database {name!r}; use one whose name contains 'bench'.")

    from bench_case_paths import seed
    from bench_incidents import big_incident

    from requests_app.models import RightsRequest

    User = get_user_model()
    users = sorted(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    client = Client()
    client.force_login(User.objects.get(username="bench00"))
    case = RightsRequest.objects.open().order_by("pk").first()
    seed(case, users, ContentType.objects.get_for_model(RightsRequest).pk)
    incident = big_incident(500)
    obligation = incident.obligations.order_by("deadline").first()
    activity, field = inventory_rows()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"data: {RightsRequest.objects.count():,} cases; {args.runs} runs per page\n")

    rr, st = "/admin/requests_app/rightsrequest/", "/stock/requests_app/rightsrequest/"
    inc, sinc = "/admin/breach_app/incident/", "/stock/breach_app/incident/"
    pages = [
        ("case (300 reminders/timeline, 100 tasks)", f"{rr}{case.pk}/change/", f"{st}{case.pk}/change/", None),
        ("case 1 (50 history rows)", f"{rr}1/change/", f"{st}1/change/", None),
        ("incident (500 obligations, 60 places)", f"{inc}{incident.pk}/change/", f"{sinc}{incident.pk}/change/", None),
        ("  opened in full (60 editable rows)", f"{inc}{incident.pk}/change/?populations=all", None, None),
        # The stock page renders all 100,000 incidents in a select: one run is enough to see it.
        ("obligation (2 drafts)", f"/admin/breach_app/obligation/{obligation.pk}/change/",
         f"/stock/breach_app/obligation/{obligation.pk}/change/", 1),
        ("activity (501 fields)", f"/admin/inventory_app/processingactivity/{activity.pk}/change/",
         f"/stock/inventory_app/processingactivity/{activity.pk}/change/", None),
        ("data field (used by 1,001 activities)", f"/admin/inventory_app/datafield/{field.pk}/change/",
         f"/stock/inventory_app/datafield/{field.pk}/change/", None),
    ]
    header = (f"{'page':<42} {'median':>8} {'min':>7} {'max':>7} {'cpu':>7} {'q':>3} {'sql':>7} {'peak':>7} | "
              f"{'stock median':>12} {'cpu':>7} {'q':>4} {'peak':>7}")
    print(header)
    print("-" * len(header))
    for label, ours, stock, stock_runs in pages:
        mine = measure(client, ours, args.runs)
        if "error" in mine:
            print(f"{label:<42} {mine['error']}", flush=True)
            continue
        row = (f"{label:<42} {mine['median']:7.1f}ms {mine['min']:6.1f} {mine['max']:6.1f} {mine['cpu']:6.1f}ms "
               f"{mine['queries']:>3} {mine['sql']:6.1f}ms {mine['peak_mb']:5.1f}MB | ")
        if stock:
            theirs = measure(client, stock, stock_runs or max(3, args.runs // 2))
            if "error" in theirs:
                row += f"{theirs['error']:>12}"
            else:
                row += (f"{theirs['median']:10.1f}ms {theirs['cpu']:6.1f}ms {theirs['queries']:>4} "
                        f"{theirs['peak_mb']:5.1f}MB" + ("  stock faster" if theirs["median"] < mine["median"] else ""))
        else:
            row += f"{'—':>12}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
