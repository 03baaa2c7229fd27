"""Governance thresholds and clocks, worked out by hand from governance-cn.md (each row cited).

CN working days follow the State Council's 2026 notice as the holidays package holds it: National
Day Thu 1 – Wed 7 Oct 2026 (with Fri 25 Sep, the Mid-Autumn Festival, off) and Sat 10 Oct a
make-up working day."""

from datetime import date

import pytest

from inventory_app import governance_rules as rules
from inventory_app.governance_rules import Mechanism, Necessity


# --- §1 impact assessments -------------------------------------------------------------------

def test_report_kept_three_years_from_the_later_of_report_and_end_of_processing():
    # §1.3: report Wed 2026-11-18 + 3 years → Sun 2029-11-18.
    assert rules.pia_retained_until(date(2026, 11, 18)) == date(2029, 11, 18)
    # Processing ended after the report (2027-06-30): 3 years from that end → 2030-06-30.
    assert rules.pia_retained_until(date(2026, 11, 18), processing_ended_on=date(2027, 6, 30)) == date(2030, 6, 30)
    # Ended before the report: the report date counts.
    assert rules.pia_retained_until(date(2026, 11, 18), processing_ended_on=date(2026, 1, 1)) == date(2029, 11, 18)
    # Leap day: 2028-02-29 + 3 years has no 29 Feb; kept to 1 March 2031 (longer keeping is stricter).
    assert rules.pia_retained_until(date(2028, 2, 29)) == date(2031, 3, 1)


def test_reassessment_is_due_the_day_the_change_is_found_and_review_a_year_on():
    # §1.1 "事前": before the changed processing goes on — no grace period.
    assert rules.pia_reassessment_due(date(2026, 11, 18)).due_on == date(2026, 11, 18)
    # §1.5 yearly review (good practice): 2026-11-18 → 2027-11-18; leap day → 28 Feb (earlier).
    assert rules.pia_review_due(date(2026, 11, 18)).due_on == date(2027, 11, 18)
    assert rules.pia_review_due(date(2028, 2, 29)).due_on == date(2029, 2, 28)


# --- §2 cross-border -------------------------------------------------------------------------

def decide(people=0, sensitive=0, cii=False, important=False, **kw):
    return rules.transfer_mechanism_required(
        people=people, sensitive_people=sensitive, cii_operator=cii, important_data=important, **kw).mechanism


@pytest.mark.parametrize("people,expected", [
    (0, Mechanism.EXEMPT),
    (99_999, Mechanism.EXEMPT),  # §2.5: under 100,000 → exempt
    (100_000, Mechanism.SCC_OR_CERTIFICATION),  # §2.4: 100,000 is in the SCC band
    (999_999, Mechanism.SCC_OR_CERTIFICATION),
    (1_000_000, Mechanism.SECURITY_ASSESSMENT),  # §2.3: 1,000,000 and above
])
def test_non_sensitive_bands_on_both_sides_of_each_threshold(people, expected):
    assert decide(people) == expected


@pytest.mark.parametrize("sensitive,expected", [
    (0, Mechanism.EXEMPT),
    (1, Mechanism.SCC_OR_CERTIFICATION),  # §2.4: no lower floor for sensitive PI
    (9_999, Mechanism.SCC_OR_CERTIFICATION),
    (10_000, Mechanism.SECURITY_ASSESSMENT),  # §2.3
])
def test_sensitive_bands_on_both_sides_of_each_threshold(sensitive, expected):
    assert decide(people=10, sensitive=sensitive) == expected


def test_a_person_with_sensitive_pi_counts_in_both_totals():
    # §2 "How to count people": 0 entered as people but 5 sensitive → at least 5 people.
    assert decide(people=0, sensitive=5) == Mechanism.SCC_OR_CERTIFICATION


def test_cii_operator_and_important_data_need_a_security_assessment_for_any_volume():
    assert decide(people=1, cii=True) == Mechanism.SECURITY_ASSESSMENT  # §2.1
    assert decide(people=1, important=True) == Mechanism.SECURITY_ASSESSMENT  # §2.2


def test_unassessed_flags_are_a_decision_never_an_exemption():
    assert decide(people=500, cii=None) == Mechanism.NEEDS_DECISION
    assert decide(people=500, important=None) == Mechanism.NEEDS_DECISION
    # Already in the highest band: nothing an unassessed flag could raise.
    assert decide(people=1_000_000, cii=None) == Mechanism.SECURITY_ASSESSMENT


