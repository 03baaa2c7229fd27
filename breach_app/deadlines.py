"""Breach-notification clocks: pure functions, facts in, obligations out.

No database, no Django, no ``now()`` in here. The service stores the computed deadlines on the
incident and calls :func:`notification_obligations` (and, for a product vulnerability or incident,
:func:`product_security_obligations`) again whenever a fact changes. Every rule below cites its
source; the rules themselves are listed in ``../shared/reference/legal-rules.md`` ("Breach
notification" and the 2026-11 update), ``us-states.md`` (Table 2, rows in ``breach_app/us_states.py``)
and ``eu-uk-product.md``. Jurisdictions (codes, time zones, working-day calendars) come from the one
registry, ``privacy_office/jurisdictions.py``. Where the reference leaves a point open, the choice
made here is marked ``Choice:`` so a lawyer can change it in one place; where the law allows two
readings the earlier deadline or the stricter duty is taken (legal-rules.md 2026-11), and a grading
whose facts are not all assessed is 'needs_decision', never 'not_required'.

Vocabulary
----------
status          'required' | 'not_required' | 'needs_decision' (a fact we do not know yet decides it;
                ``reason`` says what must be decided).
deadline_kind   'instant'             -> ``deadline`` is a UTC instant;
                'immediately'         -> no instant (PIPL 立即): due now, ``deadline`` is None;
                'without_undue_delay' -> no fixed limit, ``deadline`` is None;
                'pending_trigger'     -> the clock has not started (e.g. resident notice not sent yet),
                                         ``deadline`` and ``clock_start`` are None.
unverified      True when the obligation's deadline or threshold rests on a rule the reference marks U;
                ``reason`` names it ("a U row must show as unverified wherever it binds a date").
deadline        Choice: also filled in for 'not_required' obligations, as the limit the rule would
                impose (so a reassessment shows what was at stake). Reminders and the case's due date
                must look only at obligations whose status is not 'not_required' (the service
                stores the earliest live one on the incident).

Counting (Choice, ours)
-----------------------
* Periods in hours are elapsed time added to the UTC instant: they never roll over weekends,
  holidays or DST changes ("Periods in hours do not roll forward over weekends or holidays").
* Calendar-day periods ("N days after X") count from the day of X in the jurisdiction's local
  calendar (the day of X is day 0) and end at the end of the N-th local day,
  23:59:59.999999 local time, returned in UTC.
* EU day and month periods (CRA final reports): Reg. 1182/71 Art. 3 - the day of the event is not
  counted, a month ends on the same-numbered day (or the month's last day), and a period ending on a
  Saturday, Sunday or public holiday (DE calendar, the registry's EU row) ends at the end of the next
  working day, Europe/Berlin.
* US business days: Saturdays, Sundays and US federal public holidays only (legal-rules.md 2026-11,
  the California reading applied to every state), end of the local day in the state's time zone.
* BR business days: the day of knowledge is not counted; the period ends at the end (23:59:59.999999,
  America/Sao_Paulo) of the 3rd following day that is neither Saturday, Sunday nor a national public
  holiday of ``holidays.Brazil()`` (state/municipal holidays and optional days such as Carnival are not
  skipped). Brazilian national holidays are fixed by statute, not published year by year, so the count
  is never provisional.

Which instant starts each clock
-------------------------------
discovered_at: CN (发现或获知), US states ("discovery"; Choice: also where the statute counts from
"determination" - never later), RU ("detection").
aware_at: EU/UK ("aware"), KR and BR ("knowledge"), JP, processor notices; EU CRA clocks start at
``ProductSecurityFacts.aware_at``. When ``aware_at`` is None the clock starts at ``discovered_at``
and the reason says so.

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

from calendar import monthrange
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from types import MappingProxyType
from privacy_office import jurisdictions as registry

from .us_states import AG, BREACH_LAWS, U, BreachLawRow

UTC = timezone.utc

# Every jurisdiction an incident's affected people can be counted under: the case jurisdictions
# first (the order obligations come out in), then the other breach laws of the registry (JP, every
# US state, DC, PR).
JURISDICTIONS = tuple(dict.fromkeys((
    *registry.MAIN_JURISDICTIONS,
    *registry.codes_with(registry.BREACH),
    *registry.codes_with(registry.US_STATE_BREACH),
)))
RISK_LEVELS = ("none", "risk", "high")
AQARA_ROLES = ("controller", "processor", "both")

# legal-rules.md, "General principles": count days in the jurisdiction's local calendar (the
# registry's time zones; EU: Europe/Berlin, Aqara's EU data centre is in Germany).
LOCAL_TZ = registry.time_zones()

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
    # EU CRA Art. 14(2), (4), (8) items.
    "vulnerability": "the vulnerability, the general nature of the exploit and of the vulnerability",
    "member_states": "Member States where the product has been made available",
    "affected_products": "the products with digital elements concerned",
    "user_measures": "corrective or mitigating measures users can take",
    "sensitivity": "how sensitive the manufacturer considers the information",
    "severity_and_impact": "severity and impact",
    "malicious_actor": "information on any malicious actor that exploited the vulnerability",
    "security_update": "the security update or other corrective measures made available",
    "malicious_act_suspected": "whether unlawful or malicious acts are suspected",
    "threat_or_root_cause": "type of threat or root cause that likely triggered the incident",
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

# Civ. Code §1798.82(d).
_US_CA_IND = (
    "title_notice_of_data_breach", "what_happened", "what_information_was_involved",
    "what_we_are_doing", "what_you_can_do", "for_more_information", "notifier_contact",
    "data_categories", "breach_date", "law_enforcement_delay", "credit_bureau_contacts",
)
# Other states (us-states.md Table 2 "Content items": description, approximate date, PI type,
# what the individual can do, contact; the statutes vary - the common core).
_US_STATE_IND = ("nature", "breach_date", "data_categories", "measures", "self_protection_advice",
                 "contact")
_US_STATE_REG = ("sample_notice_copy", "categories_and_numbers", "breach_date")
# Credit bureaus: timing, distribution and content of the notices (e.g. Va. Code §18.2-186.6).
_US_STATE_CRA = ("categories_and_numbers", "sample_notice_copy")
_PROCESSOR = ("nature", "categories_and_numbers", "data_categories", "likely_consequences",
              "measures", "contact")

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
    # US-CA-IND (Civ. Code §1798.82(d)) and US-CA-AG (§1798.82(f)) are with the other states below.
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
    # Res. CD/ANPD 15/2024 Art. 6: the complementary information (conf S).
    "BR-ANPD-SUPP": ("nature", "categories_and_numbers", "likely_consequences", "measures",
                     "pending_items"),
    # APPI Rules Arts 8, 10 (eu-uk-product.md §6): overview, data items, number, cause, secondary
    # harm, response, notices, recurrence prevention (conf S/U).
    "JP-PPC-PRELIM": ("nature", "data_categories", "categories_and_numbers", "cause", "measures",
                      "pending_items"),
    "JP-PPC-FINAL": ("nature", "data_categories", "categories_and_numbers", "cause",
                     "likely_consequences", "measures", "remediation"),
    "JP-IND": ("nature", "data_categories", "cause", "likely_consequences", "contact"),
    **{f"{c}-IND": _US_CA_IND if c == "US-CA" else _US_STATE_IND for c in BREACH_LAWS},
    # M.G.L. c. 93H §3(b): the resident notice must NOT state the nature of the breach or the number
    # of residents affected (us-states.md Table 2, US-MA); notices.WITHHELD_CONTENT keeps them out.
    "US-MA-IND": tuple(key for key in _US_STATE_IND if key != "nature"),
    **{f"{row.code}-{'AG' if row.regulator.recipient == AG else 'REG'}":
       ("sample_notice_copy",) if row.code == "US-CA" else _US_STATE_REG
       for row in BREACH_LAWS.values() if row.regulator is not None},
    **{f"{row.code}-CRA": _US_STATE_CRA for row in BREACH_LAWS.values() if row.credit_bureaus},
    # Processor -> controller (eu-uk-product.md §4): enough for the controller's own notice
    # (GDPR Art. 33(3) items, Art. 28(3)(f)).
    **{f"{code}-CTRL": _PROCESSOR for code in registry.codes_with(registry.PROCESSOR)},
    # EU CRA Art. 14(2) (actively exploited vulnerability), 14(4) (severe incident), 14(8) (users).
    "EU-CRA-VUL-24H": ("vulnerability", "member_states"),
    "EU-CRA-VUL-72H": ("affected_products", "vulnerability", "measures", "user_measures", "sensitivity"),
    "EU-CRA-VUL-FINAL": ("vulnerability", "severity_and_impact", "malicious_actor", "security_update"),
    "EU-CRA-INC-24H": ("malicious_act_suspected", "member_states"),
    "EU-CRA-INC-72H": ("nature", "impact", "measures", "user_measures", "sensitivity"),
    "EU-CRA-INC-FINAL": ("nature", "severity_and_impact", "threat_or_root_cause", "measures"),
    "EU-CRA-USERS": ("nature", "user_measures"),
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
    # The resident notice of a single-state incident. With several states, give each state's own
    # notice (state code -> sent instant) in ``resident_notices_sent_at``: a state regulator's "N days
    # after the resident notice" runs from the notice to THAT state's residents, not another state's.
    resident_notice_sent_at: datetime | None = None
    resident_notices_sent_at: Mapping[str, datetime] = field(default_factory=dict)
    sg_assessed_at: datetime | None = None  # SG: assessment concluded it is notifiable
    significant_harm: bool | None = None  # SG
    handling_ended_at: datetime | None = None  # CN final summary
    later_measures_remove_high_risk: bool = False
    individual_notice_disproportionate: bool = False
    # CN grading criteria other than the people count (governance-cn.md §6B; None = not assessed,
    # True = reaches 较大 on that criterion, False = assessed below it).
    direct_economic_loss_cny: int | None = None
    system_outage_at_grade: bool | None = None
    important_data_at_grade: bool | None = None
    social_impact_at_grade: bool | None = None
    # In which role Aqara acted (its business platforms process installers', shops' and hotels'
    # data as processor / 受托方) and for which customers (the controllers to tell).
    aqara_role: str = "controller"  # AQARA_ROLES
    controllers: tuple[str, ...] = ()
    # JP reportable-breach categories (APPI Rules Art. 7; None = not assessed).
    jp_financial_damage_risk: bool | None = None
    jp_wrongful_purpose: bool | None = None
    anpd_first_notice_sent_at: datetime | None = None  # BR: starts the complementary notice

    def __post_init__(self):
        if self.aqara_role not in AQARA_ROLES:
            raise ValueError(f"aqara_role must be one of {AQARA_ROLES}, not {self.aqara_role!r}")
        if self.direct_economic_loss_cny is not None and self.direct_economic_loss_cny < 0:
            raise ValueError("direct_economic_loss_cny must be >= 0")
        object.__setattr__(self, "controllers", tuple(self.controllers))
        for code, sent in self.resident_notices_sent_at.items():
            _require_aware(sent, f"resident_notices_sent_at[{code}]")
        object.__setattr__(self, "resident_notices_sent_at", MappingProxyType(dict(self.resident_notices_sent_at)))
        for name in ("discovered_at", "aware_at", "resident_notice_sent_at", "sg_assessed_at",
                     "handling_ended_at", "anpd_first_notice_sent_at"):
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
    unverified: bool = False


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


def add_business_days(start: datetime, days: int, jurisdiction: str) -> datetime:
    """End (local time) of the ``days``-th working day after the local day of ``start``, in the
    registry's calendar of ``jurisdiction``; the day of ``start`` is not counted."""
    day = start.astimezone(LOCAL_TZ[jurisdiction]).date()
    calendar = registry.get(jurisdiction).calendar()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return _end_of_local_day(day, jurisdiction)


