"""Russia, Brazil and Japan as cases: each type the engine knows gets its stored due date, and
"immediately" is stored as the receipt day and said so.

Hand-worked (RU calendar 2026: Sun 03-08 Women's Day moves to Mon 03-09):
  RU demand to stop processing (152-FZ Art. 21(5.1)), received Mon 2026-03-02 10:00 Moscow:
    working days Tue 03(1) Wed 04(2) Thu 05(3) Fri 06(4) [Sat, Sun, Mon 09 holiday] Tue 10(5) Wed 11(6)
    Thu 12(7) Fri 13(8) Mon 16(9) Tue 17(10) -> Tue 2026-03-17; +5 with a reasoned notice: Wed 18(11)
    Thu 19(12) Fri 20(13) Mon 23(14) Tue 24(15) -> Tue 2026-03-24.
  RU withdrawal of consent (Art. 21(5)): 30 calendar days -> Wed 2026-04-01.
  RU blocking (Art. 21(1)): at once -> Mon 2026-03-02.
  BR simplified confirmation (LGPD Art. 19(I)), received Mon 2026-03-02 11:00 in São Paulo:
    immediately -> Mon 2026-03-02.
  JP access (APPI Arts 33-35, "without delay", U), received Mon 2026-03-02 19:00 in Tokyo:
    outer date 14 days -> Mon 2026-03-16.
"""

from datetime import date

import pytest
from django.urls import reverse

from requests_app.models import DueKind

from .factories import at, extend, make_case

pytestmark = pytest.mark.django_db

MOSCOW_10 = at(2026, 3, 2, 7)


def test_ru_demand_to_stop_processing_ten_working_days_and_five_more(staff_user):
    case = make_case(jurisdiction="RU", request_type="objection", received_at=MOSCOW_10, now=at(2026, 3, 2, 8))
    assert case.due_on == date(2026, 3, 17)
    assert case.due_rule == "152-FZ Art. 21(5.1): 10 working days"
    extend(case, by=staff_user, reasons="Processing in two regional systems", now=at(2026, 3, 10, 8))
    assert case.due_on == date(2026, 3, 24)
    assert case.due_rule == "152-FZ Art. 21(5.1) extended +5 working days: 15 working days"


def test_ru_consent_withdrawal_and_blocking(staff_user):
    withdrawal = make_case(jurisdiction="RU", request_type="withdraw_consent", received_at=MOSCOW_10,
                           now=at(2026, 3, 2, 8))
    assert withdrawal.due_on == date(2026, 4, 1)
    blocking = make_case(jurisdiction="RU", request_type="restriction", received_at=MOSCOW_10, now=at(2026, 3, 2, 8))
    assert (blocking.due_on, blocking.due_kind) == (date(2026, 3, 2), DueKind.IMMEDIATELY)
    assert blocking.due_rule.startswith("[immediately: due on the day of receipt] 152-FZ Art. 21(1)")


def test_br_simplified_confirmation_is_due_on_the_day_of_receipt_and_says_immediately(staff_client):
    case = make_case(jurisdiction="BR", request_type="confirmation", received_at=at(2026, 3, 2, 14),
                     now=at(2026, 3, 2, 15))
    assert (case.received_on, case.due_on, case.due_kind) == (date(2026, 3, 2), date(2026, 3, 2), DueKind.IMMEDIATELY)
    assert "immediately" in case.due_rule
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert "Immediately: due on the day of receipt, 2026-03-02." in page


def test_jp_access_without_delay_outer_date_unverified(staff_client):
    case = make_case(jurisdiction="JP", received_at=at(2026, 3, 2, 10), now=at(2026, 3, 2, 11))
    assert (case.received_on, case.due_on) == (date(2026, 3, 2), date(2026, 3, 16))
    assert (case.due_kind, case.due_unverified) == (DueKind.WITHOUT_UNDUE_DELAY, True)
    assert case.due_rule.startswith("[unverified] [without undue delay: the date is an outer limit] APPI")
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert "Without undue delay; 2026-03-16 is the outer limit." in page
    assert "Unverified: the rule that sets this date is marked unverified" in page
