"""Editing an incident on its admin page: one service call writes the facts, the affected
populations and the timeline, and the notification clocks follow the new facts."""

from datetime import timedelta

import pytest

from breach_app.models import Incident, TimelineEntry

from .factories import codes

pytestmark = pytest.mark.django_db

ADD = "/admin/breach_app/incident/add/"


def base_form(title):
    return {
        "title": title, "discovered_at_0": "2026-06-05", "discovered_at_1": "09:00:00",
        "risk_level": "high", "unencrypted_pi_acquired": "unknown", "significant_harm": "unknown",
        "kind": "personal_data", "aqara_role": "controller",
        "obligations-TOTAL_FORMS": "0", "obligations-INITIAL_FORMS": "0",
        "timeline-TOTAL_FORMS": "0", "timeline-INITIAL_FORMS": "0",
        "narratives-TOTAL_FORMS": "0", "narratives-INITIAL_FORMS": "0",
    }


def recorded(staff_client, title="Installer app database exposed"):
    data = {**base_form(title), "populations-TOTAL_FORMS": "1", "populations-INITIAL_FORMS": "0",
            "populations-0-jurisdiction": "CN", "populations-0-people_min": "1000001",
            "populations-0-people_max": "1000001"}
    response = staff_client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Incident.objects.get(title=title)


def change_form(incident, rows, **changes):
    data = {**base_form(incident.title), "_loaded_version": str(incident.version), **changes}
    data["populations-TOTAL_FORMS"] = str(len(rows))
    data["populations-INITIAL_FORMS"] = str(sum(1 for row in rows if row.get("id")))
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"populations-{i}-{key}"] = value
    return data


def cn_row(incident, **extra):
    cn = incident.populations.get(jurisdiction="CN")
    return {"id": str(cn.pk), "incident": str(incident.pk), "jurisdiction": "CN", "people_min": "1000001",
            "people_max": "1000001", **extra}


def test_adding_a_jurisdiction_on_the_change_page_starts_its_clocks_and_says_why(staff_client, staff_user):
    incident = recorded(staff_client)
    assert "EU-SA" not in codes(incident)
    data = change_form(incident, [cn_row(incident),
                                  {"jurisdiction": "EU", "people_min": "40", "people_max": "40"}],
                       _change_reason="German installers' accounts were in the same table")
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    incident.refresh_from_db()
    assert set(incident.populations.values_list("jurisdiction", flat=True)) == {"CN", "EU"}
    # GDPR Art. 33(1): 72 hours from awareness (aware_at empty: discovery, 09:00 Shanghai = 01:00 UTC).
    assert codes(incident)["EU-SA"].deadline == incident.discovered_at + timedelta(hours=72)
    entry = TimelineEntry.objects.filter(incident=incident, message__startswith="Facts changed").get()
    assert entry.by == staff_user and entry.note == "German installers' accounts were in the same table"
    assert "EU" in entry.text


def test_a_note_added_on_the_change_page_joins_the_timeline_and_older_entries_stay(staff_client, staff_user):
    incident = recorded(staff_client)
    first = TimelineEntry.objects.get(incident=incident)  # "Incident recorded"
    data = change_form(incident, [cn_row(incident)])
    data.update({
        "timeline-TOTAL_FORMS": "2", "timeline-INITIAL_FORMS": "1",
        "narratives-TOTAL_FORMS": "0", "narratives-INITIAL_FORMS": "0", "timeline-0-id": str(first.pk),
        "timeline-0-incident": str(incident.pk),
        "timeline-1-at_0": "2026-06-05", "timeline-1-at_1": "11:30:00", "timeline-1-kind": "fact",
        "timeline-1-note": "Attacker IP blocked at the gateway",
        "timeline-1-late_reason": "Gateway log read after the weekend",
    })
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    entries = list(TimelineEntry.objects.filter(incident=incident).order_by("id"))
    assert entries[0] == first and entries[0].message == first.message and entries[0].note == first.note
    added = entries[-1]
    assert added.note == "Attacker IP blocked at the gateway" and added.by == staff_user
    # Both times are on the record: when it happened (as claimed) and when it was entered.
    assert added.late_reason == "Gateway log read after the weekend" and added.recorded_at > added.at


def test_a_fact_changed_on_the_page_is_saved_with_the_typed_reason(staff_client, staff_user):
    incident = recorded(staff_client)
    data = change_form(incident, [cn_row(incident)], risk_level="risk", _change_reason="only hashed data")
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    incident.refresh_from_db()
    assert incident.risk_level == "risk"
    latest = incident.history.first()
    assert latest.history_user == staff_user and latest.history_change_reason == "only hashed data"


def test_a_stale_change_page_is_refused_and_changes_nothing(staff_client):
    incident = recorded(staff_client)
    stale = change_form(incident, [cn_row(incident)], risk_level="none")
    fresh = change_form(incident, [cn_row(incident)], risk_level="risk")
    assert staff_client.post(f"/admin/breach_app/incident/{incident.pk}/change/", fresh).status_code == 302

    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/change/", stale)
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    incident.refresh_from_db()
    assert incident.risk_level == "risk"