def add_br_business_days(start: datetime, days: int) -> datetime:
    """End (São Paulo time) of the ``days``-th Brazilian business day after the day of ``start``.

    The day of knowledge is not counted (Brazilian counting excludes the first day); Saturdays,
    Sundays and national public holidays (the registry's BR calendar) are skipped.
    """
    return add_business_days(start, days, "BR")


def _eu_roll(day: date) -> date:
    calendar = registry.get("EU").calendar()
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def add_eu_days(start: datetime, days: int) -> datetime:
    """Reg. 1182/71 Art. 3(1), (2)(b), (4): the day of the event is not counted; the period ends
    at the end of its last day, or of the next working day if that is a Saturday, Sunday or
    public holiday (DE calendar), Europe/Berlin."""
    day = start.astimezone(LOCAL_TZ["EU"]).date() + timedelta(days=days)
    return _end_of_local_day(_eu_roll(day), "EU")


def add_eu_months(start: datetime, months: int) -> datetime:
    """Reg. 1182/71 Art. 3(2)(c), (4): ends at the end of the same-numbered day ``months`` later
    (that month's last day if it has none), rolled to the next working day (DE), Europe/Berlin."""
    local = start.astimezone(LOCAL_TZ["EU"]).date()
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = date(year, month, min(local.day, monthrange(year, month)[1]))
    return _end_of_local_day(_eu_roll(day), "EU")


