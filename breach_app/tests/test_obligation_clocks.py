"""Obligations are stored from the pure clocks and recomputed when a fact changes, keeping their status."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from breach_app import services
from breach_app.models import Obligation, TimelineEntry

from .factories import UTC, codes, make_incident

pytestmark = pytest.mark.django_db

FRIDAY_LATE = datetime(2026, 6, 5, 22, 30, tzinfo=UTC)  # Sat 06:30 in Shanghai


def test_cn_million_and_one_people_gets_the_cac_4_hour_obligation_stored(staff_user):
    incident = make_incident(by=staff_user, discovered_at=FRIDAY_LATE)
    cac = codes(incident)["CN-CAC-INCIDENT"]
    assert cac.applicability == "required"
    assert cac.status == "pending"
    # 22:30 UTC Friday + 4 elapsed hours = 02:30 UTC Saturday (no weekend roll-over)
    assert cac.deadline == datetime(2026, 6, 6, 2, 30, tzinfo=UTC)
    assert "较大" in cac.reason
    assert "Art. 4" in cac.citation
    assert Obligation.objects.filter(deadline=datetime(2026, 6, 6, 2, 30, tzinfo=UTC)).count() == 1
    assert codes(incident)["CN-CAC-PIPL"].deadline_kind == "immediately"


def test_cn_one_million_minus_one_needs_a_decision_on_the_other_grading_criteria(staff_user):
    # Below 1,000,000 people the grade still turns on loss, outage, important data and
    # social impact; unassessed, the CAC report is "needs decision", never "not required".
    incident = make_incident(by=staff_user, populations={"CN": {"people_min": 999_999}})
    assert codes(incident)["CN-CAC-INCIDENT"].applicability == "needs_decision"
    assert codes(incident)["CN-CAC-PIPL"].applicability == "required"


def test_cii_operator_change_recomputes_to_1_hour_and_keeps_the_status(staff_user):
    incident = make_incident(by=staff_user, discovered_at=FRIDAY_LATE)
    cac = codes(incident)["CN-CAC-INCIDENT"]
    services.notice_draft_generate(obligation=cac, by=staff_user, language="en")
    cac.refresh_from_db()
    assert cac.status == "drafted"

    services.incident_update(incident=incident, by=staff_user, cii_operator=True)

    cac.refresh_from_db()
    assert cac.deadline == datetime(2026, 6, 5, 23, 30, tzinfo=UTC)
    assert "1 h" in cac.citation
    assert cac.status == "drafted"
    assert any("CII operator" in entry.text for entry in TimelineEntry.objects.filter(incident=incident))


def test_californians_499_then_501_brings_the_attorney_general_obligation(staff_user):
    incident = make_incident(by=staff_user, populations={"US-CA": {"people_min": 499}},
                             discovered_at=datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    residents = codes(incident)["US-CA-IND"]
    services.obligation_decide_not_to_notify(obligation=codes(incident)["US-CA-AG"], by=staff_user,
                                             reason="499 residents: under the AG threshold")
    assert codes(incident)["US-CA-AG"].applicability == "not_required"
    services.notice_draft_generate(obligation=residents, by=staff_user, language="en")

    services.incident_update(incident=incident, by=staff_user, populations={"US-CA": {"people_min": 501}})

    after = codes(incident)
    assert after["US-CA-AG"].applicability == "required"
    assert after["US-CA-AG"].deadline_kind == "pending_trigger"  # 15 days after the resident notice
    assert after["US-CA-AG"].status == "not_notified"  # the earlier decision is kept, visibly
    assert after["US-CA-IND"].status == "drafted"
    # 30 calendar days from discovery (Mon 2026-03-02 09:00 LA) -> end of Wed 2026-04-01 LA (PDT)
    assert after["US-CA-IND"].deadline == datetime(2026, 4, 2, 6, 59, 59, 999999, tzinfo=UTC)


def test_resident_notice_sent_starts_the_attorney_general_clock(staff_user, manager_user):
    sent_at = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # Tue 11:00 in Los Angeles
    # Approved and sent on the day (a send cannot be dated before its approval).
    with time_machine.travel(sent_at - timedelta(hours=1), tick=False):
        incident = make_incident(by=staff_user, populations={"US-CA": {"people_min": 501}},
                                 discovered_at=datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
        residents = codes(incident)["US-CA-IND"]
        draft = services.notice_draft_generate(obligation=residents, by=staff_user, language="en")
        services.notice_draft_approve(draft=draft, by=manager_user)
    with time_machine.travel(sent_at, tick=False):
        services.obligation_mark_sent(obligation=residents, by=staff_user, channel="letter", sent_at=sent_at)

    ag = codes(incident)["US-CA-AG"]
    assert ag.deadline_kind == "instant"
    # day 0 = 2026-03-10 local, + 15 days = end of 2026-03-25 PDT = 2026-03-26 06:59:59.999999 UTC
    assert ag.deadline == datetime(2026, 3, 26, 6, 59, 59, 999999, tzinfo=UTC)


def test_singapore_three_days_after_the_assessment(staff_user):
    incident = make_incident(by=staff_user, populations={"SG": {"people_min": 600}})
    assert codes(incident)["SG-PDPC"].deadline_kind == "pending_trigger"
    assessed = datetime(2026, 6, 5, 2, 0, tzinfo=UTC)  # Fri 10:00 Singapore
    services.incident_update(incident=incident, by=staff_user, sg_assessed_at=assessed)
    # end of Mon 2026-06-08 in Singapore = 15:59:59.999999 UTC
    assert codes(incident)["SG-PDPC"].deadline == datetime(2026, 6, 8, 15, 59, 59, 999999, tzinfo=UTC)


def test_encrypted_data_means_no_gdpr_individual_notice(staff_user):
    incident = make_incident(by=staff_user, populations={"EU": {"people_min": 100}}, encrypted=True)
    rows = codes(incident)
    assert rows["EU-IND"].applicability == "not_required"
    assert "34(3)(a)" in rows["EU-IND"].reason
    assert rows["EU-SA"].applicability == "required"


def test_a_jurisdiction_removed_leaves_its_obligations_on_record_as_obsolete(staff_user):
    incident = make_incident(by=staff_user, populations={"CN": {"people_min": 10}, "KR": {"people_min": 5}})
    services.incident_update(incident=incident, by=staff_user, populations={"KR": None})
    assert codes(incident)["KR-IND"].applicability == "obsolete"
    assert codes(incident)["CN-IND"].applicability == "required"
    assert not incident.obligations.live().filter(code="KR-IND").exists()


def test_a_range_reaching_the_threshold_needs_a_decision(staff_user):
    incident = make_incident(by=staff_user, populations={"CN": {"people_min": 900_000, "people_max": 1_100_000}})
    assert codes(incident)["CN-CAC-INCIDENT"].applicability == "needs_decision"


def test_population_range_invariant_is_held_by_the_service(staff_user):
    with pytest.raises(ValidationError):
        make_incident(by=staff_user, populations={"CN": {"people_min": 10, "people_max": 5}})


def test_nearest_deadline_is_stored_and_overdue_is_filtered_on_it(staff_user):
    from breach_app.models import Incident

    incident = make_incident(by=staff_user, discovered_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert incident.next_deadline == datetime(2026, 1, 1, 4, 0, tzinfo=UTC)
    assert Incident.objects.with_overdue_obligation(datetime(2026, 1, 2, tzinfo=UTC)).filter(pk=incident.pk).exists()
    assert not Incident.objects.with_overdue_obligation(datetime(2026, 1, 1, 1, tzinfo=UTC)).filter(pk=incident.pk).exists()
    assert timedelta(hours=3) == incident.next_deadline - datetime(2026, 1, 1, 1, tzinfo=UTC)
