"""The admin home lists the signed-in person's next work, not only counts: their open cases and the
live notification duties of the incidents they own, "immediately" first, then by the time left;
each row names the record and what is due, in the reader's language, with the due time in the
reader's time zone. At most ten rows, links to the full lists, and a fixed number of queries.

Clock pinned by the root conftest (or a hard day): every date here is counted from it."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from breach_app import display
from breach_app.models import Obligation
from breach_app.tests.factories import make_incident
from privacy_office.dashboard import MY_WORK_ROWS, collect_my_work
from privacy_office.preferences import profile_update
from requests_app.dashboard import due_end
from requests_app.models import RightsRequest, Status
from requests_app.tests.factories import make_case

pytestmark = pytest.mark.django_db


def received(days_ago: int):
    return timezone.now().replace(microsecond=0) - timedelta(days=days_ago)


def my_case(user, days_ago: int, **fields) -> RightsRequest:
    return make_case(received_at=received(days_ago), assignee=user, **fields)


def my_incident(user, **fields):
    """Discovered an hour ago: the PIPL Art. 57 duties are due immediately, the CAC 4-hour report
    in 3 h, the EU 72 hours in 71 h."""
    discovered = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    return make_incident(by=user, owner=user, discovered_at=discovered,
                         populations={"CN": {"people_min": 500}, "EU": {"people_min": 20}}, **fields)


def rows(page: str) -> list[list[str]]:
    """The cells of the "my work next" rows, tags stripped."""
    found = re.findall(r'<tr class="my-work-item">(.*?)</tr>', page, re.S)
    return [[" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in found]


def test_my_cases_and_my_incidents_duties_most_urgent_first(staff_user, manager_user, staff_client):
    overdue = my_case(staff_user, 45)
    soon = my_case(staff_user, 20, request_type="deletion")
    later = my_case(staff_user, 5)
    my_case(manager_user, 44)  # someone else's
    incident = my_incident(staff_user)
    make_incident(by=manager_user, owner=manager_user, title="Not mine")
    live = list(Obligation.objects.live().filter(incident=incident))
    immediate = [o for o in live if o.deadline_kind == "immediately"]
    assert {o.code for o in immediate} >= {"CN-CAC-PIPL"}
    by_code = {o.code: o for o in live}

    shown = rows(staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert len(shown) == min(MY_WORK_ROWS, len(live) + 3)
    references = [row[0] for row in shown]
    assert manager_user.assigned_rights_requests.get().reference not in references
    assert all(ref in (incident.reference, overdue.reference, soon.reference, later.reference) for ref in references)
    # "Immediately" first (PIPL Art. 57 立即), then by the time left: the overdue case, the CAC
    # 4-hour report (3 h left), the EU 72 hours, the case due in about ten days.
    whats = [row[1] for row in shown]
    with translation.override("en"):
        first = [row for row in shown[:len(immediate)]]
        assert {row[1] for row in first} == {display.obligation_name(o) for o in immediate}
        assert all(row[3] == "immediately" for row in first)
        order = [whats.index(display.obligation_name(by_code["CN-CAC-INCIDENT"])),
                 whats.index(display.obligation_name(by_code["EU-SA"]))]
    assert references.index(overdue.reference) == len(immediate) < order[0] < order[1] < references.index(soon.reference)
    overdue_row = shown[references.index(overdue.reference)]
    assert overdue_row[1] == "access / copy" and "overdue" in overdue_row[3]
    assert shown[references.index(soon.reference)][1] == "deletion / erasure"
    # Each row links to its record; the full lists are one click away.
    page = staff_client.get("/admin/").content.decode()
    assert f'/admin/requests_app/rightsrequest/{overdue.pk}/change/' in page
    assert f'/admin/breach_app/obligation/{by_code["CN-CAC-INCIDENT"].pk}/change/' in page
    assert "/admin/requests_app/rightsrequest/?queue=mine" in page
    mine = staff_client.get(f"/admin/breach_app/incident/?open=yes&owner__id__exact={staff_user.pk}")
    assert mine.status_code == 200 and incident.reference in mine.content.decode()
    assert "Not mine" not in mine.content.decode()
    assert f"owner__id__exact={staff_user.pk}" in page


def test_in_chinese_with_due_times_in_the_readers_zone(staff_user):
    case = my_case(staff_user, 20)
    incident = my_incident(staff_user)
    profile_update(user=staff_user, language="zh-hans", time_zone="Europe/Berlin")
    client = Client()
    client.force_login(staff_user)
    page = client.get("/admin/").content.decode()
    assert "我的待办" in page and "截止时间（您的时区）" in page
    shown = {row[1]: row for row in rows(page)}
    report = incident.obligations.get(code="CN-CAC-INCIDENT")
    berlin = report.deadline.astimezone(ZoneInfo("Europe/Berlin"))
    with translation.override("zh-hans"):
        name = display.obligation_name(report)
        assert shown[name][2] == berlin.strftime("%Y-%m-%d %H:%M")
        assert shown[display.obligation_name(incident.obligations.get(code="CN-CAC-PIPL"))][3] == "立即"
    case_row = next(row for row in rows(page) if row[0] == case.reference)
    with translation.override("zh-hans"):
        assert case_row[1] == str(case.get_request_type_display())
    end = due_end(case).astimezone(ZoneInfo("Europe/Berlin"))
    assert case_row[2] == end.strftime("%Y-%m-%d %H:%M")
    assert "我的全部未结案件" in page and "我负责的全部未结事件" in page


def test_the_list_costs_the_same_queries_for_few_rows_as_for_many(staff_user):
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    my_case(staff_user, 10)
    collect_my_work(request)  # the permissions are read once per request user
    with CaptureQueriesContext(connection) as few:
        items, _parts = collect_my_work(request)
    assert len(items) == 1
    for days_ago in range(1, 13):
        my_case(staff_user, days_ago)
    my_incident(staff_user)
    my_incident(staff_user, title="A second one")
    with CaptureQueriesContext(connection) as many:
        items, _parts = collect_my_work(request)
    assert len(items) == MY_WORK_ROWS
    assert len(many) == len(few) == 2  # one for the cases, one for the duties


def test_nothing_mine_says_so_and_the_rights_request_card_lists_awaiting_identity_once(staff_user, staff_client):
    make_case()  # open, unassigned
    page = staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing assigned to you is open." in page and not rows(page)
    card = re.search(r"<h2>Rights requests</h2>(.*?)</table>", page, re.S).group(1)
    labels = [" ".join(re.sub(r"<[^>]+>", " ", label).split()).lower()
              for label in re.findall(r'<th scope="row">(.*?)</th>', card, re.S)]
    assert labels.count(str(Status.AWAITING_IDENTITY.label)) == 1
