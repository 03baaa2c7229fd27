"""Builders shared by the breach_app tests (real database, through the services)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from breach_app import services

UTC = timezone.utc

FULL_FACTS = dict(
    description="A storage bucket with support tickets was publicly readable.",
    cause="Misconfigured access policy.",
    confidentiality=True, unauthorised_access=True,
    occurred_from=datetime(2026, 6, 1, 8, 0, tzinfo=UTC), occurred_to=datetime(2026, 6, 4, 8, 0, tzinfo=UTC),
    risk_level="high", risk_reasoning="Addresses and phone numbers were downloaded.",
    likely_consequences="Phishing calls impersonating support.",
    measures_taken="Bucket closed; keys rotated.", measures_planned="Policy reviews.",
    self_protection_advice="Ignore calls asking for codes; change your password.",
    remedies="Free identity protection for 12 months.",
    contact_point="privacy@lumiunited.com",
    system_overview="Ticketing system.",
    extra_data_categories="Name\nPhone number\nHome address",
    delay_reasons="The extent was only established after the vendor's log review.",
    eu_affected_states="DE, FR",
)


def make_incident(*, by=None, populations=None, discovered_at=None, full=True, **facts):
    values = {**(FULL_FACTS if full else {}), **facts}
    return services.incident_create(
        by=by, title=values.pop("title", "Ticket store exposed"),
        discovered_at=discovered_at or datetime(2026, 6, 5, 9, 0, tzinfo=UTC),
        populations=populations if populations is not None else {"CN": {"people_min": 1_000_001}},
        **values,
    )


def codes(incident):
    return {o.code: o for o in incident.obligations.all()}


def now_minus(**kw):
    return datetime.now(UTC).replace(microsecond=0) - timedelta(**kw)
