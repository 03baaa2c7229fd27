"""Legal clocks for rights requests (DSARs): pure functions, dates in, dates out.

House style rule 7: no database, no ``now()``, no Django import; every rule carries its citation.
The facts and the project's choices come from ``/work/shared/reference/legal-rules.md`` (called
"the reference" below; its **Choice** rows are our contract). Where the reference is silent, the
choice made here is marked ``Choice:`` so a lawyer can find and change it in one place.

General principles (reference, "General principles"):
* A case is due on the EARLIEST of every obligation that applies: the statute of the jurisdiction
  and Aqara's own published commitments (seed policies 000 and 003). ``DueDate.rule`` names the
  obligation that bound the case; ``DueDate.candidates`` lists every obligation considered.
* Callers pass LOCAL calendar dates (the jurisdiction's time zone, see the reference), never
  datetimes: turning a stored UTC instant into a local date is the caller's job.
* Working days come from the ``holidays`` package. A count that reaches into a year whose official
  calendar the package does not hold yet is flagged ``provisional`` - never silently guessed.
* Day counting: the day of the triggering event is not counted; day 1 is the next day (Reg. 1182/71
  Art. 3(1); PRC Civil Code Art. 201; Cal. Code Civ. Proc. §12). The one exception is the CCPA
  45-day response, which the reference's **Choice** counts from the receipt day as day 1.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from types import MappingProxyType

import holidays

# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------

CN = "CN"
EU = "EU"
UK = "UK"
US_CA = "US-CA"
SG = "SG"
KR = "KR"
RU = "RU"
BR = "BR"
JURISDICTIONS = (CN, EU, UK, US_CA, SG, KR, RU, BR)

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
        # 2019 CAC/MIIT App认定方法; complaints/enquiries from seed 000 §十. Choice: only CN has
        # "complaint" - 000 §十 is the only complaint deadline in the reference; elsewhere a
        # complaint goes to the regulator, with no controller clock.
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
        UK: _GDPR_TYPES,
        # CCPA rights to know (incl. portable copy), delete, correct (11 CCR §7021), opt out of
        # sale/sharing (§7026) and limit sensitive PI (§7027). The CCPA types exist only here.
        US_CA: (ACCESS, CORRECTION, DELETION, CCPA_OPT_OUT, CCPA_LIMIT_SENSITIVE),
        # PDPA s.21 access, s.22 correction, s.16 withdrawal. Choice: the reference gives the 30-day
        # clock for access only; we apply it to correction and withdrawal too.
        SG: (ACCESS, CORRECTION, WITHDRAW_CONSENT),
        # PIPA Art. 35 access, Art. 36 correction/deletion, Art. 37 suspension (= restriction).
        # Choice: the reference gives 10 days for access; we apply it to Arts 36-37 too.
        KR: (ACCESS, CORRECTION, DELETION, RESTRICTION),
        # 152-FZ Art. 20(1) access; Art. 20(3) change (correction) or destroy (deletion).
        RU: (ACCESS, CORRECTION, DELETION),
        # LGPD Art. 18 rights. Choice: Art. 18 §5 leaves the period to ANPD regulation, not yet set,
        # so every type runs on the Art. 19 15-day period for access.
        BR: (
            ACCESS,
            CORRECTION,
            DELETION,
            RESTRICTION,
            OBJECTION,
            PORTABILITY,
            WITHDRAW_CONSENT,
            AUTOMATED_DECISION_REVIEW,
        ),
    }
)

_CCPA_OPT_OUT_TYPES = (CCPA_OPT_OUT, CCPA_LIMIT_SENSITIVE)
_CCPA_KNOW_DELETE_CORRECT = (ACCESS, CORRECTION, DELETION)


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
    clock_started_on: date | None = None  # day the statutory clock started (UK: latest of receipt/ID)
    paused_days: int = 0  # calendar days added for clarification pauses (UK only)
    extended: bool = False


# --------------------------------------------------------------------------------------------
# Working-day calendars (reusable: the breach module needs BR / US-CA business days)
# --------------------------------------------------------------------------------------------

_CALENDAR_FACTORIES: Mapping[str, Callable[[], holidays.HolidayBase]] = MappingProxyType(
    {
        # Includes the make-up working weekends (调休) of the State Council's yearly notice.
        CN: holidays.China,
        # Choice: nationwide German holidays only (no subdivision). Aqara's EU data centre is in
        # Germany but the reference names no Land; a Land-only holiday therefore does not roll a
        # deadline forward, which errs towards the earlier (safer) date.
        EU: holidays.Germany,
        # England bank holidays (ICO guidance; reference UK row).
        UK: lambda: holidays.UK(subdiv="ENG"),
        # US federal + California state holidays. Note the package also lists commemorative days
        # such as Susan B. Anthony Day (15 Feb); we follow the package rather than curate it.
        US_CA: lambda: holidays.US(subdiv="CA"),
        SG: holidays.Singapore,
        KR: holidays.SouthKorea,
        RU: holidays.Russia,
        BR: holidays.Brazil,
    }
)
CALENDAR_CODES = tuple(_CALENDAR_FACTORIES)


def _decreed_years(module_path: str, class_name: str) -> range:
    """Years covered by a country's yearly government schedule, as held by the package."""
    module = __import__(module_path, fromlist=[class_name])
    table = getattr(getattr(module, class_name), "special_public_holidays", {})
    return range(min(table), max(table) + 1) if table else range(0)


