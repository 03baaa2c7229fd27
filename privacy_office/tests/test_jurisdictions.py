"""The one jurisdiction registry: every row complete, and the calendars and time zones it hands
the clocks behave as the reference says (dates worked out by hand; weekdays checked with
``date(...).strftime('%a')``). Pure: runs with ``-p no:django``."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from privacy_office import jurisdictions as registry

UTC = timezone.utc

US_STATES_DC = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY",
}


def test_every_row_has_names_in_both_languages_a_zone_a_calendar_and_rules():
    for code, row in registry.REGISTRY.items():
        assert row.code == code
        assert row.name_en and row.name_zh and row.name_zh != row.name_en
        assert ZoneInfo(row.time_zone) == row.zone
        assert row.calendar().is_working_day(date(2026, 3, 4)) in (True, False)
        assert row.rule_sets and row.rule_sets <= set(registry.RULE_SETS)


def test_the_main_jurisdictions_come_first_and_keep_their_zones():
    assert registry.MAIN_JURISDICTIONS == ("CN", "EU", "UK", "US-CA", "SG", "KR", "RU", "BR")
    # legal-rules.md "General principles": the local calendar of each jurisdiction.
    assert {code: registry.get(code).time_zone for code in registry.MAIN_JURISDICTIONS} == {
        "CN": "Asia/Shanghai", "EU": "Europe/Berlin", "UK": "Europe/London",
        "US-CA": "America/Los_Angeles", "SG": "Asia/Singapore", "KR": "Asia/Seoul",
        "RU": "Europe/Moscow", "BR": "America/Sao_Paulo",
    }


def test_us_breach_rules_cover_all_50_states_dc_and_puerto_rico():
    codes = registry.codes_with(registry.US_STATE_BREACH)
    assert len(codes) == 52
    assert set(codes) == {f"US-{s}" for s in US_STATES_DC} | {"PR"}


def test_us_privacy_law_rule_set_matches_the_table_1_rows():
    from requests_app.us_states import PRIVACY_LAWS

    assert set(registry.codes_with(registry.US_STATE_PRIVACY)) == set(PRIVACY_LAWS)


def test_us_breach_rule_set_matches_the_table_2_rows():
    from breach_app.us_states import BREACH_LAWS

    assert set(registry.codes_with(registry.US_STATE_BREACH)) == set(BREACH_LAWS)


def test_split_states_take_their_easternmost_zone():
    # Choice (registry): the earliest local midnight any resident sees.
    assert registry.get("US-TN").time_zone == "America/New_York"
    assert registry.get("US-OR").time_zone == "America/Boise"
    assert registry.get("US-TX").time_zone == "America/Chicago"


def test_china_calendar_has_the_2026_make_up_working_weekends():
    cn = registry.get("CN").calendar()
    assert cn.is_working_day(date(2026, 9, 20))  # Sun, make-up day before National Day
    assert cn.is_working_day(date(2026, 10, 10))  # Sat, make-up day after it
    assert not cn.is_working_day(date(2026, 10, 6))  # Tue inside the National Day week


def test_england_calendar_has_the_boxing_day_substitute():
    uk = registry.get("UK").calendar()
    assert not uk.is_working_day(date(2026, 12, 28))  # Mon: Boxing Day (Sat 26th) substitute


def test_us_calendar_is_federal_holidays_only():
    # legal-rules.md 2026-11: California business days exclude only weekends and US federal
    # public holidays; Cesar Chavez Day (Tue 2026-03-31) and the day after Thanksgiving (Fri
    # 2026-11-27) are business days, Thanksgiving (Thu 2026-11-26) is not.
    ca = registry.get("US-CA").calendar()
    assert ca.is_working_day(date(2026, 3, 31))
    assert ca.is_working_day(date(2026, 11, 27))
    assert not ca.is_working_day(date(2026, 11, 26))
    assert not ca.is_working_day(date(2026, 7, 3))  # Independence Day observed (Sat 4th)


def test_local_date_across_the_end_of_summer_time_at_a_month_end():
    # 2026-11-01 06:30 UTC: Los Angeles is still on PDT (UTC-7) until 09:00 UTC -> Sat 31 Oct 23:30
    assert registry.local_date(datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "US-CA") == date(2026, 10, 31)
    # the same instant in Shanghai (UTC+8) is Sun 1 Nov 14:30
    assert registry.local_date(datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "CN") == date(2026, 11, 1)


def test_time_zones_table_covers_every_code():
    zones = registry.time_zones()
    assert set(zones) == set(registry.REGISTRY)
    assert zones["EU"] == ZoneInfo("Europe/Berlin")


def test_bad_codes_and_naive_instants_are_refused():
    with pytest.raises(ValueError, match="Unknown jurisdiction 'FR'"):
        registry.get("FR")
    with pytest.raises(ValueError, match="Unknown rule set"):
        registry.codes_with("gdpr")
    with pytest.raises(ValueError, match="timezone-aware"):
        registry.local_date(datetime(2026, 3, 2, 9, 0), "EU")


def test_yearly_decree_calendars_are_china_and_russia():
    assert {code for code, row in registry.REGISTRY.items() if row.yearly_decree} == {"CN", "RU"}
    assert set(registry.DECREED_YEARS) == {"CN", "RU"}
    assert 2026 in registry.DECREED_YEARS["CN"]


def test_decreed_years_agree_with_the_make_up_working_days_the_package_knows():
    """DECREED_YEARS reads the package's yearly-decree table (no public API names those years); the
    public working-day API must agree: China's State Council moves working days onto weekends in
    every decreed year, and in none the package has no decree for. If an upgrade renames the
    table, DECREED_YEARS empties and this fails (as requests_app's test_provisional_years does)."""
    calendar = registry.get("CN").calendar()

    def has_weekend_working_day(year):
        days = (date.fromordinal(n) for n in range(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()))
        return any(day.weekday() >= 5 and calendar.is_working_day(day) for day in days)

    decreed = registry.DECREED_YEARS["CN"]
    assert len(decreed) >= 26  # 2001-2026 in holidays 0.109
    assert all(has_weekend_working_day(year) for year in decreed)
    assert not has_weekend_working_day(decreed.stop)
    assert not has_weekend_working_day(decreed.start - 1)
