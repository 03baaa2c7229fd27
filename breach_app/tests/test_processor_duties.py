"""Aqara as processor for its business customers (installers, shops, hotels): each controller is told
(GDPR Art. 33(2); Ga. Code §10-1-912: within 24 h), and the controller's own duties are theirs."""

from datetime import datetime, timedelta, timezone

import pytest

from breach_app import services
from breach_app.models import Incident, TimelineEntry

from .factories import codes, make_incident
from .test_admin_edit import change_form

pytestmark = pytest.mark.django_db

UTC = timezone.utc
# Mon 2026-03-02 14:00 UTC = 09:00 in Atlanta (EST) = 15:00 in Berlin (CET).
DISCOVERED = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
CUSTOMERS = "Brightline Installers GmbH\n  \nHotel Peachtree, Atlanta\n"


def processor_incident(by, **facts):
    return make_incident(by=by, discovered_at=DISCOVERED, aware_at=DISCOVERED,
                         populations={"EU": {"people_min": 800}, "US-GA": {"people_min": 120}},
                         aqara_role="processor", customers=CUSTOMERS, **facts)


def test_processor_tells_the_eu_and_georgia_controllers(staff_user):
    incident = processor_incident(staff_user)
    assert incident.customer_list == ["Brightline Installers GmbH", "Hotel Peachtree, Atlanta"]
    obligations = codes(incident)
    eu, ga = obligations["EU-CTRL"], obligations["US-GA-CTRL"]
    assert eu.recipient == ga.recipient == "controller"
    assert eu.applicability == ga.applicability == "required"
    # GDPR Art. 33(2): without undue delay after becoming aware (no fixed instant).
    assert eu.deadline_kind == "without_undue_delay" and eu.deadline is None
    assert "Art. 33(2)" in eu.citation
    assert "Brightline Installers GmbH, Hotel Peachtree, Atlanta" in eu.reason
    # Georgia (us-states.md Table 2): a vendor tells the owner within 24 h of discovery:
    # Mon 14:00 UTC -> Tue 2026-03-03 14:00 UTC (09:00 EST).
    assert ga.deadline_kind == "instant"
    assert ga.deadline == DISCOVERED + timedelta(hours=24) == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    # Only processor: the supervisory authority and the residents are the customers' to notify.
    assert obligations["EU-SA"].applicability == "not_required"
    assert "Aqara acted only as processor" in obligations["EU-SA"].reason
    assert obligations["US-GA-IND"].applicability == "not_required"


def test_no_customers_recorded_means_a_decision_to_make(staff_user):
    incident = processor_incident(staff_user)
    services.incident_update(incident=incident, by=staff_user, customers="")
    eu = codes(incident)["EU-CTRL"]
    assert eu.applicability == "needs_decision"
    assert "record the controllers" in eu.reason
    entry = TimelineEntry.objects.filter(incident=incident, params__code="EU-CTRL").get()
    assert "required → needs a decision" in entry.text


def test_as_both_controller_and_processor_both_duties_stand(staff_user):
    incident = processor_incident(staff_user, risk_level="high")
    services.incident_update(incident=incident, by=staff_user, aqara_role="both")
    obligations = codes(incident)
    assert obligations["EU-SA"].applicability == "required"
    assert obligations["EU-SA"].deadline == DISCOVERED + timedelta(hours=72)
    assert obligations["EU-CTRL"].applicability == "required"
    assert obligations["US-GA-CTRL"].deadline == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)


def test_the_admin_records_the_role_and_customers(staff_user, staff_client):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"EU": {"people_min": 800}})
    assert "EU-CTRL" not in codes(incident)
    page = staff_client.get(f"/admin/breach_app/incident/{incident.pk}/change/").content.decode()
    assert "Processor role" in page and 'name="customers"' in page
    rows = [{"id": str(incident.populations.get().pk), "incident": str(incident.pk), "jurisdiction": "EU",
             "people_min": "800", "people_max": "800"}]
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/change/", change_form(
        incident, rows, aqara_role="processor", customers="Brightline Installers GmbH"))
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.aqara_role == "processor" and incident.customer_list == ["Brightline Installers GmbH"]
    assert codes(incident)["EU-CTRL"].applicability == "required"
