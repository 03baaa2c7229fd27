"""A case filed for a resident of a US state other than California ("US-TX"): the state's
comprehensive privacy law (us-states.md Table 1) and Aqara's own global commitment (seed 003),
the earliest wins; a state with no law in force: Aqara's commitment alone, counted from receipt.

Hand arithmetic (receipt day = day 1 for state laws: N days end on receipt + N - 1):
  received Mon 2026-03-02: +44 Wed 04-15 · +59 Thu 04-30 · +89 Sat 05-30 (Apr 30 + 30) · +14 Mon 03-16
  Aqara 003, one calendar month, no roll: verified Tue 03-03 -> Fri 04-03; from receipt Mon 03-02
  -> Thu 04-02; received Thu 2026-12-31 -> Sun 2027-01-31 (January has a 31st).
"""

from datetime import date

import pytest

from requests_app.deadlines import (
    AQARA_003_TYPES,
    CASE_JURISDICTIONS,
    US_RESIDENT_JURISDICTIONS,
    acknowledgement_due,
    request_types,
    response_due,
    us_resident_response_due,
)

R26 = date(2026, 3, 2)


def test_every_us_state_dc_and_puerto_rico_can_be_a_case_jurisdiction_once():
    assert len(CASE_JURISDICTIONS) == len(set(CASE_JURISDICTIONS))
    assert CASE_JURISDICTIONS[:8] == ("CN", "EU", "UK", "SG", "KR", "RU", "BR", "JP")
    us = [code for code in CASE_JURISDICTIONS if code.startswith("US-")]
    assert len(us) == 51 and "US-DC" in us and "US-CA" in us  # 50 states and DC
    assert "PR" in CASE_JURISDICTIONS
    assert "US-CA" not in US_RESIDENT_JURISDICTIONS  # the CCPA is a statute of its own


def test_texas_access_aqaras_month_after_verification_beats_the_45_days():
    # TDPSA 45 days -> Wed 04-15; verified Tue 03-03 -> Aqara 003 Fri 2026-04-03 binds
    result = us_resident_response_due(state="US-TX", request_type="access", received_on=R26,
                                      verified_on=date(2026, 3, 3))
    assert result.due_on == date(2026, 4, 3)
    assert result.rule == "Aqara policy 003 'Your Rights': one month after validation"
    assert result.candidates[0] == (date(2026, 4, 15), "TDPSA, Tex. Bus. & Com. Code §§541.051-.055: respond "
                                                       "within 45 days of receipt")
    # Not yet verified: the statute alone -> Wed 2026-04-15; the extension notice by then.
    before = us_resident_response_due(state="US-TX", request_type="access", received_on=R26)
    assert (before.due_on, before.extension_deadline, before.unverified) == (date(2026, 4, 15), date(2026, 4, 15), False)


def test_texas_extension_45_more_days_and_aqaras_month_drops_out():
    # +45 +45 = receipt + 89 -> Sat 2026-05-30 (no roll)
    result = us_resident_response_due(state="US-TX", request_type="deletion", received_on=R26,
                                      verified_on=date(2026, 3, 3), extended=True)
    assert result.due_on == date(2026, 5, 30)
    assert result.rule.endswith("extended +45 days")
    assert result.original_due_on == date(2026, 4, 3)


def test_texas_appeal_runs_from_the_appeals_receipt_and_is_unverified():
    # appeal received Mon 2026-03-02: 60 days (U) -> Thu 2026-04-30; Aqara's month is not a candidate
    result = us_resident_response_due(state="US-TX", request_type="appeal", received_on=R26,
                                      verified_on=date(2026, 3, 3))
    assert (result.due_on, result.unverified) == (date(2026, 4, 30), True)
    assert len(result.candidates) == 1
    assert any("unverified" in note for note in result.notes)
    assert result.extension_deadline is None
    with pytest.raises(ValueError, match="No extension exists for 'appeal' requests in 'US-TX'"):
        us_resident_response_due(state="US-TX", request_type="appeal", received_on=R26, extended=True)


def test_connecticut_consent_revocation_15_days_unverified():
    # CT: stop within 15 days (U) -> Mon 2026-03-16
    result = us_resident_response_due(state="US-CT", request_type="withdraw_consent", received_on=R26)
    assert (result.due_on, result.unverified) == (date(2026, 3, 16), True)


def test_a_state_without_a_privacy_law_runs_on_aqaras_month_from_receipt():
    # New York has no comprehensive law: Mon 03-02 + 1 month -> Thu 2026-04-02, whatever the verification
    result = us_resident_response_due(state="US-NY", request_type="access", received_on=R26,
                                      verified_on=date(2026, 3, 20))
    assert result.due_on == date(2026, 4, 2)
    assert "counted from receipt" in result.rule
    assert any("no comprehensive state privacy law" in note for note in result.notes)
    assert result.extension_deadline is None
    with pytest.raises(ValueError, match="No extension exists in 'US-NY'"):
        us_resident_response_due(state="US-NY", request_type="access", received_on=R26, extended=True)


def test_oklahoma_before_and_after_its_law_comes_into_force():
    # Thu 2026-12-31, before 1 Jan 2027: Aqara's month -> Sun 2027-01-31
    before = us_resident_response_due(state="US-OK", request_type="access", received_on=date(2026, 12, 31))
    assert before.due_on == date(2027, 1, 31)
    # Mon 2027-03-01: 45 days -> Mar 1 + 44 = Wed 2027-04-14
    after = us_resident_response_due(state="US-OK", request_type="access", received_on=date(2027, 3, 1))
    assert after.due_on == date(2027, 4, 14)


def test_request_types_per_us_jurisdiction_come_from_the_rows():
    assert "appeal" in request_types("US-TX", received_on=R26)
    assert "appeal" not in request_types("US-UT", received_on=R26)  # UCPA: no appeal right
    assert request_types("US-NY", received_on=R26) == AQARA_003_TYPES
    assert request_types("US-OK", received_on=date(2026, 12, 31)) == AQARA_003_TYPES
    assert "appeal" in request_types("US-OK", received_on=date(2027, 1, 1))
    assert "ccpa_opt_out" in request_types("US-CA") and "opt_out" not in request_types("US-CA")
    with pytest.raises(ValueError, match="does not exist in jurisdiction 'US-UT'"):
        us_resident_response_due(state="US-UT", request_type="appeal", received_on=R26)
    with pytest.raises(ValueError, match="Unknown jurisdiction 'US-XX'"):
        request_types("US-XX")


def test_response_due_files_a_us_resident_on_the_state_clock_and_owes_no_acknowledgement():
    assert response_due(jurisdiction="US-VA", request_type="opt_out", received_on=R26).due_on == date(2026, 4, 15)
    assert acknowledgement_due(jurisdiction="US-VA", request_type="access", received_on=R26) is None
    with pytest.raises(ValueError, match="California cases run on the CCPA"):
        us_resident_response_due(state="US-CA", request_type="access", received_on=R26)
