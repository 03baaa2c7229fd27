"""Populations under every US state, DC, PR and Japan, stored clocks from their rows; the Brazilian
complementary report starts from the sent time of the first ANPD notice (no double entry)."""

from datetime import datetime, timezone

import pytest
import time_machine

from breach_app import deadlines, services
from breach_app.models import JURISDICTION_MAX_LENGTH, AffectedPopulation, Incident, Jurisdiction, NoticeDraft, Obligation

from .factories import codes, make_incident
from .test_admin_edit import base_form

pytestmark = pytest.mark.django_db

UTC = timezone.utc
# Mon 2027-03-01 15:00 UTC = 09:00 in Chicago (CST, UTC-6); US daylight time starts Sun 2027-03-14.
DISCOVERED = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def test_every_breach_jurisdiction_of_the_registry_can_be_filed_and_fits():
    assert [code for code, _label in Jurisdiction.choices] == list(deadlines.JURISDICTIONS)
    assert {"US-TX", "US-DC", "PR", "JP"} <= set(Jurisdiction.values)
    assert max(len(code) for code in Jurisdiction.values) <= JURISDICTION_MAX_LENGTH
    assert AffectedPopulation._meta.get_field("jurisdiction").max_length == JURISDICTION_MAX_LENGTH
    assert Obligation._meta.get_field("jurisdiction").max_length == JURISDICTION_MAX_LENGTH


def test_state_names_come_from_the_registry_in_the_readers_language():
    from django.utils import translation

    with translation.override("en"):
        assert Jurisdiction("US-GA").label == "Georgia (US)"
        assert Jurisdiction("PR").label == "Puerto Rico (US)"
    with translation.override("zh-hans"):
        assert Jurisdiction("US-GA").label == "佐治亚州"
        assert Jurisdiction("JP").label == "日本"


@pytest.mark.parametrize(("people", "ag"), [(249, "not_required"), (250, "required")])
def test_texas_residents_60_days_and_the_attorney_general_from_250(staff_user, people, ag):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"US-TX": {"people_min": people}})
    obligations = codes(incident)
    residents, attorney_general = obligations["US-TX-IND"], obligations["US-TX-AG"]
    assert residents.applicability == "required"
    # Tex. Bus. & Com. Code §521.053: 60 days from discovery. Day 0 is Mon 2027-03-01 (Chicago);
    # +60 -> Fri 2027-04-30, ending 23:59:59.999999 CDT (UTC-5) = 2027-05-01 04:59:59.999999 UTC.
    assert residents.deadline == datetime(2027, 5, 1, 4, 59, 59, 999999, tzinfo=UTC)
    assert attorney_general.recipient == "attorney_general"
    assert attorney_general.applicability == ag
    # AG: 30 days from discovery -> Wed 2027-03-31, end of the day CDT = 2027-04-01 04:59:59.999999 UTC.
    assert attorney_general.deadline == datetime(2027, 4, 1, 4, 59, 59, 999999, tzinfo=UTC)
    # Consumer reporting agencies only above 10,000 Texans.
    assert obligations["US-TX-CRA"].applicability == "not_required"
    assert obligations["US-TX-CRA"].recipient == "credit_bureaus"


def test_japan_preliminary_report_in_3_days_and_final_in_30(staff_user):
    # Aware Mon 2027-03-01 15:00 UTC = Tue 2027-03-02 00:00 Tokyo. 1,001 people (> 1,000, APPI
    # Rules Art. 7(iv)): preliminary 3 days -> end of Fri 2027-03-05 JST = 14:59:59.999999 UTC;
    # final 30 days -> end of Thu 2027-04-01 JST = 2027-04-01 14:59:59.999999 UTC.
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, aware_at=DISCOVERED,
                             populations={"JP": {"people_min": 1001}})
    obligations = codes(incident)
    assert obligations["JP-PPC-PRELIM"].applicability == "required"
    assert obligations["JP-PPC-PRELIM"].deadline == datetime(2027, 3, 5, 14, 59, 59, 999999, tzinfo=UTC)
    assert obligations["JP-PPC-FINAL"].deadline == datetime(2027, 4, 1, 14, 59, 59, 999999, tzinfo=UTC)
    # A wrongful purpose (an attack) gives the final report 60 days: end of Sat 2027-05-01 JST.
    services.incident_update(incident=incident, by=staff_user, jp_wrongful_purpose=True)
    assert codes(incident)["JP-PPC-FINAL"].deadline == datetime(2027, 5, 1, 14, 59, 59, 999999, tzinfo=UTC)


