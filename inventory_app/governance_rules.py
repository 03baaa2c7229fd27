"""Governance clocks and thresholds: pure functions, facts in, dates and decisions out.

No database, no ``now()``. The rules and numbers come from the office's reference
``governance-cn.md`` (called "the reference" below; each rule cites its row, e.g. "§2.9") and the
Governance paragraph of ``legal-rules.md``. A row the reference marks **U** sets ``unverified`` on
what it returns, so the screen says "unverified" wherever it binds a date. Where the text allows
two readings the earlier deadline / stricter duty is taken and marked ``Choice:``.

Working days are the CN calendar of the registry (``privacy_office.jurisdictions``), counted as the
rights-request clocks count them (``requests_app.deadlines.add_working_days``: the day of the event
is not counted, day 1 is the next working day); a count reaching into a year whose State Council
notice the package does not hold yet is ``provisional``.

People counts are de-duplicated natural persons (reference §2 "How to count people").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_noop

from privacy_office import jurisdictions as registry
from requests_app.deadlines import add_working_days, calendar_is_provisional, is_working_day

CN = registry.CN


@dataclass(frozen=True)
class Clock:
    """A dated duty: the last day it can be met on, the rule (a message id) and its source."""

    due_on: date
    rule: str
    citation: str
    unverified: bool = False
    provisional: bool = False
    opens_on: date | None = None  # for a window (a renewal may be applied for only from this day)


def add_years(day: date, years: int, *, feb29_to: str) -> date:
    """``day`` moved by whole years; 29 February lands on 28 Feb or 1 Mar as the caller's reading needs."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return date(day.year + years, 2, 28) if feb29_to == "feb28" else date(day.year + years, 3, 1)


def working_days_after(start: date, n: int) -> tuple[date, bool]:
    """The n-th CN working day after ``start``, and whether that count is provisional."""
    due = add_working_days(start, n, calendar_code=CN)
    return due, calendar_is_provisional(start + timedelta(days=1), due, calendar_code=CN)


def working_days_before(end: date, n: int) -> tuple[date, bool]:
    """The n-th CN working day before ``end`` (``end`` itself not counted), and whether provisional."""
    day, counted = end, 0
    while counted < n:
        day -= timedelta(days=1)
        if is_working_day(day, calendar_code=CN):
            counted += 1
    return day, calendar_is_provisional(day, end - timedelta(days=1), calendar_code=CN)


# --------------------------------------------------------------------------------------------
# 1. Personal information protection impact assessments (PIPL Arts 55–56; GDPR Art. 35)
# --------------------------------------------------------------------------------------------

PIA_RETENTION_YEARS = 3
PIA_REVIEW_MONTHS = 12


def pia_retained_until(report_on: date, *, processing_ended_on: date | None = None) -> date:
    """Keep the report at least until this day (§1.3: PIPL Art. 56(2), "at least 3 years", V).

    The law gives no start date. Reference's safe reading: 3 years from the later of the report date
    and the end of the processing it covers. Choice: a report of 29 February is kept to 1 March (the
    longer keeping is the stricter duty)."""
    start = max(report_on, processing_ended_on) if processing_ended_on else report_on
    return add_years(start, PIA_RETENTION_YEARS, feb29_to="mar1")


def pia_reassessment_due(changed_on: date) -> Clock:
    """A covered activity changed after approval: the assessment is owed before the changed processing
    goes on (§1.1 "事前", §1.5: redo on a change of purpose, method, PI types, recipients or exports; S).

    Choice: no grace period - due on the day the change was found; the stricter reading of "事前"."""
    return Clock(
        due_on=changed_on,
        rule=gettext_noop("reassessment before the changed processing continues (PIPL Art. 55: beforehand)"),
        citation="governance-cn.md §1.1, §1.5; PIPL Art. 55",
    )


