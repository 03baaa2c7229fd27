"""The one registry of jurisdictions: code, names, time zone, working-day calendar, rule sets.

Pure Python (no Django import), so the legal clocks in ``requests_app/deadlines.py`` and
``breach_app/deadlines.py`` and the models can all import it. Adding a jurisdiction means one row
here, its rules (in the clocks or their rule tables) and their tests - nothing else.

Facts from ``../shared/reference/legal-rules.md`` ("General principles"): store instants in UTC,
count calendar and working days in the jurisdiction's local calendar; working days come from the
``holidays`` package (its public ``country_holidays`` factory).

Rule sets (which clocks apply to a jurisdiction):
    RIGHTS_REQUESTS    requests_app.deadlines.response_due (the statute of a case's jurisdiction)
    US_STATE_PRIVACY   requests_app.us_states: comprehensive state privacy law (us-states.md Table 1)
    BREACH             breach_app.deadlines.notification_obligations: a national breach law
    US_STATE_BREACH    the same, from a state breach-notification law (us-states.md Table 2, rows
                       in breach_app/us_states.py; California included)
    PROCESSOR          breach_app.deadlines: processor -> controller notice (eu-uk-product.md §4;
                       every breach jurisdiction, flagged U where the reference gives no rule)
    PRODUCT_SECURITY   breach_app.deadlines.product_security_obligations (EU CRA Art. 14)
    UK_COMPLAINTS      requests_app.deadlines: complaint acknowledgement (DPA 2018 s.164A)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

RIGHTS_REQUESTS = "rights_requests"
US_STATE_PRIVACY = "us_state_privacy"
BREACH = "breach"
US_STATE_BREACH = "us_state_breach"
PROCESSOR = "processor"
PRODUCT_SECURITY = "product_security"
UK_COMPLAINTS = "uk_complaints"
RULE_SETS = (
    RIGHTS_REQUESTS, US_STATE_PRIVACY, BREACH, US_STATE_BREACH, PROCESSOR, PRODUCT_SECURITY,
    UK_COMPLAINTS,
)

CN = "CN"
EU = "EU"
UK = "UK"
US_CA = "US-CA"
SG = "SG"
KR = "KR"
RU = "RU"
BR = "BR"
JP = "JP"


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name_en: str
    name_zh: str
    time_zone: str  # IANA name
    # holidays.country_holidays(country, subdiv=...): the public factory of the package.
    holiday_country: str
    holiday_subdiv: str | None
    rule_sets: frozenset[str]
    # CN and RU move working days by a yearly decree (CN: State Council General Office notice;
    # RU: Government resolution); a count into a year whose decree is not out is provisional.
    yearly_decree: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def calendar(self) -> holidays.HolidayBase:
        """A fresh working-day calendar (fresh, so callers share no mutable state)."""
        return holidays.country_holidays(self.holiday_country, subdiv=self.holiday_subdiv)


_CASE = frozenset({RIGHTS_REQUESTS, BREACH, PROCESSOR})
_ROWS: list[Jurisdiction] = [
    # Includes the make-up working weekends (调休) of the State Council's yearly notice.
    Jurisdiction(CN, "Mainland China", "中国大陆", "Asia/Shanghai", "CN", None, _CASE, yearly_decree=True),
    # Aqara's EU data centre is in Germany (legal-rules.md). Choice: nationwide German holidays
    # only (no Land): a Land-only holiday does not roll a deadline forward - the earlier date.
    Jurisdiction(EU, "European Union", "欧盟", "Europe/Berlin", "DE", None, _CASE | {PRODUCT_SECURITY}),
    # England bank holidays (ICO guidance; legal-rules.md UK row).
    Jurisdiction(UK, "United Kingdom", "英国", "Europe/London", "GB", "ENG", _CASE | {UK_COMPLAINTS}),
    Jurisdiction(SG, "Singapore", "新加坡", "Asia/Singapore", "SG", None, _CASE),
    Jurisdiction(KR, "South Korea", "韩国", "Asia/Seoul", "KR", None, _CASE),
    Jurisdiction(RU, "Russia", "俄罗斯", "Europe/Moscow", "RU", None, _CASE, yearly_decree=True),
    Jurisdiction(BR, "Brazil", "巴西", "America/Sao_Paulo", "BR", None, _CASE),
    # APPI (eu-uk-product.md §6).
    Jurisdiction(JP, "Japan", "日本", "Asia/Tokyo", "JP", None, _CASE),
]

# US states, DC and Puerto Rico (us-states.md). Names in zh follow the usual Xinhua forms.
# Time zone, Choice: the state's easternmost civil zone, so a day period ends at the earliest
# local midnight any resident sees (the earlier deadline, legal-rules.md 2026-11 principle):
# TN -> New York (Nashville is Central), OR -> Boise (Malheur County), NV -> Denver (West
# Wendover). Arizona keeps its own state time (the Navajo Nation's DST is tribal, not state law).
# Calendar, Choice: US federal public holidays only, for every state - the reference's reading of
# California "business days" (Saturdays, Sundays and federal holidays; a state-office day such as
# Cesar Chavez Day counts as a business day), applied to every state as the earlier reading.
_US_STATES = (
    ("AL", "Alabama", "阿拉巴马州", "America/Chicago"),
    ("AK", "Alaska", "阿拉斯加州", "America/Anchorage"),
    ("AZ", "Arizona", "亚利桑那州", "America/Phoenix"),
    ("AR", "Arkansas", "阿肯色州", "America/Chicago"),
    ("CA", "California", "加利福尼亚州", "America/Los_Angeles"),
    ("CO", "Colorado", "科罗拉多州", "America/Denver"),
    ("CT", "Connecticut", "康涅狄格州", "America/New_York"),
    ("DE", "Delaware", "特拉华州", "America/New_York"),
    ("DC", "District of Columbia", "哥伦比亚特区", "America/New_York"),
    ("FL", "Florida", "佛罗里达州", "America/New_York"),
    ("GA", "Georgia", "佐治亚州", "America/New_York"),
    ("HI", "Hawaii", "夏威夷州", "Pacific/Honolulu"),
    ("ID", "Idaho", "爱达荷州", "America/Boise"),
    ("IL", "Illinois", "伊利诺伊州", "America/Chicago"),
    ("IN", "Indiana", "印第安纳州", "America/Indiana/Indianapolis"),
    ("IA", "Iowa", "艾奥瓦州", "America/Chicago"),
    ("KS", "Kansas", "堪萨斯州", "America/Chicago"),
    ("KY", "Kentucky", "肯塔基州", "America/New_York"),
    ("LA", "Louisiana", "路易斯安那州", "America/Chicago"),
    ("ME", "Maine", "缅因州", "America/New_York"),
    ("MD", "Maryland", "马里兰州", "America/New_York"),
    ("MA", "Massachusetts", "马萨诸塞州", "America/New_York"),
    ("MI", "Michigan", "密歇根州", "America/Detroit"),
    ("MN", "Minnesota", "明尼苏达州", "America/Chicago"),
    ("MS", "Mississippi", "密西西比州", "America/Chicago"),
    ("MO", "Missouri", "密苏里州", "America/Chicago"),
    ("MT", "Montana", "蒙大拿州", "America/Denver"),
    ("NE", "Nebraska", "内布拉斯加州", "America/Chicago"),
    ("NV", "Nevada", "内华达州", "America/Denver"),
    ("NH", "New Hampshire", "新罕布什尔州", "America/New_York"),
    ("NJ", "New Jersey", "新泽西州", "America/New_York"),
    ("NM", "New Mexico", "新墨西哥州", "America/Denver"),
    ("NY", "New York", "纽约州", "America/New_York"),
    ("NC", "North Carolina", "北卡罗来纳州", "America/New_York"),
    ("ND", "North Dakota", "北达科他州", "America/Chicago"),
    ("OH", "Ohio", "俄亥俄州", "America/New_York"),
    ("OK", "Oklahoma", "俄克拉何马州", "America/Chicago"),
    ("OR", "Oregon", "俄勒冈州", "America/Boise"),
    ("PA", "Pennsylvania", "宾夕法尼亚州", "America/New_York"),
    ("RI", "Rhode Island", "罗得岛州", "America/New_York"),
    ("SC", "South Carolina", "南卡罗来纳州", "America/New_York"),
    ("SD", "South Dakota", "南达科他州", "America/Chicago"),
    ("TN", "Tennessee", "田纳西州", "America/New_York"),
    ("TX", "Texas", "得克萨斯州", "America/Chicago"),
    ("UT", "Utah", "犹他州", "America/Denver"),
    ("VT", "Vermont", "佛蒙特州", "America/New_York"),
    ("VA", "Virginia", "弗吉尼亚州", "America/New_York"),
    ("WA", "Washington", "华盛顿州", "America/Los_Angeles"),
    ("WV", "West Virginia", "西弗吉尼亚州", "America/New_York"),
    ("WI", "Wisconsin", "威斯康星州", "America/Chicago"),
    ("WY", "Wyoming", "怀俄明州", "America/Denver"),
)
# Comprehensive state privacy laws in force or enacted (us-states.md Table 1, incl. the future-
# dated Alabama row); California's CCPA is also a case jurisdiction of its own (RIGHTS_REQUESTS).
_US_PRIVACY_LAW_STATES = frozenset({
    "AL", "CA", "CO", "CT", "DE", "FL", "IA", "IN", "KY", "LA", "MD", "MN", "MT", "NE", "NH", "NJ",
    "OK", "OR", "RI", "TN", "TX", "UT", "VA",
})

for _abbr, _en, _zh, _tz in _US_STATES:
    _sets = {US_STATE_BREACH, PROCESSOR}
    if _abbr in _US_PRIVACY_LAW_STATES:
        _sets.add(US_STATE_PRIVACY)
    if _abbr == "CA":
        _sets.add(RIGHTS_REQUESTS)  # the CCPA is a case jurisdiction of its own
    _ROWS.append(Jurisdiction(f"US-{_abbr}", _en, _zh, _tz, "US", None, frozenset(_sets)))
# Puerto Rico's breach law (10 L.P.R.A. §§4051-4055) is in us-states.md Table 2.
_ROWS.append(Jurisdiction("PR", "Puerto Rico", "波多黎各", "America/Puerto_Rico", "US", None,
                          frozenset({US_STATE_BREACH, PROCESSOR})))

REGISTRY: Mapping[str, Jurisdiction] = MappingProxyType({row.code: row for row in _ROWS})

# The order lists and obligations show the main jurisdictions in (the first version's eight); JP,
# the other US states, DC and PR follow in registry order. What each model offers is its rule sets'
# codes (breach_app.deadlines.JURISDICTIONS, requests_app.deadlines.CASE_JURISDICTIONS).
MAIN_JURISDICTIONS = (CN, EU, UK, US_CA, SG, KR, RU, BR)


def get(code: str) -> Jurisdiction:
    try:
        return REGISTRY[code]
    except KeyError:
        raise ValueError(f"Unknown jurisdiction {code!r}; expected one of {', '.join(REGISTRY)}.") from None


def display_name(code: str, *, chinese: bool, qualify_us: bool = True) -> str:
    """The jurisdiction's name in Chinese or English. In lists the English name of a US state, DC or
    Puerto Rico says "(US)" (Georgia the state, not the country; the Chinese names say 州 already);
    a letter to that state's residents or regulator (``qualify_us=False``) just names it."""
    row = get(code)
    if chinese:
        return row.name_zh
    return f"{row.name_en} (US)" if qualify_us and row.holiday_country == "US" else row.name_en


