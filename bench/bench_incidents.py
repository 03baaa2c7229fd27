"""Times the incident and obligation pages at 100,000 incidents / 300,000 obligations, next to stock
ModelAdmins of the same models (bench/stock_urls.py):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/scale_data.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_incidents.py [--runs 7] [--explain]

The obligation list (page 1, page 3,000, each list filter), incidents by nearest deadline (both
ways), the searches, and the incident and obligation pages of one incident given many related
rows (``--related`` obligations with two drafts each, timeline entries and populations, added once
and kept: the database name must contain "bench"). Server time through Django's test client,
median/min/max over ``--runs`` runs after one warm-up, the query count and summed SQL time of one
run. ``--explain`` prints the plan of each list's main query.
"""

import argparse
from datetime import timedelta

from _setup import measure, setup

connection = setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.ROOT_URLCONF = "stock_urls"
settings.ALLOWED_HOSTS = ["testserver"]
settings.DEBUG = False

# The incident given many related rows; its reference is outside the "INC-<year>-<number>" series, whose
# next number a new incident takes (a letter after the prefix would stop the numbering).
BIG = "INC-BENCH-0001"


def big_incident(related: int):
    """An open incident with ``related`` obligations (two drafts each), timeline entries and as many
    populations as there are jurisdictions, created once in bulk."""
    from breach_app.models import (AffectedPopulation, Incident, Jurisdiction, NoticeDraft, Obligation,
                                   TimelineEntry)

    incident = Incident.objects.filter(reference=BIG).first()
    if incident is not None:
        return incident
    now = timezone.now()
    owner = get_user_model().objects.get(username="bench01")
    incident = Incident.objects.create(reference=BIG, title="Bench: every state", discovered_at=now - timedelta(days=1),
                                       owner=owner)
    AffectedPopulation.objects.bulk_create(
        AffectedPopulation(incident=incident, jurisdiction=code, people_min=100) for code, _ in Jurisdiction.choices)
    obligations = Obligation.objects.bulk_create(
        Obligation(incident=incident, code=f"B-{i:04d}", jurisdiction="EU", recipient="regulator",
                   applicability="required", deadline=now + timedelta(hours=i), deadline_kind="instant",
                   citation="bench") for i in range(related))
    NoticeDraft.objects.bulk_create(
        NoticeDraft(obligation=o, language=lang, kind="regulator_report", body="bench text", approved_by=owner,
                    approved_at=now) for o in obligations for lang in ("zh-hans", "en"))
    TimelineEntry.objects.bulk_create(
        TimelineEntry(incident=incident, at=now - timedelta(minutes=i), kind="fact", note=f"bench note {i}", by=owner)
        for i in range(related))
    Incident.objects.filter(pk=incident.pk).update(next_deadline=now)
    return incident


def explain(label, sql):
    if not sql.startswith("SELECT"):
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY ON) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"    plan of the slowest query of {label.strip()}:")
    for line in plan[:12]:
        print("      " + line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--related", type=int, default=500, help="obligations / timeline entries of the big incident")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to add rows to database {name!r}; use a database whose name contains 'bench'.")
    from breach_app.models import Incident, Obligation

    manager = get_user_model().objects.get(username="bench00")
    client = Client()
    client.force_login(manager)
    big = big_incident(args.related)
    sample = Incident.objects.order_by().filter(pk=12345).values_list("reference", flat=True).first()
    regref = Obligation.objects.exclude(regulator_reference="").order_by().values_list("regulator_reference", flat=True).first()
    print(f"data: {Incident.objects.count():,} incidents, {Obligation.objects.count():,} obligations; "
          f"big incident {big.reference}: {big.obligations.count()} obligations, {big.timeline.count()} timeline "
          f"entries, {big.populations.count()} populations; {args.runs} runs per page\n")

    ob, sob = "/admin/breach_app/obligation/", "/stock/breach_app/obligation/"
    inc, sinc = "/admin/breach_app/incident/", "/stock/breach_app/incident/"
    first_obligation = big.obligations.order_by("deadline").first().pk
    pages = [
        ("obligations, unfiltered", ob, sob),
        ("  page 3,000", ob + "?p=3000", sob + "?p=3000"),
        ("  status pending", ob + "?status__exact=pending", sob + "?status__exact=pending"),
        ("  jurisdiction CN", ob + "?jurisdiction__exact=CN", sob + "?jurisdiction__exact=CN"),
        ("  recipient individuals", ob + "?recipient__exact=individuals", sob + "?recipient__exact=individuals"),
        ("  still to do (live)", ob + "?clock=live", None),
        ("  overdue", ob + "?clock=overdue", None),
        ("  unverified", ob + "?unverified__exact=1", sob + "?unverified__exact=1"),
        ("  status sent, page 1,000", ob + "?status__exact=sent&p=1000", sob + "?status__exact=sent&p=1000"),
        ("  search: incident reference", ob + f"?q={sample}", sob + f"?q={sample}"),
        ("  search: title words", ob + "?q=lost%20laptop", sob + "?q=lost%20laptop"),
        ("  search: regulator reference", ob + f"?q={regref}", sob + f"?q={regref}"),
        ("incidents, unfiltered", inc, sinc),
        ("  by nearest deadline", inc + "?o=6", sinc + "?o=6"),
        ("  by nearest deadline, descending", inc + "?o=-6", sinc + "?o=-6"),
        ("  overdue", inc + "?overdue=yes", None),
        ("  search: exact reference", inc + f"?q={sample}", sinc + f"?q={sample}"),
        ("  search: title substring", inc + "?q=laptop", sinc + "?q=laptop"),
        ("  search: number substring", inc + "?q=12345", sinc + "?q=12345"),
        (f"incident page ({args.related} related)", inc + f"{big.pk}/change/", sinc + f"{big.pk}/change/"),
        # The stock page renders all 100,000 incidents in a select: one run is enough to see it.
        ("obligation page (2 drafts)", ob + f"{first_obligation}/change/", sob + f"{first_obligation}/change/", 1),
    ]
    header = (f"{'page':<38} {'median':>8} {'min':>7} {'max':>7} {'q':>3} {'sql':>7} | "
              f"{'stock median':>12} {'q':>4} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for label, ours, stock, *stock_runs in pages:
        mine = measure(client, ours, args.runs)
        if "error" in mine:
            print(f"{label:<38} {mine['error']}")
            continue
        row = (f"{label:<38} {mine['median']:7.1f}ms {mine['min']:6.1f} {mine['max']:6.1f} {mine['queries']:>3} "
               f"{mine['sql']:6.1f}ms | ")
        if stock:
            theirs = measure(client, stock, stock_runs[0] if stock_runs else max(3, args.runs // 2))
            if "error" in theirs:
                row += f"{theirs['error']:>12}"
            else:
                row += f"{theirs['median']:10.1f}ms {theirs['queries']:>4} {theirs['median'] / mine['median']:5.1f}x"
        else:
            row += f"{'—':>12}"
        print(row, flush=True)
        if args.explain:
            explain(label, mine["slowest"])


if __name__ == "__main__":
    main()
