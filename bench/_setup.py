"""Shared set-up for the bench scripts: Django on the configured database (PostgreSQL only)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_office.settings")


def setup(require_postgres: bool = True):
    import django

    django.setup()
    from django.db import connection

    if require_postgres and connection.vendor != "postgresql":
        sys.exit("bench: set DATABASE_URL to a PostgreSQL database (e.g. postgres://postgres@127.0.0.1:5432/bench)")
    return connection


def measure(client, url, runs):
    """GET ``url`` once to warm up, then ``runs`` times: median/min/max in ms and the median CPU
    time of this process (the Python side, which other work on the machine barely changes), then
    once more to count its queries, their total SQL time and the slowest statement, and once under
    tracemalloc for the request's peak Python memory (MB)."""
    import statistics
    import time
    import tracemalloc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        return {"error": f"HTTP {response.status_code}"}
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    captured = ctx.captured_queries  # read now: the next request empties Django's query log
    sql_ms = sum(float(q["time"]) for q in captured) * 1000
    slowest = max(captured, key=lambda q: float(q["time"]))["sql"] if captured else ""
    tracemalloc.start()
    try:
        client.get(url)
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "cpu": statistics.median(cpu),
            "queries": len(captured), "sql": sql_ms, "slowest": slowest, "peak_mb": peak_mb}