def test_jp_categories_decide_a_small_japanese_population(staff_user):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"JP": {"people_min": 20}})
    assert codes(incident)["JP-PPC-PRELIM"].applicability == "needs_decision"
    services.incident_update(incident=incident, by=staff_user, jp_financial_damage_risk=False,
                             jp_wrongful_purpose=False)
    assert codes(incident)["JP-PPC-PRELIM"].applicability == "not_required"
    services.incident_update(incident=incident, by=staff_user, jp_financial_damage_risk=True)
    assert codes(incident)["JP-PPC-PRELIM"].applicability == "required"


def test_the_admin_adds_a_texas_and_a_puerto_rico_population(staff_client):
    data = {**base_form("Shop app accounts exposed"), "populations-TOTAL_FORMS": "2",
            "populations-INITIAL_FORMS": "0",
            "populations-0-jurisdiction": "US-TX", "populations-0-people_min": "300",
            "populations-0-people_max": "300",
            "populations-1-jurisdiction": "PR", "populations-1-people_min": "12", "populations-1-people_max": "12"}
    response = staff_client.post("/admin/breach_app/incident/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get(title="Shop app accounts exposed")
    assert set(incident.populations.values_list("jurisdiction", flat=True)) == {"US-TX", "PR"}
    assert {"US-TX-IND", "US-TX-AG", "PR-IND"} <= set(codes(incident))
    # The list filters by one state, and by any US state.
    assert incident.reference in staff_client.get("/admin/breach_app/incident/?jurisdiction=US-TX").content.decode()
    assert incident.reference in staff_client.get("/admin/breach_app/incident/?jurisdiction=US-*").content.decode()
    assert incident.reference not in staff_client.get("/admin/breach_app/incident/?jurisdiction=US-GA").content.decode()


def test_the_anpd_complementary_report_starts_when_the_first_notice_is_sent(staff_user, manager_user):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, aware_at=DISCOVERED,
                             populations={"BR": {"people_min": 40}})
    first = codes(incident)["BR-ANPD"]
    assert first.applicability == "required"  # high risk (factories)
    assert codes(incident)["BR-ANPD-SUPP"].deadline_kind == "pending_trigger"
    # Sent Mon 2027-03-01 13:00 São Paulo (16:00 UTC). 20 business days, the day of sending not
    # counted, weekends and national holidays skipped (Good Friday 2027-03-26): Mar 2-5 (4), 8-12
    # (9), 15-19 (14), 22-25 (18), 29 (19), 30 (20) -> end of Tue 2027-03-30 (UTC-3) =
    # 2027-03-31 02:59:59.999999 UTC.
    sent = datetime(2027, 3, 1, 16, 0, tzinfo=UTC)
    with time_machine.travel(sent, tick=False):
        draft = NoticeDraft.objects.create(obligation=first, language="en", kind="regulator_report",
                                           body="Comunicação de incidente de segurança.")
        services.notice_draft_approve(draft=draft, by=manager_user)
        services.obligation_mark_sent(obligation=Obligation.objects.get(pk=first.pk), by=staff_user,
                                      channel="ANPD electronic form")
    supplement = codes(incident)["BR-ANPD-SUPP"]
    assert supplement.deadline_kind == "instant"
    assert supplement.clock_start == sent
    assert supplement.deadline == datetime(2027, 3, 31, 2, 59, 59, 999999, tzinfo=UTC)


def test_a_date_from_an_unverified_row_says_so_on_the_incident_page(staff_user, staff_client):
    # Ala. Code §8-38-6 (us-states.md Table 2, AG row marked U): more than 1,000 residents -> the
    # AG within 45 days of discovery. Day 0 Mon 2027-03-01 (Chicago) + 45 -> Thu 2027-04-15, end
    # of the day CDT = 2027-04-16 04:59:59.999999 UTC.
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"US-AL": {"people_min": 1001}})
    ag = codes(incident)["US-AL-AG"]
    assert ag.applicability == "required" and ag.unverified
    assert ag.deadline == datetime(2027, 4, 16, 4, 59, 59, 999999, tzinfo=UTC)
    assert "unverified" in ag.reason
    assert not codes(incident)["US-AL-IND"].unverified
    page = staff_client.get(f"/admin/breach_app/incident/{incident.pk}/change/").content.decode()
    assert 'urgency-warn">unverified</span>' in page
    listing = staff_client.get("/admin/breach_app/obligation/?unverified__exact=1").content.decode()
    assert "US-AL-AG" in listing and "US-AL-IND" not in listing
