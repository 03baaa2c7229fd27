"""What the browser gets: DOM size and load time of the case and incident change pages, served by
gunicorn in production mode and opened in headless Chromium (Debian's, driven by Playwright):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages .venv/bin/python bench/bench_page_load.py \
        [--runs 5] [--user staff] [--port 8311] [--workers 2]

On a database without the demo it first migrates and loads it (``manage.py setup_demo``, as
``bin/demo`` does); it refuses to do that unless the database name contains "bench". It then
collects the static files, starts gunicorn (gunicorn.conf.py; ``DJANGO_DEBUG=false`` with a
throw-away SECRET_KEY, plain HTTP, no second factor) on 127.0.0.1, signs in once through the form
(the demo login ``--user``, default Privacy staff) and opens, each ``--runs`` times:

- the richest case and the richest incident: found by query, the record with the most related rows
  (timeline entries, tasks, drafts, obligations, populations, …: every one-to-many relation counted
  with one GROUP BY per related table), so it follows the demo as it changes. On the scale data
  set (bench/scale_data.py replaces the demo's cases and incidents; bench_change_pages.py then adds
  a case with 300 timeline entries and 100 tasks and an incident with 500 obligations) these are
  the records bench_change_pages.py times on the server side. The table names the record and its
  count of related rows.
- ``--url PATH`` (repeatable): any other page, e.g. ``--url /admin/breach_app/obligation/``.

Each run opens a fresh browser context (cold HTTP cache, the session cookie only), visits the page
(first visit), then visits it again in the same context (second visit, static files cached). Per
page it prints the DOM node count (``document.getElementsByTagName('*').length``), the HTML's
transfer size, and the median, min and max of the time to the load event (Navigation Timing 2:
``loadEventEnd``, from the start of the navigation) and the median of the server's share of it
(``responseStart - requestStart``), for both visits.
Targets: fewer than 1,200 nodes and under 1 s to the load event; a page over either is flagged.

The numbers depend on the machine: compare runs made on the same machine, not with the targets alone.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

from _setup import ROOT, setup

connection = setup()

NODE_TARGET = 1200
LOAD_TARGET_MS = 1000
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}
DEMO_PASSWORDS = {"staff": "staff-demo-2026", "manager": "manager-demo-2026", "auditor": "auditor-demo-2026"}

MEASURE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {nodes: document.getElementsByTagName('*').length, load: nav.loadEventEnd,
          server: nav.responseStart - nav.requestStart, bytes: nav.transferSize};
}"""


def manage(*args, env=None):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def ensure_demo():
    """Migrate and load the demo when its logins are missing (only on a database meant for benches)."""
    from django.contrib.auth import get_user_model
    from django.db.utils import ProgrammingError

    try:
        present = get_user_model().objects.filter(username__in=DEMO_PASSWORDS).count() == len(DEMO_PASSWORDS)
    except ProgrammingError:  # no tables yet
        connection.close()
        present = False
    if present:
        return
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: database {name!r} has no demo; refusing to load it into a database whose name "
                         "does not contain 'bench'.")
    print("bench: loading the demo (migrate, setup_demo)…", flush=True)
    manage("migrate", "--noinput")
    manage("setup_demo")


def richest(model, *, where=None) -> tuple[object, int] | tuple[None, int]:
    """The row of ``model`` with the most rows pointing at it through its one-to-many relations
    (one GROUP BY per related table; generic relations such as reminders are not counted)."""
    from django.db.models import Count

    totals: Counter = Counter()
    for relation in model._meta.related_objects:
        if not relation.one_to_many or relation.related_model._meta.auto_created:
            continue
        column = relation.field.name
        rows = relation.related_model._base_manager.values(column).annotate(n=Count("pk")).order_by()
        if where is not None:
            rows = rows.filter(**{f"{column}__in": model._base_manager.filter(**where).values("pk")})
        for row in rows:
            if row[column] is not None:
                totals[row[column]] += row["n"]
    if not totals:
        record = model._base_manager.filter(**(where or {})).order_by("pk").first()
        return record, 0
    pk, count = totals.most_common(1)[0]
    return model._base_manager.get(pk=pk), count


