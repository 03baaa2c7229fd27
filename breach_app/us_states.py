"""US state breach-notification laws as data: one row per state, DC and Puerto Rico
(us-states.md Table 2).

Each row carries its citation and a confidence mark per duty, as the reference gives them (V read
in the statute text, S reliable secondary source, U unverified). An obligation whose date rests on
a U field carries ``unverified=True`` and says so in its reason (legal-rules.md 2026-11 update).
The clock that reads these rows is ``breach_app.deadlines.notification_obligations``; changing a
number is a change to one row here and its test in ``breach_app/tests/test_deadlines_us_states.py``.

Readings (Choice, legal-rules.md 2026-11: the earlier deadline or the stricter duty):
* every day limit counts from discovery, also where the statute says "determination" or
  "confirmation" (discovery is never later);
* "at least N" where the sources disagree between "more than N" and "at least N" (Iowa);
* "most expedient time possible / without unreasonable delay" is a flag, not a date;
* "not found" cells are no duty (the reference: only an unreliable tracker claimed one) except
  where the reference itself reports a claimed duty as U (Minnesota AG), which is kept, flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

V, S, U = "V", "S", "U"

AG = "attorney_general"
REGULATOR = "regulator"


@dataclass(frozen=True)
class RegulatorRule:
    body: str  # who is told, as the reference names it
    threshold: int  # residents; 0 = any number
    more_than: bool  # True: "> threshold"; False: ">= threshold"
    conf: str
    recipient: str = AG  # AG | REGULATOR
    days_after_discovery: int | None = None
    business_days_after_discovery: int | None = None
    hours_after_discovery: int | None = None
    days_after_resident_notice: int | None = None
    business_days_after_resident_notice: int | None = None
    not_later_than_residents: bool = False  # "no later than / concurrently / simultaneously"
    before_residents: bool = False
    since: date | None = None  # the rule applies to breaches discovered from this date


@dataclass(frozen=True)
class CreditBureauRule:
    threshold: int
    more_than: bool
    conf: str
    days_after_discovery: int | None = None
    hours_after_discovery: int | None = None


@dataclass(frozen=True)
class BreachLawRow:
    code: str
    citation: str
    individual_days: int | None  # calendar days from discovery; None: "without unreasonable delay"
    individual_conf: str
    regulator: RegulatorRule | None = None
    credit_bureaus: CreditBureauRule | None = None
    risk_of_harm_exemption: bool = False  # no notice if harm is reasonably judged unlikely
    individual_days_from: date | None = None  # the day limit applies from this discovery date
    note: str = ""


# Where the reference marks the risk-of-harm exemption itself U, it is not applied (stricter duty).
_ROH_UNVERIFIED = "risk-of-harm exemption unverified: not applied"


def _ag(threshold, more_than, conf, **kw) -> RegulatorRule:
    return RegulatorRule("attorney general", threshold, more_than, conf, **kw)


def _cra(threshold, more_than, conf, **kw) -> CreditBureauRule:
    return CreditBureauRule(threshold, more_than, conf, **kw)


_ROWS = (
    BreachLawRow("US-AL", "Ala. Code §§8-38-5, -6, -7", 45, V, _ag(1_000, True, U, days_after_discovery=45),
                 _cra(1_000, True, U), True),
    BreachLawRow("US-AK", "Alaska Stat. §§45.48.010-.090", None, V, None, _cra(1_000, True, S), True,
                 note="a no-harm determination must be notified to the attorney general in writing"),
    BreachLawRow("US-AZ", "A.R.S. §§18-551, -552", 45, V,
                 RegulatorRule("attorney general and Director of the Arizona Department of Homeland "
                               "Security", 1_000, True, S, days_after_discovery=45),
                 _cra(1_000, True, S, days_after_discovery=45), True),
    BreachLawRow("US-AR", "Ark. Code §4-110-105", None, S,
                 _ag(1_000, True, S, days_after_discovery=45, not_later_than_residents=True),
                 None, True),
    BreachLawRow("US-CA", "Cal. Civ. Code §1798.82", 30, S,
                 _ag(500, True, S, days_after_resident_notice=15), None, False,
                 individual_days_from=date(2026, 1, 1),
                 note="30-day limit from 2026-01-01 (SB 446); substitute notice under §1798.82(j)"),
    BreachLawRow("US-CO", "C.R.S. §6-1-716", 30, S, _ag(500, False, S, days_after_discovery=30),
                 _cra(1_000, True, S), True),
    BreachLawRow("US-CT", "Conn. Gen. Stat. §36a-701b", 60, S,
                 _ag(0, False, S, not_later_than_residents=True), None, False,
                 note=_ROH_UNVERIFIED),
    BreachLawRow("US-DE", "6 Del. C. §12B-102", 60, V,
                 _ag(500, True, U, not_later_than_residents=True), None, True),
    BreachLawRow("US-DC", "D.C. Code §§28-3851 to -3853", None, S,
                 _ag(50, False, S, not_later_than_residents=True), _cra(1_000, True, S), True,
                 note="the no-harm exemption needs prior consultation with the OAG and federal law "
                      "enforcement; AG notice also when the number is unknown"),
    BreachLawRow("US-FL", "Fla. Stat. §501.171", 30, S,
                 RegulatorRule("Department of Legal Affairs", 500, False, S, days_after_discovery=30),
                 _cra(1_000, True, S), True,
                 note="+15 days for the Department with good cause given in writing"),
    BreachLawRow("US-GA", "O.C.G.A. §10-1-912", None, V, None, _cra(10_000, True, V), False),
    BreachLawRow("US-HI", "Haw. Rev. Stat. §487N-2", None, V,
                 RegulatorRule("Office of Consumer Protection", 1_000, True, S, recipient=REGULATOR),
                 _cra(1_000, True, S), True),
    BreachLawRow("US-ID", "Idaho Code §§28-51-104 to -107", None, S, None, None, True),
    BreachLawRow("US-IL", "815 ILCS 530/10", None, V, _ag(500, True, S, not_later_than_residents=True),
                 None, False, note="the notice must not state the number of Illinois residents"),
    BreachLawRow("US-IN", "Ind. Code §§24-4.9-3-1, -3-3", 45, V, _ag(0, False, S, days_after_discovery=45),
                 _cra(1_000, True, V), True),
    BreachLawRow("US-IA", "Iowa Code §§715C.1-.2", None, S,
                 _ag(500, False, S, business_days_after_resident_notice=5), None, True),
    BreachLawRow("US-KS", "K.S.A. §§50-7a01, -7a02", None, S, None, _cra(1_000, True, S), True),
    BreachLawRow("US-KY", "KRS §365.732", None, S, None, _cra(1_000, True, S), True),
    BreachLawRow("US-LA", "La. R.S. 51:3071-3077; LAC 16:III.701", 60, S,
                 _ag(0, False, V, days_after_resident_notice=10), None, False,
                 note="the attorney-general notice names every Louisiana resident affected; "
                      + _ROH_UNVERIFIED),
    BreachLawRow("US-ME", "10 M.R.S. §1348", 30, S, _ag(0, False, U), _cra(1_000, True, S), True),
    BreachLawRow("US-MD", "Md. Code Com. Law §14-3504", 45, V, _ag(0, False, S, before_residents=True),
                 _cra(1_000, False, S), True),
    BreachLawRow("US-MA", "M.G.L. c. 93H §3", None, S,
                 RegulatorRule("attorney general and OCABR", 0, False, S), None, False,
                 note="the notice must not state the nature of the breach or the number affected"),
    BreachLawRow("US-MI", "MCL §§445.63, 445.72", None, S, None, _cra(1_000, True, S), True),
    # Choice: the 48 hours run from discovery (the reference does not say from what).
    BreachLawRow("US-MN", "Minn. Stat. §325E.61", None, S, _ag(500, True, U, hours_after_discovery=48),
                 _cra(500, True, S, hours_after_discovery=48), False),
    BreachLawRow("US-MS", "Miss. Code §75-24-29", None, S, None, None, True),
    BreachLawRow("US-MO", "Mo. Rev. Stat. §407.1500", None, S, _ag(1_000, True, S),
                 _cra(1_000, True, S), True),
    BreachLawRow("US-MT", "Mont. Code §30-14-1704", None, S,
                 RegulatorRule("attorney general's Office of Consumer Protection", 0, False, S,
                               not_later_than_residents=True),
                 None, True, note="coordinate with the credit bureaus if the notice refers to them"),
    BreachLawRow("US-NE", "Neb. Rev. Stat. §87-803", None, V, _ag(0, False, V, not_later_than_residents=True),
                 None, True),
    BreachLawRow("US-NV", "NRS 603A.220", None, V, None, _cra(1_000, True, S), False),
    BreachLawRow("US-NH", "RSA 359-C:20", None, V, _ag(0, False, V), _cra(1_000, True, S), True,
                 note="notice is also required when the likelihood of misuse cannot be determined"),
    BreachLawRow("US-NJ", "N.J.S.A. 56:8-163", None, S,
                 RegulatorRule("Division of State Police", 0, False, S, recipient=REGULATOR,
                               before_residents=True),
                 _cra(1_000, True, S), True, note="the trigger is access, not acquisition"),
    BreachLawRow("US-NM", "N.M. Stat. §§57-12C-6, -10", 45, S, _ag(1_000, True, V, days_after_discovery=45),
                 _cra(1_000, True, V, days_after_discovery=45), True),
    BreachLawRow("US-NY", "N.Y. Gen. Bus. Law §899-aa", 30, S,
                 RegulatorRule("attorney general, Department of State, Division of State Police and "
                               "DFS", 0, False, U),
                 _cra(5_000, True, U), False),
    BreachLawRow("US-NC", "N.C.G.S. §§75-61, 75-65", None, V, _ag(0, False, S), _cra(1_000, True, S), True),
    BreachLawRow("US-ND", "N.D.C.C. §51-30-02", None, V, _ag(250, True, V), None, False),
    BreachLawRow("US-OH", "Ohio Rev. Code §1349.19", 45, S, None, _cra(1_000, True, S), True),
    BreachLawRow("US-OK", "24 O.S. §§161-166 (SB 626)", None, S,
                 _ag(500, False, S, days_after_resident_notice=60, since=date(2026, 1, 1)), None, True),
    BreachLawRow("US-OR", "ORS 646A.604", 45, V, _ag(250, True, U, days_after_discovery=45),
                 _cra(1_000, True, S), True),
    BreachLawRow("US-PA", "73 P.S. §2303 (Act 33 of 2024)", None, S,
                 _ag(500, True, S, not_later_than_residents=True), _cra(500, False, S), False,
                 note="12 months of credit monitoring if SSN, bank account or DL/ID involved"),
    BreachLawRow("US-RI", "R.I. Gen. Laws §11-49.3-4", 45, V,
                 _ag(500, True, V, not_later_than_residents=True), _cra(500, True, V), True),
    BreachLawRow("US-SC", "S.C. Code §39-1-90", None, V,
                 RegulatorRule("Department of Consumer Affairs", 1_000, True, S, recipient=REGULATOR),
                 _cra(1_000, True, S), True),
    BreachLawRow("US-SD", "SDCL §22-40-20", 60, V, _ag(250, True, U), _cra(0, False, U), True,
                 note="the no-harm route also requires prior notice to the attorney general"),
    BreachLawRow("US-TN", "T.C.A. §47-18-2107", 45, S, None, _cra(1_000, True, S), False),
    BreachLawRow("US-TX", "Tex. Bus. & Com. Code §521.053", 60, V,
                 _ag(250, False, S, days_after_discovery=30),
                 _cra(10_000, True, S), False),
    BreachLawRow("US-UT", "Utah Code §13-44-202", None, S,
                 RegulatorRule("attorney general and Utah Cyber Center", 500, False, U),
                 _cra(1_000, False, S), True),
    BreachLawRow("US-VT", "9 V.S.A. §2435", 45, S,
                 _ag(0, False, S, business_days_after_discovery=14, business_days_after_resident_notice=14),
                 _cra(1_000, True, S), False,
                 note="preliminary notice to the attorney general, then the number and a copy of the notice"),
    BreachLawRow("US-VA", "Va. Code §18.2-186.6", None, S, _ag(0, False, S), _cra(1_000, True, S), True),
    BreachLawRow("US-WA", "RCW 19.255.010", 30, S, _ag(500, True, S, days_after_discovery=30), None, False,
                 note=_ROH_UNVERIFIED),
    BreachLawRow("US-WV", "W. Va. Code §§46A-2A-101 to -105", None, V, None, _cra(1_000, True, S), True),
    BreachLawRow("US-WI", "Wis. Stat. §134.98", 45, S, None, _cra(1_000, False, S), True),
    BreachLawRow("US-WY", "Wyo. Stat. §§40-12-501, -502", None, V, None, None, True),
    BreachLawRow("PR", "10 L.P.R.A. §§4051-4055 (Law 111-2005)", None, S,
                 RegulatorRule("Department of Consumer Affairs (DACO)", 0, False, S, recipient=REGULATOR,
                               days_after_discovery=10),
                 None, False),
)

BREACH_LAWS: Mapping[str, BreachLawRow] = MappingProxyType({row.code: row for row in _ROWS})