def time_left(deadline: datetime, now: datetime) -> timedelta:
    """Time from ``now`` to ``deadline``; negative when overdue. ``now`` is passed in: the clocks never read the time themselves."""
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

# The CAC incident report binds Aqara as the operator of its platforms (网络运营者, Incident
# Reporting Measures Art. 4) whatever its data-protection role.
_OPERATOR_DUTIES = frozenset({"CN-CAC-INCIDENT", "CN-CAC-FINAL"})


def notification_obligations(facts: IncidentFacts) -> list[Obligation]:
    """Every (jurisdiction, recipient) notification duty for an incident, in a stable order.

    Where Aqara acted as processor (``aqara_role`` 'processor' or 'both'), each jurisdiction also
    gets a '<code>-CTRL' duty to tell the controllers (customers); where it acted ONLY as
    processor, the controller's own duties are the customer's and come out 'not_required' with
    the reason (GDPR Art. 33(1) vs 33(2))."""
    obligations: list[Obligation] = []
    for jurisdiction in JURISDICTIONS:
        affected = facts.affected.get(jurisdiction)
        if affected is None or not affected.possibly_affected:
            continue
        rules = _RULES.get(jurisdiction, _us_state)
        own = rules(facts, affected) if jurisdiction in _RULES else rules(facts, affected, jurisdiction)
        if facts.aqara_role == "processor":
            own = [o if o.code in _OPERATOR_DUTIES else _controllers_duty(o, facts) for o in own]
        obligations.extend(own)
        if facts.aqara_role != "controller":
            obligations.append(_processor(facts, affected, jurisdiction))
    return obligations


