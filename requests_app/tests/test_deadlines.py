"""Legal clocks for rights requests, checked against dates worked out by hand.

Each expected date is a literal, with the arithmetic in a comment. Weekdays were checked with
``datetime.date(...).strftime('%a')``; holiday calendars are the official 2026 ones (CN: State
Council notice 国办发明电〔2025〕7号; RU: Government production calendar; England bank holidays;
US federal + California; German nationwide holidays).
"""

from datetime import date, datetime

import pytest

from requests_app.deadlines import (
    REQUEST_TYPES,
    TYPES_BY_JURISDICTION,
    DueDate,
    acknowledgement_due,
    add_working_days,
    is_provisional_year,
    is_working_day,
    response_due,
)


def due(**kwargs) -> DueDate:
    return response_due(**kwargs)


# ---------------------------------------------------------------- constants


def test_every_jurisdiction_has_types_from_request_types():
    # the eight case jurisdictions, plus Japan (APPI rights requests)
    assert set(TYPES_BY_JURISDICTION) == {"CN", "EU", "UK", "US-CA", "SG", "KR", "RU", "BR", "JP"}
    for types in TYPES_BY_JURISDICTION.values():
        assert set(types) <= set(REQUEST_TYPES)


def test_ccpa_types_only_in_california_and_pipl_types_only_in_china():
    for code, types in TYPES_BY_JURISDICTION.items():
        assert ("ccpa_opt_out" in types) == (code == "US-CA")
        assert ("ccpa_limit_sensitive" in types) == (code == "US-CA")
        for pipl_only in ("explanation", "deceased_relative", "account_cancellation"):
            assert (pipl_only in types) == (code == "CN")


# ---------------------------------------------------------------- EU (GDPR Art. 12(3), Reg. 1182/71)


def test_eu_31_january_ends_28_february_in_a_common_year():
    # received Fri 2025-01-31; Feb 2025 has no 31st -> last day Fri 2025-02-28 (a working day)
    result = due(jurisdiction="EU", request_type="access", received_on=date(2025, 1, 31))
    assert result.due_on == date(2025, 2, 28)
    assert result.rule == "GDPR Art. 12(3); Reg. 1182/71 Art. 3(4)"
    assert result.provisional is False


def test_eu_31_january_ends_29_february_in_leap_year_2028():
    # received Mon 2028-01-31; Feb 2028 has 29 days -> Tue 2028-02-29 (a working day)
    result = due(jurisdiction="EU", request_type="access", received_on=date(2028, 1, 31))
    assert result.due_on == date(2028, 2, 29)


def test_eu_month_end_on_weekend_rolls_to_monday():
    # received Fri 2026-01-30; no 30 Feb -> Sat 2026-02-28 -> Mon 2026-03-02
    result = due(jurisdiction="EU", request_type="deletion", received_on=date(2026, 1, 30))
    assert result.due_on == date(2026, 3, 2)


def test_eu_month_end_on_german_holiday_rolls_to_next_working_day():
    # received Tue 2026-04-14 -> Thu 2026-05-14 is Ascension Day (DE) -> Fri 2026-05-15
    result = due(jurisdiction="EU", request_type="access", received_on=date(2026, 4, 14))
    assert result.due_on == date(2026, 5, 15)


def test_eu_christmas_rolls_over_two_holidays_and_sunday():
    # received Wed 2026-11-25 -> Fri 12-25 (Christmas), Sat 12-26 (2nd day), Sun 12-27 -> Mon 2026-12-28
    result = due(jurisdiction="EU", request_type="access", received_on=date(2026, 11, 25))
    assert result.due_on == date(2026, 12, 28)


def test_eu_extension_counts_three_months_from_the_original_start():
    # received Sat 2026-01-31; 1 month: Sat 02-28 -> Mon 2026-03-02;
    # extended: 3 months from 01-31 -> Thu 2026-04-30 (not 04-28: counted from the 31st)
    result = due(
        jurisdiction="EU", request_type="access", received_on=date(2026, 1, 31), extended=True
    )
    assert result.due_on == date(2026, 4, 30)
    assert result.original_due_on == date(2026, 3, 2)
    assert result.extension_deadline == date(2026, 3, 2)
    assert result.extended is True
    assert "extended" in result.rule


