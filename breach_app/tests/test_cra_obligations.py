"""EU Cyber Resilience Act Art. 14 reports of a product-security incident, through the services:
stored clocks across the EU autumn night, final reports, no breach-law duties for a product-only
incident, the admin section, and reminders."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from breach_app import services
from breach_app.models import Incident, NoticeDraft, Obligation, TimelineEntry

from .factories import codes

pytestmark = pytest.mark.django_db

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
# Sat 2027-10-30 12:00 CEST (UTC+2) = 10:00 UTC. Summer time ends Sun 2027-10-31 03:00 CEST -> 02:00 CET.
AWARE = datetime(2027, 10, 30, 12, 0, tzinfo=BERLIN)
CRA_CODES = {"EU-CRA-VUL-24H", "EU-CRA-VUL-72H", "EU-CRA-VUL-FINAL", "EU-CRA-INC-24H", "EU-CRA-INC-72H",
             "EU-CRA-INC-FINAL", "EU-CRA-USERS"}

HUB_FACTS = dict(
    kind="product_security", description="Remote code execution in the hub's local API.",
    cause="Unchecked length in the firmware's mDNS parser.",
    affected_products="Aqara Hub M3, firmware 4.1.0-4.1.3", vulnerability="Heap overflow (internal AQ-2027-17)",
    member_states="de, fr;NL", user_measures="Install firmware 4.1.4; until then disable LAN access.",
)


def product_incident(by, **facts):
    facts = {"discovered_at": AWARE, "aware_at": AWARE, **HUB_FACTS, **facts}
    return services.incident_create(by=by, title="Hub firmware RCE exploited", **facts)


def send(obligation, *, staff, manager, at):
    """Approve a short report and mark it sent at ``at`` (the draft is written here, not rendered:
    these tests are about the clocks, not the text)."""
    with time_machine.travel(at, tick=False):
        draft = NoticeDraft.objects.create(obligation=obligation, language="en", kind="regulator_report",
                                           body="Report as filed on the platform.")
        services.notice_draft_approve(draft=draft, by=manager)
        services.obligation_mark_sent(obligation=Obligation.objects.get(pk=obligation.pk), by=staff,
                                      channel="ENISA single reporting platform")


def test_an_exploited_vulnerability_gets_24_and_72_hour_reports_across_the_autumn_night(staff_user):
    incident = product_incident(staff_user, actively_exploited=True, severe_incident=False)
    obligations = codes(incident)
    assert set(obligations) == CRA_CODES
    early, notification = obligations["EU-CRA-VUL-24H"], obligations["EU-CRA-VUL-72H"]
    assert early.applicability == notification.applicability == "required"
    # 24 elapsed hours: 10:00 UTC Sat -> 10:00 UTC Sun 2027-10-31, which is 11:00 CET (the clocks went back).
    assert early.deadline == datetime(2027, 10, 31, 10, 0, tzinfo=UTC)
    assert early.deadline.astimezone(BERLIN).hour == 11
    # 72 elapsed hours -> Tue 2027-11-02 10:00 UTC = 11:00 CET.
    assert notification.deadline == datetime(2027, 11, 2, 10, 0, tzinfo=UTC)
    assert "Art. 14(2)(a)" in early.citation and "CSIRT" in early.citation
    # No fix yet: the final report's clock has not started.
    assert obligations["EU-CRA-VUL-FINAL"].deadline_kind == "pending_trigger"
    # Not a severe incident: that track does not apply; users are informed with the notification.
    assert obligations["EU-CRA-INC-24H"].applicability == "not_required"
    assert obligations["EU-CRA-USERS"].applicability == "required"
    assert obligations["EU-CRA-USERS"].deadline == notification.deadline
    incident.refresh_from_db()
    assert incident.next_deadline == early.deadline
    assert incident.member_states == "DE, FR, NL" and incident.member_state_list == ["DE", "FR", "NL"]


def test_the_vulnerability_final_report_is_due_14_days_after_the_fix(staff_user):
    incident = product_incident(staff_user, actively_exploited=True, severe_incident=False)
    # Fix available Wed 2027-11-03 15:00 CET. Reg. 1182/71 Art. 3: the day of the event is not
    # counted; 14 days -> Wed 2027-11-17 (a working day in Germany), ending 23:59:59.999999 CET
    # = 22:59:59.999999 UTC.
    services.incident_update(incident=incident, by=staff_user,
                             fix_available_at=datetime(2027, 11, 3, 15, 0, tzinfo=BERLIN),
                             security_update="Firmware 4.1.4")
    final = codes(incident)["EU-CRA-VUL-FINAL"]
    assert final.deadline_kind == "instant"
    assert final.deadline == datetime(2027, 11, 17, 22, 59, 59, 999999, tzinfo=UTC)
    # The move is on the timeline with the rule that moved it.
    entry = TimelineEntry.objects.filter(incident=incident, params__code="EU-CRA-VUL-FINAL").get()
    assert "clock not started" in entry.text and "14 days after a fix" in entry.text


def test_a_severe_incident_final_report_is_due_one_month_after_the_notification_was_sent(staff_user, manager_user):
    incident = product_incident(staff_user, actively_exploited=False, severe_incident=True,
                                malicious_act_suspected=True)
    obligations = codes(incident)
    assert obligations["EU-CRA-VUL-24H"].applicability == "not_required"
    assert obligations["EU-CRA-INC-24H"].applicability == "required"
    assert obligations["EU-CRA-INC-FINAL"].deadline_kind == "pending_trigger"
    # The 72 h notification marked sent Mon 2027-11-01 16:00 CET (15:00 UTC). Reg. 1182/71
    # Art. 3(2)(c): one month -> the same-numbered day, Wed 2027-12-01 (a working day), ending
    # 23:59:59.999999 CET = 22:59:59.999999 UTC. Nobody types the sent time a second time.
    send(obligations["EU-CRA-INC-72H"], staff=staff_user, manager=manager_user,
         at=datetime(2027, 11, 1, 15, 0, tzinfo=UTC))
    final = codes(incident)["EU-CRA-INC-FINAL"]
    assert final.deadline_kind == "instant"
    assert final.clock_start == datetime(2027, 11, 1, 15, 0, tzinfo=UTC)
    assert final.deadline == datetime(2027, 12, 1, 22, 59, 59, 999999, tzinfo=UTC)


def test_a_product_only_incident_has_no_personal_data_breach_obligations(staff_user):
    # Even with an EU population entered, a product vulnerability without personal data runs only the CRA.
    incident = product_incident(staff_user, actively_exploited=True, populations={"EU": {"people_min": 5000}})
    assert set(codes(incident)) == CRA_CODES
    assert "EU-SA" not in codes(incident)


def test_changing_the_kind_to_both_adds_the_breach_duties_and_back_makes_them_obsolete(staff_user):
    incident = product_incident(staff_user, actively_exploited=True, populations={"EU": {"people_min": 5000}},
                                risk_level="high")
    services.incident_update(incident=incident, by=staff_user, kind="both")
    both = codes(incident)
    assert CRA_CODES <= set(both) and both["EU-SA"].applicability == "required"
    # 72 h from awareness, like the CRA notification (GDPR Art. 33(1)).
    assert both["EU-SA"].deadline == datetime(2027, 11, 2, 10, 0, tzinfo=UTC)

    services.incident_update(incident=incident, by=staff_user, kind="personal_data")
    after = codes(incident)
    assert after["EU-SA"].applicability == "required"
    assert {after[c].applicability for c in CRA_CODES} == {"obsolete"}
    entry = TimelineEntry.objects.filter(incident=incident, params__code="EU-CRA-VUL-24H",
                                         params__to_applicability="obsolete").get()
    assert "required → no longer applies" in entry.text


def test_unassessed_exploitation_keeps_the_reports_at_needs_a_decision(staff_user):
    incident = product_incident(staff_user)
    assert {o.applicability for o in codes(incident).values()} == {"needs_decision"}


def test_member_states_must_be_eu_codes(staff_user):
    with pytest.raises(ValidationError) as error:
        product_incident(staff_user, member_states="DE, US, EL")
    assert "US, EL" in str(error.value)
    assert not Incident.objects.exists()


def test_the_24_hour_early_warning_is_reminded_within_its_window(staff_user, manager_user, settings,
                                                                   django_capture_on_commit_callbacks):
    from privacy_office.celery import app
    from privacy_office.reminders import reminders_enqueue_unsent, reminders_record

    from breach_app.reminders import due_reminders

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    app.conf.task_always_eager = True
    try:
        incident = product_incident(staff_user, actively_exploited=True, severe_incident=False)
        early = codes(incident)["EU-CRA-VUL-24H"]
        # Window 10:00 UTC Sat -> 10:00 UTC Sun: 50 % at 22:00 UTC Sat. A sweep at 21:59 finds nothing
        # for it; one at 22:01 reminds the owner and the managers.
        before = [s for s in due_reminders(now=datetime(2027, 10, 30, 21, 59, tzinfo=UTC)) if s.object_id == early.pk]
        assert before == []
        now = datetime(2027, 10, 30, 22, 1, tzinfo=UTC)
        specs = [s for s in due_reminders(now=now) if s.object_id == early.pk]
        assert {s.threshold.split(":")[0] for s in specs} == {"50"}
        assert {s.recipient_id for s in specs} == {staff_user.pk, manager_user.pk}
        with django_capture_on_commit_callbacks(execute=True):
            reminders_record(specs=specs, now=now)
            reminders_enqueue_unsent(now=now)
        assert {tuple(m.to) for m in mail.outbox if "EU-CRA-VUL-24H" in m.subject} == {
            (staff_user.email,), (manager_user.email,)}
    finally:
        app.conf.task_always_eager = False


def test_the_product_security_section_shows_for_product_kinds_only(staff_user, staff_client):
    product = product_incident(staff_user, actively_exploited=True)
    page = staff_client.get(f"/admin/breach_app/incident/{product.pk}/change/").content.decode()
    assert "Product security (EU CRA)" in page and 'name="narratives-0-vulnerability"' in page
    assert "EU-CRA-VUL-24H" in page
    breach = services.incident_create(by=staff_user, title="Ticket store exposed", discovered_at=AWARE,
                                      populations={"CN": {"people_min": 10}})
    page = staff_client.get(f"/admin/breach_app/incident/{breach.pk}/change/").content.decode()
    assert "Product security (EU CRA)" not in page and 'name="narratives-0-vulnerability"' not in page
    listing = staff_client.get("/admin/breach_app/incident/?kind__exact=product_security").content.decode()
    assert product.reference in listing and breach.reference not in listing


def test_the_admin_refuses_a_member_state_code_in_the_readers_language(staff_client):
    from .test_admin_edit import base_form

    data = {**base_form("Camera firmware flaw"), "kind": "product_security", "member_states": "DE, XX",
            "actively_exploited": "true", "populations-TOTAL_FORMS": "0", "populations-INITIAL_FORMS": "0"}
    page = staff_client.post("/admin/breach_app/incident/add/", data).content.decode()
    assert "Not an EU Member State code: XX." in page
    page = staff_client.post("/admin/breach_app/incident/add/", data, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "不是欧盟成员国代码：XX。" in page
    assert not Incident.objects.exists()
    # Discovered Thu 2026-10-01 (CRA Art. 14 applies from 2026-09-11, Art. 71(2)).
    data.update({"member_states": "de fr", "discovered_at_0": "2026-10-01"})
    assert staff_client.post("/admin/breach_app/incident/add/", data).status_code == 302
    incident = Incident.objects.get()
    assert incident.member_states == "DE, FR"
    assert codes(incident)["EU-CRA-VUL-24H"].applicability == "required"


def test_no_cra_report_for_awareness_before_article_14_applies(staff_user):
    # Aware Thu 2026-09-10 23:30 in Berlin: the day before 2026-09-11 (Art. 71(2)).
    aware = datetime(2026, 9, 10, 23, 30, tzinfo=BERLIN)
    incident = product_incident(staff_user, actively_exploited=True, discovered_at=aware, aware_at=aware)
    early = codes(incident)["EU-CRA-VUL-24H"]
    assert early.applicability == "not_required" and "applies from 2026-09-11" in early.reason
