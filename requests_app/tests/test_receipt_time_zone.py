"""EU receipt across time zones (legal-rules.md 2026-11: the earlier of the requester's and the
office's local date is the receipt date), through registration and edits.

Hand-worked: a requester in America/Los_Angeles writes at 23:30 on Mon 2026-03-02 (PST, UTC-8) =
Tue 03-03 07:30 UTC = Tue 03-03 08:30 in Berlin (CET). Received Mon 03-02 (the requester's date,
the earlier) -> + 1 month Thu 2026-04-02. Office date alone: Tue 03-03 -> Fri 04-03 Good Friday ->
Mon 04-06 Easter Monday (both German national holidays) -> Tue 2026-04-07.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app import services

from .factories import at, make_case

pytestmark = pytest.mark.django_db

LATE_IN_LOS_ANGELES = at(2026, 3, 3, 7, 30)


def test_requester_west_of_berlin_gives_the_earlier_receipt_date_and_the_rule_says_so(staff_user):
    case = make_case(jurisdiction="EU", received_at=LATE_IN_LOS_ANGELES, requester_time_zone="America/Los_Angeles",
                     now=at(2026, 3, 3, 12))
    assert case.received_on == date(2026, 3, 2)
    assert case.due_on == date(2026, 4, 2)
    assert "requester's time zone (America/Los_Angeles: 2026-03-02)" in case.due_rule
    assert "earlier than the office's (Europe/Berlin: 2026-03-03)" in case.due_rule


def test_without_the_requesters_zone_the_office_date_holds_and_an_edit_moves_the_clock(staff_user):
    case = make_case(jurisdiction="EU", received_at=LATE_IN_LOS_ANGELES, now=at(2026, 3, 3, 12))
    assert (case.received_on, case.due_on) == (date(2026, 3, 3), date(2026, 4, 7))
    services.dsar_update(case=case, by=staff_user, requester_time_zone="America/Los_Angeles", now=at(2026, 3, 4))
    case.refresh_from_db()
    assert (case.received_on, case.due_on) == (date(2026, 3, 2), date(2026, 4, 2))
    assert case.history.first().history_change_reason == "details edited"


def test_requester_east_of_berlin_keeps_the_office_date(staff_user):
    # Tokyo is ahead: Tue 03-03 16:30 there, still Tue 03-03 in Berlin -> the office date.
    case = make_case(jurisdiction="EU", received_at=LATE_IN_LOS_ANGELES, requester_time_zone="Asia/Tokyo",
                     now=at(2026, 3, 3, 12))
    assert case.received_on == date(2026, 3, 3)
    assert "office's time zone (Europe/Berlin: 2026-03-03), not later than the requester's" in case.due_rule


def test_an_unknown_time_zone_is_refused(staff_user):
    with pytest.raises(ValidationError, match="not a known time zone"):
        make_case(jurisdiction="EU", requester_time_zone="Mars/Olympus_Mons")
    case = make_case(jurisdiction="EU")
    with pytest.raises(ValidationError, match="not a known time zone"):
        services.dsar_update(case=case, by=staff_user, requester_time_zone="Europe/Atlantis", now=at(2026, 3, 4))
