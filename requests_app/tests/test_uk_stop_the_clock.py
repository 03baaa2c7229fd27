"""UK GDPR Art. 12A through the services: asking the requester to clarify stops the clock of an
ACCESS request only, and the days from the day of asking to and including the day of the answer
do not count; a deletion request's clock keeps running (and the case is not marked stopped, so the
overdue list still sees it).

Hand-worked (England bank holidays 2026: Good Friday Fri 04-03, Easter Monday Mon 04-06): received
Mon 2026-03-02, verified the same day (no proof asked for) -> Thu 2026-04-02.
  access, asked Tue 03-10, answered Tue 03-17: 03-10..03-17 = 8 days not counted -> Fri 2026-04-10.
  access, asked and answered Wed 03-11: 1 day -> Fri 04-03 Good Friday -> Mon 04-06 Easter Monday
    -> Tue 2026-04-07.
  deletion, asked Tue 03-10, answered Tue 03-17: nothing stops -> Thu 2026-04-02.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app import identity_checks, services
from requests_app.models import ClockPause, Status

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def working_uk_case(request_type, by):
    case = make_case(jurisdiction="UK", request_type=request_type, received_at=at(2026, 3, 2),
                     now=at(2026, 3, 2, 12))
    identity_checks.dsar_record_identity_check(case=case, by=by, method="data_points",
                                               data_points=["email", "account id"], decided_at=at(2026, 3, 2, 12),
                                               now=at(2026, 3, 2, 12))
    case.refresh_from_db()
    assert (case.status, case.due_on) == (Status.IN_PROGRESS, date(2026, 4, 2))
    return case


def test_access_request_clock_stops_from_asking_to_answer_both_days_excluded(staff_user):
    case = working_uk_case("access", staff_user)
    services.dsar_request_clarification(case=case, by=staff_user, note="Which device?", now=at(2026, 3, 10))
    case.refresh_from_db()
    assert case.clock_paused is True
    services.dsar_receive_clarification(case=case, by=staff_user, now=at(2026, 3, 17))
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 10)
    assert case.due_rule.startswith("UK GDPR Art. 12(3); ICO guidance (Dec 2025); UK GDPR Art. 12A")
    assert case.pauses.get().reason == ClockPause.Reason.CLARIFICATION


def test_asked_and_answered_the_same_day_is_one_day_and_rolls_over_easter(staff_user):
    case = working_uk_case("access", staff_user)
    services.dsar_request_clarification(case=case, by=staff_user, now=at(2026, 3, 11, 9))
    services.dsar_receive_clarification(case=case, by=staff_user, now=at(2026, 3, 11, 16))
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 7)


def test_deletion_request_clock_keeps_running_while_the_requester_clarifies(staff_user):
    case = working_uk_case("deletion", staff_user)
    services.dsar_request_clarification(case=case, by=staff_user, note="Which account?", now=at(2026, 3, 10))
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CLARIFICATION
    assert (case.clock_paused, case.pauses.exists()) == (False, False)
    with pytest.raises(ValidationError, match="access requests only"):
        services.dsar_pause_clock(case=case, by=staff_user, now=at(2026, 3, 11))
    services.dsar_receive_clarification(case=case, by=staff_user, now=at(2026, 3, 17))
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 2)


def test_access_with_a_further_type_is_not_stopped(staff_user):
    # Access + deletion: the case is due on the earlier type, whose clock (deletion) runs on.
    case = working_uk_case("access", staff_user)
    services.dsar_update(case=case, by=staff_user, extra_types=["deletion"], now=at(2026, 3, 3))
    services.dsar_request_clarification(case=case, by=staff_user, now=at(2026, 3, 10))
    services.dsar_receive_clarification(case=case, by=staff_user, now=at(2026, 3, 17))
    case.refresh_from_db()
    assert (case.clock_paused, case.due_on) == (False, date(2026, 4, 2))