def test_eu_extension_that_lands_on_a_sunday_rolls():
    # received Tue 2026-02-03 + 3 months -> Sun 2026-05-03 -> Mon 2026-05-04
    result = due(
        jurisdiction="EU", request_type="portability", received_on=date(2026, 2, 3), extended=True
    )
    assert result.due_on == date(2026, 5, 4)


def test_eu_ignores_pauses_but_still_checks_them():
    # received Mon 2026-03-02 -> Thu 2026-04-02 (GDPR has no stop-the-clock; pause ignored)
    result = due(
        jurisdiction="EU",
        request_type="access",
        received_on=date(2026, 3, 2),
        pauses=[(date(2026, 3, 10), date(2026, 3, 17))],
    )
    assert result.due_on == date(2026, 4, 2)
    assert result.paused_days == 0


def test_eu_aqara_one_month_after_validation_never_beats_the_statute():
    # received Mon 2026-03-02 -> statute Thu 2026-04-02; verified Tue 03-10 -> 003 Fri 2026-04-10
    result = due(
        jurisdiction="EU",
        request_type="access",
        received_on=date(2026, 3, 2),
        verified_on=date(2026, 3, 10),
    )
    assert result.due_on == date(2026, 4, 2)
    assert result.candidates[1][0] == date(2026, 4, 10)
    assert result.candidates[1][1].startswith("Aqara policy 003")


# ---------------------------------------------------------------- UK (UK GDPR, ICO guidance)


def test_uk_bank_holiday_rolls_forward():
    # received Sat 2026-04-25 -> Mon 2026-05-25 Spring bank holiday -> Tue 2026-05-26
    result = due(jurisdiction="UK", request_type="access", received_on=date(2026, 4, 25))
    assert result.due_on == date(2026, 5, 26)
    assert result.rule == "UK GDPR Art. 12(3); ICO guidance (Dec 2025)"


def test_uk_christmas_uses_england_boxing_day_substitute():
    # received Wed 2026-11-25 -> Fri 12-25, Sat 12-26, Sun 12-27, Mon 12-28 (Boxing Day substitute)
    # -> Tue 2026-12-29 (one day later than the German calendar)
    result = due(jurisdiction="UK", request_type="access", received_on=date(2026, 11, 25))
    assert result.due_on == date(2026, 12, 29)


def test_uk_clock_starts_when_id_is_received():
    # received Mon 2026-03-02, ID asked Tue 03-03 and received Tue 2026-03-10 (UK GDPR Art. 12A:
    # the relevant time is the day requested ID ARRIVES) -> one month from 03-10 -> Fri 2026-04-10
    result = due(
        jurisdiction="UK",
        request_type="access",
        received_on=date(2026, 3, 2),
        verified_on=date(2026, 3, 10),
        identity_requested_on=date(2026, 3, 3),
        identity_received_on=date(2026, 3, 10),
    )
    assert result.due_on == date(2026, 4, 10)
    assert result.clock_started_on == date(2026, 3, 10)
    # statute and Aqara 003 tie on the same day; the statute is named
    assert result.rule.startswith("UK GDPR Art. 12(3)")


def test_uk_clarification_pause_of_eight_days():
    # received Mon 2026-03-02 -> Thu 04-02; asked Tue 03-10, answered Tue 03-17: days 10..17
    # inclusive = 8 days not counted (Art. 12A: both end days excluded) -> Fri 2026-04-10
    result = due(
        jurisdiction="UK",
        request_type="access",
        received_on=date(2026, 3, 2),
        pauses=[(date(2026, 3, 10), date(2026, 3, 17))],
    )
    assert result.due_on == date(2026, 4, 10)
    assert result.paused_days == 8
    assert "Art. 12A" in result.rule


def test_uk_pause_pushes_due_date_onto_easter_monday_then_rolls():
    # received Mon 2026-03-02 -> Thu 04-02; asked 03-10, answered 03-13: 10..13 = 4 days
    # -> Mon 04-06 Easter Monday -> Tue 2026-04-07
    result = due(
        jurisdiction="UK",
        request_type="access",
        received_on=date(2026, 3, 2),
        pauses=[(date(2026, 3, 10), date(2026, 3, 13))],
    )
    assert result.due_on == date(2026, 4, 7)
    assert result.paused_days == 4