def _controllers_duty(obligation: Obligation, facts: IncidentFacts) -> Obligation:
    whose = ", ".join(facts.controllers) or "the customers"
    return replace(
        obligation, status="not_required",
        reason=(f"Aqara acted only as processor: {whose} notify as controller under "
                f"{obligation.citation}; Aqara tells them ({obligation.jurisdiction}-CTRL)"),
    )


def _awareness(facts: IncidentFacts) -> tuple[datetime, str]:
    if facts.aware_at is not None:
        return _utc(facts.aware_at), ""
    return _utc(facts.discovered_at), "aware_at not recorded: clock started at discovered_at"


def _make(code, jurisdiction, recipient, conditions, *, deadline, kind, clock_start, citation,
          note="", unverified="") -> Obligation:
    """``unverified``: why the rule is U in the reference (empty when it is V or S)."""
    status, reason = _decide(conditions)
    if unverified:
        unverified = f"unverified: {unverified}"
    reason = "; ".join(part for part in (reason, note, unverified) if part)
    return Obligation(
        code=code, jurisdiction=jurisdiction, recipient=recipient, status=status, reason=reason,
        deadline=deadline, deadline_kind=kind, clock_start=clock_start, citation=citation,
        required_content=REQUIRED_CONTENT[code], unverified=bool(unverified),
    )


def _assessed(value: bool | None, what: str) -> tuple[str, str]:
    """A criterion staff assess: None is 'not assessed' -> needs decision, never 'not met'."""
    if value is None:
        return POSSIBLE, f"{what}: not assessed"
    return (MET, what) if value else (NOT_MET, f"not {what}")


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


_CN_PEOPLE_GRADES = ((100_000_000, "特别重大"), (10_000_000, "重大"), (1_000_000, "较大"))


def cn_people_grade(people: int) -> str | None:
    """The 指南 grade reached by leaking the personal information of ``people`` people (较大 from
    1,000,000, 重大 from 10,000,000, 特别重大 from 100,000,000; "以上" includes the number), or None
    below 较大. The CAC clock and the grade a notice states read the same table."""
    return next((name for floor, name in _CN_PEOPLE_GRADES if people >= floor), None)


# Direct economic loss, CNY (legal-rules.md 2026-11; governance-cn.md §6B: 较大 S, 特别重大 V).
_CN_LOSS_GRADES = ((100_000_000, "特别重大"), (20_000_000, "重大"), (5_000_000, "较大"))
_CN_LEVELS = ("较大", "重大", "特别重大")


def _cn_grade(facts: IncidentFacts, affected: Affected) -> tuple[str, str]:
    """指南 grading (governance-cn.md §6B-6C; legal-rules.md 2026-11): 较大 or above when ANY
    criterion reaches it - personal information of ≥ 1,000,000 people leaked, direct economic loss
    ≥ ¥5,000,000, or the system-outage, important-data and social-impact criteria (assessed by
    staff: their lower thresholds are still the 2023 draft's, and the important-data criterion is
    qualitative). Not required only when EVERY criterion is assessed below 较大; an unassessed
    criterion makes it 'needs decision' ("以上" includes the number)."""
    levels: list[str] = []
    people = _at_least(affected, 1_000_000, "personal information leaked")
    if people[0] == MET:
        levels.append(cn_people_grade(affected.people_min))
    loss = facts.direct_economic_loss_cny
    if loss is None:
        money = (POSSIBLE, "direct economic loss: not assessed (较大 from ¥5,000,000)")
    elif loss >= 5_000_000:
        money = (MET, f"direct economic loss ¥{loss:,} (≥ ¥5,000,000)")
        levels.append(next(name for floor, name in _CN_LOSS_GRADES if loss >= floor))
    else:
        money = (NOT_MET, f"direct economic loss ¥{loss:,}, below ¥5,000,000")
    qualitative = [
        _assessed(facts.system_outage_at_grade, "system outage at 较大 or above"),
        _assessed(facts.important_data_at_grade, "important data threatened at 较大 or above"),
        _assessed(facts.social_impact_at_grade, "social impact at 较大 or above"),
    ]
    levels += ["较大" for state, _ in qualitative if state == MET]
    state, reason = _any_of(people, money, *qualitative)
    if state == MET:
        return MET, f"CN incident grade 较大 or above ({reason}): graded {max(levels, key=_CN_LEVELS.index)}"
    if state == POSSIBLE:
        return POSSIBLE, (f"CN incident grade: no criterion reaches 较大 yet, but decide {reason} "
                          f"(Incident Reporting Measures Art. 4; the 4 h run from discovery)")
    return NOT_MET, (f"below 较大 on every criterion ({reason}): no report under the Incident "
                     f"Reporting Measures (PIPL Art. 57 report still due)")


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

    # Incident Reporting Measures Art. 4: 较大 and above -> provincial CAC within 4 h of discovery,
    # 1 h for a CII operator (which also reports to its protection department and the police);
    # summary 30 days after handling ends.
    grade = _cn_grade(facts, affected)
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


