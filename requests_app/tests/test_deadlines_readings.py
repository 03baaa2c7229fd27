"""Where the law allows two readings the clock takes the earlier deadline and says which it took
(legal-rules.md, 2026-11 update): the receipt date across time zones, and California business
days (only Saturdays, Sundays and US federal public holidays are non-business days).

Dates worked out by hand; weekdays checked with ``date(...).strftime('%a')``."""

from datetime import date, datetime, timezone

import pytest

from requests_app.deadlines import receipt_date, response_due

UTC = timezone.utc


def test_eu_requester_west_of_berlin_gives_the_earlier_receipt_date():
    # 2026-03-01 23:30 UTC = Mon 03-02 00:30 in Berlin (CET, +1), Sun 03-01 23:30 in Lisbon (WET, +0)
    receipt = receipt_date(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), jurisdiction="EU",
                           requester_time_zone="Europe/Lisbon")
    assert receipt.received_on == date(2026, 3, 1)
    assert "requester's time zone" in receipt.reading and "earlier" in receipt.reading
    # GDPR Art. 12(3) from Sun 03-01 -> Wed 2026-04-01 (a day before the office reading, Thu 04-02)
    due = response_due(jurisdiction="EU", request_type="access", received_on=receipt.received_on)
    assert due.due_on == date(2026, 4, 1)


def test_eu_requester_east_of_berlin_keeps_the_office_date():
    # 2026-03-01 20:00 UTC = Sun 21:00 in Berlin, Mon 03-02 04:00 in Shanghai -> office's 03-01
    receipt = receipt_date(datetime(2026, 3, 1, 20, 0, tzinfo=UTC), jurisdiction="EU",
                           requester_time_zone="Asia/Shanghai")
    assert receipt.received_on == date(2026, 3, 1)
    assert "office's time zone" in receipt.reading


def test_requester_in_london_on_summer_time_the_night_berlin_changes_date():
    # 2026-10-24 22:30 UTC = Sun 10-25 00:30 in Berlin (CEST, +2), Sat 10-24 23:30 in London (BST, +1)
    receipt = receipt_date(datetime(2026, 10, 24, 22, 30, tzinfo=UTC), jurisdiction="EU",
                           requester_time_zone="Europe/London")
    assert receipt.received_on == date(2026, 10, 24)
    # Sat 10-24 + 1 month -> Tue 2026-11-24
    due = response_due(jurisdiction="EU", request_type="deletion", received_on=receipt.received_on)
    assert due.due_on == date(2026, 11, 24)


def test_without_the_requesters_zone_the_office_date_is_used_and_named():
    receipt = receipt_date(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), jurisdiction="EU")
    assert receipt.received_on == date(2026, 3, 2)
    assert "Europe/Berlin" in receipt.reading


def test_bad_receipt_inputs_are_refused():
    with pytest.raises(ValueError, match="Unknown time zone 'Mars/Olympus'"):
        receipt_date(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), jurisdiction="EU",
                     requester_time_zone="Mars/Olympus")
    with pytest.raises(ValueError, match="timezone-aware"):
        receipt_date(datetime(2026, 3, 1, 23, 30), jurisdiction="EU")
    with pytest.raises(ValueError, match="Unknown jurisdiction 'XX'"):
        receipt_date(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), jurisdiction="XX")


def test_ccpa_opt_out_counts_cesar_chavez_day_as_a_business_day():
    # received Mon 2026-03-16: Tue 17(1)..Fri 20(4), Mon 23(5)..Fri 27(9), Mon 30(10),
    # Tue 31 Cesar Chavez Day (state-office day, a business day)(11), Wed 04-01(12), Thu 02(13),
    # Fri 03 Good Friday (not federal)(14), Mon 2026-04-06(15)
    result = response_due(jurisdiction="US-CA", request_type="ccpa_opt_out", received_on=date(2026, 3, 16))
    assert result.due_on == date(2026, 4, 6)
