"""Request rules of the 2026-11 reference update: Russia (consent withdrawal, demand to stop processing,
blocking), Brazil's simplified confirmation and Japan's APPI requests.

Dates worked out by hand from the rule text (legal-rules.md "New request rules",
eu-uk-product.md §6); weekdays checked with ``date(...).strftime('%a')``; RU 2026 calendar:
Mon 23 Feb (Defender's Day) and Mon 9 Mar (Women's Day observed) are days off."""

from datetime import date

import pytest

from requests_app.deadlines import response_due


def test_ru_consent_withdrawal_stop_and_destroy_within_30_days():
    # 152-FZ Art. 21(5): received Fri 2026-02-20 + 30 calendar days = Feb 28 (8) + 22 -> Sun 2026-03-22
    result = response_due(jurisdiction="RU", request_type="withdraw_consent", received_on=date(2026, 2, 20))
    assert result.due_on == date(2026, 3, 22)
    assert result.rule == "152-FZ Art. 21(5): stop processing and destroy within 30 days"
    assert result.unverified is False


def test_ru_demand_to_stop_processing_10_working_days_and_5_more():
    # 152-FZ Art. 21(5.1): received Fri 2026-02-20: Mon 23 off, Tue 24..Fri 27 (1-4), Mon 03-02..
    # Fri 03-06 (5-9), Mon 03-09 off, Tue 2026-03-10 (10); +5: Wed 11..Fri 13 (11-13), Mon 16 (14),
    # Tue 2026-03-17 (15)
    plain = response_due(jurisdiction="RU", request_type="objection", received_on=date(2026, 2, 20))
    extended = response_due(jurisdiction="RU", request_type="objection", received_on=date(2026, 2, 20),
                            extended=True)
    assert plain.due_on == date(2026, 3, 10)
    assert plain.rule == "152-FZ Art. 21(5.1): 10 working days"
    assert extended.due_on == date(2026, 3, 17)
    assert extended.extension_deadline == date(2026, 3, 10)


def test_ru_blocking_is_due_at_once():
    # 152-FZ Art. 21(1): block from the request -> the receipt day itself, Fri 2026-02-20
    result = response_due(jurisdiction="RU", request_type="restriction", received_on=date(2026, 2, 20))
    assert (result.due_on, result.kind) == (date(2026, 2, 20), "immediately")


def test_ru_consent_withdrawal_has_no_extension():
    with pytest.raises(ValueError, match="No extension exists for 'withdraw_consent' requests in 'RU'"):
        response_due(jurisdiction="RU", request_type="withdraw_consent", received_on=date(2026, 2, 20),
                     extended=True)


def test_br_simplified_confirmation_immediately():
    # LGPD Art. 19(I): received Mon 2026-03-02 -> due the same day
    result = response_due(jurisdiction="BR", request_type="confirmation", received_on=date(2026, 3, 2),
                          verified_on=date(2026, 3, 2))
    assert (result.due_on, result.kind) == (date(2026, 3, 2), "immediately")
    assert result.rule == "LGPD Art. 19(I): simplified confirmation, immediately"


def test_jp_without_delay_is_flagged_unverified_with_a_two_week_outer_date():
    # APPI Arts 33-35 "without delay"; Choice: Art. 39's two weeks -> Mon 2026-03-02 + 14 = Mon 03-16
    # (Aqara 003 one month after validation: Thu 04-02, later)
    result = response_due(jurisdiction="JP", request_type="access", received_on=date(2026, 3, 2),
                          verified_on=date(2026, 3, 2))
    assert result.due_on == date(2026, 3, 16)
    assert result.kind == "without_undue_delay"
    assert result.unverified is True
    assert any("unverified" in note for note in result.notes)
    assert result.candidates[1][0] == date(2026, 4, 2)


def test_jp_has_no_computable_extension():
    with pytest.raises(ValueError, match="No extension exists in 'JP'"):
        response_due(jurisdiction="JP", request_type="deletion", received_on=date(2026, 3, 2), extended=True)
