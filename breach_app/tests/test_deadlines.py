"""Breach-notification clocks. Every expected instant was worked out by hand (weekdays checked with
``datetime.date(...).strftime('%a')``); the comment beside it shows the arithmetic."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from breach_app.deadlines import (
    CONTENT_KEYS,
    JURISDICTIONS,
    REQUIRED_CONTENT,
    Affected,
    IncidentFacts,
    ProductSecurityFacts,
    format_time_left,
    notification_obligations,
    product_security_obligations,
    time_left,
)
from breach_app.models import Obligation

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
LA = ZoneInfo("America/Los_Angeles")
SINGAPORE = ZoneInfo("Asia/Singapore")
SEOUL = ZoneInfo("Asia/Seoul")
MOSCOW = ZoneInfo("Europe/Moscow")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")

T0 = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)  # Fri; used where the clock does not matter


def facts(jurisdiction, people, people_max="same", **kw):
    maximum = people if people_max == "same" else people_max
    kw.setdefault("discovered_at", T0)
    return IncidentFacts(affected={jurisdiction: Affected(people, maximum)}, **kw)


def by_code(incident):
    obligations = notification_obligations(incident)
    codes = [o.code for o in obligations]
    assert len(codes) == len(set(codes))
    return {o.code: o for o in obligations}


# --- EU / UK -------------------------------------------------------------------------------------

def test_eu_sa_72_hours_do_not_roll_over_the_weekend():
    aware = datetime(2026, 11, 27, 22, 30, tzinfo=BERLIN)  # Fri, CET = UTC+1
    sa = by_code(facts("EU", 10, discovered_at=aware, aware_at=aware))["EU-SA"]
    # Fri 21:30 UTC + 72 h = Mon 2026-11-30 21:30 UTC (22:30 Berlin), weekend included
    assert sa.deadline == datetime(2026, 11, 30, 21, 30, tzinfo=UTC)
    assert sa.deadline.astimezone(BERLIN).strftime("%a %H:%M") == "Mon 22:30"
    assert (sa.status, sa.deadline_kind, sa.clock_start) == ("required", "instant", aware)
    assert sa.required_content == (
        "nature", "categories_and_numbers", "dpo_contact", "likely_consequences", "measures")


def test_eu_sa_hours_are_elapsed_time_across_dst():
    aware = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)  # Sat, CET; clocks go forward Sun 29 Mar
    sa = by_code(facts("EU", 10, aware_at=aware))["EU-SA"]
    # 11:00 UTC + 72 h = Tue 2026-03-31 11:00 UTC, which is 13:00 CEST on the wall clock
    assert sa.deadline == datetime(2026, 3, 31, 11, 0, tzinfo=UTC)


def test_eu_awareness_falls_back_to_discovery_and_says_so():
    discovered = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    sa = by_code(facts("EU", 10, discovered_at=discovered, aware_at=None))["EU-SA"]
    assert sa.deadline == datetime(2026, 6, 4, 8, 0, tzinfo=UTC)  # Mon 08:00 + 72 h = Thu 08:00
    assert "aware_at not recorded" in sa.reason


def test_eu_risk_none_sa_not_required_but_recorded():
    ob = by_code(facts("EU", 10, risk="none"))
    assert ob["EU-SA"].status == "not_required"
    assert "Art. 33(5)" in ob["EU-SA"].reason
    assert ob["EU-IND"].status == "not_required"


def test_eu_encrypted_individuals_not_required_sa_still_required():
    ob = by_code(facts("EU", 10, risk="high", encrypted=True))
    assert ob["EU-SA"].status == "required"
    assert ob["EU-IND"].status == "not_required"
    assert "GDPR Art. 34(3)(a): data unintelligible (encrypted)" in ob["EU-IND"].reason
    assert ob["EU-PUBLIC"].status == "not_required"


def test_eu_high_risk_individuals_without_undue_delay():
    ind = by_code(facts("EU", 10, risk="high"))["EU-IND"]
    assert (ind.status, ind.deadline_kind, ind.deadline) == ("required", "without_undue_delay", None)
    assert by_code(facts("EU", 10, risk="risk"))["EU-IND"].status == "not_required"


def test_eu_later_measures_and_disproportionate_effort():
    mitigated = by_code(facts("EU", 10, risk="high", later_measures_remove_high_risk=True))
    assert "Art. 34(3)(b)" in mitigated["EU-IND"].reason
    assert mitigated["EU-PUBLIC"].status == "not_required"
    hard = by_code(facts("EU", 10, risk="high", individual_notice_disproportionate=True))
    assert hard["EU-IND"].status == "not_required"
    assert "Art. 34(3)(c)" in hard["EU-IND"].reason
    assert (hard["EU-PUBLIC"].status, hard["EU-PUBLIC"].recipient) == ("required", "public_notice")


def test_uk_mirrors_eu_with_ico_code():
    aware = datetime(2026, 11, 27, 22, 30, tzinfo=LONDON)  # Fri, GMT = UTC
    ob = by_code(facts("UK", 10, aware_at=aware, risk="high", encrypted=True))
    assert ob["UK-ICO"].deadline == datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # Fri 22:30 + 72 h
    assert "UK GDPR Art. 34(3)(a)" in ob["UK-IND"].reason
    assert set(ob) == {"UK-ICO", "UK-IND", "UK-PUBLIC"}


# --- CN ------------------------------------------------------------------------------------------

CN_DISCOVERED = datetime(2026, 6, 5, 9, 15, tzinfo=SHANGHAI)  # Fri, UTC+8 = 01:15 UTC


def test_cn_over_a_million_incident_report_4_hours():
    ob = by_code(facts("CN", 1_000_001, discovered_at=CN_DISCOVERED))
    report = ob["CN-CAC-INCIDENT"]
    assert report.status == "required"
    assert report.recipient == "regulator"
    assert report.deadline == datetime(2026, 6, 5, 5, 15, tzinfo=UTC)  # 01:15 UTC + 4 h
    assert "较大" in report.reason
    assert report.clock_start == CN_DISCOVERED


def test_cn_cii_operator_1_hour():
    report = by_code(facts("CN", 1_000_001, discovered_at=CN_DISCOVERED, cii_operator=True))[
        "CN-CAC-INCIDENT"]
    assert report.deadline == datetime(2026, 6, 5, 2, 15, tzinfo=UTC)  # 01:15 UTC + 1 h


def test_cn_below_a_million_no_incident_report_but_pipl_immediately():
    # Below 1,000,000 people the report is "not required" only once the other grading
    # criteria (loss, outage, important data, social impact) are all assessed below 较大.
    ob = by_code(facts("CN", 999_999, discovered_at=CN_DISCOVERED, direct_economic_loss_cny=0,
                       system_outage_at_grade=False, important_data_at_grade=False,
                       social_impact_at_grade=False))
    assert ob["CN-CAC-INCIDENT"].status == "not_required"
    assert "below 较大" in ob["CN-CAC-INCIDENT"].reason
    assert ob["CN-CAC-FINAL"].status == "not_required"
    pipl = ob["CN-CAC-PIPL"]
    assert (pipl.status, pipl.deadline_kind, pipl.deadline) == ("required", "immediately", None)
    assert ob["CN-IND"].status == "required"
    assert ob["CN-IND"].deadline_kind == "immediately"


def test_cn_exactly_a_million_and_range_across_threshold():
    assert by_code(facts("CN", 1_000_000))["CN-CAC-INCIDENT"].status == "required"
    ranged = by_code(facts("CN", 900_000, 1_200_000))["CN-CAC-INCIDENT"]
    assert ranged.status == "needs_decision"
    assert by_code(facts("CN", 900_000, None))["CN-CAC-INCIDENT"].status == "needs_decision"


def test_cn_final_summary_30_days_after_handling_ends():
    pending = by_code(facts("CN", 2_000_000))["CN-CAC-FINAL"]
    assert (pending.deadline_kind, pending.deadline, pending.clock_start) == (
        "pending_trigger", None, None)
    ended = datetime(2026, 6, 5, 18, 0, tzinfo=SHANGHAI)  # Fri
    final = by_code(facts("CN", 2_000_000, handling_ended_at=ended))["CN-CAC-FINAL"]
    # 5 Jun + 30 days = Sun 2026-07-05, end of day 23:59:59.999999 Shanghai = 15:59:59.999999 UTC
    assert final.deadline == datetime(2026, 7, 5, 15, 59, 59, 999999, tzinfo=UTC)
    assert final.deadline_kind == "instant"


def test_cn_individuals_decision_when_measures_avoid_harm_and_public_notice():
    assert by_code(facts("CN", 50, encrypted=True))["CN-IND"].status == "needs_decision"
    ob = by_code(facts("CN", 50, individual_notice_disproportionate=True))
    assert ob["CN-IND"].status == "not_required"
    assert ob["CN-PUBLIC"].status == "required"
    assert "remedies" in ob["CN-IND"].required_content  # seed 000 §五.4


# --- US-CA ---------------------------------------------------------------------------------------

US_DISCOVERED = datetime(2026, 3, 2, 10, 0, tzinfo=LA)  # Mon, PST = 18:00 UTC


def test_us_ca_residents_30_calendar_days():
    ind = by_code(facts("US-CA", 10, discovered_at=US_DISCOVERED))["US-CA-IND"]
    # 2 Mar + 30 days = Wed 2026-04-01, 23:59:59.999999 PDT (UTC-7) = 2026-04-02 06:59:59.999999 UTC
    assert ind.deadline == datetime(2026, 4, 2, 6, 59, 59, 999999, tzinfo=UTC)
    assert ind.status == "required"
    assert ind.required_content[0] == "title_notice_of_data_breach"


def test_us_ca_counts_from_the_local_day_of_discovery():
    late_evening = datetime(2026, 3, 2, 20, 0, tzinfo=LA)  # Mon 20:00 PST = Tue 04:00 UTC
    ind = by_code(facts("US-CA", 10, discovered_at=late_evening))["US-CA-IND"]
    assert ind.deadline == datetime(2026, 4, 2, 6, 59, 59, 999999, tzinfo=UTC)  # still 2 Mar + 30


@pytest.mark.parametrize("residents, status", [(499, "not_required"), (500, "not_required"),
                                               (501, "required")])
def test_us_ca_attorney_general_over_500(residents, status):
    sent = datetime(2026, 3, 24, 16, 0, tzinfo=LA)  # Tue, PDT
    ag = by_code(facts("US-CA", residents, discovered_at=US_DISCOVERED,
                       resident_notice_sent_at=sent))["US-CA-AG"]
    assert ag.status == status
    assert ag.recipient == "attorney_general"
    # 24 Mar + 15 days = Wed 2026-04-08, 23:59:59.999999 PDT = 2026-04-09 06:59:59.999999 UTC
    assert ag.deadline == datetime(2026, 4, 9, 6, 59, 59, 999999, tzinfo=UTC)


def test_us_ca_attorney_general_pending_until_resident_notice_and_ranges():
    ag = by_code(facts("US-CA", 501))["US-CA-AG"]
    assert (ag.status, ag.deadline_kind, ag.deadline) == ("required", "pending_trigger", None)
    assert by_code(facts("US-CA", 400, 600))["US-CA-AG"].status == "needs_decision"


def test_us_ca_encryption_and_unstated_acquisition():
    assert by_code(facts("US-CA", 10, encrypted=True))["US-CA-IND"].status == "not_required"
    assert by_code(facts("US-CA", 10, unencrypted_pi_acquired=False))["US-CA-IND"].status == \
        "not_required"
    assumed = by_code(facts("US-CA", 10))["US-CA-IND"]  # unencrypted_pi_acquired=None
    assert assumed.status == "required" and "assumed" in assumed.reason


def test_us_ca_before_2026_no_fixed_limit():
    ind = by_code(facts("US-CA", 10, discovered_at=datetime(2025, 12, 15, 9, 0, tzinfo=LA)))[
        "US-CA-IND"]
    assert (ind.deadline_kind, ind.deadline) == ("without_undue_delay", None)


# --- SG ------------------------------------------------------------------------------------------

def test_sg_pdpc_3_calendar_days_after_assessment():
    assessed = datetime(2026, 6, 1, 15, 0, tzinfo=SINGAPORE)  # Mon
    ob = by_code(facts("SG", 600, significant_harm=False, sg_assessed_at=assessed))
    # 1 Jun + 3 days = Thu 2026-06-04, 23:59:59.999999 SGT (UTC+8) = 15:59:59.999999 UTC
    assert ob["SG-PDPC"].deadline == datetime(2026, 6, 4, 15, 59, 59, 999999, tzinfo=UTC)
    assert ob["SG-PDPC"].status == "required"
    assert ob["SG-PDPC"].clock_start == assessed
    assert ob["SG-IND"].status == "not_required"


def test_sg_pending_before_assessment():
    ob = by_code(facts("SG", 600, significant_harm=True))
    assert (ob["SG-PDPC"].deadline_kind, ob["SG-PDPC"].deadline) == ("pending_trigger", None)
    assert ob["SG-IND"].deadline_kind == "pending_trigger"
    assert ob["SG-IND"].status == "required"


def test_sg_thresholds():
    assert by_code(facts("SG", 499, significant_harm=False))["SG-PDPC"].status == "not_required"
    assert by_code(facts("SG", 500, significant_harm=False))["SG-PDPC"].status == "required"
    assert by_code(facts("SG", 10, significant_harm=True))["SG-PDPC"].status == "required"
    assert by_code(facts("SG", 10))["SG-PDPC"].status == "needs_decision"  # harm not assessed
    assert by_code(facts("SG", 10, significant_harm=True, encrypted=True))["SG-IND"].status == \
        "not_required"


# --- KR ------------------------------------------------------------------------------------------

def test_kr_72_hours_and_thresholds():
    aware = datetime(2026, 6, 5, 9, 0, tzinfo=SEOUL)  # Fri, KST = 00:00 UTC
    ob = by_code(facts("KR", 999, aware_at=aware))
    assert ob["KR-PIPC"].status == "not_required"
    assert ob["KR-IND"].status == "required"
    assert ob["KR-IND"].deadline == datetime(2026, 6, 8, 0, 0, tzinfo=UTC)  # Fri 00:00 + 72 h = Mon
    assert by_code(facts("KR", 1_000))["KR-PIPC"].status == "required"
    assert by_code(facts("KR", 500, 1_500))["KR-PIPC"].status == "needs_decision"
    for flag in ("sensitive_data", "unique_identifier_data", "external_illegal_access"):
        assert by_code(facts("KR", 10, **{flag: True}))["KR-PIPC"].status == "required"


# --- RU ------------------------------------------------------------------------------------------

def test_ru_24_and_72_hours_from_detection():
    detected = datetime(2026, 6, 5, 12, 0, tzinfo=MOSCOW)  # Fri, MSK = 09:00 UTC
    ob = by_code(facts("RU", 3, discovered_at=detected))
    assert ob["RU-RKN-24H"].deadline == datetime(2026, 6, 6, 9, 0, tzinfo=UTC)  # + 24 h = Sat
    assert ob["RU-RKN-72H"].deadline == datetime(2026, 6, 8, 9, 0, tzinfo=UTC)  # + 72 h = Mon
    assert {o.status for o in ob.values()} == {"required"}


# --- BR ------------------------------------------------------------------------------------------

def test_br_3_business_days_over_weekend_and_tiradentes():
    knew = datetime(2026, 4, 17, 15, 0, tzinfo=SAO_PAULO)  # Fri
    ob = by_code(facts("BR", 10, aware_at=knew, risk="high"))
    # Mon 20 (1), Tue 21 Tiradentes skipped, Wed 22 (2), Thu 23 (3): 23:59:59.999999 BRT (UTC-3)
    expected = datetime(2026, 4, 24, 2, 59, 59, 999999, tzinfo=UTC)
    assert ob["BR-ANPD"].deadline == expected
    assert ob["BR-IND"].deadline == expected
    assert ob["BR-ANPD"].status == "required"


def test_br_3_business_days_over_christmas():
    knew = datetime(2026, 12, 24, 10, 0, tzinfo=SAO_PAULO)  # Thu; 24 Dec is not a public holiday
    anpd = by_code(facts("BR", 10, aware_at=knew, risk="high"))["BR-ANPD"]
    # Fri 25 Christmas, Sat, Sun skipped; Mon 28 (1), Tue 29 (2), Wed 30 (3) -> 31 Dec 02:59:59 UTC
    assert anpd.deadline == datetime(2026, 12, 31, 2, 59, 59, 999999, tzinfo=UTC)


def test_br_day_of_knowledge_is_the_sao_paulo_day():
    knew = datetime(2026, 4, 17, 2, 0, tzinfo=UTC)  # = Thu 16 Apr 23:00 BRT
    anpd = by_code(facts("BR", 10, aware_at=knew, risk="high"))["BR-ANPD"]
    # Fri 17 (1), Mon 20 (2), Tue 21 Tiradentes skipped, Wed 22 (3) -> 23 Apr 02:59:59 UTC
    assert anpd.deadline == datetime(2026, 4, 23, 2, 59, 59, 999999, tzinfo=UTC)


def test_br_relevance_of_risk():
    assert by_code(facts("BR", 10, risk="risk"))["BR-ANPD"].status == "needs_decision"
    assert by_code(facts("BR", 10, risk="none"))["BR-IND"].status == "not_required"


# --- general -------------------------------------------------------------------------------------

def test_only_possibly_affected_jurisdictions_and_stable_vocabulary():
    # Every jurisdiction, Aqara as controller and processor, and a product-security event: each
    # code the clocks can produce has its content, and no content entry is dead.
    incident = IncidentFacts(
        discovered_at=T0, risk="high", aqara_role="both", controllers=("Hotel A",),
        affected={j: Affected(5, 5) for j in JURISDICTIONS})
    obligations = notification_obligations(incident) + product_security_obligations(
        ProductSecurityFacts(aware_at=T0))
    assert {o.code for o in obligations} == set(REQUIRED_CONTENT)
    for o in obligations:
        # The one vocabulary of each: the stored obligation's choices.
        assert o.status in Obligation.Applicability.values and o.recipient in Obligation.Recipient.values
        assert o.deadline_kind in Obligation.DeadlineKind.values
        assert o.reason and o.citation
        assert set(o.required_content) <= set(CONTENT_KEYS)
        assert o.deadline is None or o.deadline.utcoffset() == timedelta(0)
    assert notification_obligations(facts("EU", 0)) == []
    unknown = by_code(facts("EU", 0, None))["EU-SA"]
    assert unknown.status == "needs_decision" and "possibly affected" in unknown.reason


def test_naive_datetimes_and_unknown_jurisdictions_rejected():
    with pytest.raises(ValueError):
        IncidentFacts(discovered_at=datetime(2026, 6, 5, 9, 0), affected={"EU": Affected(1, 1)})
    with pytest.raises(ValueError):
        IncidentFacts(discovered_at=T0, affected={"XX": Affected(1, 1)})
    with pytest.raises(ValueError):
        Affected(10, 5)


def test_time_left_and_format():
    deadline = datetime(2026, 11, 30, 21, 30, tzinfo=UTC)
    assert time_left(deadline, datetime(2026, 11, 30, 18, 18, tzinfo=UTC)) == timedelta(
        hours=3, minutes=12)
    assert format_time_left(timedelta(hours=3, minutes=12, seconds=59)) == "3 h 12 min"
    assert format_time_left(timedelta(days=2, hours=4, minutes=30)) == "2 d 4 h"
    assert format_time_left(-timedelta(hours=1, minutes=5)) == "overdue by 1 h 5 min"
    assert format_time_left(timedelta(minutes=7)) == "7 min"
    assert format_time_left(timedelta(seconds=30)) == "< 1 min"
    assert format_time_left(timedelta(0)) == "0 min"
    with pytest.raises(ValueError):
        time_left(deadline, datetime(2026, 11, 30, 18, 0))
