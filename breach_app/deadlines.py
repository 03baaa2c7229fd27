"""Breach-notification clocks: pure functions, facts in, obligations out.

HOUSE_STYLE rule 7: no database, no Django, no ``now()`` in here. The service stores the computed
deadlines on the incident and calls :func:`notification_obligations` again whenever a fact changes.
Every rule below cites its source; the rules themselves are listed in
``shared/reference/legal-rules.md`` ("Breach notification"). Where that table leaves a point open, the
choice made here is marked ``Choice:`` so a lawyer can change it in one place.

Vocabulary
----------
status          'required' | 'not_required' | 'needs_decision' (a fact we do not know yet decides it;
                ``reason`` says what must be decided).
deadline_kind   'instant'             -> ``deadline`` is a UTC instant;
                'immediately'         -> no instant (PIPL 立即): due now, ``deadline`` is None;
                'without_undue_delay' -> no fixed limit, ``deadline`` is None;
                'pending_trigger'     -> the clock has not started (e.g. resident notice not sent yet),
                                         ``deadline`` and ``clock_start`` are None.
deadline        Choice: also filled in for 'not_required' obligations, as the limit the rule would
                impose (so a reassessment shows what was at stake). Reminders and the case's due date
                must look only at obligations whose status is not 'not_required' -- see
                :func:`earliest_deadline`.

Counting (Choice, ours)
-----------------------
* Periods in hours are elapsed time added to the UTC instant: they never roll over weekends,
  holidays or DST changes ("Periods in hours do not roll forward over weekends or holidays").
* Calendar-day periods ("N days after X") count from the day of X in the jurisdiction's local
  calendar (the day of X is day 0) and end at the end of the N-th local day,
  23:59:59.999999 local time, returned in UTC.
* BR business days: the day of knowledge is not counted; the period ends at the end (23:59:59.999999,
  America/Sao_Paulo) of the 3rd following day that is neither Saturday, Sunday nor a national public
  holiday of ``holidays.Brazil()`` (state/municipal holidays and optional days such as Carnival are not
  skipped). Brazilian national holidays are fixed by statute, not published year by year, so the count
  is never provisional.

Which instant starts each clock
-------------------------------
discovered_at: CN (发现或获知), US-CA ("discovery"), RU ("detection").
aware_at: EU/UK ("aware"), KR and BR ("knowledge"). When ``aware_at`` is None the clock starts at
``discovered_at`` and the reason says so.

Affected counts (ranges)
------------------------
``Affected(people_min, people_max)``; ``people_max=None`` means "no known upper bound". A jurisdiction
gets obligations when people_min > 0 or it is possibly affected (people_max None or > 0). A numeric
threshold is *met* when people_min reaches it (certainly required), *possible* when only people_max
(or an unknown maximum) reaches it (-> 'needs_decision'), else *not met*. A jurisdiction with
people_min == 0 is only possibly affected, so its obligations are at most 'needs_decision'.
``estimate`` and ``records`` do not change any clock; they are carried for the notice text (GDPR allows
approximate numbers).

required_content uses one vocabulary for every draft: CONTENT_KEYS (key -> meaning) and
REQUIRED_CONTENT (obligation code -> keys).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

UTC = timezone.utc

JURISDICTIONS = ("CN", "EU", "UK", "US-CA", "SG", "KR", "RU", "BR")
RECIPIENTS = ("regulator", "individuals", "attorney_general", "public_notice")
STATUSES = ("required", "not_required", "needs_decision")
DEADLINE_KINDS = ("instant", "immediately", "without_undue_delay", "pending_trigger")
RISK_LEVELS = ("none", "risk", "high")

# legal-rules.md, "General principles": count days in the jurisdiction's local calendar.
LOCAL_TZ = {
    "CN": ZoneInfo("Asia/Shanghai"),
    "EU": ZoneInfo("Europe/Berlin"),  # Aqara's EU data centre is in Germany
    "UK": ZoneInfo("Europe/London"),
    "US-CA": ZoneInfo("America/Los_Angeles"),
    "SG": ZoneInfo("Asia/Singapore"),
    "KR": ZoneInfo("Asia/Seoul"),
    "RU": ZoneInfo("Europe/Moscow"),
    "BR": ZoneInfo("America/Sao_Paulo"),
}

CONTENT_KEYS = {
    "nature": "what happened: nature/type of the incident, when and how (basic facts)",
    "categories_and_numbers": "categories and approximate numbers of people and of records",
    "data_categories": "categories/items of personal information involved",
    "cause": "cause of the incident",
    "likely_consequences": "likely consequences / possible harm to individuals",
    "measures": "measures taken or proposed (remedial measures, our response)",
    "self_protection_advice": "what individuals can do to protect themselves and reduce harm",
    "remedies": "remedies offered to individuals",
    "contact": "contact point for more information",
    "dpo_contact": "name and contact details of the DPO or other contact point",
    "plain_language": "written in clear and plain language",
    "unit_and_system_overview": "reporting unit and overview of the affected system",
    "discovery_time": "when the incident was discovered",
    "incident_type": "type of incident",
    "incident_level": "incident grade (较大/重大/特别重大)",
    "impact": "impact of the incident so far",
    "pending_items": "items not yet known, to be sent later",
    "accountability": "accountability / disciplinary handling",
    "remediation": "rectification measures",
    "lessons_learned": "lessons learned",
    "title_notice_of_data_breach": 'title "Notice of Data Breach"',
    "what_happened": 'heading "What Happened"',
    "what_information_was_involved": 'heading "What Information Was Involved"',
    "what_we_are_doing": 'heading "What We Are Doing"',
    "what_you_can_do": 'heading "What You Can Do"',
    "for_more_information": 'heading "For More Information"',
    "notifier_contact": "name and contact information of the business notifying",
    "breach_date": "date, estimated date or date range of the breach",
    "law_enforcement_delay": "whether notice was delayed for law enforcement",
    "credit_bureau_contacts": "credit-bureau contacts (only if SSN, driver's licence or ID number involved)",
    "sample_notice_copy": "a sample copy of the notice sent to residents",
    "investigation_results": "results of the internal investigation",
    "responsible_persons": "persons whose actions caused the incident, if identified",
}

_GDPR_SA = ("nature", "categories_and_numbers", "dpo_contact", "likely_consequences", "measures")
# GDPR Art. 34(2): plain language, nature, and the items of Art. 33(3)(b)-(d).
_GDPR_IND = ("plain_language", "nature", "dpo_contact", "likely_consequences", "measures")
# PIPL Art. 57 items, plus seed 000 §五.4 (Aqara's promise: basic facts, possible impact, measures,
# self-protection advice, remedies).
_CN_IND = (
    "nature", "data_categories", "cause", "likely_consequences", "measures",
    "self_protection_advice", "remedies", "contact",
)

REQUIRED_CONTENT: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "EU-SA": _GDPR_SA,  # GDPR Art. 33(3)
    "EU-IND": _GDPR_IND,  # GDPR Art. 34(2)
    "EU-PUBLIC": _GDPR_IND,  # Art. 34(3)(c): "informed in an equally effective manner"
    "UK-ICO": _GDPR_SA,  # UK GDPR Art. 33(3)
    "UK-IND": _GDPR_IND,  # UK GDPR Art. 34(2)
    "UK-PUBLIC": _GDPR_IND,
    # PIPL Art. 57: (1) categories, cause, possible harm; (2) remedial measures and what people can
    # do; (3) contact details.
    "CN-CAC-PIPL": (
        "data_categories", "cause", "likely_consequences", "measures", "self_protection_advice",
        "contact",
    ),
    "CN-IND": _CN_IND,
    "CN-PUBLIC": _CN_IND,
    # Incident Reporting Measures (eff. 2025-11-01) Art. 4 report items.
    "CN-CAC-INCIDENT": (
        "unit_and_system_overview", "discovery_time", "incident_type", "incident_level", "impact",
        "measures", "pending_items",
    ),
    # Not in legal-rules.md (conf U): the Measures' summary report covers cause analysis, response
    # measures, harm, accountability, rectification and lessons learned.
    "CN-CAC-FINAL": ("cause", "measures", "impact", "accountability", "remediation", "lessons_learned"),
    # Civ. Code §1798.82(d).
    "US-CA-IND": (
        "title_notice_of_data_breach", "what_happened", "what_information_was_involved",
        "what_we_are_doing", "what_you_can_do", "for_more_information", "notifier_contact",
        "data_categories", "breach_date", "law_enforcement_delay", "credit_bureau_contacts",
    ),
    "US-CA-AG": ("sample_notice_copy",),  # §1798.82(f)
    # PDPA s.26D + PDP (Notification of Data Breaches) Regs 2021 "prescribed content" (conf U on
    # the item list).
    "SG-PDPC": ("nature", "categories_and_numbers", "likely_consequences", "measures", "contact"),
    "SG-IND": (
        "nature", "data_categories", "likely_consequences", "measures", "self_protection_advice",
        "contact",
    ),
    # PIPA Art. 34(1): items leaked; when and how; what people can do; response and remedies; contact.
    "KR-PIPC": (
        "data_categories", "nature", "self_protection_advice", "measures", "remedies", "contact",
    ),
    "KR-IND": (
        "data_categories", "nature", "self_protection_advice", "measures", "remedies", "contact",
    ),
    # legal-rules.md gives none (conf U): 152-FZ Art. 21(3.1)(1) incident, presumed causes, harm,
    # measures, contact; (2) investigation results and persons responsible.
    "RU-RKN-24H": ("nature", "cause", "likely_consequences", "measures", "contact"),
    "RU-RKN-72H": ("investigation_results", "responsible_persons"),
    # legal-rules.md gives none (conf U): Res. CD/ANPD 15/2024 Art. 6 items.
    "BR-ANPD": (
        "nature", "categories_and_numbers", "likely_consequences", "measures", "dpo_contact",
        "breach_date",
    ),
    "BR-IND": (
        "plain_language", "nature", "data_categories", "likely_consequences", "measures",
        "dpo_contact", "breach_date",
    ),
})


@dataclass(frozen=True)
class Affected:
    """People (and records) of one jurisdiction affected; counts may be a range."""

    people_min: int
    people_max: int | None  # None: no known upper bound (required, so "unknown" is never implicit)
    records: int | None = None
    estimate: bool = False

    def __post_init__(self):
        if self.people_min < 0:
            raise ValueError("people_min must be >= 0")
        if self.people_max is not None and self.people_max < self.people_min:
            raise ValueError("people_max must be >= people_min")

    @property
    def possibly_affected(self) -> bool:
        return self.people_min > 0 or self.people_max is None or self.people_max > 0


@dataclass(frozen=True, kw_only=True)
class IncidentFacts:
    discovered_at: datetime
    aware_at: datetime | None = None
    affected: Mapping[str, Affected] = field(default_factory=dict)
    risk: str = "risk"  # 'none' | 'risk' | 'high'
    sensitive_data: bool = False
    unique_identifier_data: bool = False  # KR
    external_illegal_access: bool = False  # KR
    encrypted: bool = False  # data unintelligible to anyone not authorised
    cii_operator: bool = False  # CN critical information infrastructure
    unencrypted_pi_acquired: bool | None = None  # US-CA; None: derive from `encrypted`
    resident_notice_sent_at: datetime | None = None  # US-CA
    sg_assessed_at: datetime | None = None  # SG: assessment concluded it is notifiable
    significant_harm: bool | None = None  # SG
    handling_ended_at: datetime | None = None  # CN final summary
    later_measures_remove_high_risk: bool = False
    individual_notice_disproportionate: bool = False

    def __post_init__(self):
        for name in ("discovered_at", "aware_at", "resident_notice_sent_at", "sg_assessed_at",
                     "handling_ended_at"):
            value = getattr(self, name)
            if value is None and name != "discovered_at":
                continue
            _require_aware(value, name)
        if self.risk not in RISK_LEVELS:
            raise ValueError(f"risk must be one of {RISK_LEVELS}, not {self.risk!r}")
        unknown = set(self.affected) - set(JURISDICTIONS)
        if unknown:
            raise ValueError(f"unknown jurisdiction(s): {sorted(unknown)}")
        object.__setattr__(self, "affected", MappingProxyType(dict(self.affected)))


@dataclass(frozen=True)
class Obligation:
    code: str
    jurisdiction: str
    recipient: str
    status: str
    reason: str
    deadline: datetime | None
    deadline_kind: str
    clock_start: datetime | None
    citation: str
    required_content: tuple[str, ...]


# --------------------------------------------------------------------------- time arithmetic

def _require_aware(value, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def add_hours(start: datetime, hours: int) -> datetime:
    """Elapsed hours: no roll-over for weekends, holidays or DST (legal-rules.md)."""
    return _utc(start) + timedelta(hours=hours)


def _end_of_local_day(day: date, jurisdiction: str) -> datetime:
    # Choice: a day-based period ends at the last microsecond of the local day.
    return datetime.combine(day, time.max, tzinfo=LOCAL_TZ[jurisdiction]).astimezone(UTC)


def add_calendar_days(start: datetime, days: int, jurisdiction: str) -> datetime:
    """End of the local day ``days`` after the local day of ``start`` (that day is day 0)."""
    local_day = start.astimezone(LOCAL_TZ[jurisdiction]).date()
    return _end_of_local_day(local_day + timedelta(days=days), jurisdiction)


def add_br_business_days(start: datetime, days: int) -> datetime:
    """End (São Paulo time) of the ``days``-th Brazilian business day after the day of ``start``.

    The day of knowledge is not counted (Brazilian counting excludes the first day); Saturdays,
    Sundays and national public holidays (``holidays.Brazil()``) are skipped.
    """
    day = start.astimezone(LOCAL_TZ["BR"]).date()
    calendar = holidays.Brazil(years=range(day.year, day.year + 2))
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in calendar:
            counted += 1
    return _end_of_local_day(day, "BR")


def time_left(deadline: datetime, now: datetime) -> timedelta:
    """Time from ``now`` to ``deadline``; negative when overdue. ``now`` is passed in (rule 7)."""
    _require_aware(deadline, "deadline")
    _require_aware(now, "now")
    return deadline - now


def format_time_left(delta: timedelta, translate: Callable[[str], str] = lambda text: text) -> str:
    """'2 d 4 h', '3 h 12 min', '7 min', '< 1 min', 'overdue by 1 h 5 min' (truncated, not rounded).

    ``translate`` (e.g. Django's gettext, passed in by the admin) turns each phrase into the
    reader's language; this module itself stays free of Django.
    """
    overdue = delta < timedelta(0)
    minutes_total = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = translate("%(d)s d %(h)s h") % {"d": days, "h": hours}
    elif hours:
        text = translate("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    elif minutes or not delta:
        text = translate("%(m)s min") % {"m": minutes}
    else:
        text = translate("< 1 min")
    return translate("overdue by %(time)s") % {"time": text} if overdue else text


def earliest_deadline(obligations: Iterable[Obligation]) -> Obligation | None:
    """The obligation with the earliest instant among those not 'not_required' (legal-rules.md:
    a case's due date is the earliest obligation that applies). 'immediately' obligations have no
    instant and are not considered: they are due at once and shown as such."""
    live = [o for o in obligations if o.status != "not_required" and o.deadline is not None]
    return min(live, key=lambda o: o.deadline, default=None)


# --------------------------------------------------------------------------- conditions
# A condition is (state, reason) with state 'met' | 'possible' | 'not_met'. An obligation is
# not_required if any condition is not met, needs_decision if any is only possible, else required.

MET, POSSIBLE, NOT_MET = "met", "possible", "not_met"


def _decide(conditions) -> tuple[str, str]:
    for state, reason in conditions:
        if state == NOT_MET:
            return "not_required", reason
    open_points = [reason for state, reason in conditions if state == POSSIBLE]
    if open_points:
        return "needs_decision", "; ".join(open_points)
    return "required", "; ".join(reason for _, reason in conditions if reason)


def _any_of(*conditions) -> tuple[str, str]:
    for wanted in (MET, POSSIBLE):
        reasons = [reason for state, reason in conditions if state == wanted]
        if reasons:
            return wanted, (" or " if wanted == POSSIBLE else "; ").join(reasons)
    return NOT_MET, "; ".join(reason for _, reason in conditions if reason)


def _flag(value: bool, met: str, not_met: str) -> tuple[str, str]:
    return (MET, met) if value else (NOT_MET, not_met)


def _people(affected: Affected) -> str:
    if affected.people_max == affected.people_min:
        return f"{affected.people_min:,}"
    if affected.people_max is None:
        return f"at least {affected.people_min:,}"
    return f"{affected.people_min:,}–{affected.people_max:,}"


def _anyone(affected: Affected, jurisdiction: str) -> tuple[str, str]:
    if affected.people_min > 0:
        return MET, ""
    return POSSIBLE, (f"{jurisdiction}: possibly affected ({_people(affected)} people): "
                      f"confirm whether anyone there is affected")


def _at_least(affected: Affected, threshold: int, what: str, *, strictly_more: bool = False):
    """Threshold on people: people_min decides 'certainly', people_max 'possibly'."""
    def reaches(n: int) -> bool:
        return n > threshold if strictly_more else n >= threshold

    rule = f"{'>' if strictly_more else '≥'} {threshold:,} people"
    if reaches(affected.people_min):
        return MET, f"{what}: {_people(affected)} people ({rule})"
    if affected.people_max is None or reaches(affected.people_max):
        return POSSIBLE, (f"{what}: {_people(affected)} people — decide whether {rule}")
    return NOT_MET, f"{what}: {_people(affected)} people, not {rule}"


# --------------------------------------------------------------------------- the rules

def notification_obligations(facts: IncidentFacts) -> list[Obligation]:
    """Every (jurisdiction, recipient) notification duty for an incident, in a stable order."""
    obligations: list[Obligation] = []
    for jurisdiction in JURISDICTIONS:
        affected = facts.affected.get(jurisdiction)
        if affected is None or not affected.possibly_affected:
            continue
        obligations.extend(_RULES[jurisdiction](facts, affected))
    return obligations


def _awareness(facts: IncidentFacts) -> tuple[datetime, str]:
    if facts.aware_at is not None:
        return _utc(facts.aware_at), ""
    return _utc(facts.discovered_at), "aware_at not recorded: clock started at discovered_at"


def _make(code, jurisdiction, recipient, conditions, *, deadline, kind, clock_start, citation,
          note="") -> Obligation:
    status, reason = _decide(conditions)
    reason = "; ".join(part for part in (reason, note) if part)
    return Obligation(
        code=code, jurisdiction=jurisdiction, recipient=recipient, status=status, reason=reason,
        deadline=deadline, deadline_kind=kind, clock_start=clock_start, citation=citation,
        required_content=REQUIRED_CONTENT[code],
    )


def _gdpr(facts: IncidentFacts, affected: Affected, *, jurisdiction: str, law: str, prefix: str,
          sa_code: str) -> list[Obligation]:
    """GDPR / UK GDPR Arts 33-34 (UK: "as EU", legal-rules.md)."""
    start, note = _awareness(facts)
    anyone = _anyone(affected, jurisdiction)
    # Art. 33(1): notify "unless the breach is unlikely to result in a risk"; Art. 33(5): document
    # every breach, notified or not.
    some_risk = (
        (MET, f"{law} Art. 33(1): breach likely to result in a risk; late notice must give reasons")
        if facts.risk in ("risk", "high") else
        (NOT_MET, f"{law} Art. 33(1): unlikely to result in a risk — no notification, but record the "
                  f"breach under Art. 33(5)")
    )
    # Art. 34(1): individuals only when "likely to result in a high risk".
    high_risk = _flag(facts.risk == "high", f"{law} Art. 34(1): likely high risk",
                      f"{law} Art. 34(1): not likely to result in a high risk")
    # Art. 34(3)(a)-(b): no communication needed; (c) public communication instead.
    not_encrypted = _flag(not facts.encrypted, "",
                          f"{law} Art. 34(3)(a): data unintelligible (encrypted)")
    not_mitigated = _flag(not facts.later_measures_remove_high_risk, "",
                          f"{law} Art. 34(3)(b): subsequent measures ensure the high risk is no "
                          f"longer likely to materialise")
    disproportionate = facts.individual_notice_disproportionate
    individual_feasible = _flag(not disproportionate, "",
                                f"{law} Art. 34(3)(c): disproportionate effort — public "
                                f"communication instead ({prefix}-PUBLIC)")
    public_instead = _flag(disproportionate,
                           f"{law} Art. 34(3)(c): individual notice would involve disproportionate "
                           f"effort",
                           f"{law} Art. 34(3)(c): only where individual notice is disproportionate")
    sa_recipient = "ICO" if jurisdiction == "UK" else "supervisory authority"
    return [
        _make(sa_code, jurisdiction, "regulator", [anyone, some_risk],
              deadline=add_hours(start, 72), kind="instant", clock_start=start,
              citation=f"{law} Art. 33(1), (3)–(5) ({sa_recipient}: without undue delay, ≤ 72 h)",
              note=note),
        _make(f"{prefix}-IND", jurisdiction, "individuals",
              [anyone, high_risk, not_encrypted, not_mitigated, individual_feasible],
              deadline=None, kind="without_undue_delay", clock_start=start,
              citation=f"{law} Art. 34(1)–(3)", note=note),
        _make(f"{prefix}-PUBLIC", jurisdiction, "public_notice",
              [anyone, high_risk, not_encrypted, not_mitigated, public_instead],
              deadline=None, kind="without_undue_delay", clock_start=start,
              citation=f"{law} Art. 34(3)(c)", note=note),
    ]


def _eu(facts, affected):
    return _gdpr(facts, affected, jurisdiction="EU", law="GDPR", prefix="EU", sa_code="EU-SA")


def _uk(facts, affected):
    return _gdpr(facts, affected, jurisdiction="UK", law="UK GDPR", prefix="UK", sa_code="UK-ICO")


_CN_GRADES = ((100_000_000, "特别重大"), (10_000_000, "重大"), (1_000_000, "较大"))


def _cn(facts: IncidentFacts, affected: Affected) -> list[Obligation]:
    start = _utc(facts.discovered_at)  # 发现或获知: discovery
    anyone = _anyone(affected, "CN")
    pipl = (MET, "PIPL Art. 57(1): actual or possible leak, tampering or loss; no threshold")
    # Choice: PIPL Art. 57(2) lets the handler skip individual notice when its measures effectively
    # avoid harm, but the CAC may still require it. The only facts that can show this are
    # `encrypted` and `later_measures_remove_high_risk`; they make it a decision to record, never an
    # automatic 'not_required'.
    if facts.encrypted or facts.later_measures_remove_high_risk:
        why = "data encrypted" if facts.encrypted else "later measures remove the risk"
        harm_avoided = (POSSIBLE, f"PIPL Art. 57(2): {why} — decide whether measures effectively "
                                  f"avoid harm so individuals need not be notified (record why; the "
                                  f"CAC may still require notice)")
    else:
        harm_avoided = (MET, "PIPL Art. 57(1)–(2): notify individuals")
    # Seed 000 §五.4 (Aqara's promise): when individuals cannot practicably be told one by one,
    # publish a notice instead.
    individual_feasible = _flag(not facts.individual_notice_disproportionate, "",
                                "seed 000 §五.4: individual notice impracticable — public notice "
                                "instead (CN-PUBLIC)")
    public_instead = _flag(facts.individual_notice_disproportionate,
                           "seed 000 §五.4: individual notice impracticable — public notice",
                           "seed 000 §五.4: public notice only where individual notice is "
                           "impracticable")

    # Incident Reporting Measures Art. 4: 较大 and above (personal information of ≥ 1,000,000
    # people) -> provincial CAC within 4 h of discovery, 1 h for a CII operator (which also reports
    # to its protection department and the police); summary 30 days after handling ends.
    grade = _at_least(affected, 1_000_000, "CN incident grade 较大 or above")
    if grade[0] == MET:
        level = next(name for floor, name in _CN_GRADES if affected.people_min >= floor)
        grade = (MET, f"{grade[1]}: graded {level}")
    elif grade[0] == NOT_MET:
        grade = (NOT_MET, f"{grade[1]}: below 较大 on the personal-information criterion, no report "
                          f"under the Incident Reporting Measures (PIPL Art. 57 report still due)")
    hours = 1 if facts.cii_operator else 4
    cii_note = ("CII operator: 1 h; also report to the protection department and public security"
                if facts.cii_operator else "")
    measures = "National Cybersecurity Incident Reporting Measures (eff. 2025-11-01) Art. 4"
    if facts.handling_ended_at is None:
        final_deadline, final_kind, final_start = None, "pending_trigger", None
        final_note = "starts when handling of the incident ends (handling_ended_at)"
    else:
        final_start = _utc(facts.handling_ended_at)
        final_deadline = add_calendar_days(final_start, 30, "CN")
        final_kind, final_note = "instant", ""
    return [
        _make("CN-CAC-PIPL", "CN", "regulator", [anyone, pipl],
              deadline=None, kind="immediately", clock_start=start, citation="PIPL Art. 57"),
        _make("CN-CAC-INCIDENT", "CN", "regulator", [anyone, grade],
              deadline=add_hours(start, hours), kind="instant", clock_start=start,
              citation=f"{measures} ({hours} h from discovery)", note=cii_note),
        _make("CN-CAC-FINAL", "CN", "regulator", [anyone, grade],
              deadline=final_deadline, kind=final_kind, clock_start=final_start,
              citation=f"{measures} (summary within 30 days after handling ends)", note=final_note),
        _make("CN-IND", "CN", "individuals", [anyone, harm_avoided, individual_feasible],
              deadline=None, kind="immediately", clock_start=start,
              citation="PIPL Art. 57; Aqara privacy policy (seed 000) §五.4"),
        _make("CN-PUBLIC", "CN", "public_notice", [anyone, harm_avoided, public_instead],
              deadline=None, kind="immediately", clock_start=start,
              citation="Aqara privacy policy (seed 000) §五.4; PIPL Art. 57"),
    ]


# The fixed 30-day limit applies from this date (legal-rules.md: "from 2026-01-01"). Choice: we
# test the local date of discovery.
_US_CA_30_DAYS_FROM = date(2026, 1, 1)


def _us_ca(facts: IncidentFacts, affected: Affected) -> list[Obligation]:
    start = _utc(facts.discovered_at)
    anyone = _anyone(affected, "US-CA")
    # §1798.82(a): unencrypted PI acquired (or reasonably believed acquired). Choice: when
    # `unencrypted_pi_acquired` is not stated we assume it was, unless the data was encrypted.
    if facts.unencrypted_pi_acquired is True:
        acquired = (MET, "Civ. Code §1798.82(a): unencrypted personal information acquired")
    elif facts.unencrypted_pi_acquired is None and not facts.encrypted:
        acquired = (MET, "Civ. Code §1798.82(a): unencrypted personal information assumed acquired "
                         "(not stated; data not encrypted)")
    else:
        acquired = (NOT_MET, "Civ. Code §1798.82(a): no unencrypted personal information acquired")
    note = ("substitute notice under §1798.82(j) may be used"
            if facts.individual_notice_disproportionate else "")
    if start.astimezone(LOCAL_TZ["US-CA"]).date() >= _US_CA_30_DAYS_FROM:
        # 30 calendar days from discovery (may be delayed at law enforcement's request, §1798.82(c)).
        ind_deadline, ind_kind = add_calendar_days(start, 30, "US-CA"), "instant"
    else:
        ind_deadline, ind_kind = None, "without_undue_delay"  # "most expedient time possible"
        note = "; ".join(p for p in (note, "discovered before 2026-01-01: no fixed day limit") if p)
    # §1798.82(f): > 500 residents -> AG, 15 calendar days after the resident notice.
    over_500 = _at_least(affected, 500, "US-CA residents notified", strictly_more=True)
    if facts.resident_notice_sent_at is None:
        ag_deadline, ag_kind, ag_start = None, "pending_trigger", None
        ag_note = "starts when the resident notice is sent (resident_notice_sent_at)"
    else:
        ag_start = _utc(facts.resident_notice_sent_at)
        ag_deadline, ag_kind, ag_note = add_calendar_days(ag_start, 15, "US-CA"), "instant", ""
    return [
        _make("US-CA-IND", "US-CA", "individuals", [anyone, acquired],
              deadline=ind_deadline, kind=ind_kind, clock_start=start,
              citation="Cal. Civ. Code §1798.82(a), (d) (30 calendar days from discovery)",
              note=note),
        _make("US-CA-AG", "US-CA", "attorney_general", [anyone, acquired, over_500],
              deadline=ag_deadline, kind=ag_kind, clock_start=ag_start,
              citation="Cal. Civ. Code §1798.82(f) (15 calendar days after notifying residents)",
              note=ag_note),
    ]


def _sg(facts: IncidentFacts, affected: Affected) -> list[Obligation]:
    anyone = _anyone(affected, "SG")
    if facts.significant_harm is True:
        harm = (MET, "PDPA s.26B(1)(a): significant harm")
    elif facts.significant_harm is None:
        harm = (POSSIBLE, "PDPA s.26B(1)(a): significant harm not yet assessed")
    else:
        harm = (NOT_MET, "PDPA s.26B(1)(a): no significant harm")
    # s.26B(1): notifiable if significant harm OR of significant scale (≥ 500 individuals).
    notifiable = _any_of(harm, _at_least(affected, 500, "PDPA s.26B(1)(b) scale"))
    # s.26D(5): no individual notice if (a) remedial action after the assessment or (b) prior
    # technological measures make significant harm unlikely (conf S; not in legal-rules.md).
    not_mitigated = _flag(not facts.later_measures_remove_high_risk, "",
                          "PDPA s.26D(5)(a): remedial action makes significant harm unlikely")
    not_encrypted = _flag(not facts.encrypted, "",
                          "PDPA s.26D(5)(b): prior technological measure (encryption) makes "
                          "significant harm unlikely")
    if facts.sg_assessed_at is None:
        start, pdpc_deadline, kind = None, None, "pending_trigger"
        note = ("starts when the assessment concludes the breach is notifiable (sg_assessed_at); "
                "assess within 30 days (s.26C)")
    else:
        start = _utc(facts.sg_assessed_at)
        # s.26D(1): "no later than 3 calendar days after the day" of the assessment.
        pdpc_deadline, kind, note = add_calendar_days(start, 3, "SG"), "instant", ""
    return [
        _make("SG-PDPC", "SG", "regulator", [anyone, notifiable],
              deadline=pdpc_deadline, kind=kind, clock_start=start,
              citation="PDPA ss.26B, 26C, 26D(1) (≤ 3 calendar days after the assessment)", note=note),
        # s.26D(2): individuals on or after notifying the PDPC, as soon as practicable.
        _make("SG-IND", "SG", "individuals", [anyone, harm, not_mitigated, not_encrypted],
              deadline=None, kind="pending_trigger" if start is None else "without_undue_delay",
              clock_start=start, citation="PDPA s.26D(2), (5)", note=note),
    ]


def _kr(facts: IncidentFacts, affected: Affected) -> list[Obligation]:
    start, note = _awareness(facts)  # "knowledge"
    anyone = _anyone(affected, "KR")
    # PIPA Art. 34(3), Decree Art. 40: PIPC/KISA report on any one of these.
    reportable = _any_of(
        _at_least(affected, 1_000, "PIPA Decree Art. 40"),
        _flag(facts.sensitive_data, "sensitive data", "no sensitive data"),
        _flag(facts.unique_identifier_data, "unique identifier data", "no unique identifier data"),
        _flag(facts.external_illegal_access, "external illegal access",
              "no external illegal access"),
    )
    deadline = add_hours(start, 72)
    return [
        _make("KR-PIPC", "KR", "regulator", [anyone, reportable],
              deadline=deadline, kind="instant", clock_start=start,
              citation="PIPA Art. 34(3); Enforcement Decree Art. 40 (72 h)", note=note),
        # PIPA Art. 34(1), Decree Art. 39: every affected person, within 72 h.
        _make("KR-IND", "KR", "individuals", [anyone, (MET, "PIPA Art. 34(1): any leak")],
              deadline=deadline, kind="instant", clock_start=start,
              citation="PIPA Art. 34(1); Enforcement Decree Art. 39 (72 h)", note=note),
    ]


def _ru(facts: IncidentFacts, affected: Affected) -> list[Obligation]:
    start = _utc(facts.discovered_at)  # "detection"
    anyone = _anyone(affected, "RU")
    leak = (MET, "152-FZ Art. 21(3.1): unlawful transfer or leak")
    return [
        _make("RU-RKN-24H", "RU", "regulator", [anyone, leak],
              deadline=add_hours(start, 24), kind="instant", clock_start=start,
              citation="152-FZ Art. 21(3.1)(1) (initial notice, 24 h)"),
        _make("RU-RKN-72H", "RU", "regulator", [anyone, leak],
              deadline=add_hours(start, 72), kind="instant", clock_start=start,
              citation="152-FZ Art. 21(3.1)(2) (investigation results, 72 h)"),
    ]


def _br(facts: IncidentFacts, affected: Affected) -> list[Obligation]:
    start, note = _awareness(facts)  # "knowledge"
    anyone = _anyone(affected, "BR")
    # Choice: 'high' is "relevant risk or damage"; 'risk' must be weighed against Res. 15/2024
    # Art. 5 (significant effect AND sensitive/children's/financial/authentication/secret data or
    # large scale); 'none' is not reportable.
    if facts.risk == "high":
        relevant = (MET, "Res. CD/ANPD 15/2024 Art. 5: relevant risk or damage")
    elif facts.risk == "risk":
        relevant = (POSSIBLE, "Res. CD/ANPD 15/2024 Art. 5: decide whether the risk is relevant "
                              "(significant effect plus sensitive, children's, financial, "
                              "authentication or secret data, or large scale)")
    else:
        relevant = (NOT_MET, "Res. CD/ANPD 15/2024 Art. 5: no relevant risk or damage")
    deadline = add_br_business_days(start, 3)
    return [
        _make("BR-ANPD", "BR", "regulator", [anyone, relevant],
              deadline=deadline, kind="instant", clock_start=start,
              citation="LGPD Art. 48; Res. CD/ANPD 15/2024 Art. 6 (3 business days)", note=note),
        _make("BR-IND", "BR", "individuals", [anyone, relevant],
              deadline=deadline, kind="instant", clock_start=start,
              citation="LGPD Art. 48; Res. CD/ANPD 15/2024 Art. 9 (3 business days)", note=note),
    ]


_RULES = {"CN": _cn, "EU": _eu, "UK": _uk, "US-CA": _us_ca, "SG": _sg, "KR": _kr, "RU": _ru,
          "BR": _br}
