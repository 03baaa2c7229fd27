"""Which version of the legal rules the stored clocks were computed with, and recomputing them all.

Every open rights request stores its due date and every incident its obligations' deadlines (indexed,
for the lists and reminders). When a rule changes - a corrected reading, a new US state row, a new
holiday calendar (the ``holidays`` package) - the stored dates must follow, and each change must be
explained where staff look: the case's or incident's timeline and history say old -> new and the rule
that moved it. ``manage.py recompute_clocks`` does that; on deploy it runs with ``--if-rules-changed``
and does nothing unless the fingerprint below differs from the one stored.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from dataclasses import dataclass
from datetime import datetime

import holidays
from django.utils import timezone

from .models import RulesFingerprint

# The modules whose text is the law as the office encodes it: the registry (zones, calendars, which
# rules apply), both clock engines and their rule tables.
RULE_MODULES = (
    "privacy_office.jurisdictions",
    "requests_app.deadlines",
    "requests_app.us_states",
    "breach_app.deadlines",
    "breach_app.us_states",
)
FINGERPRINT_NAME = "legal_rules"


def current_fingerprint() -> str:
    """SHA-256 over the rule modules' source and the holiday calendars' version."""
    digest = hashlib.sha256()
    for name in RULE_MODULES:
        digest.update(name.encode())
        digest.update(inspect.getsource(importlib.import_module(name)).encode())
    # New or corrected public holidays (and China's yearly make-up working days) arrive with a new
    # release of the holidays package: the working-day counts change with it.
    digest.update(f"holidays {holidays.__version__}".encode())
    return digest.hexdigest()


def stored_fingerprint() -> str | None:
    row = RulesFingerprint.objects.filter(name=FINGERPRINT_NAME).first()
    return row.digest if row else None


@dataclass(frozen=True)
class Recomputed:
    cases: list
    incidents: list
    fingerprint: str
    skipped: bool = False


def recompute_clocks(*, by=None, reason: str, now: datetime | None = None,
                     only_if_rules_changed: bool = False) -> Recomputed:
    """Recompute every open case's due date and every open incident's obligations; record the
    fingerprint they were computed with. With ``only_if_rules_changed``, nothing happens when the
    stored fingerprint is the current one (a deploy without rule changes)."""
    from breach_app.services import recompute_open_incidents
    from requests_app.clocks import recompute_open_cases

    fingerprint = current_fingerprint()
    now = now or timezone.now()
    if only_if_rules_changed and stored_fingerprint() == fingerprint:
        return Recomputed(cases=[], incidents=[], fingerprint=fingerprint, skipped=True)
    # No transaction around the whole run: each case and incident is recomputed under its own row
    # lock, in chunks (80,000 open cases would otherwise be one long transaction). Two containers
    # deploying at once both run; the second finds every date already moved and records nothing.
    cases = recompute_open_cases(by=by, reason=reason, now=now)
    incidents = recompute_open_incidents(by=by, reason=reason, now=now)
    RulesFingerprint.objects.update_or_create(
        name=FINGERPRINT_NAME, defaults={"digest": fingerprint, "applied_at": now})
    return Recomputed(cases=cases, incidents=incidents, fingerprint=fingerprint)