def _acquired(facts: IncidentFacts, citation: str) -> tuple[str, str]:
    # Cal. Civ. Code §1798.82(a) and every state's trigger: unencrypted PI acquired (or reasonably
    # believed acquired). Choice: when `unencrypted_pi_acquired` is not stated it is assumed, unless
    # the data was encrypted (the states' encryption safe harbour).
    if facts.unencrypted_pi_acquired is True:
        return MET, f"{citation}: unencrypted personal information acquired"
    if facts.unencrypted_pi_acquired is None and not facts.encrypted:
        return MET, (f"{citation}: unencrypted personal information assumed acquired (not stated; "
                     f"data not encrypted)")
    return NOT_MET, f"{citation}: no unencrypted personal information acquired"


def _residents(affected: Affected, threshold: int, more_than: bool, who: str):
    if threshold == 0:
        return MET, f"{who}: any number of residents"
    return _at_least(affected, threshold, f"{who}: residents", strictly_more=more_than)


def _us_state(facts: IncidentFacts, affected: Affected, code: str) -> list[Obligation]:
    """A state's breach law from its row of us-states.md Table 2 (breach_app/us_states.py)."""
    row: BreachLawRow = BREACH_LAWS[code]
    start = _utc(facts.discovered_at)  # "discovery" (Choice: also for "determination")
    local_day = start.astimezone(LOCAL_TZ[code]).date()
    base = [_anyone(affected, code), _acquired(facts, row.citation)]
    if row.risk_of_harm_exemption and facts.risk == "none":
        base.append((NOT_MET, f"{row.citation}: risk-of-harm exemption - misuse or harm judged "
                              f"unlikely; document the determination"))
    notes = [row.note] if row.note else []
    if facts.individual_notice_disproportionate:
        notes.append("substitute notice may be used")
    if row.individual_days and (row.individual_days_from is None
                                or local_day >= row.individual_days_from):
        ind_deadline, ind_kind = add_calendar_days(start, row.individual_days, code), "instant"
        ind_citation = f"{row.citation} (individuals: {row.individual_days} calendar days from discovery)"
    else:
        ind_deadline, ind_kind = None, "without_undue_delay"
        ind_citation = f"{row.citation} (individuals: most expedient time, without unreasonable delay)"
        if row.individual_days:
            notes.append(f"discovered before {row.individual_days_from}: no fixed day limit")
    obligations = [
        _make(f"{code}-IND", code, "individuals", base, deadline=ind_deadline, kind=ind_kind,
              clock_start=start, citation=ind_citation, note="; ".join(notes),
              unverified=(f"individual deadline ({row.citation})"
                          if row.individual_conf == U and ind_deadline else "")),
    ]
    reg = row.regulator
    if reg is not None and (reg.since is None or local_day >= reg.since):
        obligations.append(_us_regulator(facts, affected, row, base, start, ind_deadline))
    cra = row.credit_bureaus
    if cra is not None:
        bounds = []
        if cra.days_after_discovery:
            bounds.append(add_calendar_days(start, cra.days_after_discovery, code))
        if cra.hours_after_discovery:
            bounds.append(add_hours(start, cra.hours_after_discovery))
        timing = (f"{cra.days_after_discovery} days from discovery" if cra.days_after_discovery else
                  f"{cra.hours_after_discovery} h from discovery" if cra.hours_after_discovery else
                  "without unreasonable delay")
        obligations.append(_make(
            f"{code}-CRA", code, "credit_bureaus",
            [*base, _residents(affected, cra.threshold, cra.more_than, "credit bureaus")],
            deadline=min(bounds, default=None), kind="instant" if bounds else "without_undue_delay",
            clock_start=start, citation=f"{row.citation} (nationwide credit bureaus: {timing})",
            unverified=f"credit-bureau duty ({row.citation})" if cra.conf == U else ""))
    return obligations