def test_uk_overlapping_pauses_count_once():
    # paused 03-10..03-17 and 03-15..03-19 -> merged 03-10..03-19 inclusive = 10 days;
    # Thu 04-02 + 10 -> Sun 04-12 -> Mon 2026-04-13
    result = due(
        jurisdiction="UK",
        request_type="access",
        received_on=date(2026, 3, 2),
        pauses=[(date(2026, 3, 10), date(2026, 3, 17)), (date(2026, 3, 15), date(2026, 3, 19))],
    )
    assert result.paused_days == 10
    assert result.due_on == date(2026, 4, 13)


def test_uk_extension_is_three_months_from_start_and_rolls_over_bank_holiday():
    # received Wed 2026-02-25; 1 month -> Wed 2026-03-25;
    # 3 months -> Mon 2026-05-25 Spring bank holiday -> Tue 2026-05-26
    result = due(
        jurisdiction="UK", request_type="access", received_on=date(2026, 2, 25), extended=True
    )
    assert result.due_on == date(2026, 5, 26)
    assert result.extension_deadline == date(2026, 3, 25)


# ---------------------------------------------------------------- US-CA (CCPA)


def test_us_ca_45_days_counting_receipt_day_as_day_1():
    # received Mon 2026-03-02 = day 1; +44 days: 29 left in March -> 15 more -> Wed 2026-04-15
    result = due(jurisdiction="US-CA", request_type="access", received_on=date(2026, 3, 2))
    assert result.due_on == date(2026, 4, 15)
    assert result.rule == "11 CCR §7021(b); Civ. Code §1798.130(a)(2)"


def test_us_ca_45_days_ignore_late_verification():
    # received Mon 2026-03-02, verified Fri 03-20: statute still Wed 2026-04-15 (003: Mon 04-20)
    result = due(
        jurisdiction="US-CA",
        request_type="deletion",
        received_on=date(2026, 3, 2),
        verified_on=date(2026, 3, 20),
    )
    assert result.due_on == date(2026, 4, 15)


def test_us_ca_prompt_verification_makes_aqara_one_month_bind():
    # received and verified Mon 2026-03-02: 003 one month -> Thu 2026-04-02 < statute Wed 04-15
    result = due(
        jurisdiction="US-CA",
        request_type="access",
        received_on=date(2026, 3, 2),
        verified_on=date(2026, 3, 2),
    )
    assert result.due_on == date(2026, 4, 2)
    assert result.rule.startswith("Aqara policy 003")


def test_us_ca_extension_adds_45_days():
    # received Mon 2026-03-02 = day 1; +89: 29 -> 03-31, +30 -> 04-30, +30 -> Sat 2026-05-30 (no roll)
    result = due(
        jurisdiction="US-CA", request_type="correction", received_on=date(2026, 3, 2), extended=True
    )
    assert result.due_on == date(2026, 5, 30)
    assert result.original_due_on == date(2026, 4, 15)
    assert result.extension_deadline == date(2026, 4, 15)


def test_ccpa_acknowledgement_10_business_days_across_thanksgiving():
    # received Fri 2026-11-20: Mon 23(1) Tue 24(2) Wed 25(3), Thu 26 Thanksgiving (federal),
    # Fri 27 (day after Thanksgiving: a state-office day, a business day - reference 2026-11)(4),
    # Mon 30(5), Tue 12-01(6) ... Fri 12-04(9), Mon 2026-12-07(10)
    result = acknowledgement_due(
        jurisdiction="US-CA", request_type="access", received_on=date(2026, 11, 20)
    )
    assert result.due_on == date(2026, 12, 7)
    assert result.rule == "11 CCR §7021(a): 10 business days"


def test_ccpa_acknowledgement_across_martin_luther_king_day():
    # received Fri 2026-01-09: 12-16 = 1..5, Mon 01-19 MLK Day, 20-23 = 6..9, Mon 2026-01-26 = 10
    result = acknowledgement_due(
        jurisdiction="US-CA", request_type="deletion", received_on=date(2026, 1, 9)
    )
    assert result.due_on == date(2026, 1, 26)


def test_no_acknowledgement_outside_ccpa_know_delete_correct():
    assert acknowledgement_due(jurisdiction="EU", request_type="access", received_on=date(2026, 3, 2)) is None
    assert acknowledgement_due(jurisdiction="CN", request_type="access", received_on=date(2026, 3, 2)) is None
    assert (
        acknowledgement_due(
            jurisdiction="US-CA", request_type="ccpa_opt_out", received_on=date(2026, 3, 2)
        )
        is None
    )


