"""The identity chaser reminds the assignee to chase proof of identity not received after
REMINDER_IDENTITY_CHASER_DAYS (5), and stops once the proof's arrival is recorded."""

import pytest

from requests_app import identity_checks
from requests_app.reminders import due_reminders

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def chasers(now):
    return [spec for spec in due_reminders(now=now) if spec.kind == "dsar_identity_chaser"]


def test_chased_five_days_after_asking_and_not_once_the_proof_arrived(staff_user, settings):
    settings.REMINDER_IDENTITY_CHASER_DAYS = 5
    # Asked Tue 2026-03-03 10:00 UTC: chased from Sun 2026-03-08 10:00 UTC.
    waiting = make_case(jurisdiction="UK", assignee=staff_user)
    identity_checks.dsar_request_identity(case=waiting, by=staff_user, now=at(2026, 3, 3))
    arrived = make_case(jurisdiction="UK", assignee=staff_user, requester_name="Arrived")
    identity_checks.dsar_request_identity(case=arrived, by=staff_user, now=at(2026, 3, 3))
    identity_checks.dsar_record_identity_received(case=arrived, by=staff_user, received_at=at(2026, 3, 5),
                                                  now=at(2026, 3, 5, 12))
    assert chasers(at(2026, 3, 8, 9)) == []
    specs = chasers(at(2026, 3, 9))
    assert [(spec.object_id, spec.recipient_id) for spec in specs] == [(waiting.pk, staff_user.pk)]
