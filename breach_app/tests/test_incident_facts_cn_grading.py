"""China: the CAC 4-hour incident report turns on every grading criterion (governance-cn.md §6B).
Below 1,000,000 people it needs a decision until loss, outage, important data and social impact
are all assessed; it is not required only when every one is below 较大, required when one reaches it."""

from datetime import datetime, timezone

import pytest

from breach_app import services
from breach_app.models import Incident, TimelineEntry

from .factories import codes, make_incident
from .test_admin_edit import base_form, change_form

pytestmark = pytest.mark.django_db

UTC = timezone.utc
# Mon 2026-06-01 02:00 UTC = 10:00 Shanghai; the 4 h run from discovery: 06:00 UTC (14:00 Shanghai).
DISCOVERED = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
FOUR_HOURS = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
BELOW_GRADE = dict(direct_economic_loss_cny=1_200_000, system_outage_at_grade=False,
                   important_data_at_grade=False, social_impact_at_grade=False)


def cac(incident):
    return codes(incident)["CN-CAC-INCIDENT"]


def test_needs_a_decision_then_not_required_then_required(staff_user):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"CN": {"people_min": 500_000}})
    report = cac(incident)
    assert report.applicability == "needs_decision"
    assert "direct economic loss: not assessed" in report.reason
    assert report.deadline == FOUR_HOURS

    # Three of four assessed below 较大: the fourth still needs a decision.
    services.incident_update(incident=incident, by=staff_user, direct_economic_loss_cny=1_200_000,
                             system_outage_at_grade=False, important_data_at_grade=False)
    assert cac(incident).applicability == "needs_decision"
    assert "social impact at 较大 or above: not assessed" in cac(incident).reason

    services.incident_update(incident=incident, by=staff_user, social_impact_at_grade=False)
    assert cac(incident).applicability == "not_required"
    assert codes(incident)["CN-CAC-PIPL"].applicability == "required"  # PIPL Art. 57 has no threshold

    # The affected systems turn out to have been down at 较大: the report is due, 4 h from discovery.
    services.incident_update(incident=incident, by=staff_user, system_outage_at_grade=True)
    assert cac(incident).applicability == "required"
    assert "system outage at 较大 or above" in cac(incident).reason

    moves = [e.params for e in TimelineEntry.objects.filter(incident=incident, params__code="CN-CAC-INCIDENT")
             .order_by("at", "id")]
    assert [(m["from_applicability"], m["to_applicability"]) for m in moves] == [
        ("needs_decision", "not_required"), ("not_required", "required")]


def test_a_direct_loss_of_5_million_yuan_alone_reaches_the_grade(staff_user):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"CN": {"people_min": 20}},
                             **{**BELOW_GRADE, "direct_economic_loss_cny": 5_000_000})
    assert cac(incident).applicability == "required"
    assert "¥5,000,000" in cac(incident).reason
    services.incident_update(incident=incident, by=staff_user, direct_economic_loss_cny=4_999_999)
    assert cac(incident).applicability == "not_required"


def test_the_admin_page_records_the_grading_and_shows_the_decision(staff_client):
    staff_client.post("/admin/breach_app/incident/add/", {
        **base_form("Installer portal outage"),
        "populations-TOTAL_FORMS": "1", "populations-INITIAL_FORMS": "0",
        "populations-0-jurisdiction": "CN", "populations-0-people_min": "300000",
        "populations-0-people_max": "300000",
    })
    incident = Incident.objects.get(title="Installer portal outage")
    page = staff_client.get(f"/admin/breach_app/incident/{incident.pk}/change/").content.decode()
    assert "China grading criteria" in page and 'name="direct_economic_loss_cny"' in page
    assert cac(incident).applicability == "needs_decision"
    assert "needs a decision" in page

    rows = [{"id": str(incident.populations.get().pk), "incident": str(incident.pk), "jurisdiction": "CN",
             "people_min": "300000", "people_max": "300000"}]
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/change/", change_form(
        incident, rows, direct_economic_loss_cny="800000", system_outage_at_grade="false",
        important_data_at_grade="false", social_impact_at_grade="false",
        _change_reason="Finance and ops assessed the impact"))
    assert response.status_code == 302, response.content.decode()[:3000]
    incident.refresh_from_db()
    assert incident.direct_economic_loss_cny == 800_000 and incident.social_impact_at_grade is False
    assert cac(incident).applicability == "not_required"
    page = staff_client.get(f"/admin/breach_app/incident/{incident.pk}/change/").content.decode()
    assert "CN-CAC-INCIDENT recomputed: applies needs a decision → not required" in page


def test_the_grading_help_reads_in_chinese(staff_user, staff_client):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"CN": {"people_min": 10}})
    page = staff_client.get(f"/admin/breach_app/incident/{incident.pk}/change/",
                            HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "中国事件分级标准" in page and "直接经济损失" in page
