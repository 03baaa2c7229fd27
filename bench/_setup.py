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
    """GET ``url`` once to warm up, then ``runs`` times: median/min/max in ms, then once more to count
    its queries, their total SQL time and the slowest statement."""
    import statistics
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        return {"error": f"HTTP {response.status_code}"}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))["sql"] if ctx.captured_queries else ""
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "queries": len(ctx.captured_queries), "sql": sql_ms, "slowest": slowest}