def test_ccpa_opt_out_15_business_days_across_independence_day():
    # received Mon 2026-06-22: Tue 23(1)..Fri 26(4), Mon 29(5), Tue 30(6), Wed 07-01(7), Thu 07-02(8),
    # Fri 07-03 Independence Day observed, Mon 07-06(9)..Fri 07-10(13), Mon 07-13(14), Tue 2026-07-14(15)
    result = due(jurisdiction="US-CA", request_type="ccpa_opt_out", received_on=date(2026, 6, 22))
    assert result.due_on == date(2026, 7, 14)
    assert result.rule == "11 CCR §7026(f): 15 business days"


def test_ccpa_limit_sensitive_15_business_days():
    # same count as the opt-out above -> Tue 2026-07-14
    result = due(
        jurisdiction="US-CA", request_type="ccpa_limit_sensitive", received_on=date(2026, 6, 22)
    )
    assert result.due_on == date(2026, 7, 14)
    assert "§7027(g)" in result.rule


# ---------------------------------------------------------------- CN (PIPL, CAC/MIIT, seed 000)


def test_cn_national_day_2026_with_make_up_working_days():
    # received Thu 2026-09-17: Fri 09-18(1), Sun 09-20 make-up(2), Mon 21..Thu 24(3-6),
    # Fri 25 Mid-Autumn + weekend off, Mon 28..Wed 30(7-9), Oct 1-7 off, Thu 10-08(10), Fri 10-09(11),
    # Sat 10-10 make-up(12), Mon 10-12(13), Tue 10-13(14), Wed 2026-10-14(15)
    result = due(jurisdiction="CN", request_type="access", received_on=date(2026, 9, 17))
    assert result.due_on == date(2026, 10, 14)
    assert "15 working days" in result.rule
    assert result.provisional is False
    assert result.extension_deadline is None


def test_cn_spring_festival_2026_with_make_up_saturdays():
    # received Tue 2026-02-10: Wed 11(1), Thu 12(2), Fri 13(3), Sat 02-14 make-up(4), Feb 15-23 off,
    # Tue 24(5)..Fri 27(8), Sat 02-28 make-up(9), Mon 03-02(10)..Fri 03-06(14), Mon 2026-03-09(15)
    result = due(jurisdiction="CN", request_type="deletion", received_on=date(2026, 2, 10))
    assert result.due_on == date(2026, 3, 9)


def test_cn_before_verification_the_working_day_cap_binds():
    # received Mon 2026-03-02: Mar 3-6(4), 9-13(9), 16-20(14), Mon 2026-03-23(15)
    result = due(jurisdiction="CN", request_type="access", received_on=date(2026, 3, 2))
    assert result.due_on == date(2026, 3, 23)
    assert len(result.candidates) == 1


def test_cn_verified_early_15_calendar_days_bind():
    # received and verified Mon 2026-03-02: 03-02 + 15 = Tue 2026-03-17 < cap Mon 03-23
    result = due(
        jurisdiction="CN",
        request_type="access",
        received_on=date(2026, 3, 2),
        verified_on=date(2026, 3, 2),
    )
    assert result.due_on == date(2026, 3, 17)
    assert result.rule == "Aqara policy 000 §7.9: 15 days after identity verified"
    assert [c[0] for c in result.candidates] == [date(2026, 3, 23), date(2026, 3, 17)]


def test_cn_verified_late_the_working_day_cap_binds():
    # received Mon 2026-03-02, verified Thu 03-12: 03-12 + 15 = Fri 03-27 > cap Mon 2026-03-23
    result = due(
        jurisdiction="CN",
        request_type="correction",
        received_on=date(2026, 3, 2),
        verified_on=date(2026, 3, 12),
    )
    assert result.due_on == date(2026, 3, 23)
    assert "CAC/MIIT 2019 App Identification Methods" in result.rule


def test_cn_complaint_15_working_days_across_labour_day():
    # received Fri 2026-04-24: Mon 27..Thu 30(1-4), May 1-5 off, Wed 05-06(5), Thu 07(6), Fri 08(7),
    # Sat 05-09 make-up(8), Mon 11..Fri 15(9-13), Mon 18(14), Tue 2026-05-19(15)
    result = due(
        jurisdiction="CN",
        request_type="complaint",
        received_on=date(2026, 4, 24),
        verified_on=date(2026, 4, 24),  # §七.9 is for rights requests, not complaints
    )
    assert result.due_on == date(2026, 5, 19)
    assert result.rule.startswith("Aqara policy 000 §10")
    assert len(result.candidates) == 1


