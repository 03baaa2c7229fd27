"""US state comprehensive privacy laws as data: one row per state (us-states.md Table 1).

Each row carries its citation and a confidence mark per field, as the reference gives them:
V read in the statute text, S reliable secondary source, U unverified. A U field binds a date only
with ``DueDate.unverified`` set and the reason in ``DueDate.notes`` (legal-rules.md, 2026-11
update: "a U row must show as unverified wherever it binds a date"). The clock that reads these
rows is ``requests_app.deadlines.us_state_response_due``; ``response_due`` reads the California
row for the CCPA. Changing a number is a change to one row here and its test in
``requests_app/tests/test_deadlines_us_states.py``.

Counting (legal-rules.md 2026-11 principle, Choice): the receipt day is day 1 for every state, so
N days end on receipt + N - 1; extensions add to the same count (45 + 45 = receipt + 89).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

V, S, U = "V", "S", "U"


@dataclass(frozen=True)
class PrivacyLawRow:
    code: str
    citation: str
    in_force: date
    response_days: int  # calendar days from receipt
    response_conf: str
    extension_days: int | None  # None: no extension found
    extension_conf: str
    appeal_days: int | None  # None with appeal_right: right exists, deadline not found
    appeal_conf: str
    appeal_right: bool = True
    appeal_extension_days: int | None = None
    # A separate opt-out clock (only California's 15 business days); None: the response clock.
    opt_out_business_days: int | None = None
    opt_out_conf: str = S
    # Revocation of consent: stop processing within N calendar days; None: the response clock.
    consent_revocation_days: int | None = None
    consent_revocation_conf: str = S
    note: str = ""


# Choice (legal-rules.md 2026-11: the earlier reading, flagged): where a state gives an appeal
# right but the reference found no deadline (LA, AL), the shortest appeal period any state law
# sets (45 days: CO, OR, NJ, MN) binds, marked unverified.
SHORTEST_APPEAL_DAYS = 45

_ROWS = (
    PrivacyLawRow(
        "US-CA", "CCPA, Civ. Code §1798.130(a)(2); 11 CCR §7021(b), §7026(f)", date(2020, 1, 1),
        45, S, 45, S, None, S, appeal_right=False, opt_out_business_days=15, opt_out_conf=S,
        note="response clock runs from receipt whatever the time taken to verify (§7021(b))",
    ),
    PrivacyLawRow("US-VA", "VCDPA, Va. Code §59.1-577(B), (C)", date(2023, 1, 1), 45, V, 45, V, 60, V),
    PrivacyLawRow(
        "US-CO", "CPA, C.R.S. §6-1-1306; 4 CCR 904-3", date(2023, 7, 1), 45, S, 45, S, 45, U,
        appeal_extension_days=60,
    ),
    PrivacyLawRow(
        "US-CT", "CTDPA, Conn. Gen. Stat. §42-520", date(2023, 7, 1), 45, S, 45, S, 60, S,
        consent_revocation_days=15, consent_revocation_conf=U,
    ),
    PrivacyLawRow(
        "US-UT", "UCPA, Utah Code §13-61-203", date(2023, 12, 31), 45, S, 45, S, None, S,
        appeal_right=False,
    ),
    PrivacyLawRow("US-TX", "TDPSA, Tex. Bus. & Com. Code §§541.051-.055", date(2024, 7, 1),
                  45, S, 45, S, 60, U),
    PrivacyLawRow(
        "US-OR", "OCPA, ORS 646A.576; ORS 646A.578(1)(d)", date(2024, 7, 1), 45, S, 45, U, 45, V,
        consent_revocation_days=15, consent_revocation_conf=V,
        note=("ORS 646A.576(5)(d) lets compliance wait for missing authentication information; "
              "Choice: not applied, the clock runs from receipt (the earlier reading)"),
    ),
    PrivacyLawRow("US-MT", "MCDPA, Mont. Code §30-14-2808", date(2024, 10, 1), 45, S, 45, U, 60, U),
    PrivacyLawRow("US-IA", "ICDPA, Iowa Code §715D.4", date(2025, 1, 1), 90, S, 45, S, 60, U),
    PrivacyLawRow("US-DE", "DPDPA, 6 Del. C. §12D-104", date(2025, 1, 1), 45, S, 45, S, 60, U),
    PrivacyLawRow("US-NH", "NH Privacy Act, RSA 507-H:4", date(2025, 1, 1), 45, S, 45, S, 60, U),
    PrivacyLawRow("US-NE", "NDPA, Neb. Rev. Stat. §87-1101 et seq.", date(2025, 1, 1), 45, S, 45, S, 60, U),
    PrivacyLawRow(
        "US-NJ", "NJDPA, N.J.S.A. 56:8-166.7", date(2025, 1, 15), 45, V, 45, V, 45, U,
        consent_revocation_days=15, consent_revocation_conf=V,
        note="consent-revocation section number unverified (deskbook p.350)",
    ),
    PrivacyLawRow("US-TN", "TIPA, Tenn. Code §47-18-3301 et seq.", date(2025, 7, 1), 45, S, 45, S, 60, U),
    PrivacyLawRow("US-MN", "MCDPA, Minn. Stat. §325M.14", date(2025, 7, 31), 45, S, 45, S, 45, U),
    PrivacyLawRow("US-MD", "MODPA, Md. Code Com. Law §14-4705", date(2025, 10, 1), 45, S, 45, S, 60, U),
    PrivacyLawRow("US-IN", "ICDPA, Ind. Code §24-15-3", date(2026, 1, 1), 45, S, 45, S, 60, U),
    PrivacyLawRow(
        "US-KY", "KCDPA (HB 15 of 2024), KRS 367.3611 et seq. (citation unverified)", date(2026, 1, 1),
        45, S, 45, S, 60, U,
    ),
    PrivacyLawRow(
        "US-RI", "RIDTPPA, R.I. Gen. Laws §6-48.1-1 et seq.", date(2026, 1, 1), 45, S, 45, U, 60, U,
        consent_revocation_days=15, consent_revocation_conf=S,
    ),
    PrivacyLawRow(
        "US-OK", "Oklahoma Data Privacy Act (SB 546), 75A O.S. §§300-315", date(2027, 1, 1),
        45, S, 45, S, 60, S,
        note="statute counts from an authenticated request; Choice: from receipt (the earlier reading)",
    ),
    PrivacyLawRow(
        "US-LA", "Louisiana Data Privacy Act (SB 386, Act 502 of 2026), La. R.S. title 51 (section "
        "unverified)", date(2027, 1, 1), 45, U, None, U, None, U,
        note="response period not found in the reference (45 days likely); no extension found",
    ),
    PrivacyLawRow(
        "US-FL", "Florida Digital Bill of Rights, Fla. Stat. §501.701 et seq.", date(2024, 7, 1),
        45, S, 15, U, 60, U,
        note="applies only to controllers with > $1 billion revenue meeting an extra test (e.g. a "
             "smart speaker or voice assistant service): counsel to confirm Aqara is in scope",
    ),
    # us-states.md Table 1 note 1: future-dated row (Ala. HB 351, 45 + 45 days). The reference
    # gives no appeal term; Choice: an appeal right is assumed (the stricter duty), unverified.
    PrivacyLawRow(
        "US-AL", "Alabama Personal Data Protection Act (HB 351 of 2026)", date(2027, 5, 1),
        45, S, 45, S, None, U,
    ),
)

PRIVACY_LAWS: Mapping[str, PrivacyLawRow] = MappingProxyType({row.code: row for row in _ROWS})