def pages_to_open(extra_urls):
    from breach_app.models import Incident
    from requests_app.models import RightsRequest

    pages = []
    for model, label in ((RightsRequest, "case"), (Incident, "incident")):
        record, related = richest(model)
        if record is None:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{record.pk}/change/"
        pages.append((f"richest {label} {record.reference} ({related:,} related rows)", url))
    pages.extend((url, url) for url in extra_urls)
    return pages


def start_gunicorn(port: int, workers: int, log: Path):
    """gunicorn in production mode on 127.0.0.1:<port>; returns the process once it answers."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no redirect to https, cookies sent without TLS, no second factor.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "OTP_REQUIRED": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
    }
    manage("collectstatic", "--noinput", env=env)
    out = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "privacy_office.wsgi:application"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited ({process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise SystemExit(f"bench: gunicorn did not answer on port {port} within 60 s; see {log}")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def session_cookies(browser, base_url: str, username: str):
    """Signs in once through the form; every run's fresh context gets only these cookies."""
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORDS[username])
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/admin/")
    cookies = context.cookies()
    context.close()
    return cookies


def visit(page, url: str):
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        raise SystemExit(f"bench: {url} answered HTTP {response.status if response else '?'}")
    # loadEventEnd is written just after the load handlers return.
    page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    return page.evaluate(MEASURE)


def summary(values):
    return statistics.median(values), min(values), max(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--user", default="staff", choices=sorted(DEMO_PASSWORDS))
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", action="append", default=[], help="another page to measure (a path)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"bench: Debian's Chromium is needed at {CHROMIUM} (apt-get install chromium), or set E2E_CHROMIUM.")
    ensure_demo()
    pages = pages_to_open(args.url)
    connection.close()
    log = ROOT / "var" / "bench_page_load.gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    server = start_gunicorn(args.port, args.workers, log)
    base_url = f"http://127.0.0.1:{args.port}"
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            cookies = session_cookies(browser, base_url, args.user)
            for label, url in pages:
                first, second = [], []
                for _ in range(args.runs):
                    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
                    context.add_cookies(cookies)
                    page = context.new_page()
                    first.append(visit(page, url))
                    second.append(visit(page, url))
                    context.close()
                results.append((label, url, first, second))
            browser.close()
    finally:
        stop(server)

    print(f"\n{args.runs} runs per page, signed in as {args.user}, gunicorn with {args.workers} workers; "
          f"times in ms (median / min / max), server = request sent to first byte\n")
    header = (f"{'page':<58} {'nodes':>6} {'html KB':>7} | {'1st load':>8} {'min':>5} {'max':>5} {'server':>6} | "
              f"{'2nd load':>8} {'min':>5} {'max':>5} {'server':>6}")
    print(header)
    print("-" * len(header))
    for label, url, first, second in results:
        nodes = statistics.median(m["nodes"] for m in first)
        kb = statistics.median(m["bytes"] for m in first) / 1024
        row = f"{label[:58]:<58} {nodes:6.0f} {kb:7.0f} |"
        for visits in (first, second):
            load = summary([m["load"] for m in visits])
            server_ms = statistics.median(m["server"] for m in visits)
            row += f" {load[0]:8.0f} {load[1]:5.0f} {load[2]:5.0f} {server_ms:6.0f} |"
        flags = []
        if nodes >= NODE_TARGET:
            flags.append(f"over {NODE_TARGET:,} nodes")
        if max(statistics.median(m["load"] for m in first), statistics.median(m["load"] for m in second)) >= LOAD_TARGET_MS:
            flags.append(f"over {LOAD_TARGET_MS / 1000:g} s")
        print(row.rstrip("|").rstrip() + ("  " + ", ".join(flags) if flags else ""))
        print(f"{'':<4}{url}")


if __name__ == "__main__":
    main()
