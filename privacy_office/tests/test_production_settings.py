"""Production mode refuses to start without a real secret and hosts, and passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

STRONG_KEY = "k3v9-Qz8pL2mN7xR4tY6uW1sE5dF0gH8jK3lZ9cV2bN7mQ4wE6rT"


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=Path(settings.BASE_DIR), env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DJANGO_DEBUG="false", ALLOWED_HOSTS="privacy.example.com")
    assert result.returncode != 0
    assert "needs a real SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_DEBUG="false", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "needs ALLOWED_HOSTS" in result.stderr


def test_check_deploy_reports_no_issues_in_production_mode():
    result = run_manage("check", "--deploy", DJANGO_DEBUG="false", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="privacy.example.com")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
