"""Every text the rights-request clocks can write for a reader: the stored rule (``clocks.rule_text``),
each candidate rule and note the case page lists, the acknowledgement rules and the receipt-date
readings, for every jurisdiction, request type and variant. Pure: no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from requests_app import clocks
from requests_app import deadlines as dl

# Days of receipt: before and after the UK complaints rule (19 Jun 2026) and the 2027 state laws
# (US-OK, US-LA from 1 Jan 2027; US-AL from 1 May 2027).
RECEIVED = (date(2026, 3, 2), date(2026, 11, 18), date(2027, 6, 1))


def _results(jurisdiction: str, request_type: str, received_on: date):
    verified = received_on + timedelta(days=2)
    variants = [
        {},
        {"verified_on": verified},
        {"extended": True},
        {"verified_on": verified, "extended": True},
    ]
    if jurisdiction == dl.UK:
        asked = received_on + timedelta(days=1)
        variants += [
            {"identity_requested_on": asked},  # proof asked for, not arrived
            {"identity_requested_on": asked, "identity_received_on": asked + timedelta(days=3)},
            {"pauses": [(asked, asked + timedelta(days=4))]},  # clarification pause
            {"fee_paid_on": asked, "pauses": [(asked, asked + timedelta(days=4))], "extended": True},
        ]
    for extra in variants:
        try:
            yield dl.response_due(jurisdiction=jurisdiction, request_type=request_type,
                                  received_on=received_on, **extra)
        except ValueError:
            continue  # no extension there, or a type not in force yet


def readings() -> set[str]:
    """The receipt-date readings: office only, requester earlier, office earlier (or the same day)."""
    out = set()
    instant = datetime(2026, 11, 18, 17, 30, tzinfo=timezone.utc)  # 01:30 on the 19th in Shanghai
    for jurisdiction in dl.CASE_JURISDICTIONS:
        for zone in (None, "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati"):
            out.add(dl.receipt_date(instant, jurisdiction=jurisdiction, requester_time_zone=zone).reading)
    return out


def every_rule_text() -> set[str]:
    texts: set[str] = set()
    some_readings = sorted(readings())
    for jurisdiction in dl.CASE_JURISDICTIONS:
        for received_on in RECEIVED:
            try:
                types = dl.request_types(jurisdiction, received_on=received_on)
            except ValueError:
                continue
            for request_type in types:
                for due in _results(jurisdiction, request_type, received_on):
                    texts.add(clocks.rule_text(due))
                    texts.update(clocks.rule_text(due, reading=r) for r in some_readings[:3])
                    texts.update(rule for _on, rule in due.candidates)
                    texts.update(due.notes)
                try:
                    ack = dl.acknowledgement_due(jurisdiction=jurisdiction, request_type=request_type,
                                                 received_on=received_on)
                except ValueError:
                    ack = None
                if ack is not None:
                    texts.add(ack.rule)
    texts.update(some_readings)
    return texts
