"""The top of an incident's page: the incident at a glance, its obligations by urgency (立即 first,
not required last and greyed) with the deadline in the reader's zone, the time left and the drafts'
state, then only the actions the reader may take now, as buttons. A new incident's page shows no
empty read-only block, and the page costs the same queries for few or many populations.

Clock pinned by the root conftest; the incident is discovered an hour before the pinned instant,
so its clocks read the same on any day."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from breach_app import services
from breach_app.models import AffectedPopulation, Incident, Jurisdiction, NoticeDraft
from privacy_office.preferences import SESSION_KEY

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db

ADD = "/admin/breach_app/incident/add/"


def change_url(incident):
    return f"/admin/breach_app/incident/{incident.pk}/change/"


@pytest.fixture
def discovered():
    return timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)


@pytest.fixture
def incident(staff_user, discovered):
    return make_incident(by=staff_user, discovered_at=discovered,
                         populations={"CN": {"people_min": 500}, "EU": {"people_min": 20}})


def glance(page: str) -> str:
    return page.split('class="incident-glance"', 1)[1].split("</section>", 1)[0]


def rows(page: str) -> dict[str, str]:
    """code -> the row's cells as text, in page order."""
    table = glance(page).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = re.findall(r'<tr class="([^"]*)" data-code="([^"]+)">(.*?)</tr>', table, re.S)
    return {code: (classes, " | ".join(" ".join(re.sub(r"<[^>]+>", " ", cell).split())
                                       for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)))
            for classes, code, cells in found}


def in_zone(client, *, language: str, zone: str) -> None:
    """The reader's own language and zone, as the sign-in copies them from their staff profile."""
    session = client.session
    session[SESSION_KEY] = {"language": language, "time_zone": zone}
    session.save()


def test_obligations_lead_with_immediate_duties_with_deadline_time_left_and_drafts(staff_client, staff_user,
                                                                                   manager_user, incident):
    services.incident_generate_drafts(incident=incident, by=staff_user)
    eu_sa = codes(incident)["EU-SA"]
    services.notice_draft_approve(draft=eu_sa.drafts.get(language="en"), by=manager_user)
    in_zone(staff_client, language="en", zone="Europe/Berlin")

    page = staff_client.get(change_url(incident)).content.decode()
    shown = rows(page)
    order = list(shown)
    # 立即 first, then by deadline (the CAC 4-hour report before the EU 72 hours), not required last.
    assert order[:2] == ["CN-CAC-PIPL", "CN-IND"]
    assert order.index("CN-CAC-INCIDENT") < order.index("EU-SA") < order.index("EU-IND")
    assert order[-2:] == ["CN-PUBLIC", "EU-PUBLIC"]
    assert all("quiet-row" in shown[code][0] for code in order[-2:]) and "quiet-row" not in shown["EU-SA"][0]

    pipl = shown["CN-CAC-PIPL"][1]
    assert "Cyberspace administration (PIPL Art. 57)" in pipl and "immediately | immediately" in pipl
    assert "drafted" in pipl
    # The EU 72 hours: its deadline in the reader's zone (Berlin), 2 d 23 h left, one of two drafts approved.
    with translation.override("en"), timezone.override("Europe/Berlin"):
        berlin = formats.localize(timezone.localtime(eu_sa.deadline))
    # 71 hours left at the pinned instant; the pinned clock ticks, so a minute may have gone by.
    assert re.search(rf"\| {re.escape(berlin)} \| 2 d 2[23] h \|", shown["EU-SA"][1]), shown["EU-SA"][1]
    assert "approved 1 of 2" in shown["EU-SA"][1]
    assert shown["EU-PUBLIC"][1].endswith("no draft")


