"""Obligations that cannot be missed on screen: "immediately" (PIPL Art. 57 立即) ranks first on the
dashboard and in every list, duties are named (not coded) in the reader's language, and "mark sent"
says before its form that no draft is approved.

Clock pinned by the root conftest (2026-11-18 10:00 Shenzhen by default, or a hard day): the
incident is discovered an hour before the pinned instant; its clocks here run in hours, so they
read the same on any day."""

import re
from datetime import timedelta, timezone

import pytest

from breach_app.models import Obligation

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db

UTC = timezone.utc
OBLIGATIONS = "/admin/breach_app/obligation/"


@pytest.fixture
def discovered():
    """An hour ago (by default 2026-11-18 09:00 Shenzhen = 01:00 UTC): the CAC 4-hour report is due
    3 h from now (05:00 UTC by default), the EU 72 hours run 71 h more, and the PIPL Art. 57 report
    to the CAC and the notice to people are due immediately."""
    from django.utils import timezone as django_timezone

    return django_timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)


@pytest.fixture
def incident(staff_user, discovered):
    return make_incident(by=staff_user, discovered_at=discovered,
                         populations={"CN": {"people_min": 500}, "EU": {"people_min": 20}})


def dashboard_item(page: str, label: str) -> str:
    """The row of the dashboard card item ``label`` (label, detail and value), tags stripped."""
    row = re.search(r'<tr class="dashboard-item[^"]*">(?:(?!</tr>).)*?' + re.escape(label) + r".*?</tr>", page, re.S)
    assert row, f"no dashboard item {label!r}"
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())


def test_dashboard_shows_the_open_immediate_cn_report_as_the_nearest_regulator_deadline(staff_client, incident,
                                                                                        discovered):
    obligations = codes(incident)
    assert obligations["CN-CAC-PIPL"].deadline_kind == "immediately"
    assert obligations["CN-CAC-INCIDENT"].deadline == discovered + timedelta(hours=4)  # 3 h left
    assert obligations["EU-SA"].deadline == discovered + timedelta(hours=72)
    item = dashboard_item(staff_client.get("/admin/").content.decode(), "Nearest regulator deadline")
    assert "immediately" in item
    assert f"{incident.reference} · Cyberspace administration (PIPL Art. 57)" in item
    assert "3 h" not in item and "EU-SA" not in item

    page = staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    item = dashboard_item(page, "最近的监管报告截止时间")
    assert "立即" in item and "网信部门（个人信息保护法第五十七条）" in item


def test_once_the_immediate_report_is_done_the_dashboard_shows_the_nearest_clock(staff_client, staff_user, incident,
                                                                                discovered):
    Obligation.objects.filter(incident=incident, code="CN-CAC-PIPL").update(status="sent", sent_at=discovered)
    item = dashboard_item(staff_client.get("/admin/").content.decode(), "Nearest regulator deadline")
    # 3 h to the 4-hour deadline (the pinned clock ticks: a minute may have gone by).
    assert re.search(r"(3 h 0|2 h 59) min", item) and "immediately" not in item
    assert "Provincial cyberspace administration: incident report" in item


def inline_codes(page: str) -> list[str]:
    group = page.split('id="incident-obligations"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<small class="quiet">([A-Z0-9-]+)</small>', group)


def test_incident_obligations_are_ordered_by_urgency_with_not_required_last(staff_client, incident):
    page = staff_client.get(f"/admin/breach_app/incident/{incident.pk}/change/").content.decode()
    assert inline_codes(page) == [
        "CN-CAC-PIPL", "CN-IND",  # immediately (立即)
        "CN-CAC-INCIDENT", "EU-SA",  # by deadline: 05:00 UTC today, then 21 Nov
        "EU-IND",  # without undue delay (high risk)
        "CN-CAC-FINAL",  # clock not started (handling not ended)
        "CN-PUBLIC", "EU-PUBLIC",  # not required: last
    ]
    # Not required reads quiet: its name is muted, not bold.
    assert re.search(r'urgency-muted">People affected in mainland China|urgency-muted">Public notice in mainland China',
                     page)
    assert '>Cyberspace administration (PIPL Art. 57) <small class="quiet">CN-CAC-PIPL</small>' in page


def test_obligation_list_leads_with_immediate_duties_and_has_deadline_time_left_and_status(staff_client, incident):
    page = staff_client.get(OBLIGATIONS).content.decode()
    for column in ("column-obligation_deadline", "column-time_left", "column-status"):
        assert column in page
    listed = re.findall(r'<small class="quiet">([A-Z0-9-]+)</small>', page)
    assert listed[:4] == ["CN-CAC-PIPL", "CN-IND", "CN-CAC-INCIDENT", "EU-SA"]
    assert listed[-2:] == ["CN-PUBLIC", "EU-PUBLIC"]
    # The deadline column says what the duty's clock is, not a blank.
    rows = page.split('<tr')
    pipl_row = next(r for r in rows if ">CN-CAC-PIPL<" in r)
    assert "immediately" in pipl_row and "pending" in pipl_row


def test_names_reasons_and_citations_read_in_the_users_language(staff_client, incident):
    pipl = codes(incident)["CN-CAC-PIPL"]
    url = f"{OBLIGATIONS}{pipl.pk}/change/"
    en = staff_client.get(url).content.decode()
    assert "Cyberspace administration (PIPL Art. 57)" in en
    assert "PIPL Art. 57(1): actual or possible leak, tampering or loss" in en
    zh = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "网信部门（个人信息保护法第五十七条）" in zh
    assert "个人信息保护法第五十七条第一款：已经或者可能发生个人信息泄露、篡改、丢失；无门槛" in zh
    assert "PIPL Art. 57(1)" not in zh
    listing = staff_client.get(OBLIGATIONS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "网信部门（个人信息保护法第五十七条）" in listing
    assert "中国大陆受影响的个人（个人信息保护法第五十七条）" in listing


def test_mark_sent_says_before_the_form_that_no_draft_is_approved(staff_client, incident):
    pipl = codes(incident)["CN-CAC-PIPL"]
    # The obligation page's "Mark sent" button posts the action for this one obligation.
    response = staff_client.post(OBLIGATIONS, {"action": "mark_sent", "_selected_action": [pipl.pk]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "CN-CAC-PIPL has no approved draft" in page
    assert "Approve a draft first" in page
    assert 'name="channel"' not in page and 'name="apply"' not in page  # no form to fill in for nothing
    pipl.refresh_from_db()
    assert pipl.status == "pending"


def test_the_obligation_page_says_no_draft_is_approved_before_mark_sent_is_pressed(staff_client, incident):
    pipl = codes(incident)["CN-CAC-PIPL"]
    page = staff_client.get(f"{OBLIGATIONS}{pipl.pk}/change/").content.decode()
    assert 'class="help breach-send-refusal">CN-CAC-PIPL has no approved draft' in page


def test_the_incident_list_flags_an_open_immediate_duty(staff_client, staff_user, incident, discovered):
    quiet = make_incident(by=staff_user, title="EU only", discovered_at=discovered, populations={"EU": {"people_min": 3}})
    rows = staff_client.get("/admin/breach_app/incident/").content.decode().split("<tr")
    cn_row = next(r for r in rows if incident.reference in r)
    eu_row = next(r for r in rows if quiet.reference in r)
    assert 'urgency-danger">immediately' in cn_row
    assert "immediately" not in eu_row and re.search(r"2 d 2[23] h", eu_row)  # its 72 h EU clock (ticking)