# China and Russia move working days by a yearly decree (CN: State Council General Office notice;
# RU: Government resolution). A year is official only if the package holds that year's decree -
# read from the package so an upgrade extends it (holidays 0.109: CN 2001-2026, RU to 2027).
_DECREED_CALENDAR_YEARS: Mapping[str, range] = MappingProxyType(
    {
        CN: _decreed_years("holidays.countries.china", "ChinaStaticHolidays"),
        RU: _decreed_years("holidays.countries.russia", "RussiaStaticHolidays"),
    }
)


def _check_calendar_code(calendar_code: str) -> None:
    if calendar_code not in _CALENDAR_FACTORIES:
        raise ValueError(
            f"Unknown calendar code {calendar_code!r}; expected one of {', '.join(CALENDAR_CODES)}."
        )


def _new_calendar(calendar_code: str) -> holidays.HolidayBase:
    # A fresh instance per call keeps these functions free of shared mutable state.
    _check_calendar_code(calendar_code)
    return _CALENDAR_FACTORIES[calendar_code]()


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
    if calendar_code in _DECREED_CALENDAR_YEARS:
        return year not in _DECREED_CALENDAR_YEARS[calendar_code]
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
# Counting helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    due_on: date
    rule: str
    provisional: bool = False


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
    """UK GDPR Art. 12A: a clarification request stops the clock until it is answered. A pause
    runs from the day we asked (start) to the day the answer arrived (end); the due date moves out
    by (end - start) days. Only the part after the clock started counts, and a pause that begins
    after the (already pushed) due date is ignored."""
    paused = 0
    for start, end in _merged_pauses(pauses):
        start = max(start, clock_start)
        if end <= start or start > raw_due + timedelta(days=paused):
            continue
        paused += (end - start).days
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


def _check_date(value, name: str) -> None:
    # datetime is a subclass of date: refuse it, the caller must convert the UTC instant to the
    # jurisdiction's local date first (reference, "General principles").
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a local calendar date (datetime.date), got {value!r}.")


def _check_request(jurisdiction: str, request_type: str, received_on: date) -> None:
    if jurisdiction not in TYPES_BY_JURISDICTION:
        raise ValueError(
            f"Unknown jurisdiction {jurisdiction!r}; expected one of {', '.join(JURISDICTIONS)}."
        )
    if request_type not in REQUEST_TYPES:
        raise ValueError(
            f"Unknown request type {request_type!r}; expected one of {', '.join(REQUEST_TYPES)}."
        )
    if request_type not in TYPES_BY_JURISDICTION[jurisdiction]:
        raise ValueError(
            f"Request type {request_type!r} does not exist in jurisdiction {jurisdiction!r}; "
            f"it has: {', '.join(TYPES_BY_JURISDICTION[jurisdiction])}."
        )
    _check_date(received_on, "received_on")


