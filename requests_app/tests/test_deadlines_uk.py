"""UK clocks: the relevant time (UK GDPR Art. 12A), the stop-the-clock for access
requests only with both end days excluded, and complaints to the controller (DPA 2018 s.164A).

Expected dates are worked out by hand from the rule text (reference: legal-rules.md UK rows,
eu-uk-product.md §5); weekdays checked with ``date(...).strftime('%a')``; England bank holidays
2026: Good Friday 3 Apr, Easter Monday 6 Apr, Early May 4 May, Spring 25 May, Summer 31 Aug."""

from datetime import date

import pytest

from requests_app.deadlines import acknowledgement_due, response_due


def uk(**kwargs):
    kwargs.setdefault("request_type", "access")
    return response_due(jurisdiction="UK", **kwargs)


# ---------------------------------------------------------------- relevant time (Art. 12A)


def test_verification_date_alone_no_longer_moves_the_clock():
    # received Mon 2026-03-02, no ID asked, staff verified Fri 03-06: relevant time = receipt
    # -> Thu 2026-04-02 (before the correction: from 03-06 -> Easter Monday -> Tue 04-07)
    result = uk(received_on=date(2026, 3, 2), verified_on=date(2026, 3, 6))
    assert result.due_on == date(2026, 4, 2)
    assert result.clock_started_on == date(2026, 3, 2)
    assert result.rule == "UK GDPR Art. 12(3); ICO guidance (Dec 2025)"


def test_clock_starts_when_requested_id_arrives_not_when_staff_decide():
    # received Mon 2026-06-01, ID asked Tue 06-02, arrived Thu 06-04, decided Thu 06-18 (14-day
    # backlog): relevant time Thu 06-04 -> Sat 07-04 -> Mon 2026-07-06
    # (Aqara 003 from the decision: Sat 07-18 -> Mon 07-20, later)
    result = uk(
        received_on=date(2026, 6, 1),
        identity_requested_on=date(2026, 6, 2),
        identity_received_on=date(2026, 6, 4),
        verified_on=date(2026, 6, 18),
    )
    assert result.due_on == date(2026, 7, 6)
    assert result.clock_started_on == date(2026, 6, 4)
    assert result.candidates[1] == (date(2026, 7, 20), "Aqara policy 003 'Your Rights': one month after validation; ICO guidance")


def test_while_requested_id_has_not_arrived_the_date_is_shown_from_receipt_and_says_it_waits():
    # received Mon 2026-03-02, ID asked Tue 03-03, not yet arrived: shown from receipt -> Thu 04-02
    result = uk(received_on=date(2026, 3, 2), identity_requested_on=date(2026, 3, 3))
    assert result.due_on == date(2026, 4, 2)
    assert result.clock_started_on is None
    assert any("has not arrived" in note for note in result.notes)


def test_fee_payment_is_the_latest_event():
    # received Mon 2026-03-02, fee paid Thu 03-12 -> Sun 04-12 -> Mon 2026-04-13
    result = uk(received_on=date(2026, 3, 2), fee_paid_on=date(2026, 3, 12))
    assert result.due_on == date(2026, 4, 13)
    assert result.clock_started_on == date(2026, 3, 12)


def test_latest_of_id_arrival_and_fee():
    # ID arrived Tue 03-10, fee paid Thu 03-05 -> latest Tue 03-10 -> Fri 2026-04-10
    result = uk(
        received_on=date(2026, 3, 2),
        identity_requested_on=date(2026, 3, 3),
        identity_received_on=date(2026, 3, 10),
        fee_paid_on=date(2026, 3, 5),
    )
    assert result.due_on == date(2026, 4, 10)


def test_identity_facts_do_not_move_other_jurisdictions():
    # EU: GDPR Art. 12(3) runs from receipt: Mon 03-02 -> Thu 2026-04-02
    result = response_due(
        jurisdiction="EU", request_type="access", received_on=date(2026, 3, 2),
        identity_requested_on=date(2026, 3, 3), identity_received_on=date(2026, 3, 20),
    )
    assert result.due_on == date(2026, 4, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"identity_received_on": date(2026, 3, 5)}, "identity_requested_on is not"),
        ({"identity_requested_on": date(2026, 3, 1)}, r"identity_requested_on \(2026-03-01\) is before received_on"),
        (
            {"identity_requested_on": date(2026, 3, 5), "identity_received_on": date(2026, 3, 4)},
            r"identity_received_on \(2026-03-04\) is before identity_requested_on",
        ),
        ({"fee_paid_on": date(2026, 2, 27)}, r"fee_paid_on \(2026-02-27\) is before received_on"),
    ],
)
def test_impossible_identity_dates_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        uk(received_on=date(2026, 3, 2), **kwargs)


