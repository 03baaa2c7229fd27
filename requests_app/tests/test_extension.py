"""An extension is given once, within the law's limit, and only before the original deadline."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app import services

from .factories import at, extend, make_case

pytestmark = pytest.mark.django_db


def test_extension_refused_twice(staff_user):
    case = make_case(jurisdiction="US-CA", received_at=at(2026, 3, 2, 18), now=at(2026, 3, 2, 19))
    extend(case, by=staff_user, reasons="Complex request", now=at(2026, 3, 10))
    # 11 CCR §7021(b): 90 days counting the receipt day -> 2 March + 89 days
    # (29 to 31 March, 30 to 30 April, 30 more) = Sat 2026-05-30 (no roll in the CCPA rule).
    assert case.due_on == date(2026, 5, 30)
    with pytest.raises(ValidationError, match="already been extended"):
        services.dsar_extend(case=case, by=staff_user, reasons="Again", now=at(2026, 3, 11))


def test_extension_refused_after_the_original_deadline(staff_user):
    case = make_case(jurisdiction="EU")  # due Thu 2026-04-02
    with pytest.raises(ValidationError) as excinfo:
        services.dsar_extend(case=case, by=staff_user, reasons="Late", now=at(2026, 4, 3))
    assert excinfo.value.messages == [
        "Too late to extend: the notice had to be sent by the original deadline, 2026-04-02."
    ]
    case.refresh_from_db()
    assert case.extended is False and case.due_on == date(2026, 4, 2)


def test_extension_refused_where_the_law_has_none(staff_user):
    case = make_case(jurisdiction="CN")
    with pytest.raises(ValidationError, match="No extension exists"):
        services.dsar_extend(case=case, by=staff_user, reasons="Busy", now=at(2026, 3, 3))


def test_extension_needs_reasons(staff_user):
    case = make_case(jurisdiction="EU")
    with pytest.raises(ValidationError, match="reasons"):
        services.dsar_extend(case=case, by=staff_user, reasons="", now=at(2026, 3, 3))


def test_russian_extension_is_five_working_days(staff_user):
    # 152-FZ Art. 20(1): 10 working days, +5 with a reasoned notice. The dated RU examples are in
    # test_deadlines.py; here the stored case must carry exactly what the clock computes.
    from requests_app.deadlines import response_due

    case = make_case(jurisdiction="RU", received_at=at(2026, 3, 2, 7), now=at(2026, 3, 2, 8))
    extend(case, by=staff_user, reasons="Data in archives", now=at(2026, 3, 4))
    expected = response_due(jurisdiction="RU", request_type="access", received_on=date(2026, 3, 2), extended=True)
    assert case.due_on == expected.due_on
    assert "extended +5 working days" in case.due_rule