def _check_verification(received_on: date, verified_on: date | None) -> None:
    if verified_on is None:
        return
    _check_date(verified_on, "verified_on")
    if verified_on < received_on:
        raise ValueError(
            f"verified_on ({verified_on}) is before received_on ({received_on}); "
            "identity cannot be verified before the request is received."
        )


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
    # GDPR / UK GDPR Art. 12(3): +2 months for any request. 11 CCR §7021(b): +45 days for
    # know/delete/correct; §7026(f)/§7027(g) give none for opt-out/limit. 152-FZ Art. 20(1): +5
    # working days for access only. Choice: CN (none stated), BR (none), SG ("tell the requester
    # when", PDP Regs 2021) and KR ("postpone with notice", PIPA Art. 35) have no extension we can
    # compute - the new date is whatever the notice says, so the caller must not ask for one.
    if jurisdiction in (EU, UK):
        return True
    if jurisdiction == US_CA:
        return request_type in _CCPA_KNOW_DELETE_CORRECT
    if jurisdiction == RU:
        return request_type == ACCESS
    return False


def _check_extension(jurisdiction: str, request_type: str) -> None:
    if _extension_available(jurisdiction, request_type):
        return
    if jurisdiction in (US_CA, RU):
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
    * in the UK a clarification pause also stops it (the request is not 'validated' meanwhile).
    Seed 003 is the global policy, so it applies in every jurisdiction except CN (seed 000)."""
    if req.verified_on is None or req.extended:
        return []
    if req.jurisdiction == EU:
        due, provisional = _roll_to_working_day(_add_months(req.verified_on, 1), EU)
        return [_Candidate(due, _AQARA_003_RULE + "; Reg. 1182/71 Art. 3(4)", provisional)]
    if req.jurisdiction == UK:
        raw, _ = _apply_pauses(req.verified_on, _add_months(req.verified_on, 1), req.pauses)
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
            "Aqara policy 000 §七.9: 15 days after identity verified",
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


def _uk_clock_start(req: _Request) -> date:
    # ICO guidance (Dec 2025): the clock starts at the latest of receipt, receipt of requested ID
    # and proof of authority; verified_on stands for the last of the latter two.
    return max(req.received_on, req.verified_on or req.received_on)


def _uk(req: _Request) -> list[_Candidate]:
    """UK GDPR Art. 12(3) + ICO guidance (Dec 2025): one calendar month (3 months when extended)
    from the clock start, counted like the EU rule, rolled past weekends and England bank holidays.
    UK GDPR Art. 12A (in force 2026-02-05): clarification pauses push it out by the paused days.
    Choice: pauses apply whatever the receipt date; the service only records them after 5 Feb 2026."""
    start = _uk_clock_start(req)
    months = 3 if req.extended else 1
    raw, _ = _apply_pauses(start, _add_months(start, months), req.pauses)
    due, provisional = _roll_to_working_day(raw, UK)
    rule = "UK GDPR Art. 12(3); ICO guidance (Dec 2025)"
    if req.extended:
        rule = "UK GDPR Art. 12(3) extended +2 months; ICO guidance (Dec 2025)"
    if req.pauses:
        rule += "; UK GDPR Art. 12A"
    return [_Candidate(due, rule, provisional), *_aqara_global_one_month(req)]


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
                "Aqara policy 000 §十: 15 working days; CAC/MIIT 2019 App认定方法",
                provisional,
            )
        ]
    guidance = _Candidate(
        due,
        "PIPL Arts 44-50; NDSMR Art. 23; CAC/MIIT 2019 App认定方法: 15 working days",
        provisional,
    )
    return [guidance, *_aqara_cn_15_days_after_verification(req)]


def _us_ca(req: _Request) -> list[_Candidate]:
    """CCPA. Know/delete/correct: 45 calendar days from receipt regardless of verification
    (11 CCR §7021(b); Civ. Code §1798.130(a)(2)); reference Choice: receipt day is day 1, so
    due = receipt + 44 days; extended once by 45 days (90 in total = receipt + 89), no roll.
    Opt-out of sale/sharing (11 CCR §7026(f)) and limit sensitive PI (§7027(g); the reference
    files both under §7026(f)): 15 business days from receipt, day 1 = the next day (Cal. Code
    Civ. Proc. §12). Choice: pauses are ignored (CCPA has none)."""
    if req.request_type in _CCPA_OPT_OUT_TYPES:
        due, provisional = _working_days_after(req.received_on, 15, US_CA)
        section = "§7026(f)" if req.request_type == CCPA_OPT_OUT else "§7027(g)"
        return [_Candidate(due, f"11 CCR {section}: 15 business days", provisional)]
    if req.extended:
        statute = _Candidate(
            req.received_on + timedelta(days=89),
            "11 CCR §7021(b) extended +45 days; Civ. Code §1798.130(a)(2)",
        )
    else:
        statute = _Candidate(
            req.received_on + timedelta(days=44),
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
    """152-FZ Art. 20(1): access answered within 10 working days of the request, +5 working days
    with a reasoned notice. Art. 20(3): change or destroy data within 7 working days.
    RU calendar (with the Government's transferred days)."""
    if req.request_type == ACCESS:
        n = 15 if req.extended else 10
        rule = "152-FZ Art. 20(1)" + (" extended +5 working days" if req.extended else "")
        rule += f": {n} working days"
    else:
        n, rule = 7, "152-FZ Art. 20(3): 7 working days"
    due, provisional = _working_days_after(req.received_on, n, RU)
    return [_Candidate(due, rule, provisional), *_aqara_global_one_month(req)]


def _br(req: _Request) -> list[_Candidate]:
    """LGPD Art. 19(II): full declaration within 15 days of the request. Choice: calendar days,
    no roll (none stated)."""
    statute = _Candidate(req.received_on + timedelta(days=15), "LGPD Art. 19(II)")
    return [statute, *_aqara_global_one_month(req)]


_RULES: Mapping[str, Callable[[_Request], list[_Candidate]]] = MappingProxyType(
    {CN: _cn, EU: _eu, UK: _uk, US_CA: _us_ca, SG: _sg, KR: _kr, RU: _ru, BR: _br}
)


def _earliest(candidates: list[_Candidate]) -> _Candidate:
    # min() keeps the first of equal dates: the statute is listed first, so it is named on a tie.
    return min(candidates, key=lambda c: c.due_on)


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
) -> DueDate:
    """When the reply to a rights request is due: the earliest applicable obligation."""
    _check_request(jurisdiction, request_type, received_on)
    _check_verification(received_on, verified_on)
    checked_pauses = _check_pauses(received_on, pauses)
    if extended:
        _check_extension(jurisdiction, request_type)

    rules = _RULES[jurisdiction]
    # Choice: pauses are applied only in the UK (Art. 12A); elsewhere no rule in the reference
    # stops the clock, so they are validated and then ignored (a service may pass one case's
    # pauses to every jurisdiction it falls under).
    req = _Request(jurisdiction, request_type, received_on, verified_on, checked_pauses, False)
    original_candidates = rules(req)
    original = _earliest(original_candidates)
    candidates = rules(replace(req, extended=True)) if extended else original_candidates
    binding = _earliest(candidates)

    clock_started_on = _uk_clock_start(req) if jurisdiction == UK else received_on
    paused_days = 0
    if jurisdiction == UK:
        months = 3 if extended else 1
        _, paused_days = _apply_pauses(
            clock_started_on, _add_months(clock_started_on, months), checked_pauses
        )
    return DueDate(
        due_on=binding.due_on,
        rule=binding.rule,
        provisional=any(c.provisional for c in (*original_candidates, *candidates)),
        candidates=tuple((c.due_on, c.rule) for c in candidates),
        original_due_on=original.due_on,
        extension_deadline=(
            original.due_on if _extension_available(jurisdiction, request_type) else None
        ),
        clock_started_on=clock_started_on,
        paused_days=paused_days,
        extended=extended,
    )


def acknowledgement_due(*, jurisdiction: str, request_type: str, received_on: date) -> DueDate | None:
    """When receipt must be confirmed, or None where no acknowledgement is owed.

    Only the CCPA requires one: 11 CCR §7021(a), confirm receipt of a request to know, delete or
    correct within 10 business days (US-CA calendar), day 1 = the day after receipt (Cal. Code
    Civ. Proc. §12). Opt-out/limit requests and every other jurisdiction: none in the reference."""
    _check_request(jurisdiction, request_type, received_on)
    if jurisdiction != US_CA or request_type not in _CCPA_KNOW_DELETE_CORRECT:
        return None
    due, provisional = _working_days_after(received_on, 10, US_CA)
    rule = "11 CCR §7021(a): 10 business days"
    return DueDate(
        due_on=due,
        rule=rule,
        provisional=provisional,
        candidates=((due, rule),),
        original_due_on=due,
        clock_started_on=received_on,
    )