def pia_review_due(approved_on: date) -> Clock:
    """Review an unchanged assessment every 12 months (§1.5: good practice, not law; S)."""
    return Clock(
        due_on=add_years(approved_on, 1, feb29_to="feb28"),
        rule=gettext_noop("yearly review (good practice, not a statutory deadline)"),
        citation="governance-cn.md §1.5",
    )


# --------------------------------------------------------------------------------------------
# 2. Cross-border provision of personal information (PIPL Arts 38–40; 令16 of 22 Mar 2024)
# --------------------------------------------------------------------------------------------

# 令16 Arts 7(2), 8 and 5(4) (reference §2.3–2.5, V). "以上"/"不满" read as the reference gives them:
# at or above the number is the higher band.
PEOPLE_SCC = 100_000
PEOPLE_SECURITY_ASSESSMENT = 1_000_000
SENSITIVE_SCC = 1
SENSITIVE_SECURITY_ASSESSMENT = 10_000


class Mechanism:
    """What the law requires for a destination's transfers this year."""

    EXEMPT = "exempt"
    SCC_OR_CERTIFICATION = "scc_or_certification"
    SECURITY_ASSESSMENT = "security_assessment"
    NEEDS_DECISION = "needs_decision"
    ORDER = (EXEMPT, SCC_OR_CERTIFICATION, NEEDS_DECISION, SECURITY_ASSESSMENT)


class Necessity:
    """令16 Art. 5(1)–(3) exemptions (§2.6, S): truly necessary for …"""

    NONE = ""
    CONTRACT = "contract"  # a contract the individual is party to
    HR = "hr"  # cross-border HR management
    EMERGENCY = "emergency"  # protect life, health or property in an emergency


@dataclass(frozen=True)
class TransferDecision:
    mechanism: str
    reasons: tuple[str, ...]  # message ids
    citations: tuple[str, ...]
    unverified: bool = False


def transfer_mechanism_required(
    *,
    people: int,
    sensitive_people: int,
    cii_operator: bool | None,
    important_data: bool | None,
    necessity: str = Necessity.NONE,
    people_processed: int | None = None,
) -> TransferDecision:
    """The mechanism the law requires, from the counts since 1 January of the current year.

    ``people`` counts every person whose PI was provided abroad; a person whose sensitive PI was
    provided counts in both totals (reference §2 "How to count people"), so ``people`` is taken as
    at least ``sensitive_people``. ``None`` for a flag means not yet assessed: a result that an
    unassessed fact could raise is **needs decision**, never exempt (legal-rules.md 2026-11 principle).
    """
    if people < 0 or sensitive_people < 0:
        raise ValueError("people counts cannot be negative")
    people = max(people, sensitive_people)
    if necessity in (Necessity.CONTRACT, Necessity.HR, Necessity.EMERGENCY):
        # 令16 Art. 5(1)–(3) take precedence even for a CIIO (§2.1 "Arts 3–6 still take precedence").
        return TransferDecision(
            Mechanism.EXEMPT, (gettext_noop("necessity exemption (令16 Art. 5(1)–(3))"),),
            ("governance-cn.md §2.6; 令16 Art. 5",),
        )
    if cii_operator:
        return TransferDecision(Mechanism.SECURITY_ASSESSMENT, (gettext_noop(
            "critical information infrastructure operator: every export"),), ("governance-cn.md §2.1; 令16 Art. 7(1)",))
    if important_data:
        return TransferDecision(Mechanism.SECURITY_ASSESSMENT, (gettext_noop(
            "important data notified or published as such"),), ("governance-cn.md §2.2; 令16 Art. 7(2)",))
    if people >= PEOPLE_SECURITY_ASSESSMENT or sensitive_people >= SENSITIVE_SECURITY_ASSESSMENT:
        return TransferDecision(Mechanism.SECURITY_ASSESSMENT, (gettext_noop(
            "1,000,000 people or 10,000 people's sensitive PI since 1 January"),), ("governance-cn.md §2.3; 令16 Art. 7(2)",))
    if cii_operator is None or important_data is None:
        return TransferDecision(Mechanism.NEEDS_DECISION, (gettext_noop(
            "not yet assessed whether the handler is a CII operator or the data is important data"),),
            ("governance-cn.md §2.1, §2.2",))
    if people >= PEOPLE_SCC or sensitive_people >= SENSITIVE_SCC:
        reasons = [gettext_noop("100,000 people, or any sensitive PI, since 1 January")]
        if people_processed is not None and people_processed >= PEOPLE_SECURITY_ASSESSMENT:
            # §2 choices: whether 令11 Art. 4(2) (≥ 1,000,000 processed) survives 令16 is unconfirmed.
            reasons.append(gettext_noop(
                "1,000,000 people processed in total: whether a security assessment is needed is a decision (令11 Art. 4(2))"))
            return TransferDecision(Mechanism.NEEDS_DECISION, tuple(reasons),
                                    ("governance-cn.md §2.4, §2 choices",), unverified=True)
        return TransferDecision(Mechanism.SCC_OR_CERTIFICATION, tuple(reasons), ("governance-cn.md §2.4; 令16 Art. 8",))
    return TransferDecision(Mechanism.EXEMPT, (gettext_noop(
        "under 100,000 people, no sensitive PI, no important data (notice, separate consent and the PIPIA still apply)"),),
        ("governance-cn.md §2.5; 令16 Art. 5(4), Art. 10",))


