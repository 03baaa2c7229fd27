"""The incident pages as staff, managers and auditors use them."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from breach_app import notices, services
from breach_app.models import Incident, NoticeDraft, Obligation, TimelineEntry

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/breach_app/incident/"


def change_url(incident):
    return f"/admin/breach_app/incident/{incident.pk}/change/"


def test_incident_page_shows_obligations_with_time_left(staff_client, staff_user):
    incident = make_incident(by=staff_user, discovered_at=timezone.now() - timedelta(minutes=5))
    page = staff_client.get(change_url(incident)).content.decode()
    assert "CN-CAC-INCIDENT" in page
    assert re.search(r"3 h 5\d min", page), "CAC 4 h clock shows hours and minutes left"
    assert "immediately" in page  # PIPL Art. 57 has no instant: shown as such
    assert "National Cybersecurity Incident Reporting Measures" in page
    assert "Name, Phone number, Home address" in page  # derived data categories


def test_changelist_shows_nearest_deadline_and_jurisdictions_and_filters(staff_client, staff_user):
    overdue = make_incident(by=staff_user, title="Old leak", discovered_at=timezone.now() - timedelta(days=2),
                            populations={"CN": {"people_min": 1_000_001}, "EU": {"people_min": 3}})
    fresh = make_incident(by=staff_user, title="Fresh leak", discovered_at=timezone.now() - timedelta(minutes=1),
                          populations={"KR": {"people_min": 5}})
    page = staff_client.get(CHANGELIST).content.decode()
    assert "CN, EU" in page and "overdue by" in page and "2 d 23 h" in page
    page = staff_client.get(CHANGELIST + "?overdue=yes").content.decode()
    assert overdue.reference in page and fresh.reference not in page
    page = staff_client.get(CHANGELIST + "?jurisdiction=KR").content.decode()
    assert fresh.reference in page and overdue.reference not in page
    page = staff_client.get(CHANGELIST + "?q=Fresh").content.decode()
    assert fresh.reference in page and overdue.reference not in page


def _changelist_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(CHANGELIST).status_code == 200
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow_with_rows(staff_client, staff_user):
    for i in range(5):
        make_incident(by=staff_user, title=f"leak {i}", populations={"CN": {"people_min": 10}, "EU": {"people_min": 1}})
    _changelist_queries(staff_client)  # warm: the session refresh and the permission cache
    five = _changelist_queries(staff_client)
    for i in range(45):
        make_incident(by=staff_user, title=f"more {i}", populations={"US-CA": {"people_min": 600}})
    assert _changelist_queries(staff_client) == five


def test_adding_an_incident_in_the_admin_computes_its_obligations(staff_client, staff_user):
    data = {
        "title": "Leak via the admin", "discovered_at_0": "2026-06-05", "discovered_at_1": "09:00:00",
        "risk_level": "high", "unencrypted_pi_acquired": "unknown", "significant_harm": "unknown",
        "kind": "personal_data", "aqara_role": "controller",
        "populations-TOTAL_FORMS": "1", "populations-INITIAL_FORMS": "0",
        "populations-0-jurisdiction": "CN", "populations-0-people_min": "1000001", "populations-0-people_max": "1000001",
        "obligations-TOTAL_FORMS": "0", "obligations-INITIAL_FORMS": "0",
        "timeline-TOTAL_FORMS": "1", "timeline-INITIAL_FORMS": "0",
        "narratives-TOTAL_FORMS": "0", "narratives-INITIAL_FORMS": "0",
        "timeline-0-at_0": "2026-06-05", "timeline-0-at_1": "09:10:00", "timeline-0-kind": "fact",
        "timeline-0-note": "SOC reported unusual downloads", "timeline-0-late_reason": "entered from the SOC ticket",
        "_change_reason": "first report",
    }
    response = staff_client.post("/admin/breach_app/incident/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get(title="Leak via the admin")
    assert re.fullmatch(r"INC-\d{4}-\d{4}", incident.reference)
    assert incident.owner == staff_user
    # 09:00 Shanghai = 01:00 UTC; + 4 h
    assert codes(incident)["CN-CAC-INCIDENT"].deadline.isoformat() == "2026-06-05T05:00:00+00:00"
    entry = TimelineEntry.objects.get(incident=incident, note="SOC reported unusual downloads")
    assert entry.by == staff_user
    record = incident.history.get()
    assert record.history_user == staff_user and record.history_change_reason == "first report"


def test_status_button_refuses_an_illegal_move(staff_client, staff_user):
    incident = make_incident(by=staff_user)
    on_page = {"_loaded_version": str(incident.version)}
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/status/closed/", on_page, follow=True)
    incident.refresh_from_db()
    assert incident.status == "open"  # open -> closed is allowed, but obligations are open
    assert "cannot be closed while required notifications are still open" in response.content.decode()
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/status/monitoring/", on_page,
                                 follow=True)
    assert "cannot move from “open” to “monitoring”" in response.content.decode()


def test_generate_drafts_button_and_draft_approval_by_role(staff_client, client, staff_user, manager_user):
    incident = make_incident(by=staff_user)
    staff_client.post(f"/admin/breach_app/incident/{incident.pk}/generate-drafts/",
                      {"_loaded_version": str(incident.version)})
    draft = NoticeDraft.objects.get(obligation__code="CN-CAC-INCIDENT", language="zh-hans")
    assert codes(incident)["CN-CAC-INCIDENT"].status == "drafted"
    shown = {"_loaded_version": str(draft.version), "_text_sha256": notices.text_sha256(draft.body)}

    response = staff_client.post(f"/admin/breach_app/noticedraft/{draft.pk}/approve/", shown, follow=True)
    assert "You need the permission “Can approve notice drafts for sending” to do this." in response.content.decode()
    draft.refresh_from_db()
    assert draft.approved_at is None

    client.force_login(manager_user)
    response = client.post(f"/admin/breach_app/noticedraft/{draft.pk}/approve/", shown, follow=True)
    assert "Draft approved for sending." in response.content.decode()
    draft.refresh_from_db()
    assert draft.approved_by == manager_user


def test_mark_sent_in_the_admin_refused_until_approved_then_frozen(staff_client, client, staff_user, manager_user):
    incident = make_incident(by=staff_user)
    draft = services.notice_draft_generate(obligation=codes(incident)["CN-CAC-INCIDENT"], by=staff_user,
                                           language="en")
    url = f"/admin/breach_app/noticedraft/{draft.pk}/mark-sent/"
    response = staff_client.post(url, {"channel": "portal", f"_loaded_version_{draft.pk}": str(draft.version)},
                                 follow=True)
    assert "Only an approved draft can be marked sent" in response.content.decode()

    draft = services.notice_draft_approve(draft=draft, by=manager_user)
    staff_client.post(url, {"channel": "portal", "reference": "GD-7", f"_loaded_version_{draft.pk}": str(draft.version)})
    draft.refresh_from_db()
    assert draft.sent_at is not None and draft.obligation.regulator_reference == "GD-7"

    change = f"/admin/breach_app/noticedraft/{draft.pk}/change/"
    page = staff_client.get(change).content.decode()
    assert "the text as sent is frozen" in page
    assert 'name="body"' not in page
    assert staff_client.post(change, {"body": "rewritten", "_loaded_version": str(draft.version)}).status_code == 403
    draft.refresh_from_db()
    assert draft.sent_text != "rewritten" and draft.body != "rewritten"


def test_obligation_actions_decide_not_to_notify_with_reason(staff_client, staff_user):
    # Not a required notification (a required one needs a second person: test_audit_bound_records).
    incident = make_incident(by=staff_user, risk_level="risk", populations={"EU": {"people_min": 3}})
    obligation = next(o for o in codes(incident).values() if o.applicability != "required")
    changelist = "/admin/breach_app/obligation/"
    form = staff_client.post(changelist, {"action": "decide_not_to_notify", "_selected_action": [obligation.pk]})
    assert "why not notify" in form.content.decode()
    staff_client.post(changelist, {"action": "decide_not_to_notify", "_selected_action": [obligation.pk],
                                   "apply": "1", "reason": "Harm avoided by remote wipe",
                                   f"_loaded_version_{obligation.pk}": str(obligation.version)})
    obligation.refresh_from_db()
    assert obligation.status == "not_notified" and obligation.decided_by == staff_user


def test_auditor_views_but_cannot_act(auditor_client, staff_user):
    incident = make_incident(by=staff_user)
    services.incident_generate_drafts(incident=incident, by=staff_user)
    draft = NoticeDraft.objects.filter(obligation__incident=incident).first()
    assert auditor_client.get(change_url(incident)).status_code == 200
    assert auditor_client.get(f"/admin/breach_app/noticedraft/{draft.pk}/download.txt").status_code == 200
    assert auditor_client.post(f"/admin/breach_app/incident/{incident.pk}/recompute/").status_code == 403
    assert auditor_client.post(f"/admin/breach_app/noticedraft/{draft.pk}/approve/").status_code == 403


def test_dashboard_cards_link_to_filtered_lists(staff_client, staff_user):
    make_incident(by=staff_user, discovered_at=timezone.now() - timedelta(days=2))
    page = staff_client.get("/admin/").content.decode()
    assert "Security incidents" in page
    assert "/admin/breach_app/incident/?open=yes" in page
    assert "/admin/breach_app/obligation/?clock=overdue" in page
    assert staff_client.get("/admin/breach_app/obligation/?clock=overdue").status_code == 200


def test_demo_loads_and_is_idempotent(staff_user, manager_user):
    import io

    from breach_app.demo import load_demo

    load_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())
    assert Incident.objects.count() == 4
    main = Incident.objects.get(title__startswith="Customer-service")
    assert {p.jurisdiction for p in main.populations.all()} == {"CN", "EU", "US-CA", "SG"}
    # Aqara was also the processor of an Aqara+ installer there: the installer is told.
    assert main.aqara_role == "both" and codes(main)["EU-CTRL"].applicability == "required"
    # The product vulnerability runs the CRA reports only, with its 24 h early warning.
    hub = Incident.objects.get(kind="product_security")
    assert codes(hub)["EU-CRA-VUL-24H"].applicability == "required"
    assert not hub.obligations.exclude(code__startswith="EU-CRA-").exists()
    assert codes(main)["CN-CAC-INCIDENT"].status == "sent"
    assert NoticeDraft.objects.filter(obligation__incident=main, language="zh-hans").exists()
    assert Incident.objects.filter(status="closed").exists()
    assert Obligation.objects.filter(incident=main, status="approved").exists()


def test_obligation_list_filters_by_clock(staff_client, staff_user):
    soon = make_incident(by=staff_user, title="Soon", discovered_at=timezone.now() - timedelta(hours=1))
    late = make_incident(by=staff_user, title="Late", discovered_at=timezone.now() - timedelta(days=3),
                         populations={"KR": {"people_min": 2000}})
    page = staff_client.get("/admin/breach_app/obligation/?clock=24h").content.decode()
    assert soon.reference in page and late.reference not in page
    page = staff_client.get("/admin/breach_app/obligation/?clock=overdue").content.decode()
    assert late.reference in page and soon.reference not in page