def _us_regulator(facts, affected, row: BreachLawRow, base, start, ind_deadline) -> Obligation:
    """The state regulator's notice: every fixed bound the row gives, the earliest binding."""
    reg, code = row.regulator, row.code
    sent = facts.resident_notices_sent_at.get(code, facts.resident_notice_sent_at)
    notice = _utc(sent) if sent else None
    bounds: list[tuple[datetime, datetime]] = []  # (deadline, clock start)
    timing: list[str] = []
    if reg.days_after_discovery:
        bounds.append((add_calendar_days(start, reg.days_after_discovery, code), start))
        timing.append(f"{reg.days_after_discovery} days from discovery")
    if reg.business_days_after_discovery:
        bounds.append((add_business_days(start, reg.business_days_after_discovery, code), start))
        timing.append(f"{reg.business_days_after_discovery} business days from discovery")
    if reg.hours_after_discovery:
        bounds.append((add_hours(start, reg.hours_after_discovery), start))
        timing.append(f"{reg.hours_after_discovery} h from discovery")
    waits_for_notice = False
    for days, add, unit in ((reg.days_after_resident_notice, add_calendar_days, "days"),
                            (reg.business_days_after_resident_notice, add_business_days,
                             "business days")):
        if days:
            timing.append(f"{days} {unit} after the resident notice")
            if notice is None:
                waits_for_notice = True
            else:
                bounds.append((add(notice, days, code), notice))
    if reg.not_later_than_residents or reg.before_residents:
        timing.append("before the resident notice" if reg.before_residents
                      else "no later than the resident notice")
        if notice is not None:
            bounds.append((notice, start))
        elif ind_deadline is not None:
            bounds.append((ind_deadline, start))
    if bounds:
        deadline, clock_start = min(bounds)
        kind, note = "instant", ""
    elif waits_for_notice:
        deadline, clock_start, kind = None, None, "pending_trigger"
        note = "starts when the notice to this state's residents is sent"
    else:
        deadline, clock_start, kind, note = None, start, "without_undue_delay", ""
    suffix = "AG" if reg.recipient == AG else "REG"
    return _make(
        f"{code}-{suffix}", code, reg.recipient,
        [*base, _residents(affected, reg.threshold, reg.more_than, reg.body)],
        deadline=deadline, kind=kind, clock_start=clock_start,
        citation=f"{row.citation} ({reg.body}: {'; '.join(timing) or 'without unreasonable delay'})",
        note=note, unverified=f"regulator notice ({row.citation})" if reg.conf == U else "",
    )


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
    # Res. CD/ANPD 15/2024 Art. 6: complementary information within 20 business days of the first
    # notice (legal-rules.md 2026-11, conf S).
    if facts.anpd_first_notice_sent_at is None:
        supp_deadline, supp_kind, supp_start = None, "pending_trigger", None
        supp_note = "starts when the first notice to the ANPD is sent (anpd_first_notice_sent_at)"
    else:
        supp_start = _utc(facts.anpd_first_notice_sent_at)
        supp_deadline, supp_kind, supp_note = add_br_business_days(supp_start, 20), "instant", ""
    return [
        _make("BR-ANPD", "BR", "regulator", [anyone, relevant],
              deadline=deadline, kind="instant", clock_start=start,
              citation="LGPD Art. 48; Res. CD/ANPD 15/2024 Art. 6 (3 business days)", note=note),
        _make("BR-IND", "BR", "individuals", [anyone, relevant],
              deadline=deadline, kind="instant", clock_start=start,
              citation="LGPD Art. 48; Res. CD/ANPD 15/2024 Art. 9 (3 business days)", note=note),
        _make("BR-ANPD-SUPP", "BR", "regulator", [anyone, relevant],
              deadline=supp_deadline, kind=supp_kind, clock_start=supp_start,
              citation="Res. CD/ANPD 15/2024 Art. 6 (complementary information, 20 business days)",
              note=supp_note),
    ]


def _jp(facts: IncidentFacts, affected: Affected) -> list[Obligation]:
    """APPI Art. 26 and the PPC Enforcement Rules (eu-uk-product.md §6; legal-rules.md 2026-11,
    conf S/U). Reportable if any category applies (Rules Art. 7): special-care PI, risk of
    financial damage, possibly a wrongful purpose, or more than 1,000 people; an unassessed
    category is a decision to make, never 'not reportable'."""
    start, note = _awareness(facts)
    anyone = _anyone(affected, "JP")
    reportable = _any_of(
        _flag(facts.sensitive_data, "special-care (sensitive) personal information",
              "no special-care personal information"),
        _assessed(facts.jp_financial_damage_risk, "risk of financial damage"),
        _assessed(facts.jp_wrongful_purpose, "possibly caused by a wrongful purpose"),
        _at_least(affected, 1_000, "APPI Rules Art. 7(iv)", strictly_more=True),
    )
    # Rules Art. 8(1): preliminary report "promptly"; PPC guidance: about 3-5 days (U). Choice: the
    # earlier end, 3 calendar days after the day of awareness.
    prelim = add_calendar_days(start, 3, "JP")
    # Rules Art. 8(2): confirmed report within 30 days (U), 60 for a wrongful purpose (S). Choice:
    # 30 days until the wrongful purpose is confirmed (the earlier reading).
    wrongful = facts.jp_wrongful_purpose is True
    final_days = 60 if wrongful else 30
    return [
        _make("JP-PPC-PRELIM", "JP", "regulator", [anyone, reportable],
              deadline=prelim, kind="instant", clock_start=start,
              citation="APPI Art. 26(1); PPC Rules Art. 8(1) (promptly; guidance about 3-5 days: "
                       "3 days taken)",
              note=note, unverified="the 3-5 day guidance was not read"),
        _make("JP-PPC-FINAL", "JP", "regulator", [anyone, reportable],
              deadline=add_calendar_days(start, final_days, "JP"), kind="instant", clock_start=start,
              citation=f"APPI Art. 26(1); PPC Rules Art. 8(2) ({final_days} days"
                       f"{', wrongful purpose' if wrongful else '; 60 for a wrongful purpose'})",
              note=note,
              unverified="" if wrongful else "the 30-day figure was not read (PPC Rules Art. 8(2))"),
        _make("JP-IND", "JP", "individuals", [anyone, reportable],
              deadline=None, kind="without_undue_delay", clock_start=start,
              citation="APPI Art. 26(2); PPC Rules Art. 10 (promptly, according to the circumstances)",
              note=note, unverified="APPI Art. 26(2); PPC Rules Art. 10"),
    ]


