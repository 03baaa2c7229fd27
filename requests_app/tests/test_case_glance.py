"""The top of a case page shows what an officer needs first: the reference, the requester, the law and
type, the status, the due date with the days left and the rule that set it (every rule weighed, on
demand), whether the clock runs and why, and only the actions allowed now, as buttons."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from requests_app import identity_checks, services
from requests_app.case_writes import case_today
from requests_app.rule_phrases import rule_display

from .factories import make_case
from .test_clock_recompute import verify

pytestmark = pytest.mark.django_db


def glance(client, case, language="en"):
    """The summary section of the case page, as HTML."""
    response = client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk]),
                          HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<section class="case-glance".*?</section>', html, re.S)
    assert found, "the case page starts with its summary"
    return found.group(0), html


def days_left_words(case, language):
    days = (case.due_on - case_today(case)).days
    with translation.override(language):
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}


def received_recently():
    return timezone.now() - timedelta(days=2)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_top_shows_reference_status_due_date_time_left_and_rule(staff_client, staff_user, language):
    case = make_case(jurisdiction="EU", received_at=received_recently(), assignee=staff_user,
                     requester_name="Anna Schmidt")
    top, _html = glance(staff_client, case, language)
    assert case.reference in top and "Anna Schmidt" in top
    with translation.override(language):
        assert str(case.get_status_display()) in top
        assert str(case.get_jurisdiction_display()) in top
        assert gettext("Every rule considered, and why this date") in top
        due = case.due_on.strftime("%Y") in top
    assert due
    assert days_left_words(case, language) in top
    with translation.override(language):
        assert rule_display(case.due_rule) in top
    # Every obligation weighed: the EU statute and Aqara's own commitment, the binding one marked.
    assert top.count('<tr class="binds">') == 1
    assert "GDPR" in top


def test_a_paused_uk_case_says_its_clock_is_stopped_and_why(staff_client, staff_user):
    case = make_case(jurisdiction="UK", received_at=received_recently(), assignee=staff_user)
    verify(case, timezone.now() - timedelta(days=1), by=staff_user)
    services.dsar_request_clarification(case=case, by=staff_user, note="Which account?")
    case.refresh_from_db()
    assert case.clock_paused
    top, _html = glance(staff_client, case)
    assert "Clock stopped since" in top
    assert "waiting for the requester&#x27;s clarification" in top or "waiting for the requester's clarification" in top
    assert "Which account?" in top
    assert "Clock running" not in top


@pytest.mark.parametrize("jurisdiction,language,running", [
    ("CN", "zh-hans", "期限仍在计算"), ("EU", "en", "the clock keeps running")])
def test_a_case_waiting_for_the_requester_where_the_law_has_no_pause_says_the_clock_runs(
        staff_client, staff_user, jurisdiction, language, running):
    case = make_case(jurisdiction=jurisdiction, received_at=received_recently(), assignee=staff_user)
    identity_checks.dsar_request_identity(case=case, by=staff_user)
    case.refresh_from_db()
    assert not case.clock_paused
    top, _html = glance(staff_client, case, language)
    assert running in top
    with translation.override(language):
        assert (gettext("Clock running: %(days)s.") % {"days": days_left_words(case, language)}) in top


def test_the_buttons_are_the_actions_allowed_now_and_only_for_who_may_act(staff_client, auditor_client, staff_user):
    case = make_case(jurisdiction="US-CA", request_type="ccpa_opt_out", received_at=received_recently(),
                     assignee=staff_user)
    act = lambda name: reverse("admin:requests_app_rightsrequest_action", args=[case.pk, name])  # noqa: E731
    top, _html = glance(staff_client, case)
    assert f'<a class="button" role="button" href="{act("start_work")}">' in top
    assert act("close") not in top  # a received case cannot be closed
    services.dsar_start_work(case=case, by=staff_user)
    top, _html = glance(staff_client, case)
    assert act("start_work") not in top and act("generate_draft") in top
    # Someone who may only read sees the summary, and no button at all.
    top, html = glance(auditor_client, case)
    assert case.reference in top and 'class="case-actions"' not in html


def test_the_timeline_comes_before_the_details_which_open_on_demand(staff_client, staff_user):
    case = make_case(jurisdiction="EU", received_at=received_recently(), assignee=staff_user)
    _top, html = glance(staff_client, case)
    assert html.index('id="case-timeline"') < html.index('class="module aligned collapse')
    timeline = re.search(r'id="case-timeline".*?</div>', html, re.S).group(0)
    assert "Registered (e-mail)" in timeline  # the newest entries, in the reader's time zone
    assert html.count("<details>") >= 4  # Requester, Request, Handling, Deadline


def test_the_add_page_has_no_empty_read_only_blocks(staff_client):
    html = staff_client.get(reverse("admin:requests_app_rightsrequest_add")).content.decode()
    for read_only in ("reference", "status", "due_on", "clock_explanation", "closed_at", "rejection_reasons"):
        assert f"form-row field-{read_only}" not in html, read_only
    assert "case-glance" not in html and "case-timeline" not in html
    for group in ("timeline-group", "pauses-group", "identity_checks-group", "drafts-group",
                  "identity_documents-group"):
        assert f'id="{group}"' not in html, group
    for empty_section in ("Deadline", "Outcome"):
        assert f'class="fieldset-heading">{empty_section}<' not in html
    assert 'id="id_requester_name"' in html and 'id="tasks-group"' in html


def test_saved_task_rows_name_service_and_processor_without_select_lists(staff_client, staff_user):
    from requests_app import case_tasks

    from .factories import make_inventory

    service, processor = make_inventory()
    case = make_case(services=[service], assignee=staff_user, received_at=received_recently())
    case_tasks.task_create(case=case, title="Export", by=staff_user, service=service)
    _top, html = glance(staff_client, case)
    assert 'name="tasks-0-service"' not in html and 'name="tasks-0-processor"' not in html
    assert str(service) in html
    assert 'name="tasks-__prefix__-service"' in html  # a new row still offers the list
    assert re.search(r'<input type="date" name="tasks-0-due_on"', html)


def test_timeline_times_are_in_the_readers_time_zone(staff_user):
    from zoneinfo import ZoneInfo

    from django.test import Client
    from django.utils import formats

    from privacy_office.models import StaffProfile

    StaffProfile.objects.create(user=staff_user, language="en", time_zone="America/New_York")
    client = Client()
    client.force_login(staff_user)  # the profile's language and zone are taken at sign-in
    case = make_case(jurisdiction="CN", received_at=received_recently(), assignee=staff_user)
    entry = case.timeline.order_by("-at", "-id").first()
    _top, html = glance(client, case)
    timeline = re.search(r'id="case-timeline".*?</div>', html, re.S).group(0)
    in_new_york = timezone.localtime(entry.at, ZoneInfo("America/New_York"))
    with translation.override("en"):
        assert formats.date_format(in_new_york, "SHORT_DATETIME_FORMAT") in timeline
