"""setup_demo: refused in production unless forced for a trial, and never undoing what an operator
changed on a demo account (password, deactivation, groups)."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from privacy_office.management.commands.setup_demo import DEMO_LOGINS
from privacy_office.roles import AUDITOR

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = {username: password for username, password, *_ in DEMO_LOGINS}


def setup_demo(*args):
    out = io.StringIO()
    call_command("setup_demo", "--no-data", *args, stdout=out)
    return out.getvalue()


def sign_in(username, password):
    client = Client()
    client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})
    return client if client.get("/admin/").status_code == 200 else None


def test_refused_in_production_mode(settings):
    settings.PRODUCTION_MODE = True
    with pytest.raises(CommandError, match="refuses to run with DJANGO_DEBUG=false"):
        setup_demo()
    assert not get_user_model().objects.filter(username__in=DEMO_PASSWORD).exists()


def test_refused_by_a_production_process(tmp_path):
    # The real command line, started as docker-compose would without LOAD_DEMO (an empty database:
    # had it not refused, it would fail differently).
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG")}
    env.update(
        DJANGO_DEBUG="false", ALLOWED_HOSTS="privacy.example.com", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        SECRET_KEY="k3v9-Qz8pL2mN7xR4tY6uW1sE5dF0gH8jK3lZ9cV2bN7mQ4wE6rT",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "setup_demo"], cwd=Path(settings.BASE_DIR), env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "setup_demo refuses to run with DJANGO_DEBUG=false" in result.stderr
    assert "--trial" in result.stderr


def test_a_trial_loads_the_demo_logins_in_production_mode(settings):
    settings.PRODUCTION_MODE = True
    output = setup_demo("--trial")
    assert "staff-demo-2026" in output
    assert sign_in("staff", DEMO_PASSWORD["staff"]) is not None


def test_a_changed_password_is_never_reset():
    setup_demo()
    client = sign_in("staff", DEMO_PASSWORD["staff"])
    new = "orbit-lantern-pebble-9"
    response = client.post(reverse("admin:password_change"), {
        "old_password": DEMO_PASSWORD["staff"], "new_password1": new, "new_password2": new,
    })
    assert response.status_code == 302
    output = setup_demo()  # docker-compose runs it again at every start while LOAD_DEMO is true
    assert "existing account, left as it is" in output
    assert sign_in("staff", DEMO_PASSWORD["staff"]) is None
    assert sign_in("staff", new) is not None


def test_a_deactivated_account_stays_deactivated():
    setup_demo()
    get_user_model().objects.filter(username="manager").update(is_active=False)
    setup_demo()
    assert sign_in("manager", DEMO_PASSWORD["manager"]) is None
    assert get_user_model().objects.get(username="manager").is_active is False


def test_removed_groups_are_not_restored():
    setup_demo()
    auditor = get_user_model().objects.get(username="auditor")
    assert list(auditor.groups.values_list("name", flat=True)) == [AUDITOR]
    auditor.groups.clear()
    setup_demo()
    assert not auditor.groups.exists()
    client = sign_in("auditor", DEMO_PASSWORD["auditor"])
    assert client.get("/admin/requests_app/rightsrequest/").status_code == 403