@dataclass(frozen=True)
class Crossing:
    threshold: int
    sensitive: bool
    mechanism: str
    on: date | None  # None: not this calendar year at the current rate (the count resets on 1 January)


def threshold_crossings(*, as_of: date, people: int, sensitive_people: int) -> list[Crossing]:
    """When each threshold not yet reached is crossed at the year's average daily rate so far.

    The count runs from 1 January (§2A, V); rate = count / days from 1 January to ``as_of``, both
    counted. The crossing day is the first day the projected count reaches the threshold."""
    people = max(people, sensitive_people)
    days = (as_of - date(as_of.year, 1, 1)).days + 1
    year_end = date(as_of.year, 12, 31)
    found = []
    for threshold, sensitive, mechanism in (
        (PEOPLE_SCC, False, Mechanism.SCC_OR_CERTIFICATION),
        (PEOPLE_SECURITY_ASSESSMENT, False, Mechanism.SECURITY_ASSESSMENT),
        (SENSITIVE_SCC, True, Mechanism.SCC_OR_CERTIFICATION),
        (SENSITIVE_SECURITY_ASSESSMENT, True, Mechanism.SECURITY_ASSESSMENT),
    ):
        count = sensitive_people if sensitive else people
        if count >= threshold:
            continue
        if count == 0:
            found.append(Crossing(threshold, sensitive, mechanism, None))
            continue
        # count + rate * d >= threshold, rate = count / days  →  d >= (threshold - count) * days / count
        more = math.ceil((threshold - count) * days / count)
        on = as_of + timedelta(days=more) if more <= (year_end - as_of).days else None
        found.append(Crossing(threshold, sensitive, mechanism, on))
    return found


def scc_filing_due(effective_on: date) -> Clock:
    """File the standard contract with the provincial CAC within 10 working days of its taking effect
    (§2.9: 令13 Art. 7, V; day 1 is the first working day after the effective date)."""
    due, provisional = working_days_after(effective_on, 10)
    return Clock(due, gettext_noop("standard contract filing: 10 working days from the day it takes effect"),
                 gettext_noop("SCC Measures (CAC Order No. 13) Art. 7"), provisional=provisional)


def security_assessment_expiry(issued_on: date) -> date:
    """The last day a security assessment result is valid (§2.12: 3 years from issue, 令16 Art. 9, V).

    Choice: the issue day counts as the first day, so 3 years end the day before the anniversary
    (the earlier end; the renewal window then opens earlier too)."""
    return add_years(issued_on, 3, feb29_to="feb28") - timedelta(days=1)


