"""gunicorn's access log (docker-compose's web server) never records query strings or referrers:
admin searches carry requesters' names and phone numbers."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

SEARCH = "q=Wang+Xiuying+13800138000"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url, **headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_access_log_has_paths_but_no_query_strings(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    log = tmp_path / "access.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "privacy_office.wsgi:application"],
            cwd=Path(settings.BASE_DIR), env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.2)
            base = f"http://127.0.0.1:{port}"
            # Signed out: the admin redirects to the login page (no database needed), as it would
            # after a session expired in the middle of a search.
            status = request(
                f"{base}/admin/requests_app/rightsrequest/?{SEARCH}",
                Referer=f"{base}/admin/requests_app/rightsrequest/?{SEARCH}&status=open",
            )
            assert status == 200  # urllib followed the redirect to the login page
        finally:
            server.terminate()
            server.wait(timeout=30)
    written = log.read_text()
    assert '"GET /admin/requests_app/rightsrequest/ HTTP/1.1" 302' in written
    assert "13800138000" not in written
    assert "Xiuying" not in written
