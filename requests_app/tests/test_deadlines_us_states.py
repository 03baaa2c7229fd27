"""Every row of us-states.md Table 1 (state comprehensive privacy laws), each with dates worked
out by hand from the row: the receipt day is day 1 (legal-rules.md 2026-11 Choice), so N days
end on receipt + N - 1; no roll over weekends.

Hand arithmetic, received Mon 2026-03-02 (days after receipt -> date):
  +14 Mon 03-16 · +44 Wed 04-15 (Mar 2 + 29 = Mar 31, + 15) · +59 Thu 04-30 · +89 Sat 05-30
  (Apr 30 + 30) · +104 Sun 06-14 (May 31 = +90, + 14) · +134 Tue 07-14 (Jun 30 = +120, + 14)
received Mon 2027-03-01 (Oklahoma, Louisiana, in force 1 Jan 2027):
  +44 Wed 04-14 (Mar 1 + 30 = Mar 31, + 14) · +59 Thu 04-29 · +89 Sat 05-29
received Mon 2027-05-03 (Alabama, in force 1 May 2027):
  +44 Wed 06-16 (May 3 + 28 = May 31, + 16) · +89 Sat 07-31 (Jun 30 = +58, + 31)
"""

from datetime import date

import pytest

from requests_app.deadlines import response_due, us_state_response_due
from requests_app.us_states import PRIVACY_LAWS

R26 = date(2026, 3, 2)
R27 = date(2027, 3, 1)
R27_AL = date(2027, 5, 3)
NO_APPEAL = "no appeal"

# state, received, response (+ unverified?), extended (+ unverified?) or None, appeal (+ unverified?)
ROWS = [
    # CA: 45 (S), +45 (S); no appeal (S)
    ("US-CA", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), NO_APPEAL),
    # VA: 45 (V), +45 (V), appeal 60 (V)
    ("US-VA", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), False)),
    # CO: 45, +45 (S); appeal 45 (U)
    ("US-CO", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 15), True)),
    # CT: 45, +45 (S); appeal 60 (S)
    ("US-CT", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), False)),
    # UT: 45, +45 (S); no appeal right (S)
    ("US-UT", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), NO_APPEAL),
    # TX: 45, +45 (S); appeal 60 (U)
    ("US-TX", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), True)),
    # OR: 45 (S), +45 (U); appeal 45 (V)
    ("US-OR", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), True), (date(2026, 4, 15), False)),
    # MT: 45 (S), +45 (U); appeal 60 (U)
    ("US-MT", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), True), (date(2026, 4, 30), True)),
    # IA: 90 (S), +45 (S) = 135; appeal 60 (U)
    ("US-IA", R26, (date(2026, 5, 30), False), (date(2026, 7, 14), False), (date(2026, 4, 30), True)),
    # DE, NH, NE: 45, +45 (S); appeal 60 (U)
    ("US-DE", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), True)),
    ("US-NH", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), True)),
    ("US-NE", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), True)),
    # NJ: 45, +45 (V); appeal 45 (U)
    ("US-NJ", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 15), True)),
    # TN: 45, +45 (S); appeal 60 (U)
    ("US-TN", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), True)),
    # MN: 45, +45 (S); appeal 45 (U)
    ("US-MN", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 15), True)),
    # MD, IN, KY: 45, +45 (S); appeal 60 (U)
    ("US-MD", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), True)),
    ("US-IN", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), True)),
    ("US-KY", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), False), (date(2026, 4, 30), True)),
    # RI: 45 (S), +45 (U); appeal 60 (U)
    ("US-RI", R26, (date(2026, 4, 15), False), (date(2026, 5, 30), True), (date(2026, 4, 30), True)),
    # FL: 45 (S), +15 (U) = 60; appeal 60 (U)
    ("US-FL", R26, (date(2026, 4, 15), False), (date(2026, 4, 30), True), (date(2026, 4, 30), True)),
    # OK (from 2027-01-01): 45, +45 (S); appeal 60 (S)
    ("US-OK", R27, (date(2027, 4, 14), False), (date(2027, 5, 29), False), (date(2027, 4, 29), False)),
    # LA (from 2027-01-01): 45 (U, not found); no extension found; appeal not found -> shortest
    # state appeal period, 45 days (U)
    ("US-LA", R27, (date(2027, 4, 14), True), None, (date(2027, 4, 14), True)),
    # AL (from 2027-05-01): 45, +45 (S); appeal not given -> 45 days (U)
    ("US-AL", R27_AL, (date(2027, 6, 16), False), (date(2027, 7, 31), False), (date(2027, 6, 16), True)),
]


