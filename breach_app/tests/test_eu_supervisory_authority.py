"""Which EU supervisory authority an incident's EU-SA notification goes to (GDPR Arts 33, 56, 60):
named on the obligation and in the report, with the controller's Art. 27 representative when Aqara
has no establishment in the Union."""

from datetime import datetime, timezone

import pytest
from django.core.exceptions import ValidationError

from breach_app import services
from breach_app.tests.factories import codes, make_incident
from inventory_app.models import Controller, Service

pytestmark = pytest.mark.django_db

UTC = timezone.utc
# Aware 2026-11-17 09:00 Berlin (08:00 UTC): the 72 hours of Art. 33(1) end 2026-11-20 08:00 UTC.
AWARE = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)


@pytest.fixture
def service():
    controller = Controller.objects.create(
        code="aqara-llc-test", name_zh="Aqara LLC", name_en="Aqara LLC",
        eu_representative="Aqara EU Representative GmbH",
        eu_representative_contact="Musterstraße 1\n10115 Berlin, Germany; eu-rep@example.com")
    return Service.objects.create(code="aqara-home-test", name_zh="Aqara Home", controller=controller)


def eu_incident(by, **facts):
    return make_incident(by=by, discovered_at=AWARE, aware_at=AWARE, populations={"EU": {"people_min": 40}},
                         **facts)


def test_without_a_main_establishment_the_obligation_and_report_name_each_concerned_authority(
        staff_client, staff_user, service):
    incident = eu_incident(staff_user, eu_affected_states="fr, nl", services=[service])
    incident.refresh_from_db()
    assert incident.eu_affected_states == "FR, NL"  # stored as typed codes, normalised
    eu_sa = codes(incident)["EU-SA"]
    assert eu_sa.deadline == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    page = staff_client.get(f"/admin/breach_app/obligation/{eu_sa.pk}/change/").content.decode()
    assert ("EU supervisory authority (GDPR Art. 33): each concerned supervisory authority: Commission nationale "
            "de l&#x27;informatique et des libertés (CNIL); Dutch Data Protection Authority") in page
    report = services.notice_draft_generate(obligation=eu_sa, by=staff_user, language="en").body
    assert ("To: Commission nationale de l'informatique et des libertés (CNIL); Dutch Data Protection Authority "
            "(Autoriteit Persoonsgegevens)") in report
    assert ("Representative in the Union (GDPR Art. 27): Aqara EU Representative GmbH, Musterstraße 1 10115 Berlin, "
            "Germany; eu-rep@example.com") in report
    zh = services.notice_draft_generate(obligation=eu_sa, by=staff_user, language="zh-hans").body
    assert "报送：法国国家信息与自由委员会；荷兰数据保护局" in zh
    assert "欧盟境内代表（GDPR 第 27 条）：Aqara EU Representative GmbH" in zh


def test_with_a_main_establishment_its_authority_leads_and_the_others_are_listed(staff_client, staff_user, service):
    incident = eu_incident(staff_user, eu_affected_states="FR, NL", eu_main_establishment="IE", services=[service])
    eu_sa = codes(incident)["EU-SA"]
    assert eu_sa.deadline == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # the one-stop shop changes no clock
    page = staff_client.get(f"/admin/breach_app/obligation/{eu_sa.pk}/change/",
                            HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "欧盟监管机构（GDPR 第三十三条）：牵头监管机构：爱尔兰数据保护委员会" in page
    report = services.notice_draft_generate(obligation=eu_sa, by=staff_user, language="en").body
    assert "To: the lead supervisory authority (GDPR Art. 56(1)), Data Protection Commission (Ireland)" in report
    assert ("Other supervisory authorities concerned (Art. 4(22)): Commission nationale de l'informatique et des "
            "libertés (CNIL); Dutch Data Protection Authority (Autoriteit Persoonsgegevens)") in report
    assert "Representative in the Union" not in report  # established in the Union: Art. 27 does not apply


def test_unrecorded_member_states_are_flagged_missing_and_block_approval(staff_user, manager_user):
    incident = eu_incident(staff_user, eu_affected_states="")
    draft = services.notice_draft_generate(obligation=codes(incident)["EU-SA"], by=staff_user, language="en")
    assert "To: [MISSING: Member States where the EU people affected live]" in draft.body
    assert "Representative in the Union" not in draft.body  # none recorded: no line, no guess
    with pytest.raises(ValidationError, match="still flags missing facts"):
        services.notice_draft_approve(draft=draft, by=manager_user)


def test_an_unknown_member_state_code_is_refused(staff_user):
    with pytest.raises(ValidationError, match="Not an EU/EEA Member State code: UK"):
        eu_incident(staff_user, eu_affected_states="DE, UK")