def test_necessity_exemptions_whatever_the_volume():
    # §2.6: 令16 Art. 5(1)–(3), even for sensitive PI and a CIIO (Arts 3–6 take precedence).
    assert decide(people=2_000_000, sensitive=50_000, cii=True, necessity=Necessity.CONTRACT) == Mechanism.EXEMPT


def test_a_million_processed_with_a_hundred_thousand_exported_is_an_unverified_decision():
    decision = rules.transfer_mechanism_required(people=150_000, sensitive_people=0, cii_operator=False,
                                                 important_data=False, people_processed=1_000_000)
    assert decision.mechanism == Mechanism.NEEDS_DECISION and decision.unverified
    assert decide(people=150_000, people_processed=999_999) == Mechanism.SCC_OR_CERTIFICATION


def test_next_threshold_at_the_current_rate():
    # As of Wed 2026-11-18, day 322 of the year (304 days to 31 Oct + 18). 96,600 people → 300 a day;
    # 3,400 more take 11.33 → 12 days → Mon 2026-11-30.
    crossings = {(c.threshold, c.sensitive): c.on for c in
                 rules.threshold_crossings(as_of=date(2026, 11, 18), people=96_600, sensitive_people=0)}
    assert crossings[(100_000, False)] == date(2026, 11, 30)
    assert crossings[(1_000_000, False)] is None  # not this year: the count resets on 1 January
    assert crossings[(1, True)] is None  # no sensitive PI provided at all
    # 80,500 → 250 a day; 19,500 more take 78 days → 2027-02-04, after the reset → None.
    assert rules.threshold_crossings(as_of=date(2026, 11, 18), people=80_500, sensitive_people=0)[0].on is None
    # One short: crossed the next day.
    assert rules.threshold_crossings(as_of=date(2026, 11, 18), people=99_999, sensitive_people=0)[0].on == date(2026, 11, 19)
    # A handful of people in a year is no forecast of a million.
    assert rules.threshold_crossings(as_of=date(2026, 1, 1), people=1, sensitive_people=1)[1].on is None
    # At the threshold: no crossing left to forecast for it.
    assert all(c.threshold != 100_000 for c in
               rules.threshold_crossings(as_of=date(2026, 11, 18), people=100_000, sensitive_people=0))


def test_standard_contract_filing_within_ten_working_days():
    # §2.9. Effective Wed 2026-09-23: Thu 24 (1); Fri 25 Mid-Autumn off; Mon 28 (2), Tue 29 (3),
    # Wed 30 (4); 1–7 Oct National Day; Thu 8 (5), Fri 9 (6), Sat 10 make-up (7), Mon 12 (8),
    # Tue 13 (9), Wed 14 (10) → Wed 2026-10-14.
    clock = rules.scc_filing_due(date(2026, 9, 23))
    assert clock.due_on == date(2026, 10, 14) and not clock.provisional and not clock.unverified
    # Effective Tue 2026-12-15: 16,17,18 (3), 21–25 (8), 28 (9), 29 (10) → Tue 2026-12-29.
    assert rules.scc_filing_due(date(2026, 12, 15)).due_on == date(2026, 12, 29)


def test_working_days_before_skip_national_day_and_count_the_make_up_saturday():
    # Before Mon 2026-10-12: Sat 10 (1, make-up), Fri 9 (2), Thu 8 (3), 1–7 Oct off, Wed 30 Sep (4),
    # Tue 29 Sep (5).
    assert rules.working_days_before(date(2026, 10, 12), 5) == (date(2026, 9, 29), False)


def test_security_assessment_valid_three_years_and_renewal_window():
    # §2.12: issued 2026-03-10; the issue day is day 1 → last valid day 2029-03-09 (the earlier end).
    assert rules.security_assessment_expiry(date(2026, 3, 10)) == date(2029, 3, 9)
    # Issued on a leap day: 2027 has no 29 Feb → 28 Feb, last valid day 27 Feb.
    assert rules.security_assessment_expiry(date(2024, 2, 29)) == date(2027, 2, 27)
    # §2.13: the window opens on the 60th working day before expiry; 2028–2029 calendars are not
    # decreed yet, so the count is provisional.
    clock = rules.security_assessment_renewal(date(2026, 3, 10))
    assert clock.due_on == date(2029, 3, 9)
    assert clock.opens_on == rules.working_days_before(date(2029, 3, 9), 60)[0]
    assert clock.opens_on < date(2028, 12, 31) and clock.provisional


