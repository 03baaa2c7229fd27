"""Registering a case stores the legal due date from the rule, and bad input is refused clearly."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import RightsRequest, Status, TimelineEntry

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def test_eu_case_registered_31_january_is_due_28_february():
    # GDPR Art. 12(3) + Reg. 1182/71: received Fri 2025-01-31 -> last day of Feb, Fri 2025-02-28.
    case = make_case(jurisdiction="EU", received_at=at(2025, 1, 31, 12), now=at(2025, 2, 1))
    case.refresh_from_db()
    assert case.reference == "DSAR-2025-000001"
    assert case.received_on == date(2025, 1, 31)
    assert case.due_on == date(2025, 2, 28)
    assert case.due_rule == "GDPR Art. 12(3); Reg. 1182/71 Art. 3(4)"
    assert case.due_provisional is False
    assert case.extension_deadline == date(2025, 2, 28)
    assert case.status == Status.RECEIVED
    assert case.timeline.filter(kind=TimelineEntry.Kind.REGISTERED).exists()


def test_receipt_date_is_the_local_date_in_the_jurisdiction():
    # 2026-03-02 03:00 UTC is Sun 1 March 19:00 in Los Angeles; CCPA counts the receipt day as
    # day 1, so due = 1 March + 44 days = Tue 2026-04-14; acknowledgement 10 business days later.
    case = make_case(jurisdiction="US-CA", received_at=at(2026, 3, 2, 3), now=at(2026, 3, 2, 4))
    assert case.received_on == date(2026, 3, 1)
    assert case.due_on == date(2026, 4, 14)
    # Business days after Sun 1 March: 2-6 (5), 9-13 (10) -> Fri 2026-03-13.
    assert case.acknowledgement_due_on == date(2026, 3, 13)


def test_references_are_sequential_and_unique_per_year():
    first = make_case()
    second = make_case(requester_email="other@example.com")
    assert (first.reference, second.reference) == ("DSAR-2026-000001", "DSAR-2026-000002")


def test_contact_details_are_stored_normalised():
    case = make_case(requester_email="  Anna.Schmidt@Example.COM ", requester_phone="+49 (30) 1234-5678")
    assert case.requester_email == "anna.schmidt@example.com"
    assert case.requester_phone == "+493012345678"


def test_received_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="cannot have been received in the future"):
        make_case(received_at=at(2026, 3, 5), now=at(2026, 3, 4))
    assert not RightsRequest.objects.exists()


def test_type_the_jurisdiction_does_not_have_is_refused():
    with pytest.raises(ValidationError, match="does not exist in EU"):
        make_case(jurisdiction="EU", request_type="ccpa_opt_out")
    with pytest.raises(ValidationError, match="does not exist in SG"):
        make_case(jurisdiction="SG", request_type="access", extra_types=["deletion"])


def test_several_types_are_due_on_the_earliest_date():
    # US-CA received Mon 2 March (10:00 PST): access due 2 March + 44 = Wed 2026-04-15;
    # opt-out 15 business days: 3-6, 9-13, 16-20, 23 -> Mon 2026-03-23, which binds.
    case = make_case(jurisdiction="US-CA", request_type="access", extra_types=["ccpa_opt_out"],
                     received_at=at(2026, 3, 2, 18), now=at(2026, 3, 2, 19))
    assert case.due_on == date(2026, 3, 23)
    assert case.due_rule == "11 CCR §7026(f): 15 business days"
    assert case.original_due_on == date(2026, 3, 23)
