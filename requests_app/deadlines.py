"""Legal clocks for rights requests (DSARs): pure functions, dates in, dates out.

No database, no ``now()``, no Django import; every rule carries its citation. The facts and the
project's choices come from ``../shared/reference/legal-rules.md`` (called "the reference" below;
its **Choice** rows are our contract), its 2026-11 update and the tables beside it
(``us-states.md``, ``eu-uk-product.md``). Where the reference is silent, the choice made here is
marked ``Choice:`` so a lawyer can find and change it in one place. Jurisdictions (codes, time
zones, working-day calendars) come from the one registry, ``privacy_office/jurisdictions.py``;
the US state laws are rows in ``requests_app/us_states.py``.

General principles (reference, "General principles" and the 2026-11 update):
* A case is due on the EARLIEST of every obligation that applies: the statute of the jurisdiction
  and Aqara's own published commitments (seed policies 000 and 003). ``DueDate.rule`` names the
  obligation that bound the case; ``DueDate.candidates`` lists every obligation considered.
* Where the law allows two readings and no regulator has published one, the earlier deadline is
  taken and ``DueDate.notes`` says which reading was taken.
* A rule the reference marks U (unverified) that binds the date sets ``DueDate.unverified``; the
  reason is in ``DueDate.notes``.
* Callers pass LOCAL calendar dates (the jurisdiction's time zone), never datetimes:
  :func:`receipt_date` turns a stored UTC instant into the receipt date.
* A resident of a US state is filed under that state ("US-TX"): ``us_resident_response_due``
  takes the state's comprehensive privacy law, if one is in force, and Aqara's own commitment;
  with no such law only Aqara's commitment applies (counted from receipt, Choice).
* Working days come from the ``holidays`` package. A count that reaches into a year whose official
  calendar the package does not hold yet is flagged ``provisional`` - never silently guessed.
* Day counting: the day of the triggering event is not counted; day 1 is the next day (Reg. 1182/71
  Art. 3(1); PRC Civil Code Art. 201; Cal. Code Civ. Proc. §12). Exceptions, each cited: the US
  state 45-day responses (CCPA included) and the UK complaint acknowledgement count the receipt
  day as day 1.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from privacy_office import jurisdictions as registry

from .us_states import PRIVACY_LAWS, SHORTEST_APPEAL_DAYS, U, PrivacyLawRow

# --------------------------------------------------------------------------------------------
# Codes (aliases of the registry, kept for the models and services that import them from here)
# --------------------------------------------------------------------------------------------

CN = registry.CN
EU = registry.EU
UK = registry.UK
US_CA = registry.US_CA
SG = registry.SG
KR = registry.KR
RU = registry.RU
BR = registry.BR
JP = registry.JP
# Jurisdictions whose statute ``response_due`` computes (the case jurisdictions plus Japan).
JURISDICTIONS = registry.codes_with(registry.RIGHTS_REQUESTS)

ACCESS = "access"
CORRECTION = "correction"
DELETION = "deletion"
RESTRICTION = "restriction"
OBJECTION = "objection"
PORTABILITY = "portability"
WITHDRAW_CONSENT = "withdraw_consent"
EXPLANATION = "explanation"
AUTOMATED_DECISION_REVIEW = "automated_decision_review"
ACCOUNT_CANCELLATION = "account_cancellation"
DECEASED_RELATIVE = "deceased_relative"
CCPA_OPT_OUT = "ccpa_opt_out"
CCPA_LIMIT_SENSITIVE = "ccpa_limit_sensitive"
COMPLAINT = "complaint"
CONFIRMATION = "confirmation"  # LGPD Art. 18(I), 19(I): confirmation that processing exists
OPT_OUT = "opt_out"  # US state laws: opt out of sale, targeted advertising or profiling
APPEAL = "appeal"  # US state laws: appeal against a refusal
REQUEST_TYPES = (
    ACCESS,
    CORRECTION,
    DELETION,
    RESTRICTION,
    OBJECTION,
    PORTABILITY,
    WITHDRAW_CONSENT,
    EXPLANATION,
    AUTOMATED_DECISION_REVIEW,
    ACCOUNT_CANCELLATION,
    DECEASED_RELATIVE,
    CCPA_OPT_OUT,
    CCPA_LIMIT_SENSITIVE,
    COMPLAINT,
    CONFIRMATION,
    OPT_OUT,
    APPEAL,
)

# Which request types each jurisdiction has. The reference lists the union of types (seeds + laws);
# the split per jurisdiction is our Choice:
_GDPR_TYPES = (
    # GDPR Arts 15-22 (Art. 12(3) clock) plus withdrawal of consent (Art. 7(3)); Choice: withdrawal
    # has no own deadline, so it runs on the Art. 12(3) month like the rights it usually triggers.
    ACCESS,
    CORRECTION,
    DELETION,
    RESTRICTION,
    OBJECTION,
    PORTABILITY,
    WITHDRAW_CONSENT,
    AUTOMATED_DECISION_REVIEW,
)
TYPES_BY_JURISDICTION: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # PIPL Arts 44-50 (restrict/refuse = restriction/objection, Art. 45 portability, Art. 48
        # explanation of processing rules, Art. 49 deceased person's close relatives), Art. 15
        # withdrawal, Art. 24 automated decisions, account cancellation (注销) from seed 000 and the
        # 2019 CAC/MIIT App认定方法; complaints/enquiries from seed 000 §十.
        CN: (
            ACCESS,
            CORRECTION,
            DELETION,
            RESTRICTION,
            OBJECTION,
            PORTABILITY,
            WITHDRAW_CONSENT,
            EXPLANATION,
            AUTOMATED_DECISION_REVIEW,
            ACCOUNT_CANCELLATION,
            DECEASED_RELATIVE,
            COMPLAINT,
        ),
        EU: _GDPR_TYPES,
        # UK: the GDPR types plus complaints to the controller (DPA 2018 s.164A, from 19 Jun 2026).
        UK: (*_GDPR_TYPES, COMPLAINT),
        # CCPA rights to know (incl. portable copy), delete, correct (11 CCR §7021), opt out of
        # sale/sharing (§7026) and limit sensitive PI (§7027). The CCPA types exist only here.
        US_CA: (ACCESS, CORRECTION, DELETION, CCPA_OPT_OUT, CCPA_LIMIT_SENSITIVE),
        # PDPA s.21 access, s.22 correction, s.16 withdrawal. Choice: the reference gives the 30-day
        # clock for access only; we apply it to correction and withdrawal too.
        SG: (ACCESS, CORRECTION, WITHDRAW_CONSENT),
        # PIPA Art. 35 access, Art. 36 correction/deletion, Art. 37 suspension (= restriction).
        # Choice: the reference gives 10 days for access; we apply it to Arts 36-37 too.
        KR: (ACCESS, CORRECTION, DELETION, RESTRICTION),
        # 152-FZ Art. 20(1) access; Art. 20(3) change (correction) or destroy (deletion);
        # Art. 21(1) blocking (= restriction); Art. 21(5.1) demand to stop processing (= objection);
        # Art. 21(5) withdrawal of consent.
        RU: (ACCESS, CORRECTION, DELETION, RESTRICTION, OBJECTION, WITHDRAW_CONSENT),
        # LGPD Art. 18 rights. Choice: Art. 18 §5 leaves the period to ANPD regulation, not yet set,
        # so every type runs on the Art. 19 15-day period for access; Art. 19(I) simplified
        # confirmation is "immediately".
        BR: (
            ACCESS,
            CORRECTION,
            DELETION,
            RESTRICTION,
            OBJECTION,
            PORTABILITY,
            WITHDRAW_CONSENT,
            AUTOMATED_DECISION_REVIEW,
            CONFIRMATION,
        ),
        # APPI Arts 33 (disclosure, incl. third-party-provision records), 34 (correction, addition,
        # deletion), 35 (cessation of use or deletion; cessation of third-party provision).
        JP: (ACCESS, CORRECTION, DELETION, OBJECTION),
    }
)

# US state laws (us-states.md Table 1): the types every state law has; California also has the
# CCPA's own opt-out types.
US_STATE_REQUEST_TYPES = (ACCESS, CORRECTION, DELETION, PORTABILITY, OPT_OUT, WITHDRAW_CONSENT, APPEAL)

# A US resident files under their state ("US-TX"): every US state, DC and PR of the registry (each has
# a breach law, so the registry's US_STATE_BREACH set lists them all). California's CCPA is a
# statute of ``response_due`` above; the other states are computed by ``us_resident_response_due``.
_US_CODES = registry.codes_with(registry.US_STATE_BREACH)
US_RESIDENT_JURISDICTIONS = tuple(code for code in _US_CODES if code not in TYPES_BY_JURISDICTION)
# Every jurisdiction a rights request can be filed under (the models' choices, in this order).
CASE_JURISDICTIONS = (*(code for code in JURISDICTIONS if code not in _US_CODES), *_US_CODES)

# Choice: a resident of a state with no comprehensive privacy law in force on the day of receipt
# (us-states.md Table 1) has the rights Aqara's global policy offers (seed 003, "Your Rights":
# access, correction, deletion, restriction, transfer, opt-out of targeted advertising, withdrawal
# of consent, human intervention in automated decisions); no statutory appeal exists there.
AQARA_003_TYPES = (
    ACCESS,
    CORRECTION,
    DELETION,
    RESTRICTION,
    PORTABILITY,
    OPT_OUT,
    WITHDRAW_CONSENT,
    AUTOMATED_DECISION_REVIEW,
)

_CCPA_OPT_OUT_TYPES = (CCPA_OPT_OUT, CCPA_LIMIT_SENSITIVE)
_CCPA_KNOW_DELETE_CORRECT = (ACCESS, CORRECTION, DELETION)

# DPA 2018 s.164A, inserted by DUAA 2025 s.103, in force 19 Jun 2026 (SI 2026/82 reg. 3).
UK_COMPLAINTS_IN_FORCE = date(2026, 6, 19)

# Result kinds: a legal last day; due at once (due_on = the receipt day); or no fixed legal day
# (due_on is then the project's Choice of an outer date, named in ``rule``).
DATE = "date"
IMMEDIATELY = "immediately"
WITHOUT_UNDUE_DELAY = "without_undue_delay"


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueDate:
    due_on: date
    rule: str  # citation of the obligation that bound ``due_on``
    # True when a working-day count or roll-forward reached into a year whose official calendar
    # the ``holidays`` package does not hold yet (for any obligation considered).
    provisional: bool = False
    candidates: tuple[tuple[date, str], ...] = ()  # every (due_on, rule) considered, in order
    # The un-extended due date (== due_on unless extended=True).
    original_due_on: date | None = None
    # Last day an extension notice can be sent (= original_due_on); None where no extension exists.
    extension_deadline: date | None = None
    # Day the statutory clock started (UK: the relevant time); None while the UK clock waits for
    # identity proof that was asked for and has not arrived.
    clock_started_on: date | None = None
    paused_days: int = 0  # days not counted for clarification (UK access requests only)
    extended: bool = False
    kind: str = DATE  # DATE | IMMEDIATELY | WITHOUT_UNDUE_DELAY (of the binding obligation)
    # True when the binding obligation rests on a rule the reference marks U (unverified).
    unverified: bool = False
    # Readings taken, unverified reasons and waits, in the order they arose (English; the
    # caller stores or translates them).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Receipt:
    received_on: date
    reading: str  # which local date was taken, and why


# --------------------------------------------------------------------------------------------
# Working-day calendars (the registry's; the breach module reuses them)
# --------------------------------------------------------------------------------------------

CALENDAR_CODES = tuple(registry.REGISTRY)


def _check_calendar_code(calendar_code: str) -> None:
    if calendar_code not in registry.REGISTRY:
        raise ValueError(
            f"Unknown calendar code {calendar_code!r}; expected one of {', '.join(CALENDAR_CODES)}."
        )


def _new_calendar(calendar_code: str) -> holidays.HolidayBase:
    _check_calendar_code(calendar_code)
    return registry.get(calendar_code).calendar()


def _is_working_day_in(cal: holidays.HolidayBase, day: date) -> bool:
    # A make-up working day can be decreed in the NEXT year's notice (e.g. CN Sat 2001-12-29 came
    # from the 2002 notice), so load the following year before asking.
    date(day.year + 1, 1, 1) in cal  # noqa: B015 - populates the year as a side effect
    return cal.is_working_day(day)


def is_working_day(day: date, *, calendar_code: str) -> bool:
    """True if ``day`` is a working day (weekday not a public holiday, or a make-up working day)."""
    _check_date(day, "day")
    return _is_working_day_in(_new_calendar(calendar_code), day)


def add_working_days(start: date, n: int, *, calendar_code: str) -> date:
    """The n-th working day after ``start`` (``start`` itself is not counted; n=0 returns start)."""
    _check_date(start, "start")
    if n < 0:
        raise ValueError(f"n must be zero or positive, got {n}.")
    cal = _new_calendar(calendar_code)
    day = start
    for _ in range(n):
        day += timedelta(days=1)
        while not _is_working_day_in(cal, day):
            day += timedelta(days=1)
    return day


def is_provisional_year(year: int, *, calendar_code: str) -> bool:
    """True if the package has no official working-day calendar for ``year`` yet."""
    cal = _new_calendar(calendar_code)
    if calendar_code in registry.DECREED_YEARS:
        return year not in registry.DECREED_YEARS[calendar_code]
    if not cal.start_year <= year <= cal.end_year:
        return True
    # Otherwise trust the package's own flag: it labels holidays it had to estimate (e.g. SG's
    # lunar/Islamic holidays beyond the gazetted years) with its "estimated" marker.
    marker = cal.tr(getattr(cal, "estimated_label", "") or "").replace("%s", "").strip(" ()（）")
    if not marker:
        return False
    date(year, 1, 1) in cal  # noqa: B015 - populates the year
    return any(marker in name for day, name in cal.items() if day.year == year)


def calendar_is_provisional(first: date, last: date, *, calendar_code: str) -> bool:
    """True if any year from ``first`` to ``last`` (inclusive) is a provisional calendar year."""
    return any(
        is_provisional_year(year, calendar_code=calendar_code)
        for year in range(first.year, last.year + 1)
    )


# --------------------------------------------------------------------------------------------
# Receipt date
# --------------------------------------------------------------------------------------------


def receipt_date(
    received_at: datetime, *, jurisdiction: str, requester_time_zone: str | None = None
) -> Receipt:
    """The local receipt date of a request that arrived at the UTC instant ``received_at``.

    Choice (legal-rules.md 2026-11 principle, its own example for the EU): where the requester's
    local date and the office's (the jurisdiction's time zone, EU: Europe/Berlin) differ, the
    EARLIER date is the receipt date - the earlier deadline. Applied to every jurisdiction alike."""
    if not isinstance(received_at, datetime) or received_at.utcoffset() is None:
        raise ValueError(f"received_at must be a timezone-aware datetime, got {received_at!r}.")
    office = registry.get(jurisdiction)
    office_day = received_at.astimezone(office.zone).date()
    if not requester_time_zone:
        return Receipt(office_day, f"receipt date in the office's time zone ({office.time_zone})")
    try:
        requester_zone = ZoneInfo(requester_time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Unknown time zone {requester_time_zone!r} for the requester.") from None
    requester_day = received_at.astimezone(requester_zone).date()
    if requester_day < office_day:
        return Receipt(
            requester_day,
            f"receipt date in the requester's time zone ({requester_time_zone}: {requester_day}), "
            f"earlier than the office's ({office.time_zone}: {office_day}); the earlier reading",
        )
    return Receipt(
        office_day,
        f"receipt date in the office's time zone ({office.time_zone}: {office_day}), not later "
        f"than the requester's ({requester_time_zone}: {requester_day}); the earlier reading",
    )


# --------------------------------------------------------------------------------------------
# Counting helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    due_on: date
    rule: str
    provisional: bool = False
    kind: str = DATE
    unverified: bool = False
    notes: tuple[str, ...] = ()


def _add_months(start: date, months: int) -> date:
    """Same-numbered day ``months`` later, or that month's last day if it has none
    (Reg. 1182/71 Art. 3(2)(c); 31 Jan + 1 month -> 28/29 Feb). Always counted from ``start``,
    so 31 Jan + 3 months is 30 Apr, not 28 Apr."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _roll_to_working_day(day: date, calendar_code: str) -> tuple[date, bool]:
    """Reg. 1182/71 Art. 3(4) / ICO: a period ending on a Sat, Sun or public holiday ends on the
    next working day. Returns (date, provisional)."""
    cal = _new_calendar(calendar_code)
    rolled = day
    while not _is_working_day_in(cal, rolled):
        rolled += timedelta(days=1)
    return rolled, calendar_is_provisional(day, rolled, calendar_code=calendar_code)