# --- §3 audits -------------------------------------------------------------------------------

@pytest.mark.parametrize("people,years,unverified", [
    (999_999, 5, True),  # §3.3 (U)
    (1_000_000, 3, True),  # §3.3 (U): "3 or 4" → 3, the earlier
    (9_999_999, 3, True),
    (10_000_000, 2, False),  # §3.2 "超过1000万" read as ≥ (§3 choices)
])
def test_audit_frequency_from_people_handled(people, years, unverified):
    frequency = rules.audit_frequency(people)
    assert (frequency.years, frequency.unverified) == (years, unverified)


def test_next_audit_due():
    # §3.2: first cycle from 1 May 2025 → 2027-05-01; after a report of 2026-03-15 → 2028-03-15;
    # a count first over the line on 2026-02-01 → 2028-02-01.
    assert rules.next_audit_due(people=12_000_000, last_report_on=None).due_on == date(2027, 5, 1)
    assert rules.next_audit_due(people=12_000_000, last_report_on=date(2026, 3, 15)).due_on == date(2028, 3, 15)
    assert rules.next_audit_due(people=12_000_000, last_report_on=None, cycle_start=date(2026, 2, 1)).due_on == date(2028, 2, 1)
    assert rules.next_audit_due(people=2_000_000, last_report_on=date(2026, 3, 15)).unverified


def test_rectification_report_fifteen_working_days_unverified():
    # §3.4 (U). Rectified Mon 2026-09-28: Tue 29 (1), Wed 30 (2), National Day, Thu 8 (3), Fri 9 (4),
    # Sat 10 make-up (5), 12–16 (10), 19–23 (15) → Fri 2026-10-23.
    clock = rules.rectification_report_due(date(2026, 9, 28))
    assert clock.due_on == date(2026, 10, 23) and clock.unverified


# --- §4 the PI protection officer ------------------------------------------------------------

def test_officer_from_one_million_people():
    assert not rules.pipo_required(999_999)
    assert rules.pipo_required(1_000_000)  # "以上" includes the number


def test_officer_first_report_clock():
    # §4.3: over the line on or before 18 Jul 2025 → by 29 Aug 2025.
    assert rules.pipo_first_report_due(date(2025, 7, 18)).due_on == date(2025, 8, 29)
    # Reached Mon 2025-07-21 (day 0): Jul 22–25 (4), Jul 28–Aug 1 (9), Aug 4–8 (14), 11–15 (19),
    # 18–22 (24), 25–29 (29), Mon Sep 1 (30) → 2025-09-01.
    assert rules.pipo_first_report_due(date(2025, 7, 21)).due_on == date(2025, 9, 1)
    # Reached Wed 2026-11-18: Nov 19–20 (2), 23–27 (7), Nov 30–Dec 4 (12), 7–11 (17), 14–18 (22),
    # 21–25 (27), 28–30 (30) → Wed 2026-12-30.
    assert rules.pipo_first_report_due(date(2026, 11, 18)).due_on == date(2026, 12, 30)


def test_officer_change_report_clock():
    # §4.4: changed Wed 2026-09-23 → 30 working days: Sep 24 (1), 28–30 (4), Oct 8–10 (7),
    # 12–16 (12), 19–23 (17), 26–30 (22), Nov 2–6 (27), 9–11 (30) → Wed 2026-11-11.
    assert rules.pipo_change_report_due(date(2026, 9, 23)).due_on == date(2026, 11, 11)


def test_threshold_duties():
    codes = [d.code for d in rules.threshold_duties(people=999_999, reached_pipo_on=None, reached_large_on=None)]
    assert codes == []
    duties = rules.threshold_duties(people=10_000_000, reached_pipo_on=date(2026, 11, 18),
                                    reached_large_on=date(2026, 11, 18), minors=True)
    assert [d.code for d in duties] == ["pipo_designate", "pipo_report", "large_handler", "minors_audit"]
    assert duties[1].clock.due_on == date(2026, 12, 30)