def test_the_glance_reads_in_chinese_for_a_chinese_reader(staff_client, staff_user, incident):
    services.incident_generate_drafts(incident=incident, by=staff_user)
    in_zone(staff_client, language="zh-hans", zone="Asia/Shanghai")
    page = staff_client.get(change_url(incident)).content.decode()
    top = glance(page)
    pipl = rows(page)["CN-CAC-PIPL"][1]
    assert "网信部门（个人信息保护法第五十七条）" in pipl and "立即" in pipl
    assert "无草稿" in rows(page)["EU-PUBLIC"][1]
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        shanghai = formats.localize(timezone.localtime(codes(incident)["EU-SA"].deadline))
        assert shanghai in rows(page)["EU-SA"][1]
        for text in ("notification obligations and clocks", "Generate drafts", "The incident at a glance"):
            assert translation.gettext(text) != text and translation.gettext(text) in top, text


def buttons(page: str) -> list[str]:
    actions = glance(page).split('class="incident-actions"', 1)[1]
    return [" ".join(b.split()) for b in re.findall(r'<(?:button type="submit"|a href="[^"]*") class="button[^"]*">(.*?)</',
                                                    actions, re.S)]


def test_buttons_are_the_actions_allowed_now_for_this_reader(staff_client, auditor_client, staff_user, incident):
    # Open with required notifications open: to assessing (closing would be refused, so it is not
    # offered); drafts; recompute; withdraw (a form page with a reason).
    assert buttons(staff_client.get(change_url(incident)).content.decode()) == [
        "Generate drafts", "Move to: assessing", "Recompute obligations", "Withdraw (recorded in error)…"]
    services.incident_change_status(incident=incident, by=staff_user, to_status=Incident.Status.ASSESSING)
    services.incident_change_status(incident=incident, by=staff_user, to_status=Incident.Status.NOTIFYING)
    page = staff_client.get(change_url(incident)).content.decode()
    # Notifying: monitoring or back to assessing; withdrawing is not a move from here.
    assert buttons(page) == ["Generate drafts", "Move to: monitoring", "Move to: assessing", "Recompute obligations"]
    assert 'class="button default">Generate drafts</button>' in page  # a styled button, not a link's text
    # The auditor reads the same glance and gets no button at all.
    page = auditor_client.get(change_url(incident)).content.decode()
    assert "CN-CAC-PIPL" in glance(page) and buttons(page) == []


def test_a_new_incident_page_shows_no_empty_read_only_block(staff_client):
    page = staff_client.get(ADD).content.decode()
    assert 'class="incident-glance"' not in page
    for name in ("reference", "status", "drafts_out_of_date", "data_categories", "sensitive_involved",
                 "exposed_data", "reminders_sent"):
        assert f"field-{name}" not in page, name
    assert '<div class="readonly">' not in page
    # What is typed on a new incident is all there: title, dates (the browser's pickers), places, facts.
    assert 'name="title"' in page and 'type="date" name="discovered_at_0"' in page
    assert 'name="populations-TOTAL_FORMS"' in page and 'name="narratives-0-description"' in page


def page_queries(client, url) -> int:
    client.get(url)  # warm: session refresh, permission and content-type caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_few_or_many_populations_and_drafts(staff_client, staff_user, incident):
    url = change_url(incident)
    few = page_queries(staff_client, url)
    used = set(incident.populations.values_list("jurisdiction", flat=True))
    AffectedPopulation.objects.bulk_create(
        AffectedPopulation(incident=incident, jurisdiction=code, people_min=10)
        for code, _label in Jurisdiction.choices if code not in used)
    services.incident_generate_drafts(incident=incident, by=staff_user)
    assert NoticeDraft.objects.filter(obligation__incident=incident).count() > 10
    many = page_queries(staff_client, url)
    assert many == few, f"{few} queries with two populations, {many} with every jurisdiction and drafts"
    page = staff_client.get(url).content.decode()
    # No select per population row; the activities and services are searched as typed, not listed.
    assert 'name="populations-' not in page
    for name in ("affected_activities", "affected_services"):
        assert re.search(rf'<select name="{name}"[^>]*admin-autocomplete', page), name
