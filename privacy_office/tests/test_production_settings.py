"""Production mode refuses to start without a real secret and hosts, refuses published keys, and
passes check --deploy; docker-compose refuses to start without its secrets."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
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


# --- Known keys and settings that would hurt ------------------------------------------------
PRODUCTION = {"DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "privacy.example.com"}


@pytest.mark.parametrize(
    "key",
    [
        "change-me-change-me-change-me-change-me-change-me-0123456789",  # docker-compose's old default
        "django-insecure-demo-key-only-for-local-use-never-in-production",  # the demo's
        "placeholder-placeholder-placeholder-placeholder-placeholder",
        "my-Insecure-key-9f8e7d6c5b4a39f8e7d6c5b4a39f8e7d6c5b4a3",
        "CHANGEME-a8f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a291",
        "a" * 30 + "b" * 30,  # 60 characters, two of them
    ],
)
def test_production_refuses_published_and_placeholder_keys(key):
    result = run_manage("check", SECRET_KEY=key, **PRODUCTION)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "needs a real SECRET_KEY" in result.stderr


def test_an_idle_timeout_under_five_minutes_is_refused():
    # The expiry moves on at most every 300 s: a shorter timeout signs out people who are working.
    result = run_manage("check", SESSION_IDLE_SECONDS="120")
    assert result.returncode != 0
    assert "SESSION_IDLE_SECONDS=120 is too short" in result.stderr
    assert run_manage("check", SESSION_IDLE_SECONDS="300").returncode == 0


def _settings_of(*names, **env):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG")}
    clean.update({"DJANGO_SETTINGS_MODULE": "privacy_office.settings", **env})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(settings.BASE_DIR), env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_requires_two_factor_and_the_demo_does_not():
    assert _settings_of("OTP_REQUIRED", SECRET_KEY=STRONG_KEY, **PRODUCTION) == {"OTP_REQUIRED": True}
    assert _settings_of("OTP_REQUIRED", SECRET_KEY=STRONG_KEY, OTP_REQUIRED="false", **PRODUCTION) == {"OTP_REQUIRED": False}
    assert _settings_of("OTP_REQUIRED", DJANGO_DEBUG="true") == {"OTP_REQUIRED": False}


def test_x_forwarded_proto_is_trusted_only_behind_a_configured_proxy():
    names = ("SECURE_PROXY_SSL_HEADER", "TRUSTED_PROXY_COUNT")
    assert _settings_of(*names, SECRET_KEY=STRONG_KEY, **PRODUCTION) == {
        "SECURE_PROXY_SSL_HEADER": None, "TRUSTED_PROXY_COUNT": 0,
    }
    assert _settings_of(*names, SECRET_KEY=STRONG_KEY, TRUSTED_PROXY_COUNT="1", **PRODUCTION) == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "TRUSTED_PROXY_COUNT": 1,
    }


# --- docker-compose.yml ----------------------------------------------------------------------
COMPOSE_SECRETS = {"SECRET_KEY": STRONG_KEY, "POSTGRES_PASSWORD": "Zq7-pW3xLm9tR2vB8nK4"}


def compose_config(**env):
    """`docker-compose config` as an operator runs it, with only the variables given (no .env)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("The compose test needs Debian's docker-compose (apt-get install docker-compose; "
                    "bin/test and .ci/run install it when run as root).", pytrace=False)
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(env)
    with tempfile.TemporaryDirectory() as folder:
        empty_env_file = Path(folder) / ".env"
        empty_env_file.touch()
        return subprocess.run(
            [binary, "--env-file", str(empty_env_file), "-f", "docker-compose.yml", "config"],
            cwd=Path(settings.BASE_DIR), env=clean, capture_output=True, text=True, timeout=120,
        )


def test_compose_refuses_to_start_without_a_secret_key():
    result = compose_config(POSTGRES_PASSWORD=COMPOSE_SECRETS["POSTGRES_PASSWORD"])
    assert result.returncode != 0
    assert "set SECRET_KEY to a random string" in result.stderr


def test_compose_refuses_to_start_without_a_database_password():
    result = compose_config(SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD" in result.stderr


def web_environment(**env) -> dict[str, str]:
    """The environment docker-compose gives the web container (compose's YAML read with the YAML
    library of compose's own Python, since this venv has none)."""
    result = compose_config(**COMPOSE_SECRETS, **env)
    assert result.returncode == 0, result.stderr
    with open(shutil.which("docker-compose")) as script:
        compose_python = script.readline()[2:].strip().split()[-1]
    parsed = subprocess.run(
        [compose_python, "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"],
        input=result.stdout, capture_output=True, text=True, timeout=60,
    )
    assert parsed.returncode == 0, parsed.stderr
    return {k: str(v) for k, v in json.loads(parsed.stdout)["services"]["web"]["environment"].items()}


def test_compose_defaults_are_production_and_the_password_reaches_both_services():
    environment = web_environment()
    assert environment["LOAD_DEMO"] == "false"
    assert environment["DJANGO_DEBUG"] == "false"
    assert environment["DJANGO_SECURE_SSL_REDIRECT"] == "true"
    assert environment["DJANGO_SECURE_COOKIES"] == "true"
    assert environment["TRUSTED_PROXY_COUNT"] == "0"
    assert environment["DATABASE_URL"] == f"postgres://privacy:{COMPOSE_SECRETS['POSTGRES_PASSWORD']}@postgres:5432/privacy"
    compose = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    assert "setup_demo --trial" in compose
    assert "gunicorn --config gunicorn.conf.py" in compose


def test_check_deploy_is_clean_with_the_compose_defaults(tmp_path):
    environment = web_environment()
    # The container's paths do not exist here; nothing else changes.
    environment["PRIVATE_STORAGE_ROOT"] = str(tmp_path / "private")
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    clean.update(environment)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR), env=clean, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
