"""Hostile imports, measured: seconds and peak memory of each file through the admin's code path.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_hostile_imports.py
        [--only NAME ...] [--stock]

Builds the files of ``inventory_app/tests/hostile_files.py`` (a 400 MB zip bomb, a five-million
entry shared-string table, a 90 MB cell, a dimension claiming the whole sheet, with and without a
last row numbered 1,048,576, a row of a million cells, two million styles and 400,000 under the
part-size cap, one row too many in CSV and XLSX) and an honest
100,000-row field spreadsheet, then runs each in a fresh child process, as the admin does:

- request: ``ActivityFieldAdmin.import_action`` on the uploaded file (the form's checks, then
  either the small-file preview or a new ImportJob);
- preview and import: the job's two tasks, ``import_job_preview`` and, once confirmed,
  ``import_job_run``, called as the worker calls them.

Each child runs inside a transaction rolled back at the end (the database is left as it was),
under a memory cap (RLIMIT_AS) and a time limit, so the bench itself is bounded. Printed: the
outcome, the seconds of each stage, and the child's peak resident memory next to
its baseline after Django has started (VmHWM); ``--tracemalloc`` adds the Python allocations' peak.

``--stock`` also reads each hostile workbook with the stock reader the admin used before
(django-import-export's XLSX format), capped at 30 s of CPU and 3 GB: that is the "before".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEMORY_CAP = 4 * 1024**3
STOCK_MEMORY_CAP = 3 * 1024**3
STOCK_CPU_SECONDS = 30
CHILD_TIMEOUT = 30 * 60

CASES = {
    # name: (builder, file name, what it attacks)
    "zip-bomb": ("zip_bomb", "bomb.xlsx", "400 MB of worksheet XML in a few hundred KB"),
    "shared-strings": ("shared_strings_bomb", "strings.xlsx", "5,000,000 shared strings"),
    "huge-cell": ("huge_cell_90mb", "cell.xlsx", "one cell of 90 MB"),
    "dimension": ("dimension_bomb", "dimension.xlsx", "<dimension ref=A1:XFD1048576>, 2 rows"),
    "padding": ("padding_bomb", "padding.xlsx", "that <dimension> and a last row numbered 1,048,576"),
    "row-number": ("row_number_bomb", "rownumber.xlsx", "one row numbered 1,048,576"),
    "wide-row": ("wide_row_bomb", "wide.xlsx", "one row of 1,000,000 cells"),
    "styles": ("styles_bomb", "styles.xlsx", "2,000,000 cell styles"),
    "styles-small": ("styles_bomb_400k", "styles-small.xlsx", "400,000 cell styles, under the 2 MB part cap"),
    "too-many-rows-csv": ("too_many_rows_csv", "rows.csv", "IMPORT_MAX_ROWS + 1 rows (CSV)"),
    "too-many-rows-xlsx": ("too_many_rows_xlsx", "rows.xlsx", "IMPORT_MAX_ROWS + 1 rows (XLSX)"),
    "legit-100k": ("legit_100k", "fields.xlsx", "an honest 100,000-row field spreadsheet"),
}
STOCK_CASES = ("zip-bomb", "shared-strings", "huge-cell", "dimension", "padding", "row-number", "wide-row", "styles",
               "styles-small")
ACTIVITIES = [f"bench-activity-{number:04d}" for number in range(100)]


# --- Building the files (parent) -------------------------------------------------------------

def build(name: str, directory: Path) -> Path:
    from django.conf import settings

    from inventory_app.tests import hostile_files as hostile

    builder, file_name, _what = CASES[name]
    max_rows = settings.IMPORT_MAX_ROWS

    def stream_rows(count):
        # Written straight into the package, row by row: openpyxl's writer needs minutes for this.
        yield hostile.header_row()
        for number, row in enumerate(hostile.field_rows(count, activities=ACTIVITIES, prefix="bench-field"), 2):
            yield hostile.inline_row(number, row)

    if builder == "styles_bomb_400k":
        content = hostile.styles_bomb(400_000)
    elif builder == "huge_cell_90mb":
        content = hostile.huge_cell(90 * 1024 * 1024)
    elif builder == "too_many_rows_csv":
        # Two short columns, so the file stays under IMPORT_MAX_BYTES and the row limit is what refuses it.
        content = ("activity,field\n" + "a,b\n" * (max_rows + 1)).encode()
    elif builder == "too_many_rows_xlsx":
        content = hostile.xlsx_package(stream_rows(max_rows + 1))
    elif builder == "legit_100k":
        content = hostile.xlsx_package(stream_rows(100_000))
    else:
        content = getattr(hostile, builder)()
    path = directory / file_name
    path.write_bytes(content)
    return path


# --- One file through the admin's code path (child) ------------------------------------------

class Rollback(Exception):
    pass


def rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    from the parent across fork and exec, so a child would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(name: str, path: Path, use_tracemalloc: bool) -> dict:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    from _setup import setup

    setup()
    import tracemalloc

    from django.contrib.auth import get_user_model
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import RequestFactory
    from django.utils import translation

    from inventory_app import imports
    from inventory_app.admin import ActivityFieldAdmin
    from inventory_app.models import ActivityField, Controller, ImportJob, ProcessingActivity
    from django.contrib.admin import site

    content = path.read_bytes()
    out = {"case": name, "file_kb": round(len(content) / 1024), "baseline_mb": round(rss_mb())}
    stages = {}

    def timed(stage, function, *args, **kwargs):
        if use_tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            stages[stage] = round(time.perf_counter() - started, 2)
            if use_tracemalloc:
                out[f"{stage}_python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024**2)
                tracemalloc.stop()

    translation.activate("en")
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_superuser("bench-hostile-imports", "bench@example.com", None)
            controller = Controller.objects.create(code="bench-controller", name_zh="基准")
            ProcessingActivity.objects.bulk_create([
                ProcessingActivity(code=code, name_zh=code, controller=controller, pipl_basis="contract")
                for code in ACTIVITIES
            ])
            admin = ActivityFieldAdmin(ActivityField, site)
            file_format = "1" if path.suffix == ".xlsx" else "0"
            request = RequestFactory().post("/admin/inventory_app/activityfield/import/", {
                "import_file": SimpleUploadedFile(path.name, content), "format": file_format,
            })
            request.user = user
            request._messages = CookieStorage(request)

            def request_stage():
                response = admin.import_action(request)
                if hasattr(response, "render"):
                    response.render()
                return response

            response = timed("request", request_stage)
            if response.status_code == 302:
                job = ImportJob.objects.latest("id")
                timed("preview", imports.import_job_preview, job_id=job.pk)
                job.refresh_from_db()
                if job.status == ImportJob.Status.READY:
                    imports.import_job_confirm(job=job, by=user)
                    timed("import", imports.import_job_run, job_id=job.pk)
                    job.refresh_from_db()
                out["outcome"] = f"job {job.get_status_display()}"
                detail = imports.refusal_text(job.failure, job.failure_params)
                if job.status == ImportJob.Status.DONE:
                    detail = ", ".join(f"{key} {value}" for key, value in job.totals.items() if value)
                out["detail"] = detail or (job.errors[0] if job.errors else "")
            else:
                form = response.context_data["form"]
                errors = form.errors.get("import_file")
                result = response.context_data.get("result")
                if errors:
                    out["outcome"], out["detail"] = "refused on the form", " ".join(errors)
                elif result is not None:
                    out["outcome"] = "previewed in the request"
                    out["detail"] = ", ".join(f"{k} {v}" for k, v in result.totals.items() if v)
                else:
                    out["outcome"], out["detail"] = "form error", str(form.errors)
            raise Rollback
    except Rollback:
        pass
    out["stages"] = stages
    out["peak_mb"] = round(rss_mb())
    return out


def stock_child(path: Path) -> dict:
    """The reader the admin used before: django-import-export's XLSX format (openpyxl read-only)."""
    resource.setrlimit(resource.RLIMIT_AS, (STOCK_MEMORY_CAP, STOCK_MEMORY_CAP))
    resource.setrlimit(resource.RLIMIT_CPU, (STOCK_CPU_SECONDS, STOCK_CPU_SECONDS + 5))
    from _setup import setup

    setup(require_postgres=False)
    from import_export.formats.base_formats import XLSX

    content = path.read_bytes()
    baseline = rss_mb()
    started = time.perf_counter()
    try:
        dataset = XLSX().create_dataset(content)
        outcome = f"read {len(dataset)} rows"
    except MemoryError:
        outcome = f"MemoryError at the {STOCK_MEMORY_CAP // 1024**3} GB cap"
    except Exception as exc:  # what the admin showed: "<exception> encountered while trying to read file"
        outcome = f"failed with {type(exc).__name__}"
    return {"outcome": outcome, "seconds": round(time.perf_counter() - started, 2), "baseline_mb": round(baseline),
            "peak_mb": round(rss_mb())}


