"""EU Cyber Resilience Act Art. 14 reports (Reg. (EU) 2024/2847; eu-uk-product.md §1): early warning
24 h, notification 72 h, final report 14 days after a fix (actively exploited vulnerability) or one
month after the notification (severe incident), users informed (Choice: with the 72 h notification).

Hours are elapsed time; day and month periods follow Reg. 1182/71 Art. 3 in Europe/Berlin with the
DE holidays (25 and 26 Dec). Expected instants worked out by hand."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from breach_app.deadlines import ProductSecurityFacts, product_security_obligations

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")


def by_code(**kw):
    kw.setdefault("aware_at", datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    return {o.code: o for o in product_security_obligations(ProductSecurityFacts(**kw))}


def test_early_warning_and_notification_are_elapsed_hours_across_the_end_of_summer_time():
    aware = datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)  # Sat, CEST = 10:00 UTC
    ob = by_code(aware_at=aware, actively_exploited=True)
    # 10:00 UTC + 24 h = Sun 10-25 10:00 UTC, which reads 11:00 in Berlin (CET from 03:00 CEST)
    assert ob["EU-CRA-VUL-24H"].deadline == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    assert ob["EU-CRA-VUL-24H"].deadline.astimezone(BERLIN).hour == 11
    # + 72 h = Tue 10-27 10:00 UTC
    assert ob["EU-CRA-VUL-72H"].deadline == datetime(2026, 10, 27, 10, 0, tzinfo=UTC)
    assert ob["EU-CRA-VUL-24H"].status == "required"
    assert "ENISA" in ob["EU-CRA-VUL-24H"].citation


def test_vulnerability_final_report_14_days_after_the_fix_rolls_over_christmas():
    fixed = datetime(2026, 12, 11, 15, 0, tzinfo=BERLIN)  # Fri
    final = by_code(actively_exploited=True, fix_available_at=fixed)["EU-CRA-VUL-FINAL"]
    # 11 Dec + 14 = Fri 25 Dec (holiday), Sat 26 (holiday), Sun 27 -> end of Mon 28 Dec, CET (+1)
    assert final.deadline == datetime(2026, 12, 28, 22, 59, 59, 999999, tzinfo=UTC)
    assert final.clock_start == fixed


def test_vulnerability_final_report_on_christmas_eve_does_not_roll():
    fixed = datetime(2026, 12, 10, 15, 0, tzinfo=BERLIN)  # Thu; 10 Dec + 14 = Thu 24 Dec, a working day
    final = by_code(actively_exploited=True, fix_available_at=fixed)["EU-CRA-VUL-FINAL"]
    assert final.deadline == datetime(2026, 12, 24, 22, 59, 59, 999999, tzinfo=UTC)


def test_vulnerability_final_report_waits_for_a_fix():
    final = by_code(actively_exploited=True)["EU-CRA-VUL-FINAL"]
    assert (final.status, final.deadline_kind, final.deadline) == ("required", "pending_trigger", None)
    assert "awareness + 30 days" in final.reason


def test_incident_final_report_one_month_after_the_notification_at_a_month_end():
    submitted = datetime(2026, 10, 31, 10, 0, tzinfo=BERLIN)  # Sat
    final = by_code(severe_incident=True, notification_submitted_at=submitted)["EU-CRA-INC-FINAL"]
    # 31 Oct + 1 month: no 31 Nov -> Mon 30 Nov, end of day CET = 22:59:59.999999 UTC
    assert final.deadline == datetime(2026, 11, 30, 22, 59, 59, 999999, tzinfo=UTC)


def test_incident_final_report_month_ending_on_a_sunday_after_the_clock_change():
    submitted = datetime(2026, 9, 25, 16, 0, tzinfo=BERLIN)  # Fri, CEST
    final = by_code(severe_incident=True, notification_submitted_at=submitted)["EU-CRA-INC-FINAL"]
    # 25 Sep + 1 month = Sun 25 Oct -> Mon 26 Oct, end of day CET (+1) = 22:59:59.999999 UTC
    assert final.deadline == datetime(2026, 10, 26, 22, 59, 59, 999999, tzinfo=UTC)


def test_incident_track_only_when_not_an_exploited_vulnerability():
    ob = by_code(actively_exploited=False, severe_incident=True)
    assert {ob[c].status for c in ("EU-CRA-VUL-24H", "EU-CRA-VUL-72H", "EU-CRA-VUL-FINAL")} == {"not_required"}
    assert {ob[c].status for c in ("EU-CRA-INC-24H", "EU-CRA-INC-72H")} == {"required"}
    assert "malicious act" in ob["EU-CRA-INC-24H"].citation
    assert ob["EU-CRA-USERS"].status == "required"


def test_users_informed_with_the_72_hour_notification():
    aware = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    users = by_code(aware_at=aware, actively_exploited=True)["EU-CRA-USERS"]
    assert (users.recipient, users.deadline) == ("individuals", datetime(2026, 10, 4, 9, 0, tzinfo=UTC))
    assert "Choice" in users.reason


def test_unassessed_event_needs_a_decision():
    ob = by_code()
    assert {o.status for o in ob.values()} == {"needs_decision"}


def test_art_14_applies_from_11_september_2026():
    ob = by_code(aware_at=datetime(2026, 9, 10, 12, 0, tzinfo=UTC), actively_exploited=True)
    assert ob["EU-CRA-VUL-24H"].status == "not_required"
    assert "applies from 2026-09-11" in ob["EU-CRA-VUL-24H"].reason
    # 11 Sep 00:30 in Berlin is still 10 Sep in UTC: the local date decides
    assert by_code(aware_at=datetime(2026, 9, 10, 22, 30, tzinfo=UTC),
                   actively_exploited=True)["EU-CRA-VUL-24H"].status == "required"


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        ProductSecurityFacts(aware_at=datetime(2026, 10, 1, 9, 0))
    with pytest.raises(ValueError):
        ProductSecurityFacts(aware_at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
                             fix_available_at=datetime(2026, 10, 2))