def security_assessment_renewal(issued_on: date) -> Clock:
    """Apply for the extension within the 60 working days before expiry (§2.13: 令16 Art. 9, V).

    The window opens on the 60th working day before the expiry day; the last day is the last day
    of validity."""
    expiry = security_assessment_expiry(issued_on)
    opens, provisional = working_days_before(expiry, 60)
    return Clock(expiry, gettext_noop("security assessment extension: within the 60 working days before expiry"),
                 gettext_noop("Cross-Border Data Flow Provisions (CAC Order No. 16) Art. 9"), provisional=provisional, opens_on=opens)


def certification_expiry(issued_on: date) -> date:
    """A PI-protection certificate is valid 3 years (§2.15, S; renewal lead time not confirmed)."""
    return add_years(issued_on, 3, feb29_to="feb28") - timedelta(days=1)


# --------------------------------------------------------------------------------------------
# 3. Compliance audits (PIPL Art. 54; 审计办法, in force 1 May 2025)
# --------------------------------------------------------------------------------------------

AUDIT_MEASURES_IN_FORCE = date(2025, 5, 1)
PEOPLE_AUDIT_TWO_YEARS = 10_000_000
PEOPLE_PIPO = 1_000_000


@dataclass(frozen=True)
class AuditFrequency:
    years: int
    rule: str
    citation: str
    unverified: bool


# Citations a page shows (message ids, translated when read): the law itself, never the reference
# file our rules are taken from (§3.3 rests on the CAC's policy Q&A; §4.3-4.4 on its announcement).
AUDIT_FREQUENCY_QA = gettext_noop("CAC policy Q&A (April 2026)")
PIPO_ANNOUNCEMENT_CITATION = gettext_noop("CAC announcement on reporting PI protection officers (18 July 2025)")


def audit_frequency(people: int) -> AuditFrequency:
    """How often a compliance audit is due from the number of people whose PI is handled.

    §3.2 (S): more than 10,000,000 → at least every 2 years; Choice (§3 choices): at 10,000,000 too.
    §3.3 (U): 1,000,000–10,000,000 → every 3 or 4 years; Choice: 3 (the earlier). Below → 5 years (U).
    """
    if people >= PEOPLE_AUDIT_TWO_YEARS:
        return AuditFrequency(2, gettext_noop("10,000,000 people or more: at least every 2 years"),
                              gettext_noop("PIPL Art. 54; Compliance Audit Measures (CAC Order No. 18)"), unverified=False)
    if people >= PEOPLE_PIPO:
        return AuditFrequency(3, gettext_noop("1,000,000 to 10,000,000 people: every 3 years (the earlier of 3 or 4)"),
                              AUDIT_FREQUENCY_QA, unverified=True)
    return AuditFrequency(5, gettext_noop("under 1,000,000 people: every 5 years"), AUDIT_FREQUENCY_QA,
                          unverified=True)


def next_audit_due(*, people: int, last_report_on: date | None, cycle_start: date | None = None) -> Clock:
    """The next periodic audit's report is due this day.

    After an audit: its report date + the frequency (§3.2 safe clock). Before the first: the cycle
    starts on 1 May 2025 or, if later, the day the count first reached the tier (``cycle_start``)."""
    frequency = audit_frequency(people)
    if last_report_on is not None:
        start = last_report_on
    else:
        start = max(AUDIT_MEASURES_IN_FORCE, cycle_start or AUDIT_MEASURES_IN_FORCE)
    return Clock(add_years(start, frequency.years, feb29_to="feb28"), frequency.rule, frequency.citation,
                 unverified=frequency.unverified)


