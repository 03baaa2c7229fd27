"""Japan (APPI Art. 26: preliminary and final reports to the PPC, notice to individuals) and Brazil's
complementary information to the ANPD (Res. CD/ANPD 15/2024 Art. 6), as legal-rules.md 2026-11 and
eu-uk-product.md §6 give them. Instants worked out by hand; JST = UTC+9, BRT = UTC-3."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from breach_app.deadlines import Affected, IncidentFacts, notification_obligations

UTC = timezone.utc
AWARE_JP = datetime(2026, 6, 5, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # Fri, = 01:00 UTC


def jp(people, **kw):
    incident = IncidentFacts(discovered_at=AWARE_JP, aware_at=AWARE_JP,
                             affected={"JP": Affected(people, people)}, **kw)
    return {o.code: o for o in notification_obligations(incident)}


def test_jp_over_1000_people_preliminary_3_days_and_final_30_days_flagged_unverified():
    ob = jp(1_001)
    prelim, final = ob["JP-PPC-PRELIM"], ob["JP-PPC-FINAL"]
    assert prelim.status == final.status == "required"
    # 5 Jun + 3 days = Mon 8 Jun, end of day JST = 14:59:59.999999 UTC
    assert prelim.deadline == datetime(2026, 6, 8, 14, 59, 59, 999999, tzinfo=UTC)
    # 5 Jun + 30 days = Jun 30 (25) + 5 = Sun 5 Jul, end of day JST
    assert final.deadline == datetime(2026, 7, 5, 14, 59, 59, 999999, tzinfo=UTC)
    assert prelim.unverified and final.unverified
    assert "unverified" in final.reason
    assert (ob["JP-IND"].deadline_kind, ob["JP-IND"].unverified) == ("without_undue_delay", True)


def test_jp_wrongful_purpose_final_report_60_days_is_not_flagged():
    final = jp(10, jp_wrongful_purpose=True)["JP-PPC-FINAL"]
    # 5 Jun + 60 days = Jul 5 (30) + 30 = Tue 4 Aug, end of day JST
    assert final.deadline == datetime(2026, 8, 4, 14, 59, 59, 999999, tzinfo=UTC)
    assert final.status == "required" and final.unverified is False


@pytest.mark.parametrize(("people", "kw", "status"), [
    (10, {}, "needs_decision"),  # financial-damage and wrongful-purpose categories not assessed
    (1_000, {"jp_financial_damage_risk": False, "jp_wrongful_purpose": False}, "not_required"),
    (10, {"sensitive_data": True}, "required"),
    (10, {"jp_financial_damage_risk": True}, "required"),
])
def test_jp_reportable_categories(people, kw, status):
    assert jp(people, **kw)["JP-PPC-PRELIM"].status == status


def test_br_complementary_information_20_business_days_after_the_first_notice():
    first = datetime(2026, 4, 17, 15, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))  # Fri
    incident = IncidentFacts(discovered_at=first, aware_at=first, risk="high",
                             affected={"BR": Affected(10, 10)}, anpd_first_notice_sent_at=first)
    supp = {o.code: o for o in notification_obligations(incident)}["BR-ANPD-SUPP"]
    # Mon 20 (1), Tue 21 Tiradentes, Wed 22..Fri 24 (2-4), Mon 27..Thu 30 (5-8), Fri 1 May Labour
    # Day, Mon 4..Fri 8 (9-13), Mon 11..Fri 15 (14-18), Mon 18 (19), Tue 19 May (20):
    # end of day BRT = Wed 20 May 02:59:59.999999 UTC
    assert supp.deadline == datetime(2026, 5, 20, 2, 59, 59, 999999, tzinfo=UTC)
    assert supp.status == "required"


def test_br_complementary_information_waits_for_the_first_notice():
    incident = IncidentFacts(discovered_at=AWARE_JP, risk="high", affected={"BR": Affected(10, 10)})
    supp = {o.code: o for o in notification_obligations(incident)}["BR-ANPD-SUPP"]
    assert (supp.deadline_kind, supp.deadline) == ("pending_trigger", None)
