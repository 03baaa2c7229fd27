"""Benchmark: import a 10,000-row field spreadsheet (activity × field) with history.

Runs against whatever DATABASE_URL is set (SQLite under var/ by default), inside a transaction
that is rolled back at the end, so the database is left as it was. Usage:

    .venv/bin/python bench/bench_inventory_import.py [--rows 10000] [--format xlsx|csv]

Prints elapsed seconds and query count for the import, then imports a malformed copy (one bad
row) and shows that nothing was written.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_office.settings")

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from inventory_app.models import ActivityField, Controller, DataField, ProcessingActivity  # noqa: E402
from inventory_app.resources import ActivityFieldResource  # noqa: E402
from inventory_app.services import dataset_from_bytes, import_error_report, inventory_import  # noqa: E402
from privacy_office.models import AuditLogEntry  # noqa: E402

HEADERS = ["activity", "activity_name_zh", "field", "field_name_zh", "field_name_en", "category", "sensitive",
           "group_zh", "group_en", "detail_zh", "required", "position", "note"]
CATEGORIES = ["identifier", "contact", "credential", "device", "location", "enterprise", "financial", "content", "usage"]


class Rollback(Exception):
    pass


class QueryCounter:
    """Counts every query (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __len__(self):
        return self.count

    def _wrapper(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = connection.execute_wrapper(self._wrapper)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def build_file(rows: int, fmt: str, *, activities: int = 100) -> tuple[bytes, str]:
    per_activity = max(rows // activities, 1)
    data = tablib.Dataset(headers=HEADERS)
    for i in range(rows):
        a, f = divmod(i, per_activity)
        data.append([
            f"bench-activity-{a:04d}", f"基准活动 {a}", f"bench-field-{f:04d}", f"基准字段 {f}", f"bench field {f}",
            CATEGORIES[f % len(CATEGORIES)], int(f % 10 == 0), "", "", "", 1, f, "",
        ])
    content = data.export(fmt)
    return (content.encode("utf-8") if isinstance(content, str) else content), f"bench.{fmt}"


def counts():
    return (ActivityField.objects.count(), DataField.objects.count(), ActivityField.history.count(),
            DataField.history.count(), AuditLogEntry.objects.count())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    try:
        with transaction.atomic():
            controller, _ = Controller.objects.get_or_create(code="bench-controller", defaults={"name_zh": "基准"})
            ProcessingActivity.objects.bulk_create([
                ProcessingActivity(code=f"bench-activity-{a:04d}", name_zh=f"基准活动 {a}", controller=controller,
                                   pipl_basis="contract")
                for a in range(100)
            ])
            content, name = build_file(args.rows, args.format)
            started = time.perf_counter()
            dataset = dataset_from_bytes(content=content, file_name=name)
            print(f"reading the {args.format} file: {time.perf_counter() - started:.2f} s")
            before = counts()
            with QueryCounter() as queries:
                started = time.perf_counter()
                result = inventory_import(resource_class=ActivityFieldResource, dataset=dataset, file_name=name)
                elapsed = time.perf_counter() - started
            after = counts()
            assert not result.has_errors() and not result.has_validation_errors(), import_error_report(result)[:5]
            print(f"import of {args.rows} rows ({args.format}): {elapsed:.2f} s, {len(queries)} queries")
            print("  written: activity fields +{}, data fields +{}, history +{} / +{}, audit log +{}".format(
                *(b - a for a, b in zip(before, after))))

            # Re-import unchanged: every row skipped, nothing written.
            with QueryCounter() as queries:
                started = time.perf_counter()
                again = inventory_import(resource_class=ActivityFieldResource, dataset=dataset, file_name=name)
                elapsed = time.perf_counter() - started
            print(f"re-import unchanged: {elapsed:.2f} s, {len(queries)} queries, "
                  f"{again.totals.get('skip', 0)} rows skipped, written +{sum(counts()) - sum(after)}")

            # Malformed: one bad category in the middle of the file.
            bad = tablib.Dataset(headers=HEADERS)
            for i, row in enumerate(dataset):
                row = list(row)
                row[2] = row[2].replace("bench-field", "bench-newfield")
                if i == args.rows // 2:
                    row[5] = "not-a-category"
                bad.append(row)
            before = counts()
            started = time.perf_counter()
            result = inventory_import(resource_class=ActivityFieldResource, dataset=bad, file_name="bad.csv")
            elapsed = time.perf_counter() - started
            report = import_error_report(result)
            written = sum(counts()) - sum(before)
            print(f"malformed file ({len(report)} error): {elapsed:.2f} s; {report[0] if report else ''}")
            print(f"  rows written from the malformed file: {written} (nothing written: {written == 0})")
            raise Rollback
    except Rollback:
        print("benchmark data rolled back")


if __name__ == "__main__":
    main()