def _working_days_after(start: date, n: int, calendar_code: str) -> tuple[date, bool]:
    due = add_working_days(start, n, calendar_code=calendar_code)
    first_counted = start + timedelta(days=1)
    return due, calendar_is_provisional(first_counted, due, calendar_code=calendar_code)


def _merged_pauses(pauses: tuple[tuple[date, date], ...]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for start, end in sorted(pauses):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _apply_pauses(clock_start: date, raw_due: date, pauses) -> tuple[date, int]:
    """UK GDPR Art. 12A (cf. DPA 2018 s.54(3C)-(3D)): "the period beginning with the day on which
    the controller requests the information and ending with the day on which it is received"
    does not count - both end days excluded, so a pause adds (answer day - asking day + 1) days.
    Only the part from the clock start counts, and a pause that begins after the (already
    pushed) due date is ignored."""
    paused = 0
    for start, end in _merged_pauses(pauses):
        start = max(start, clock_start)
        if end < start or start > raw_due + timedelta(days=paused):
            continue
        paused += (end - start).days + 1
    return raw_due + timedelta(days=paused), paused


# --------------------------------------------------------------------------------------------
# Request and validation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    jurisdiction: str
    request_type: str
    received_on: date
    verified_on: date | None
    pauses: tuple[tuple[date, date], ...]
    extended: bool
    identity_requested_on: date | None = None
    identity_received_on: date | None = None
    fee_paid_on: date | None = None


def _check_date(value, name: str) -> None:
    # datetime is a subclass of date: refuse it, the caller must convert the UTC instant to the
    # jurisdiction's local date first (receipt_date).
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a local calendar date (datetime.date), got {value!r}.")


def state_privacy_law_in_force(code: str, received_on: date | None) -> PrivacyLawRow | None:
    """The state's comprehensive privacy-law row (us-states.md Table 1), if it has one in force on
    ``received_on`` (any, when None); None otherwise."""
    row = PRIVACY_LAWS.get(code)
    if row is None or (received_on is not None and received_on < row.in_force):
        return None
    return row


def request_types(jurisdiction: str, *, received_on: date | None = None) -> tuple[str, ...]:
    """The request types a case filed under ``jurisdiction`` can have (received on ``received_on``).

    A US state's types depend on whether its comprehensive privacy law is in force on the day of
    receipt: the state law's types (an appeal only where the law gives one, us-states.md Table 1),
    else Aqara's policy-003 types (``AQARA_003_TYPES``). Without ``received_on`` a state with a
    law answers with the law's types."""
    if jurisdiction in TYPES_BY_JURISDICTION:
        return TYPES_BY_JURISDICTION[jurisdiction]
    if jurisdiction not in US_RESIDENT_JURISDICTIONS:
        raise ValueError(
            f"Unknown jurisdiction {jurisdiction!r}; expected one of {', '.join(JURISDICTIONS)} "
            "or a US state (US-TX, ...)."
        )
    if received_on is not None:
        _check_date(received_on, "received_on")
    row = state_privacy_law_in_force(jurisdiction, received_on)
    if row is None:
        return AQARA_003_TYPES
    return tuple(t for t in US_STATE_REQUEST_TYPES if t != APPEAL or row.appeal_right)


def _check_request(jurisdiction: str, request_type: str, received_on: date) -> None:
    types = request_types(jurisdiction, received_on=received_on)
    _check_date(received_on, "received_on")
    if request_type not in REQUEST_TYPES:
        raise ValueError(
            f"Unknown request type {request_type!r}; expected one of {', '.join(REQUEST_TYPES)}."
        )
    if request_type not in types:
        raise ValueError(
            f"Request type {request_type!r} does not exist in jurisdiction {jurisdiction!r}; "
            f"it has: {', '.join(types)}."
        )
    if jurisdiction == UK and request_type == COMPLAINT and received_on < UK_COMPLAINTS_IN_FORCE:
        raise ValueError(
            f"UK complaints to the controller (DPA 2018 s.164A) apply from "
            f"{UK_COMPLAINTS_IN_FORCE}; this one was received on {received_on}."
        )


def _check_after(value: date | None, name: str, earliest: date, earliest_name: str) -> None:
    if value is None:
        return
    _check_date(value, name)
    if value < earliest:
        raise ValueError(f"{name} ({value}) is before {earliest_name} ({earliest}).")


def _check_verification(received_on: date, verified_on: date | None) -> None:
    if verified_on is None:
        return
    _check_date(verified_on, "verified_on")
    if verified_on < received_on:
        raise ValueError(
            f"verified_on ({verified_on}) is before received_on ({received_on}); "
            "identity cannot be verified before the request is received."
        )


def _check_identity(received_on, identity_requested_on, identity_received_on, fee_paid_on) -> None:
    _check_after(identity_requested_on, "identity_requested_on", received_on, "received_on")
    if identity_received_on is not None and identity_requested_on is None:
        raise ValueError(
            "identity_received_on is given but identity_requested_on is not: only identity "
            "proof that was asked for moves the UK clock (UK GDPR Art. 12A)."
        )
    if identity_requested_on is not None:
        _check_after(identity_received_on, "identity_received_on", identity_requested_on,
                     "identity_requested_on")
    _check_after(fee_paid_on, "fee_paid_on", received_on, "received_on")


def _check_pauses(received_on: date, pauses) -> tuple[tuple[date, date], ...]:
    checked = []
    for pause in pauses:
        try:
            start, end = pause
        except (TypeError, ValueError):
            raise ValueError(f"Each pause must be a (start, end) pair of dates, got {pause!r}.")
        _check_date(start, "pause start")
        _check_date(end, "pause end")
        if end < start:
            raise ValueError(f"Pause ends ({end}) before it starts ({start}).")
        if start < received_on:
            raise ValueError(
                f"Pause starts ({start}) before the request was received ({received_on})."
            )
        checked.append((start, end))
    return tuple(checked)


def _extension_available(jurisdiction: str, request_type: str) -> bool:
    # GDPR / UK GDPR Art. 12(3): +2 months for any request (not a s.164A complaint). 11 CCR
    # §7021(b): +45 days for know/delete/correct; §7026(f)/§7027(g) give none for opt-out/limit.
    # 152-FZ Art. 20(1): +5 working days for access; Art. 21(5.1): +5 for a demand to stop
    # processing. Choice: CN (none stated), BR (none), SG ("tell the requester when", PDP Regs
    # 2021), KR ("postpone with notice", PIPA Art. 35) and JP (no period) have no extension we can
    # compute - the new date is whatever the notice says, so the caller must not ask for one.
    if jurisdiction == EU:
        return True
    if jurisdiction == UK:
        return request_type != COMPLAINT
    if jurisdiction == US_CA:
        return request_type in _CCPA_KNOW_DELETE_CORRECT
    if jurisdiction == RU:
        return request_type in (ACCESS, OBJECTION)
    return False


def _check_extension(jurisdiction: str, request_type: str) -> None:
    if _extension_available(jurisdiction, request_type):
        return
    if jurisdiction in (US_CA, RU, UK):
        raise ValueError(
            f"No extension exists for {request_type!r} requests in {jurisdiction!r}."
        )
    raise ValueError(
        f"No extension exists in {jurisdiction!r}: the reference states no extendable period "
        "(any postponement is set by a notice to the requester, not computed here)."
    )


# --------------------------------------------------------------------------------------------
# Aqara's own commitments (seed policies)
# --------------------------------------------------------------------------------------------

_AQARA_003_RULE = "Aqara policy 003 'Your Rights': one month after validation"


def _aqara_global_one_month(req: _Request) -> list[_Candidate]:
    """Seed 003: 'respond to all legitimate, validated requests within one month'. Choices:
    * it counts from validation (verified_on) and is not a candidate until identity is verified;
    * it drops out when extended=True - 003 itself allows longer for complex requests, with notice;
    * 'or as otherwise required by law': in EU/UK the month is counted and rolled as the law
      counts it (then it can never beat the statute); elsewhere a plain calendar month, no roll
      (the earlier, safer reading);
    * in the UK a clarification pause stops it exactly where it stops the statute (access only).
    Seed 003 is the global policy, so it applies in every jurisdiction except CN (seed 000)."""
    if req.verified_on is None or req.extended:
        return []
    if req.jurisdiction == EU:
        due, provisional = _roll_to_working_day(_add_months(req.verified_on, 1), EU)
        return [_Candidate(due, _AQARA_003_RULE + "; Reg. 1182/71 Art. 3(4)", provisional)]
    if req.jurisdiction == UK:
        raw, _ = _apply_pauses(req.verified_on, _add_months(req.verified_on, 1), _uk_pauses(req))
        due, provisional = _roll_to_working_day(raw, UK)
        return [_Candidate(due, _AQARA_003_RULE + "; ICO guidance", provisional)]
    return [_Candidate(_add_months(req.verified_on, 1), _AQARA_003_RULE)]


def _aqara_cn_15_days_after_verification(req: _Request) -> list[_Candidate]:
    """Seed 000 §七.9: reply 'within 15 days after receiving your request and verifying your
    identity' (收到您反馈并验证您的身份后的 15 天内). Calendar days, day 1 = the day after
    verification (PRC Civil Code Art. 201). Choice: no roll over holidays (Civil Code Art. 203
    would allow it; our own promise is read the stricter way). No candidate before verification:
    the guidance cap then binds (reference CN row)."""
    if req.verified_on is None:
        return []
    return [
        _Candidate(
            req.verified_on + timedelta(days=15),
            "Aqara policy 000 §7.9: 15 days after identity verified",
        )
    ]


# --------------------------------------------------------------------------------------------
# Statutory rules, one per jurisdiction
# --------------------------------------------------------------------------------------------


def _eu(req: _Request) -> list[_Candidate]:
    """GDPR Art. 12(3): one month from receipt, +2 months (3 months from the same start) when
    extended. Counted per Reg. 1182/71 Art. 3: starts the day after receipt, ends on the same-
    numbered day, rolls past Sat/Sun/public holidays (DE calendar) to the next working day.
    Choice: GDPR has no stop-the-clock, so pauses are ignored here (validated, not applied)."""
    months = 3 if req.extended else 1
    due, provisional = _roll_to_working_day(_add_months(req.received_on, months), EU)
    rule = "GDPR Art. 12(3); Reg. 1182/71 Art. 3(4)"
    if req.extended:
        rule = "GDPR Art. 12(3) extended +2 months; Reg. 1182/71 Art. 3(4)"
    return [_Candidate(due, rule, provisional), *_aqara_global_one_month(req)]


def _uk_relevant_time(req: _Request) -> date | None:
    """UK GDPR Art. 12A: the "relevant time" is the latest of (a) receipt of the request, (b)
    receipt of the information requested to confirm identity - only if it was requested, and the
    day it ARRIVES, not the day staff decide - and (c) payment of a fee where one is charged.
    None while identity proof was asked for and has not arrived: the clock has not started."""
    if req.identity_requested_on is not None and req.identity_received_on is None:
        return None
    return max(
        day for day in (req.received_on, req.identity_received_on, req.fee_paid_on) if day is not None
    )


def _uk_pauses(req: _Request) -> tuple[tuple[date, date], ...]:
    # Art. 12A (cf. DPA 2018 s.54(3C)): the clarification stop-the-clock is for access (Art. 15)
    # requests only; other types' clocks keep running while the requester clarifies.
    return req.pauses if req.request_type == ACCESS else ()


def _uk_complaint(req: _Request) -> list[_Candidate]:
    """DPA 2018 s.164A(3): acknowledge "within the period of 30 days beginning when the
    complaint is received" - the receipt day is day 1 (reference Choice, the statute's wording,
    stricter than the ICO's day-after count), so due = receipt + 29, no roll. s.164A(4)-(5):
    respond, make enquiries, keep the complainant informed and give the outcome without undue
    delay - no fixed day, so the acknowledgement is the dated obligation."""
    return [
        _Candidate(
            req.received_on + timedelta(days=29),
            "DPA 2018 s.164A(3): acknowledge within 30 days beginning with receipt; s.164A(4): "
            "respond and give the outcome without undue delay",
            # The response has no fixed day: the acknowledgement is the dated outer limit.
            kind=WITHOUT_UNDUE_DELAY,
        )
    ]


def _uk(req: _Request) -> list[_Candidate]:
    """UK GDPR Art. 12(3) + ICO guidance (Dec 2025): one calendar month (3 months when extended)
    from the relevant time (Art. 12A), counted like the EU rule, rolled past weekends and England
    bank holidays. Clarification pauses (Art. 12A, in force 2026-02-05) push it out for access
    requests. Choice: pauses apply whatever the receipt date; the service records them only from
    5 Feb 2026."""
    if req.request_type == COMPLAINT:
        return _uk_complaint(req)
    start = _uk_relevant_time(req)
    notes: tuple[str, ...] = ()
    if start is None:
        start = req.received_on
        notes = (
            f"identity proof requested on {req.identity_requested_on} has not arrived: the UK "
            "clock restarts on the day it arrives (UK GDPR Art. 12A); shown from receipt until then",
        )
    months = 3 if req.extended else 1
    pauses = _uk_pauses(req)
    raw, paused = _apply_pauses(start, _add_months(start, months), pauses)
    due, provisional = _roll_to_working_day(raw, UK)
    rule = "UK GDPR Art. 12(3); ICO guidance (Dec 2025)"
    if req.extended:
        rule = "UK GDPR Art. 12(3) extended +2 months; ICO guidance (Dec 2025)"
    if paused:
        rule += "; UK GDPR Art. 12A"
    if req.pauses and not pauses:
        notes += (
            "clarification pause not counted: the UK GDPR Art. 12A stop-the-clock applies to "
            "access requests only",
        )
    return [_Candidate(due, rule, provisional, notes=notes), *_aqara_global_one_month(req)]


def _cn(req: _Request) -> list[_Candidate]:
    """PIPL Arts 44-50 say only 'promptly' (及时). Reference CN row: the 2019 CAC/MIIT App认定方法
    caps handling at 15 working days from receipt (CN calendar with make-up working weekends);
    seed 000 §七.9 adds 15 days after verification. Complaints/enquiries: seed 000 §十, 15 working
    days (the same guidance cap). Choice: pauses are ignored in CN (none stated), no extension."""
    due, provisional = _working_days_after(req.received_on, 15, CN)
    if req.request_type == COMPLAINT:
        return [
            _Candidate(
                due,
                "Aqara policy 000 §10: 15 working days; CAC/MIIT 2019 App Identification Methods",
                provisional,
            )
        ]
    guidance = _Candidate(
        due,
        "PIPL Arts 44-50; NDSMR Art. 23; CAC/MIIT 2019 App Identification Methods: 15 working days",
        provisional,
    )
    return [guidance, *_aqara_cn_15_days_after_verification(req)]


def _us_ca(req: _Request) -> list[_Candidate]:
    """CCPA, numbers from the California row of us-states.md Table 1 (requests_app/us_states.py).
    Know/delete/correct: 45 calendar days from receipt regardless of verification (11 CCR
    §7021(b); Civ. Code §1798.130(a)(2)); reference Choice: receipt day is day 1, so due = receipt
    + 44 days; extended once by 45 days (90 in total = receipt + 89), no roll. Opt-out of
    sale/sharing (11 CCR §7026(f)) and limit sensitive PI (§7027(g); the reference files both
    under §7026(f)): 15 business days from receipt, day 1 = the next day (Cal. Code Civ. Proc.
    §12). Choice: pauses are ignored (CCPA has none)."""
    row = PRIVACY_LAWS[US_CA]
    if req.request_type in _CCPA_OPT_OUT_TYPES:
        due, provisional = _working_days_after(req.received_on, row.opt_out_business_days, US_CA)
        section = "§7026(f)" if req.request_type == CCPA_OPT_OUT else "§7027(g)"
        return [_Candidate(due, f"11 CCR {section}: 15 business days", provisional)]
    if req.extended:
        statute = _Candidate(
            req.received_on + timedelta(days=row.response_days + row.extension_days - 1),
            "11 CCR §7021(b) extended +45 days; Civ. Code §1798.130(a)(2)",
        )
    else:
        statute = _Candidate(
            req.received_on + timedelta(days=row.response_days - 1),
            "11 CCR §7021(b); Civ. Code §1798.130(a)(2)",
        )
    return [statute, *_aqara_global_one_month(req)]


def _sg(req: _Request) -> list[_Candidate]:
    """PDPA s.21; PDP Regs 2021: 30 calendar days from receipt. Choice: no roll (none stated)."""
    statute = _Candidate(req.received_on + timedelta(days=30), "PDPA s.21; PDP Regs 2021")
    return [statute, *_aqara_global_one_month(req)]


def _kr(req: _Request) -> list[_Candidate]:
    """PIPA Art. 35 and its Enforcement Decree: 10 days from receipt. Choice: no roll (Civil Act
    Art. 161 would allow one; the earlier date is the safer reading)."""
    statute = _Candidate(
        req.received_on + timedelta(days=10), "PIPA Art. 35 and its Enforcement Decree"
    )
    return [statute, *_aqara_global_one_month(req)]


def _ru(req: _Request) -> list[_Candidate]:
    """152-FZ (RU calendar, with the Government's transferred days; conf S):
    * Art. 20(1): access answered within 10 working days, +5 working days with a reasoned notice;
    * Art. 20(3): change or destroy data within 7 working days;
    * Art. 21(5.1): a demand to stop processing within 10 working days, +5 with a reasoned notice;
    * Art. 21(5): withdrawal of consent - stop processing and destroy within 30 days (calendar,
      day 1 = the day after receipt);
    * Art. 21(1): blocking of inaccurate or unlawfully processed data from the request, at once."""
    if req.request_type == RESTRICTION:
        return [
            _Candidate(req.received_on, "152-FZ Art. 21(1): block from the request, at once",
                       kind=IMMEDIATELY),
            *_aqara_global_one_month(req),
        ]
    if req.request_type == WITHDRAW_CONSENT:
        return [
            _Candidate(req.received_on + timedelta(days=30),
                       "152-FZ Art. 21(5): stop processing and destroy within 30 days"),
            *_aqara_global_one_month(req),
        ]
    if req.request_type in (ACCESS, OBJECTION):
        n = 15 if req.extended else 10
        article = "Art. 20(1)" if req.request_type == ACCESS else "Art. 21(5.1)"
        rule = f"152-FZ {article}" + (" extended +5 working days" if req.extended else "")
        rule += f": {n} working days"
    else:
        n, rule = 7, "152-FZ Art. 20(3): 7 working days"
    due, provisional = _working_days_after(req.received_on, n, RU)
    return [_Candidate(due, rule, provisional), *_aqara_global_one_month(req)]


def _br(req: _Request) -> list[_Candidate]:
    """LGPD Art. 19(II): full declaration within 15 days of the request. Choice: calendar days,
    no roll (none stated). Art. 19(I): the simplified confirmation of processing, immediately."""
    if req.request_type == CONFIRMATION:
        return [_Candidate(req.received_on, "LGPD Art. 19(I): simplified confirmation, immediately",
                           kind=IMMEDIATELY)]
    statute = _Candidate(req.received_on + timedelta(days=15), "LGPD Art. 19(II)")
    return [statute, *_aqara_global_one_month(req)]


def _jp(req: _Request) -> list[_Candidate]:
    """APPI Arts 33-35: act "without delay" (遅滞なく), no day count (eu-uk-product.md §6, conf U).
    Choice: the outer date is 14 days after receipt - APPI Art. 39 lets the principal sue once
    two weeks have passed since the request reached the business - flagged unverified."""
    statute = _Candidate(
        req.received_on + timedelta(days=14),
        "APPI Arts 33-35: without delay; Art. 39: two weeks before a suit",
        kind=WITHOUT_UNDUE_DELAY,
        unverified=True,
        notes=("APPI rights-request articles and the two-week figure are unverified",),
    )
    return [statute, *_aqara_global_one_month(req)]


_RULES: Mapping[str, Callable[[_Request], list[_Candidate]]] = MappingProxyType(
    {CN: _cn, EU: _eu, UK: _uk, US_CA: _us_ca, SG: _sg, KR: _kr, RU: _ru, BR: _br, JP: _jp}
)


def _earliest(candidates: list[_Candidate]) -> _Candidate:
    # min() keeps the first of equal dates: the statute is listed first, so it is named on a tie.
    return min(candidates, key=lambda c: c.due_on)


def _result(candidates: list[_Candidate], original_candidates: list[_Candidate], *,
            extension_available: bool, clock_started_on: date | None, paused_days: int,
            extended: bool) -> DueDate:
    binding = _earliest(candidates)
    original = _earliest(original_candidates)
    notes = tuple(dict.fromkeys(note for c in candidates for note in c.notes))
    return DueDate(
        due_on=binding.due_on,
        rule=binding.rule,
        provisional=any(c.provisional for c in (*original_candidates, *candidates)),
        candidates=tuple((c.due_on, c.rule) for c in candidates),
        original_due_on=original.due_on,
        extension_deadline=original.due_on if extension_available else None,
        clock_started_on=clock_started_on,
        paused_days=paused_days,
        extended=extended,
        kind=binding.kind,
        unverified=binding.unverified,
        notes=notes,
    )


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def response_due(
    *,
    jurisdiction: str,
    request_type: str,
    received_on: date,
    verified_on: date | None = None,
    pauses: Iterable[tuple[date, date]] = (),
    extended: bool = False,
    identity_requested_on: date | None = None,
    identity_received_on: date | None = None,
    fee_paid_on: date | None = None,
) -> DueDate:
    """When the reply to a rights request is due: the earliest applicable obligation.

    ``verified_on``: the day identity was verified (feeds Aqara's own commitments only).
    ``identity_requested_on`` / ``identity_received_on``: the day proof of identity was asked
    for and the day it arrived; with ``fee_paid_on`` they move the UK relevant time (Art. 12A)
    and are validated, then ignored, elsewhere. ``pauses``: (asked, answered) clarification
    days; they stop the UK clock for access requests only.

    A US state other than California (``US_RESIDENT_JURISDICTIONS``) is computed by
    ``us_resident_response_due``; the identity facts and pauses are validated and then ignored
    there (no state rule in the reference moves the clock for them)."""
    _check_request(jurisdiction, request_type, received_on)
    _check_verification(received_on, verified_on)
    _check_identity(received_on, identity_requested_on, identity_received_on, fee_paid_on)
    checked_pauses = _check_pauses(received_on, pauses)
    if jurisdiction in US_RESIDENT_JURISDICTIONS:
        return us_resident_response_due(state=jurisdiction, request_type=request_type,
                                        received_on=received_on, verified_on=verified_on,
                                        extended=extended)
    if extended:
        _check_extension(jurisdiction, request_type)

    rules = _RULES[jurisdiction]
    # Choice: pauses are applied only in the UK (Art. 12A); elsewhere no rule in the reference
    # stops the clock, so they are validated and then ignored (a service may pass one case's
    # pauses to every jurisdiction it falls under).
    req = _Request(jurisdiction, request_type, received_on, verified_on, checked_pauses, False,
                   identity_requested_on, identity_received_on, fee_paid_on)
    original_candidates = rules(req)
    candidates = rules(replace(req, extended=True)) if extended else original_candidates

    clock_started_on: date | None = received_on
    paused_days = 0
    if jurisdiction == UK and request_type != COMPLAINT:
        clock_started_on = _uk_relevant_time(req)
        start = clock_started_on or received_on
        months = 3 if extended else 1
        _, paused_days = _apply_pauses(start, _add_months(start, months), _uk_pauses(req))
    return _result(
        candidates, original_candidates,
        extension_available=_extension_available(jurisdiction, request_type),
        clock_started_on=clock_started_on, paused_days=paused_days, extended=extended,
    )


def acknowledgement_due(*, jurisdiction: str, request_type: str, received_on: date) -> DueDate | None:
    """When receipt must be confirmed, or None where no acknowledgement is owed.

    * CCPA: 11 CCR §7021(a), confirm receipt of a request to know, delete or correct within 10
      business days (US-CA calendar: weekends and US federal holidays only, reference 2026-11),
      day 1 = the day after receipt (Cal. Code Civ. Proc. §12).
    * UK complaints: DPA 2018 s.164A(3), within 30 days beginning with receipt (receipt + 29).
    Opt-out/limit requests and every other jurisdiction and type: none in the reference."""
    _check_request(jurisdiction, request_type, received_on)
    if jurisdiction == UK and request_type == COMPLAINT:
        candidate = _uk_complaint(_Request(UK, COMPLAINT, received_on, None, (), False))[0]
        due, rule, provisional = candidate.due_on, "DPA 2018 s.164A(3): 30 days beginning with receipt", False
    elif jurisdiction == US_CA and request_type in _CCPA_KNOW_DELETE_CORRECT:
        due, provisional = _working_days_after(received_on, 10, US_CA)
        rule = "11 CCR §7021(a): 10 business days"
    else:
        return None
    return DueDate(
        due_on=due,
        rule=rule,
        provisional=provisional,
        candidates=((due, rule),),
        original_due_on=due,
        clock_started_on=received_on,
    )


# --------------------------------------------------------------------------------------------
# US state comprehensive privacy laws (us-states.md Table 1, rows in us_states.py)
# --------------------------------------------------------------------------------------------


def _unverified_note(row: PrivacyLawRow, what: str) -> str:
    return f"{row.code} {what}: unverified ({row.citation})"


def _us_state_candidates(
    row: PrivacyLawRow, request_type: str, received_on: date, extended: bool
) -> tuple[list[_Candidate], list[_Candidate], bool]:
    """(candidates, original candidates, extension available) of a state law's row."""
    row_code = row.code
    notes: list[str] = [row.note] if row.note else []
    extension_days, extension_conf = row.extension_days, row.extension_conf
    rule = f"{row.citation}"
    if request_type == APPEAL:
        if not row.appeal_right:
            raise ValueError(f"{row_code} gives no appeal right (us-states.md Table 1).")
        days, conf = row.appeal_days, row.appeal_conf
        if days is None:
            days = SHORTEST_APPEAL_DAYS
            notes.append(f"{row_code} appeal deadline not found in the reference: the shortest "
                         f"state appeal period ({days} days) is used until verified")
        extension_days, extension_conf = row.appeal_extension_days, row.appeal_conf
        rule += f": appeal decided within {days} days of its receipt"
        what = "appeal deadline"
    elif request_type in (OPT_OUT, *_CCPA_OPT_OUT_TYPES) and row.opt_out_business_days:
        if extended:
            raise ValueError(f"No extension exists for {request_type!r} requests in {row_code!r}.")
        due, provisional = _working_days_after(received_on, row.opt_out_business_days, row_code)
        unverified = row.opt_out_conf == U
        if unverified:
            notes.append(_unverified_note(row, "opt-out deadline"))
        candidate = _Candidate(due, f"{rule}: opt-out within {row.opt_out_business_days} business days",
                               provisional, unverified=unverified, notes=tuple(notes))
        return [candidate], [candidate], False
    elif request_type == WITHDRAW_CONSENT and row.consent_revocation_days:
        days, conf = row.consent_revocation_days, row.consent_revocation_conf
        extension_days = None
        rule += f": stop processing within {days} days of a consent revocation"
        what = "consent-revocation deadline"
    else:
        days, conf = row.response_days, row.response_conf
        rule += f": respond within {days} days of receipt"
        what = "response deadline"

    if extended and extension_days is None:
        raise ValueError(f"No extension exists for {request_type!r} requests in {row_code!r}.")
    original_due = received_on + timedelta(days=days - 1)
    original_unverified = conf == U
    if original_unverified:
        notes.append(_unverified_note(row, what))
    original = _Candidate(original_due, rule, unverified=original_unverified, notes=tuple(notes))
    candidate = original
    if extended:
        ext_unverified = extension_conf == U
        if ext_unverified:
            notes.append(_unverified_note(row, "extension"))
        candidate = _Candidate(
            received_on + timedelta(days=days + extension_days - 1),
            f"{rule}, extended +{extension_days} days",
            unverified=original_unverified or ext_unverified,
            notes=tuple(notes),
        )
    return [candidate], [original], extension_days is not None


def us_state_response_due(
    *, state: str, request_type: str, received_on: date, extended: bool = False
) -> DueDate | None:
    """When a US state privacy-law request is due, from the state's row; None when the state has
    no comprehensive privacy law in the reference or its law is not in force on ``received_on``.

    ``request_type``: one of US_STATE_REQUEST_TYPES (California also takes the CCPA opt-out
    types); for APPEAL, ``received_on`` is the day the appeal was received. Counting (reference
    2026-11 Choice): the receipt day is day 1, so N days end on receipt + N - 1; an extension adds
    its days to the same count. No roll over weekends or holidays (none stated). Aqara's own
    commitments are not candidates here: ``us_resident_response_due`` (a case's clock) adds them."""
    row_code = registry.get(state).code
    _check_date(received_on, "received_on")
    types = US_STATE_REQUEST_TYPES + (_CCPA_OPT_OUT_TYPES if row_code == US_CA else ())
    if request_type not in types:
        raise ValueError(
            f"Request type {request_type!r} does not exist under US state privacy laws; "
            f"expected one of {', '.join(types)}."
        )
    row = state_privacy_law_in_force(row_code, received_on)
    if row is None:
        return None
    candidates, originals, extension_available = _us_state_candidates(row, request_type, received_on, extended)
    return _result(candidates, originals, extension_available=extension_available,
                   clock_started_on=received_on, paused_days=0, extended=extended)


_AQARA_003_FROM_RECEIPT_RULE = (
    "Aqara policy 003 'Your Rights': one month; Choice: counted from receipt where no state "
    "privacy law applies"
)


def us_resident_response_due(
    *, state: str, request_type: str, received_on: date, verified_on: date | None = None,
    extended: bool = False,
) -> DueDate:
    """The clock of a case filed for a resident of a US state other than California ("US-TX"):
    the earliest of the state's comprehensive privacy law (``us_state_response_due``, its row in
    us-states.md Table 1) and Aqara's own global commitment (seed 003: one month after validation;
    a plain calendar month, it drops out when extended, as for every other jurisdiction).

    An APPEAL case is received on the day the appeal was received; its clock is the state's
    appeal period alone (Choice: Aqara's one month is for requests, not for appeals of a reply).

    Choice (documented for staff in the case's rule text): a resident of a state with no
    comprehensive privacy law in force on the day of receipt (e.g. US-NY, or US-OK before 1 Jan
    2027) is filed under that state; only Aqara's global commitment applies, and since it binds the
    only date the case has, its month is counted from RECEIPT (not validation: the earlier
    reading, legal-rules.md 2026-11), with no extension (seed 003 promises notice, not a date)."""
    code = registry.get(state).code
    if code not in US_RESIDENT_JURISDICTIONS:
        raise ValueError(
            f"{code!r} is not a US state filed on its own state's rules; "
            + ("California cases run on the CCPA (response_due)." if code == US_CA else
               f"expected one of {', '.join(US_RESIDENT_JURISDICTIONS)}.")
        )
    _check_request(code, request_type, received_on)
    _check_verification(received_on, verified_on)
    row = state_privacy_law_in_force(code, received_on)
    if row is None:
        if extended:
            raise ValueError(
                f"No extension exists in {code!r}: no state privacy law applies, and Aqara's "
                "policy 003 promises a notice, not a date."
            )
        note = (f"{code}: no comprehensive state privacy law in force on {received_on}; "
                "only Aqara's global commitment applies")
        candidate = _Candidate(_add_months(received_on, 1), _AQARA_003_FROM_RECEIPT_RULE, notes=(note,))
        return _result([candidate], [candidate], extension_available=False,
                       clock_started_on=received_on, paused_days=0, extended=False)
    candidates, originals, extension_available = _us_state_candidates(row, request_type, received_on, extended)
    if request_type != APPEAL:
        req = _Request(code, request_type, received_on, verified_on, (), False)
        originals = [*originals, *_aqara_global_one_month(req)]
        candidates = [*candidates, *_aqara_global_one_month(replace(req, extended=extended))]
    return _result(candidates, originals, extension_available=extension_available,
                   clock_started_on=received_on, paused_days=0, extended=extended)