def test_cn_count_into_2027_is_provisional():
    # received Mon 2026-12-21: the count runs into January 2027; holidays 0.109 holds no 2027 notice
    result = due(jurisdiction="CN", request_type="access", received_on=date(2026, 12, 21))
    assert result.due_on.year == 2027
    assert result.provisional is True


def test_cn_count_ending_in_december_2026_is_not_provisional():
    # received Tue 2026-12-01: 2-4(3), 7-11(8), 14-18(13), Mon 21(14), Tue 2026-12-22(15)
    result = due(jurisdiction="CN", request_type="access", received_on=date(2026, 12, 1))
    assert result.due_on == date(2026, 12, 22)
    assert result.provisional is False


def test_cn_pauses_are_ignored():
    # received Mon 2026-03-02 -> cap Mon 2026-03-23 whatever the pause
    result = due(
        jurisdiction="CN",
        request_type="access",
        received_on=date(2026, 3, 2),
        pauses=[(date(2026, 3, 5), date(2026, 3, 12))],
    )
    assert result.due_on == date(2026, 3, 23)


# ---------------------------------------------------------------- RU, SG, KR, BR


def test_ru_10_working_days_and_5_more_when_extended():
    # received Fri 2026-02-20: Mon 02-23 Defender's Day off, Tue 24..Fri 27(1-4), Mon 03-02..Fri 03-06
    # (5-9), Mon 03-09 Women's Day observed, Tue 2026-03-10(10);
    # extended: Wed 11(11), Thu 12(12), Fri 13(13), Mon 16(14), Tue 2026-03-17(15)
    plain = due(jurisdiction="RU", request_type="access", received_on=date(2026, 2, 20))
    extended = due(
        jurisdiction="RU", request_type="access", received_on=date(2026, 2, 20), extended=True
    )
    assert plain.due_on == date(2026, 3, 10)
    assert extended.due_on == date(2026, 3, 17)
    assert extended.extension_deadline == date(2026, 3, 10)


def test_ru_correction_7_working_days():
    # received Fri 2026-02-20: Mon 23 off, Tue 24..Fri 27(1-4), Mon 03-02(5), Tue 03(6), Wed 2026-03-04(7)
    result = due(jurisdiction="RU", request_type="correction", received_on=date(2026, 2, 20))
    assert result.due_on == date(2026, 3, 4)
    assert result.rule == "152-FZ Art. 20(3): 7 working days"


def test_ru_count_into_2028_is_provisional():
    # holidays 0.109 holds the RU transfer decree up to 2027; received Wed 2027-12-22 runs into 2028
    result = due(jurisdiction="RU", request_type="access", received_on=date(2027, 12, 22))
    assert result.due_on.year == 2028
    assert result.provisional is True


def test_sg_30_days():
    # received Mon 2026-03-02 + 30 -> Wed 2026-04-01
    result = due(jurisdiction="SG", request_type="access", received_on=date(2026, 3, 2))
    assert result.due_on == date(2026, 4, 1)
    assert result.rule == "PDPA s.21; PDP Regs 2021"


def test_sg_short_february_makes_aqara_one_month_bind():
    # received and verified Sun 2026-02-01: statute +30 -> Tue 03-03; 003 one month -> Sun 2026-03-01
    result = due(
        jurisdiction="SG",
        request_type="access",
        received_on=date(2026, 2, 1),
        verified_on=date(2026, 2, 1),
    )
    assert result.due_on == date(2026, 3, 1)
    assert result.rule.startswith("Aqara policy 003")


def test_kr_10_days():
    # received Mon 2026-03-02 + 10 -> Thu 2026-03-12
    result = due(jurisdiction="KR", request_type="access", received_on=date(2026, 3, 2))
    assert result.due_on == date(2026, 3, 12)


def test_br_15_days():
    # received Mon 2026-03-02 + 15 -> Tue 2026-03-17
    result = due(jurisdiction="BR", request_type="access", received_on=date(2026, 3, 2))
    assert result.due_on == date(2026, 3, 17)
    assert result.rule == "LGPD Art. 19(II)"


# ---------------------------------------------------------------- working-day helpers