# Processor -> controller (eu-uk-product.md §4; legal-rules.md 2026-11 "processor" row):
# code -> (deadline kind, citation, confidence, starts at awareness?). Choice where no rule is
# given: at once (eu-uk-product.md §7.10 encodes one internal target, 24 h, for every contract).
_PROCESSOR_RULES = {
    "EU": ("without_undue_delay", "GDPR Art. 33(2); Art. 28(3)(f)", "S", True),
    "UK": ("without_undue_delay", "UK GDPR Art. 33(2); Art. 28(3)(f)", "S", True),
    "US-CA": ("immediately", "Cal. Civ. Code §1798.82(b) (immediately following discovery)", "S",
              False),
    "SG": ("without_undue_delay", "PDPA s.26C(3)(a)", "V", True),
    "CN": ("immediately", "PIPL Arts 21, 57 (entrusted party; Choice: immediately)", U, False),
    "KR": ("immediately", "PIPA Art. 26 (entrustment; no statutory trustee clock; Choice: "
                          "immediately, per the entrustment document)", U, True),
    "JP": ("without_undue_delay", "APPI Art. 26(1) proviso; PPC Rules Art. 9 (promptly; relieves "
                                  "the entrusted party of its own report)", U, True),
}


def _processor(facts: IncidentFacts, affected: Affected, code: str) -> Obligation:
    """Tell each controller (customer) for whom Aqara processed the data."""
    start, note = _awareness(facts)
    row = BREACH_LAWS.get(code)
    hours = days = None
    if code in _PROCESSOR_RULES:
        kind, citation, conf, at_awareness = _PROCESSOR_RULES[code]
        if not at_awareness:
            start, note = _utc(facts.discovered_at), ""
    elif row is not None:
        # us-states.md Table 2 notes: GA vendor within 24 h (V), OR vendor within 10 days (V);
        # elsewhere the model wording of Cal. Civ. Code §1798.82(b), not read per state (U).
        start, note = _utc(facts.discovered_at), ""
        hours = 24 if code == "US-GA" else None
        days = 10 if code == "US-OR" else None
        kind = "instant" if hours or days else "immediately"
        conf = "V" if hours or days else U
        citation = f"{row.citation} (service provider -> owner of the data)"
    else:
        kind, conf = "immediately", U
        citation = "no processor clock in the reference; Choice: at once"
    deadline = add_hours(start, hours) if hours else add_calendar_days(start, days, code) if days else None
    named = ((MET, f"tell each controller: {', '.join(facts.controllers)}") if facts.controllers else
             (POSSIBLE, "record the controllers (customers) for whom Aqara processed the data"))
    internal = "internal target: within 24 h of awareness (not a legal number)"
    return _make(f"{code}-CTRL", code, "controller", [_anyone(affected, code), named],
                 deadline=deadline, kind=kind, clock_start=start, citation=citation,
                 note="; ".join(part for part in (note, internal) if part),
                 unverified=f"processor duty ({citation})" if conf == U else "")


# National laws; every US state, DC and PR goes through _us_state and its Table 2 row.
_RULES = {"CN": _cn, "EU": _eu, "UK": _uk, "SG": _sg, "KR": _kr, "RU": _ru, "BR": _br, "JP": _jp}


# --------------------------------------------------------------------------- EU Cyber Resilience Act

# Reg. (EU) 2024/2847 Art. 71(2): Art. 14 applies from 11 Sep 2026, to every product with digital
# elements on the market, whenever it was placed there (Art. 69(3)).
CRA_REPORTING_FROM = date(2026, 9, 11)
_CRA = "Reg. (EU) 2024/2847 (CRA)"
_CSIRT = "coordinating CSIRT and ENISA, via the single reporting platform"