def test_every_table_1_row_is_covered():
    assert {row[0] for row in ROWS} == set(PRIVACY_LAWS)


@pytest.mark.parametrize(("state", "received", "response", "extended", "appeal"), ROWS,
                         ids=[row[0] for row in ROWS])
def test_state_row(state, received, response, extended, appeal):
    result = us_state_response_due(state=state, request_type="access", received_on=received)
    assert (result.due_on, result.unverified) == response
    assert result.rule.startswith(PRIVACY_LAWS[state].citation)
    assert result.extension_deadline == (response[0] if extended else None)
    if response[1]:
        assert any("unverified" in note for note in result.notes)

    if extended is None:
        with pytest.raises(ValueError, match="No extension exists"):
            us_state_response_due(state=state, request_type="deletion", received_on=received, extended=True)
    else:
        longer = us_state_response_due(state=state, request_type="deletion", received_on=received,
                                       extended=True)
        assert (longer.due_on, longer.unverified) == extended
        assert longer.original_due_on == response[0]

    if appeal == NO_APPEAL:
        with pytest.raises(ValueError, match="gives no appeal right"):
            us_state_response_due(state=state, request_type="appeal", received_on=received)
    else:
        decided = us_state_response_due(state=state, request_type="appeal", received_on=received)
        assert (decided.due_on, decided.unverified) == appeal


def test_colorado_appeal_extension_60_days():
    # CO: appeal 45 days + 60 (U) = 105 -> Mon 2026-03-02 + 104 -> Sun 2026-06-14
    result = us_state_response_due(state="US-CO", request_type="appeal", received_on=R26, extended=True)
    assert result.due_on == date(2026, 6, 14)
    assert result.unverified is True


@pytest.mark.parametrize(
    ("state", "unverified"), [("US-OR", False), ("US-RI", False), ("US-NJ", False), ("US-CT", True)]
)
def test_consent_revocation_15_days(state, unverified):
    # stop processing within 15 days: Mon 2026-03-02 + 14 -> Mon 2026-03-16
    result = us_state_response_due(state=state, request_type="withdraw_consent", received_on=R26)
    assert (result.due_on, result.unverified) == (date(2026, 3, 16), unverified)


def test_opt_out_runs_on_the_response_clock_outside_california():
    # VA: no separate opt-out clock -> 45 days -> Wed 2026-04-15
    assert us_state_response_due(state="US-VA", request_type="opt_out", received_on=R26).due_on == date(2026, 4, 15)


def test_california_opt_out_15_business_days_and_the_ccpa_clock_reads_the_same_row():
    # Tue 03-03(1)..Fri 06(4), Mon 09(5)..Fri 13(9), Mon 16(10)..Fri 20(14), Mon 2026-03-23(15)
    assert us_state_response_due(state="US-CA", request_type="opt_out", received_on=R26).due_on == date(2026, 3, 23)
    assert response_due(jurisdiction="US-CA", request_type="ccpa_opt_out", received_on=R26).due_on == date(2026, 3, 23)
    assert response_due(jurisdiction="US-CA", request_type="access", received_on=R26).due_on == date(2026, 4, 15)


def test_not_in_force_or_no_state_law_gives_no_clock():
    # Oklahoma's law starts 2027-01-01; Wyoming has no comprehensive law in the reference
    assert us_state_response_due(state="US-OK", request_type="access", received_on=date(2026, 12, 31)) is None
    assert us_state_response_due(state="US-WY", request_type="access", received_on=R26) is None


def test_bad_state_inputs_are_refused():
    with pytest.raises(ValueError, match="Unknown jurisdiction 'US-XX'"):
        us_state_response_due(state="US-XX", request_type="access", received_on=R26)
    with pytest.raises(ValueError, match="does not exist under US state privacy laws"):
        us_state_response_due(state="US-VA", request_type="ccpa_opt_out", received_on=R26)
    with pytest.raises(ValueError, match="No extension exists for 'opt_out' requests in 'US-CA'"):
        us_state_response_due(state="US-CA", request_type="opt_out", received_on=R26, extended=True)