# --- Driver (parent) -------------------------------------------------------------------------

def run_child(args: list[str], timeout: int) -> tuple[dict | None, str]:
    started = time.perf_counter()
    try:
        process = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=timeout,
                                 env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return None, f"killed after {timeout} s (timeout)"
    elapsed = time.perf_counter() - started
    for line in reversed(process.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line), ""
    if process.returncode < 0:
        signal_name = {-9: "SIGKILL", -24: "SIGXCPU (CPU limit)", -6: "SIGABRT"}.get(process.returncode, process.returncode)
        return None, f"killed by {signal_name} after {elapsed:.0f} s"
    return None, (process.stderr.strip().splitlines() or ["no output"])[-1][:200]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", choices=sorted(CASES))
    parser.add_argument("--stock", action="store_true", help="also read the hostile workbooks with the stock reader")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--stock-child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), args.tracemalloc), ensure_ascii=False))
        return
    if args.stock_child:
        print(json.dumps(stock_child(Path(args.stock_child))))
        return

    from _setup import setup

    connection = setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; limits: "
          f"IMPORT_MAX_BYTES={settings.IMPORT_MAX_BYTES:,} IMPORT_MAX_ROWS={settings.IMPORT_MAX_ROWS:,} "
          f"IMPORT_MAX_UNCOMPRESSED_BYTES={settings.IMPORT_MAX_UNCOMPRESSED_BYTES:,} "
          f"IMPORT_MAX_CELL_CHARS={settings.IMPORT_MAX_CELL_CHARS:,} "
          f"IMPORT_BACKGROUND_ROWS={settings.IMPORT_BACKGROUND_ROWS:,}")
    print(f"each case in a fresh process, capped at {MEMORY_CAP // 1024**3} GB and {CHILD_TIMEOUT // 60} min\n")
    names = args.only or list(CASES)
    with tempfile.TemporaryDirectory(prefix="hostile-imports-") as directory:
        for name in names:
            started = time.perf_counter()
            path = build(name, Path(directory))
            built = time.perf_counter() - started
            result, failure = run_child(["--child", name, str(path)] + (["--tracemalloc"] if args.tracemalloc else []),
                                        CHILD_TIMEOUT)
            what = CASES[name][2]
            print(f"{name}: {what}; {path.stat().st_size / 1024:,.0f} KB (built in {built:.1f} s)")
            if result is None:
                print(f"  NOT BOUNDED: {failure}\n")
                continue
            stages = ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in result["stages"].items())
            print(f"  {result['outcome']}: {result['detail'][:160]}")
            extra = "".join(f", {k.replace('_python_peak_mb', '')} Python peak {v} MB"
                            for k, v in result.items() if k.endswith("_python_peak_mb"))
            print(f"  {stages}; peak RSS {result['peak_mb']} MB (baseline {result['baseline_mb']} MB, "
                  f"+{result['peak_mb'] - result['baseline_mb']} MB){extra}")
            if args.stock and name in STOCK_CASES:
                stock, failure = run_child(["--stock-child", str(path)], STOCK_CPU_SECONDS * 4)
                if stock is None:
                    print(f"  before (stock reader): {failure}")
                else:
                    print(f"  before (stock reader): {stock['outcome']} in {stock['seconds']} s, peak RSS "
                          f"{stock['peak_mb']} MB (+{stock['peak_mb'] - stock['baseline_mb']} MB)")
            print()
            path.unlink()


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