# ---------------------------------------------------------------- stop-the-clock (Art. 12A)


def test_stop_the_clock_does_not_apply_to_erasure():
    # deletion received Mon 2026-03-02, clarification asked 03-10 and answered 03-17: the clock
    # keeps running (access requests only) -> Thu 2026-04-02
    result = uk(request_type="deletion", received_on=date(2026, 3, 2),
                pauses=[(date(2026, 3, 10), date(2026, 3, 17))])
    assert result.due_on == date(2026, 4, 2)
    assert result.paused_days == 0
    assert "Art. 12A" not in result.rule
    assert any("access requests only" in note for note in result.notes)


def test_asked_and_answered_the_same_day_is_one_day_and_rolls_over_easter():
    # access received Mon 2026-03-02 -> Thu 04-02; asked and answered Tue 03-10 = 1 day
    # -> Fri 04-03 Good Friday, Sat, Sun, Mon 04-06 Easter Monday -> Tue 2026-04-07
    result = uk(received_on=date(2026, 3, 2), pauses=[(date(2026, 3, 10), date(2026, 3, 10))])
    assert result.paused_days == 1
    assert result.due_on == date(2026, 4, 7)


def test_pause_also_moves_the_extension_notice_deadline_and_the_extended_date():
    # access received Mon 2026-03-02, paused 03-10..03-17 = 8 days: first month Thu 04-02 + 8
    # -> Fri 2026-04-10 (last day for the extension notice); 3 months Tue 06-02 + 8 -> Wed 2026-06-10
    result = uk(received_on=date(2026, 3, 2), pauses=[(date(2026, 3, 10), date(2026, 3, 17))],
                extended=True)
    assert result.extension_deadline == date(2026, 4, 10)
    assert result.due_on == date(2026, 6, 10)
    assert result.paused_days == 8


def test_days_before_the_relevant_time_are_not_paused_twice():
    # ID asked 03-03, arrived Tue 03-10 (relevant time); clarification asked 03-05, answered Thu
    # 03-12: only 03-10..03-12 = 3 days count -> Fri 04-10 + 3 -> Mon 2026-04-13
    result = uk(
        received_on=date(2026, 3, 2),
        identity_requested_on=date(2026, 3, 3),
        identity_received_on=date(2026, 3, 10),
        pauses=[(date(2026, 3, 5), date(2026, 3, 12))],
    )
    assert result.paused_days == 3
    assert result.due_on == date(2026, 4, 13)


# ---------------------------------------------------------------- complaints (DPA 2018 s.164A)


def test_complaint_acknowledged_within_30_days_beginning_with_receipt():
    # received Fri 2026-06-19 (s.164A in force) = day 1; day 30 = 06-19 + 29 -> Sat 2026-07-18
    # (statutory count, no roll - the reference's Choice, earlier than the ICO's day-after count)
    result = uk(request_type="complaint", received_on=date(2026, 6, 19))
    assert result.due_on == date(2026, 7, 18)
    assert "s.164A(3)" in result.rule and "without undue delay" in result.rule
    assert result.kind == "without_undue_delay"  # the response has no day; the acknowledgement is dated
    ack = acknowledgement_due(jurisdiction="UK", request_type="complaint", received_on=date(2026, 6, 19))
    assert ack.due_on == date(2026, 7, 18)


def test_complaint_across_christmas_and_the_year_end():
    # received Tue 2026-12-15: 12-15 + 29 = Dec 31 (16) + 13 -> Wed 2027-01-13, holidays not counted
    # out (calendar days, no roll)
    result = uk(request_type="complaint", received_on=date(2026, 12, 15),
                verified_on=date(2026, 12, 15))
    assert result.due_on == date(2027, 1, 13)
    assert len(result.candidates) == 1  # Aqara 003 is for rights requests, not complaints


def test_complaint_before_section_164a_was_in_force_is_refused():
    with pytest.raises(ValueError, match="apply from 2026-06-19"):
        uk(request_type="complaint", received_on=date(2026, 6, 18))


def test_complaint_has_no_extension():
    with pytest.raises(ValueError, match="No extension exists for 'complaint' requests in 'UK'"):
        uk(request_type="complaint", received_on=date(2026, 6, 19), extended=True)


def test_no_acknowledgement_for_uk_rights_requests():
    assert acknowledgement_due(jurisdiction="UK", request_type="access", received_on=date(2026, 6, 19)) is None
