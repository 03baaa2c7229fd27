"""The mailbox settings: off with nothing set (the demo), a listed mailbox without its server or
account refuses to start with what to set, and beat polls only when a mailbox is configured."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SHOW = ("from django.conf import settings; "
        "print(sorted(settings.PRIVACY_MAILBOXES), 'mailbox-poll' in settings.CELERY_BEAT_SCHEDULE)")


def run_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOX")}
    clean.update(env)
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
                          cwd=Path(settings.BASE_DIR), capture_output=True, text=True, timeout=120,
                          env={**clean, "DJANGO_SETTINGS_MODULE": "privacy_office.settings"})


def test_no_mailbox_no_polling():
    result = run_settings()
    assert result.stdout.strip() == "[] False", result.stderr


def test_a_listed_mailbox_without_its_account_refuses_to_start():
    result = run_settings(MAILBOXES="privacy", MAILBOX_PRIVACY_HOST="imap.example.com")
    assert result.returncode != 0
    assert "MAILBOX_PRIVACY_USER, MAILBOX_PRIVACY_PASSWORD" in result.stderr


def test_a_configured_mailbox_is_polled_by_beat():
    result = run_settings(MAILBOXES="privacy", MAILBOX_PRIVACY_HOST="imap.example.com",
                          MAILBOX_PRIVACY_USER="privacy@aqara.example", MAILBOX_PRIVACY_PASSWORD="secret")
    assert result.stdout.strip() == "['privacy'] True", result.stderr
