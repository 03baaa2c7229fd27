"""Every row of us-states.md Table 2 (breach notification: 50 states, DC, Puerto Rico), each with the
dates worked out by hand from the row.

One incident for the table: discovered Mon 2026-03-02 17:00 UTC - 2 March in every US time zone
(12:00 EST ... 07:00 HST) - 2,000 residents, no resident notice sent yet. Day limits count from
the local day of discovery (day 0) and end at 23:59:59.999999 local time (the state's zone from
the registry; US daylight time starts Sun 8 Mar 2026):
  +10 Thu 12 Mar · +30 Wed 1 Apr (Mar 2 + 29 = Mar 31, + 1) · +45 Thu 16 Apr · +60 Fri 1 May
  14 business days (federal holidays only; none in March): Tue 3 (1) .. Fri 6 (4), Mon 9 .. Fri 13
  (5-9), Mon 16 .. Fri 20 (10-14) -> Fri 20 Mar
  48 hours: Mon 17:00 UTC + 48 h = Wed 4 Mar 17:00 UTC
"No later than the resident notice" with no notice sent binds to the resident deadline, where
the row has one (the earlier reading)."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from breach_app.deadlines import Affected, IncidentFacts, notification_obligations
from breach_app.us_states import BREACH_LAWS
from privacy_office import jurisdictions as registry

UTC = timezone.utc
DISCOVERED = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
W = "without_undue_delay"
P = "pending_trigger"
I = "instant"
MAR4_1700 = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
M12, M20, A1, A16, MY1 = date(2026, 3, 12), date(2026, 3, 20), date(2026, 4, 1), date(2026, 4, 16), date(2026, 5, 1)
CRA_W = ("required", W, None, False)

# code, individuals (local date or None), regulator (suffix, kind, when, unverified) or None,
# credit bureaus (status, kind, when, unverified) or None
ROWS = [
    ("US-AL", A16, ("AG", I, A16, True), ("required", W, None, True)),
    ("US-AK", None, None, CRA_W),
    ("US-AZ", A16, ("AG", I, A16, False), ("required", I, A16, False)),
    ("US-AR", None, ("AG", I, A16, False), None),
    ("US-CA", A1, ("AG", P, None, False), None),
    ("US-CO", A1, ("AG", I, A1, False), CRA_W),
    ("US-CT", MY1, ("AG", I, MY1, False), None),
    ("US-DE", MY1, ("AG", I, MY1, True), None),
    ("US-DC", None, ("AG", W, None, False), CRA_W),
    ("US-FL", A1, ("AG", I, A1, False), CRA_W),
    ("US-GA", None, None, ("not_required", W, None, False)),  # CRA > 10,000
    ("US-HI", None, ("REG", W, None, False), CRA_W),
    ("US-ID", None, None, None),
    ("US-IL", None, ("AG", W, None, False), None),
    ("US-IN", A16, ("AG", I, A16, False), CRA_W),
    ("US-IA", None, ("AG", P, None, False), None),  # 5 business days after the resident notice
    ("US-KS", None, None, CRA_W),
    ("US-KY", None, None, CRA_W),
    ("US-LA", MY1, ("AG", P, None, False), None),  # 10 days after the resident notice
    ("US-ME", A1, ("AG", W, None, True), CRA_W),
    ("US-MD", A16, ("AG", I, A16, False), CRA_W),  # before the residents' 45 days
    ("US-MA", None, ("AG", W, None, False), None),
    ("US-MI", None, None, CRA_W),
    ("US-MN", None, ("AG", I, MAR4_1700, True), ("required", I, MAR4_1700, False)),
    ("US-MS", None, None, None),
    ("US-MO", None, ("AG", W, None, False), CRA_W),
    ("US-MT", None, ("AG", W, None, False), None),
    ("US-NE", None, ("AG", W, None, False), None),
    ("US-NV", None, None, CRA_W),
    ("US-NH", None, ("AG", W, None, False), CRA_W),
    ("US-NJ", None, ("REG", W, None, False), CRA_W),
    ("US-NM", A16, ("AG", I, A16, False), ("required", I, A16, False)),
    ("US-NY", A1, ("AG", W, None, True), ("not_required", W, None, True)),  # CRA > 5,000
    ("US-NC", None, ("AG", W, None, False), CRA_W),
    ("US-ND", None, ("AG", W, None, False), None),
    ("US-OH", A16, None, CRA_W),
    ("US-OK", None, ("AG", P, None, False), None),  # 60 days after the resident notice
    ("US-OR", A16, ("AG", I, A16, True), CRA_W),
    ("US-PA", None, ("AG", W, None, False), CRA_W),
    ("US-RI", A16, ("AG", I, A16, False), CRA_W),
    ("US-SC", None, ("REG", W, None, False), CRA_W),
    ("US-SD", MY1, ("AG", W, None, True), ("required", W, None, True)),
    ("US-TN", A16, None, CRA_W),
    ("US-TX", MY1, ("AG", I, A1, False), ("not_required", W, None, False)),  # CRA > 10,000
    ("US-UT", None, ("AG", W, None, True), CRA_W),
    ("US-VT", A16, ("AG", I, M20, False), CRA_W),
    ("US-VA", None, ("AG", W, None, False), CRA_W),
    ("US-WA", A1, ("AG", I, A1, False), None),
    ("US-WV", None, None, CRA_W),
    ("US-WI", A16, None, CRA_W),
    ("US-WY", None, None, None),
    ("PR", None, ("REG", I, M12, False), None),
]


def obligations(code, people=2_000, **kw):
    kw.setdefault("discovered_at", DISCOVERED)
    incident = IncidentFacts(affected={code: Affected(people, people)}, **kw)
    return {o.code: o for o in notification_obligations(incident)}


def at_end_of_local_day(code, day):
    return datetime.combine(day, time.max, tzinfo=registry.get(code).zone).astimezone(UTC)


def expected_instant(code, when):
    return when if isinstance(when, datetime) else at_end_of_local_day(code, when)


def test_every_table_2_row_is_covered():
    assert {row[0] for row in ROWS} == set(BREACH_LAWS)


@pytest.mark.parametrize(("code", "individuals", "regulator", "bureaus"), ROWS, ids=[r[0] for r in ROWS])
def test_state_row(code, individuals, regulator, bureaus):
    ob = obligations(code)
    ind = ob[f"{code}-IND"]
    assert ind.status == "required"
    assert ind.clock_start == DISCOVERED
    if individuals is None:
        assert (ind.deadline_kind, ind.deadline) == (W, None)
    else:
        assert (ind.deadline_kind, ind.deadline) == (I, at_end_of_local_day(code, individuals))

    regulator_codes = {c for c in ob if c.endswith(("-AG", "-REG"))}
    if regulator is None:
        assert not regulator_codes
    else:
        suffix, kind, when, unverified = regulator
        reg = ob[f"{code}-{suffix}"]
        assert regulator_codes == {reg.code}
        assert (reg.status, reg.deadline_kind, reg.unverified) == ("required", kind, unverified)
        assert reg.deadline == (None if when is None else expected_instant(code, when))
        assert ("unverified" in reg.reason) == unverified

    if bureaus is None:
        assert f"{code}-CRA" not in ob
    else:
        status, kind, when, unverified = bureaus
        cra = ob[f"{code}-CRA"]
        assert (cra.status, cra.deadline_kind, cra.unverified, cra.recipient) == (
            status, kind, unverified, "credit_bureaus")
        assert cra.deadline == (None if when is None else expected_instant(code, when))


def test_day_limits_end_at_local_midnight_across_the_change_to_daylight_time():
    # CA: Wed 1 Apr 23:59:59.999999 PDT (-7) = Thu 2 Apr 06:59:59.999999 UTC
    assert obligations("US-CA")["US-CA-IND"].deadline == datetime(2026, 4, 2, 6, 59, 59, 999999, tzinfo=UTC)
    # AZ keeps MST (-7) all year: Thu 16 Apr end = Fri 17 Apr 06:59:59.999999 UTC
    assert obligations("US-AZ")["US-AZ-IND"].deadline == datetime(2026, 4, 17, 6, 59, 59, 999999, tzinfo=UTC)
    # VT: Fri 20 Mar end EDT (-4, from 8 Mar) = Sat 21 Mar 03:59:59.999999 UTC
    assert obligations("US-VT")["US-VT-AG"].deadline == datetime(2026, 3, 21, 3, 59, 59, 999999, tzinfo=UTC)
    # PR: Atlantic time (-4), no DST: Thu 12 Mar end = Fri 13 Mar 03:59:59.999999 UTC
    assert obligations("PR")["PR-REG"].deadline == datetime(2026, 3, 13, 3, 59, 59, 999999, tzinfo=UTC)


def test_minnesota_48_hours_are_elapsed_time_across_the_clock_change():
    discovered = datetime(2026, 3, 7, 18, 0, tzinfo=UTC)  # Sat 12:00 CST
    cra = obligations("US-MN", discovered_at=discovered)["US-MN-CRA"]
    # + 48 h = Mon 9 Mar 18:00 UTC, which reads 13:00 CDT on the wall clock
    assert cra.deadline == datetime(2026, 3, 9, 18, 0, tzinfo=UTC)
    assert cra.deadline.astimezone(registry.get("US-MN").zone).hour == 13


def test_iowa_5_business_days_after_the_resident_notice_across_thanksgiving():
    sent = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # Wed 10:00 CST
    ag = obligations("US-IA", resident_notice_sent_at=sent)["US-IA-AG"]
    # Thu 26 Thanksgiving skipped, Fri 27 (1), Mon 30 (2), Tue 1 Dec (3), Wed 2 (4), Thu 3 (5):
    # end of day CST (-6) = Fri 4 Dec 05:59:59.999999 UTC
    assert ag.deadline == datetime(2026, 12, 4, 5, 59, 59, 999999, tzinfo=UTC)
    assert ag.clock_start == sent


def test_louisiana_10_days_after_the_resident_notice():
    sent = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)  # Fri 10:00 CDT; 20 Mar + 10 = Mon 30 Mar
    ag = obligations("US-LA", resident_notice_sent_at=sent)["US-LA-AG"]
    assert ag.deadline == at_end_of_local_day("US-LA", date(2026, 3, 30))


def test_maryland_attorney_general_before_the_residents_once_they_are_notified():
    sent = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    ag = obligations("US-MD", resident_notice_sent_at=sent)["US-MD-AG"]
    assert ag.deadline == sent
    assert "before the resident notice" in ag.citation


def test_vermont_whichever_is_sooner():
    # resident notice Tue 3 Mar: 14 business days from it end Mon 23 Mar; from discovery Fri 20 Mar
    sent = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    ag = obligations("US-VT", resident_notice_sent_at=sent)["US-VT-AG"]
    assert ag.deadline == at_end_of_local_day("US-VT", date(2026, 3, 20))


@pytest.mark.parametrize(("code", "people", "status"), [
    ("US-TX", 249, "not_required"), ("US-TX", 250, "required"),  # TX: >= 250
    ("US-ND", 250, "not_required"), ("US-ND", 251, "required"),  # ND: > 250
    ("US-DC", 49, "not_required"), ("US-DC", 50, "required"),  # DC: 50+
    ("US-CT", 1, "required"),  # any number
])
def test_regulator_thresholds(code, people, status):
    ob = obligations(code, people=people)
    reg = next(o for c, o in ob.items() if c.endswith(("-AG", "-REG")))
    assert reg.status == status


def test_risk_of_harm_exemption_only_where_the_row_has_one():
    # TX has none; VA has one (document the determination); CT's is unverified, so not applied
    assert obligations("US-TX", risk="none")["US-TX-IND"].status == "required"
    va = obligations("US-VA", risk="none")
    assert va["US-VA-IND"].status == "not_required" and "document the determination" in va["US-VA-IND"].reason
    assert va["US-VA-AG"].status == "not_required"
    assert obligations("US-CT", risk="none")["US-CT-IND"].status == "required"


def test_oklahoma_attorney_general_rule_applies_from_2026():
    before = obligations("US-OK", discovered_at=datetime(2025, 12, 20, 17, 0, tzinfo=UTC))
    assert "US-OK-AG" not in before
    assert "US-OK-AG" in obligations("US-OK")


def test_encrypted_data_needs_no_state_notice():
    assert obligations("US-NY", encrypted=True)["US-NY-IND"].status == "not_required"


def test_states_are_accepted_as_affected_and_unknown_codes_refused():
    with pytest.raises(ValueError, match="unknown jurisdiction"):
        IncidentFacts(discovered_at=DISCOVERED, affected={"US-XX": Affected(1, 1)})
    assert obligations("US-WY")["US-WY-IND"].deadline_kind == W
    assert timedelta(0) == obligations("US-WA")["US-WA-IND"].deadline.utcoffset()
