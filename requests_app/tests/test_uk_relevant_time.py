"""UK GDPR Art. 12A through the services: the clock starts when identity proof that was asked for
ARRIVES, not when staff decide on it, and only if it was asked for; a fee paid moves it too.

Hand-worked (legal-rules.md UK row; England bank holidays 2026: Good Friday Fri 04-03, Easter
Monday Mon 04-06). Receipt Mon 2026-03-02 10:00 UTC (10:00 in London, GMT).
  no ID asked: Mon 03-02 + 1 month -> Thu 2026-04-02.
  backlog of 4 days: ID asked Tue 03-03, arrived Fri 03-06, decided Tue 03-10: relevant time Fri 03-06
    -> Mon 04-06 is Easter Monday -> Tue 2026-04-07. (From the decision, as before the correction:
    Tue 03-10 -> Fri 04-10, three days later.)
  backlog of 14 days: ID asked Tue 03-03, arrived Tue 03-10, decided Tue 03-24: relevant time Tue
    03-10 -> Fri 2026-04-10. (From the decision: Tue 03-24 -> Fri 04-24, two weeks later.)
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from requests_app import identity_checks, identity_documents, services
from requests_app.models import ClockPause, IdentityCheck, Status, TimelineEntry

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def uk_case(**kwargs):
    return make_case(jurisdiction="UK", received_at=at(2026, 3, 2), now=at(2026, 3, 2, 12), **kwargs)


def decide(case, when, by, **kwargs):
    return identity_checks.dsar_record_identity_check(
        case=case, by=by, method="data_points", data_points=["email", "account id"], decided_at=when, now=when,
        **kwargs)


def test_backlog_of_four_days_the_clock_starts_on_arrival_and_rolls_past_easter_monday(staff_user):
    case = uk_case()
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    decide(case, at(2026, 3, 10), staff_user, proof_received_at=at(2026, 3, 6, 9))
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 7)
    assert case.due_rule.startswith("UK GDPR Art. 12(3); ICO guidance (Dec 2025)")
    check = case.identity_checks.get()
    assert (check.outcome, check.proof_received_at) == (IdentityCheck.Outcome.VERIFIED, at(2026, 3, 6, 9))
    assert case.timeline.filter(kind=TimelineEntry.Kind.IDENTITY, params__on="2026-03-06").exists()


def test_backlog_of_fourteen_days_recorded_when_the_proof_arrives(staff_user):
    case = uk_case()
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    # Staff note the arrival on the day (the "Proof of identity received" action) ...
    identity_checks.dsar_record_identity_received(case=case, by=staff_user, received_at=at(2026, 3, 10),
                                                  now=at(2026, 3, 10, 11))
    case.refresh_from_db()
    assert (case.due_on, case.clock_paused, case.status) == (date(2026, 4, 10), False, Status.AWAITING_IDENTITY)
    assert case.pauses.get(reason=ClockPause.Reason.IDENTITY).ended_on == date(2026, 3, 10)
    # ... and decide two weeks later: the date stays (Aqara 003 from Tue 03-24 is Fri 04-24).
    decide(case, at(2026, 3, 24), staff_user)
    case.refresh_from_db()
    assert (case.verified_on, case.due_on, case.status) == (date(2026, 3, 24), date(2026, 4, 10), Status.IN_PROGRESS)
    with pytest.raises(ValidationError, match="already recorded"):
        identity_checks.dsar_record_identity_received(case=case, by=staff_user, now=at(2026, 3, 25))


def test_a_case_where_no_id_was_asked_for_starts_at_receipt(staff_user):
    case = uk_case()
    decide(case, at(2026, 3, 6), staff_user)  # verified on data points, nothing asked for
    case.refresh_from_db()
    assert case.identity_received_at is None
    assert case.due_on == date(2026, 4, 2)
    with pytest.raises(ValidationError, match="was not asked for"):
        identity_checks.dsar_record_identity_received(case=uk_case(requester_name="B"), by=staff_user,
                                                      received_at=at(2026, 3, 4), now=at(2026, 3, 5))


def test_without_a_given_arrival_the_first_document_uploaded_since_the_request_is_taken(staff_user):
    case = uk_case(assignee=staff_user)
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    identity_documents.dsar_upload_identity_document(
        case=case, by=staff_user, file=ContentFile(b"%PDF-1.4 passport", name="passport.pdf"), now=at(2026, 3, 6, 9))
    decide(case, at(2026, 3, 10), staff_user)
    case.refresh_from_db()
    assert case.identity_received_at == at(2026, 3, 6, 9)
    assert case.due_on == date(2026, 4, 7)  # as the four-day backlog above


@pytest.mark.parametrize(("arrived", "message"), [
    (at(2026, 3, 2, 12), "before it was asked for"),
    (at(2026, 3, 1), "before the request was received"),
    (at(2026, 3, 10, 11), "after the identity decision"),
    (at(2026, 3, 20), "in the future"),
])
def test_impossible_arrival_times_are_refused_and_nothing_changes(staff_user, arrived, message):
    case = uk_case()
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    with pytest.raises(ValidationError, match=message):
        identity_checks.dsar_record_identity_check(
            case=case, by=staff_user, method="data_points", data_points=["email", "account id"],
            decided_at=at(2026, 3, 10), proof_received_at=arrived, now=at(2026, 3, 10, 12))
    case.refresh_from_db()
    assert (case.identity_received_at, case.verified_on, case.due_on) == (None, None, date(2026, 4, 2))


def test_a_further_request_for_proof_does_not_make_the_clock_wait_again(staff_user):
    # Proof arrived Fri 03-06 but did not suffice; more is asked for Mon 03-09: the clock runs on
    # from the first arrival (the earlier reading) -> Tue 2026-04-07.
    case = uk_case()
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    identity_checks.dsar_record_identity_check(
        case=case, by=staff_user, method="data_points", data_points=["email"], verified=False,
        proof_received_at=at(2026, 3, 6), decided_at=at(2026, 3, 9), now=at(2026, 3, 9))
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 9, 12))
    case.refresh_from_db()
    assert (case.identity_received_at, case.clock_paused, case.due_on) == (at(2026, 3, 6), False, date(2026, 4, 7))
    assert case.identity_checks.count() == 2


def test_a_fee_paid_later_moves_the_relevant_time(staff_user):
    # Fee paid Thu 03-12 -> Sun 04-12 -> Mon 2026-04-13.
    case = uk_case()
    services.dsar_update(case=case, by=staff_user, fee_paid_at=at(2026, 3, 12), now=at(2026, 3, 12, 12))
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 13)
    with pytest.raises(ValidationError, match="before the request was received"):
        services.dsar_update(case=case, by=staff_user, fee_paid_at=at(2026, 3, 1), now=at(2026, 3, 12, 12))