def test_cn_make_up_weekends_are_working_days_and_national_day_is_not():
    assert is_working_day(date(2026, 9, 20), calendar_code="CN")  # Sun, make-up day
    assert is_working_day(date(2026, 10, 10), calendar_code="CN")  # Sat, make-up day
    assert not is_working_day(date(2026, 10, 6), calendar_code="CN")  # Tue, National Day week
    assert not is_working_day(date(2026, 10, 11), calendar_code="CN")  # Sun, ordinary weekend


def test_add_working_days_brazil_across_black_awareness_day():
    # from Wed 2026-11-18: Thu 19(1), Fri 20 Zumbi/Black Awareness Day, Mon 23(2), Tue 2026-11-24(3)
    assert add_working_days(date(2026, 11, 18), 3, calendar_code="BR") == date(2026, 11, 24)


def test_add_working_days_zero_returns_start():
    assert add_working_days(date(2026, 10, 3), 0, calendar_code="CN") == date(2026, 10, 3)


def test_provisional_years():
    assert is_provisional_year(2026, calendar_code="CN") is False
    assert is_provisional_year(2027, calendar_code="CN") is True
    assert is_provisional_year(2027, calendar_code="RU") is False
    assert is_provisional_year(2028, calendar_code="SG") is True  # package estimates lunar dates
    assert is_provisional_year(2030, calendar_code="EU") is False  # rule-based calendar


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"jurisdiction": "FR", "request_type": "access"}, "Unknown jurisdiction 'FR'"),
        ({"jurisdiction": "EU", "request_type": "teleport"}, "Unknown request type 'teleport'"),
        ({"jurisdiction": "EU", "request_type": "ccpa_opt_out"}, "does not exist in jurisdiction 'EU'"),
        ({"jurisdiction": "UK", "request_type": "explanation"}, "does not exist in jurisdiction 'UK'"),
        ({"jurisdiction": "US-CA", "request_type": "complaint"}, "does not exist in jurisdiction 'US-CA'"),
        (
            {"jurisdiction": "EU", "request_type": "access", "verified_on": date(2026, 3, 1)},
            "verified_on (2026-03-01) is before received_on (2026-03-02)",
        ),
        (
            {"jurisdiction": "UK", "request_type": "access", "pauses": [(date(2026, 3, 10), date(2026, 3, 9))]},
            "Pause ends (2026-03-09) before it starts (2026-03-10)",
        ),
        (
            {"jurisdiction": "UK", "request_type": "access", "pauses": [(date(2026, 3, 1), date(2026, 3, 9))]},
            "Pause starts (2026-03-01) before the request was received (2026-03-02)",
        ),
        (
            {"jurisdiction": "UK", "request_type": "access", "pauses": [date(2026, 3, 5)]},
            "Each pause must be a (start, end) pair",
        ),
        ({"jurisdiction": "CN", "request_type": "access", "extended": True}, "No extension exists in 'CN'"),
        ({"jurisdiction": "SG", "request_type": "access", "extended": True}, "No extension exists in 'SG'"),
        ({"jurisdiction": "KR", "request_type": "access", "extended": True}, "No extension exists in 'KR'"),
        ({"jurisdiction": "BR", "request_type": "access", "extended": True}, "No extension exists in 'BR'"),
        (
            {"jurisdiction": "US-CA", "request_type": "ccpa_opt_out", "extended": True},
            "No extension exists for 'ccpa_opt_out' requests in 'US-CA'",
        ),
        (
            {"jurisdiction": "RU", "request_type": "correction", "extended": True},
            "No extension exists for 'correction' requests in 'RU'",
        ),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        response_due(received_on=date(2026, 3, 2), **kwargs)


def test_datetime_instead_of_local_date_is_refused():
    with pytest.raises(ValueError, match="local calendar date"):
        response_due(jurisdiction="EU", request_type="access", received_on=datetime(2026, 3, 2, 9, 0))


def test_acknowledgement_checks_its_input_too():
    with pytest.raises(ValueError, match="Unknown jurisdiction"):
        acknowledgement_due(jurisdiction="XX", request_type="access", received_on=date(2026, 3, 2))


def test_helpers_reject_unknown_calendar_and_negative_counts():
    with pytest.raises(ValueError, match="Unknown calendar code 'DE'"):
        add_working_days(date(2026, 3, 2), 1, calendar_code="DE")
    with pytest.raises(ValueError, match="n must be zero or positive"):
        add_working_days(date(2026, 3, 2), -1, calendar_code="CN")