def codes_with(rule_set: str) -> tuple[str, ...]:
    """Codes whose rules include ``rule_set``, in registry order."""
    if rule_set not in RULE_SETS:
        raise ValueError(f"Unknown rule set {rule_set!r}; expected one of {', '.join(RULE_SETS)}.")
    return tuple(code for code, row in REGISTRY.items() if rule_set in row.rule_sets)


def time_zones() -> Mapping[str, ZoneInfo]:
    """code -> ZoneInfo for every jurisdiction (what the models' time-zone tables hold)."""
    return MappingProxyType({code: row.zone for code, row in REGISTRY.items()})


def local_date(instant: datetime, code: str) -> date:
    """The calendar date of a UTC instant in the jurisdiction's time zone."""
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise ValueError(f"instant must be a timezone-aware datetime, got {instant!r}.")
    return instant.astimezone(get(code).zone).date()


def _decreed_years(module_path: str, class_name: str) -> range:
    # No public API says which years' decree the package holds, so this reads the country's
    # special-holiday table (holidays 0.109: CN 2001-2026, RU to 2027); an upgrade extends it.
    # Inferring the years from make-up working days through the public is_working_day does not
    # serve: Russia decrees years without one (2023, 2026). Pinned by test_provisional_years
    # (requests_app/tests/test_deadlines.py) and, against the public API for China, by
    # privacy_office/tests/test_jurisdictions.py.
    module = __import__(module_path, fromlist=[class_name])
    table = getattr(getattr(module, class_name), "special_public_holidays", {})
    return range(min(table), max(table) + 1) if table else range(0)


DECREED_YEARS: Mapping[str, range] = MappingProxyType({
    CN: _decreed_years("holidays.countries.china", "ChinaStaticHolidays"),
    RU: _decreed_years("holidays.countries.russia", "RussiaStaticHolidays"),
})