def rectification_report_due(rectified_on: date) -> Clock:
    """After a regulator-ordered audit: the rectification report within 15 working days after the
    rectification is complete (§3.4, U)."""
    due, provisional = working_days_after(rectified_on, 15)
    return Clock(due, gettext_noop("rectification report: 15 working days after rectification is complete"),
                 gettext_noop("PIPL Art. 64(1); Compliance Audit Measures (CAC Order No. 18)"), unverified=True, provisional=provisional)


# --------------------------------------------------------------------------------------------
# 4. The personal information protection officer (PIPL Art. 52; CAC announcement of 18 Jul 2025)
# --------------------------------------------------------------------------------------------

PIPO_ANNOUNCEMENT = date(2025, 7, 18)
PIPO_ANNOUNCEMENT_DUE = date(2025, 8, 29)
PEOPLE_LARGE_HANDLER = 10_000_000


def pipo_required(people: int) -> bool:
    """§4.1 (S): handlers of PI of 1,000,000 people or more ("以上" includes the number)."""
    return people >= PEOPLE_PIPO


def pipo_first_report_due(reached_on: date) -> Clock:
    """Report the officer to the city-level CAC within 30 working days from the day the count
    reaches 1,000,000 (§4.3, S; §4 choices: that day is day 0). Handlers already over the line on
    18 July 2025: by 29 August 2025."""
    if reached_on <= PIPO_ANNOUNCEMENT:
        return Clock(PIPO_ANNOUNCEMENT_DUE, gettext_noop("officer report: handlers over 1,000,000 people on 18 July 2025"),
                     PIPO_ANNOUNCEMENT_CITATION)
    due, provisional = working_days_after(reached_on, 30)
    return Clock(due, gettext_noop("officer report: 30 working days from the day the count reaches 1,000,000"),
                 PIPO_ANNOUNCEMENT_CITATION, provisional=provisional)


def pipo_change_report_due(changed_on: date) -> Clock:
    """A material change of the reported officer information: report within 30 working days (§4.4, S)."""
    due, provisional = working_days_after(changed_on, 30)
    return Clock(due, gettext_noop("officer change report: 30 working days from the change"),
                 PIPO_ANNOUNCEMENT_CITATION, provisional=provisional)


@dataclass(frozen=True)
class ThresholdDuty:
    code: str
    label: str  # message id
    citation: str
    clock: Clock | None = None
    unverified: bool = False


def threshold_duties(*, people: int, reached_pipo_on: date | None, reached_large_on: date | None,
                     minors: bool = False, pipo_changed_on: date | None = None) -> list[ThresholdDuty]:
    """The duties the number of people handled brings, each with its clock where the law gives one."""
    duties = []
    if pipo_required(people):
        duties.append(ThresholdDuty("pipo_designate", gettext_noop("designate a PI protection officer and publish the contact"),
                                    "PIPL Art. 52"))
        if reached_pipo_on is not None:
            duties.append(ThresholdDuty("pipo_report", gettext_noop("report the officer to the city-level CAC"),
                                        PIPO_ANNOUNCEMENT_CITATION, clock=pipo_first_report_due(reached_pipo_on)))
        if pipo_changed_on is not None:
            duties.append(ThresholdDuty("pipo_change_report", gettext_noop("report the change of officer information"),
                                        "governance-cn.md §4.4", clock=pipo_change_report_due(pipo_changed_on)))
    if people >= PEOPLE_LARGE_HANDLER:
        # 条例 Art. 28 (V): from the day the count is reached; no day-count of its own.
        duties.append(ThresholdDuty("large_handler", gettext_noop(
            "10,000,000 people: network data security officer and management body (条例 Arts 28, 30, 32)"),
            "Network Data Security Regulations Art. 28"))
    if minors:
        # §3.8 (S): every year; reporting "及时"; own default 31 January of the next year (not law).
        duties.append(ThresholdDuty("minors_audit", gettext_noop("yearly audit of minors' PI, reported in time"),
                                    "Regulations on the Online Protection of Minors Art. 37", unverified=True))
    return duties