@dataclass(frozen=True, kw_only=True)
class ProductSecurityFacts:
    """A product vulnerability or a product-security incident (it may involve no personal data).

    ``actively_exploited``: reliable evidence that a malicious actor exploited the vulnerability
    (Art. 3(42)); ``severe_incident``: an incident with an impact on the product's security
    (Art. 14(5)). None = not assessed yet; both may be true (two tracks run).
    ``fix_available_at``: a corrective or mitigating measure became available (vulnerability final
    report); ``notification_submitted_at``: the 72-hour incident notification was submitted
    (incident final report)."""

    aware_at: datetime
    actively_exploited: bool | None = None
    severe_incident: bool | None = None
    fix_available_at: datetime | None = None
    notification_submitted_at: datetime | None = None

    def __post_init__(self):
        for name in ("aware_at", "fix_available_at", "notification_submitted_at"):
            value = getattr(self, name)
            if value is not None or name == "aware_at":
                _require_aware(value, name)


def product_security_obligations(facts: ProductSecurityFacts) -> list[Obligation]:
    """CRA Art. 14 reports of a manufacturer (eu-uk-product.md §1; legal-rules.md 2026-11, conf V).

    Actively exploited vulnerability (Art. 14(2)): early warning 24 h and notification 72 h from
    awareness; final report no later than 14 days after a fix is available. Severe incident
    (Art. 14(4)): early warning 24 h (say whether a malicious act is suspected), notification
    72 h, final report one month after the notification was submitted. Both to the coordinating
    CSIRT and ENISA simultaneously through the single reporting platform (Art. 14(7), 16). Users
    (Art. 14(8)): no period; Choice: with the 72-hour notification. Hours are elapsed time; the
    day and month periods follow Reg. 1182/71 (Europe/Berlin, DE holidays)."""
    start = _utc(facts.aware_at)
    in_force = ((MET, "") if start.astimezone(LOCAL_TZ["EU"]).date() >= CRA_REPORTING_FROM else
                (NOT_MET, f"{_CRA} Art. 14 applies from {CRA_REPORTING_FROM} (Art. 71(2))"))
    exploited = _assessed(facts.actively_exploited,
                          "actively exploited vulnerability (Art. 3(42): reliable evidence of "
                          "exploitation by a malicious actor)")
    severe = _assessed(facts.severe_incident,
                       "severe incident affecting the product's security (Art. 14(5))")
    if facts.fix_available_at is None:
        vul_final = (None, "pending_trigger", None,
                     "starts when a corrective or mitigating measure is available "
                     "(fix_available_at); none yet: review at awareness + 30 days")
    else:
        fixed = _utc(facts.fix_available_at)
        vul_final = (add_eu_days(fixed, 14), "instant", fixed, "")
    if facts.notification_submitted_at is None:
        inc_final = (None, "pending_trigger", None,
                     "starts when the incident notification is submitted (notification_submitted_at)")
    else:
        submitted = _utc(facts.notification_submitted_at)
        inc_final = (add_eu_months(submitted, 1), "instant", submitted, "")
    early, notify = add_hours(start, 24), add_hours(start, 72)

    def report(code, track, deadline, kind, clock_start, citation, note=""):
        return _make(code, "EU", "regulator", [in_force, track], deadline=deadline, kind=kind,
                     clock_start=clock_start, citation=f"{_CRA} {citation} ({_CSIRT})", note=note)

    return [
        report("EU-CRA-VUL-24H", exploited, early, "instant", start, "Art. 14(2)(a): early warning, 24 h"),
        report("EU-CRA-VUL-72H", exploited, notify, "instant", start, "Art. 14(2)(b): notification, 72 h"),
        report("EU-CRA-VUL-FINAL", exploited, *vul_final[:3],
               "Art. 14(2)(c): final report, 14 days after a fix is available", vul_final[3]),
        report("EU-CRA-INC-24H", severe, early, "instant", start,
               "Art. 14(4)(a): early warning, 24 h, saying whether a malicious act is suspected"),
        report("EU-CRA-INC-72H", severe, notify, "instant", start, "Art. 14(4)(b): notification, 72 h"),
        report("EU-CRA-INC-FINAL", severe, *inc_final[:3],
               "Art. 14(4)(c): final report, one month after the notification", inc_final[3]),
        _make("EU-CRA-USERS", "EU", "individuals", [in_force, _any_of(exploited, severe)],
              deadline=notify, kind="instant", clock_start=start,
              citation=f"{_CRA} Art. 14(8): inform impacted users (all users where appropriate), "
                       f"machine-readable where appropriate",
              note="no period in the Regulation; Choice: with the 72 h notification "
                   "(not a legal number)"),
    ]
