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
