"""Wherever a case's rule is shown - the summary at the top of its page and every rule weighed, the
"rule that set the due date" field, the timeline entries that quote it, a reminder e-mail and an
export - it reads in the reader's language; what is stored stays the clocks' English."""

import html as html_lib
from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import translation

from privacy_office.models import Reminder, StaffProfile
from privacy_office.reminders import reminder_send
from requests_app.resources import RightsRequestResource

from privacy_office.tests.conftest import reminder_mail  # noqa: F401 - the fixture

from .factories import at, make_case

pytestmark = pytest.mark.django_db

# US-TX access request received Mon 2026-03-02: TDPSA, 45 days counting the receipt day -> 2026-04-15;
# Aqara's month after validation is not yet running (not verified), so the state law binds.
ENGLISH = "TDPSA, Tex. Bus. & Com. Code §§541.051-.055: respond within 45 days of receipt"
CHINESE = "TDPSA, Tex. Bus. & Com. Code §§541.051-.055：自收到之日起 45 日内答复"


def texas_case(**extra):
    return make_case(jurisdiction="US-TX", received_at=at(2026, 3, 2), **extra)


def test_the_stored_rule_stays_the_clocks_english():
    assert texas_case().due_rule == ENGLISH


def test_the_case_page_shows_the_rule_in_chinese_to_a_chinese_reader(staff_client):
    case = texas_case()
    html = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk]),
                            HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    html = html_lib.unescape(html)
    assert html.count(CHINESE) >= 3  # the summary, the rule weighed, the "rule that set the due date" field
    assert "respond within" not in html


def test_the_case_page_shows_the_rule_as_stored_to_an_english_reader(staff_client):
    case = texas_case()
    html = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk]),
                            HTTP_ACCEPT_LANGUAGE="en").content.decode()
    html = html_lib.unescape(html)
    assert html.count("respond within 45 days of receipt") >= 3


def test_a_timeline_entry_quotes_the_rule_in_the_readers_language():
    case = texas_case()
    entry = case.timeline.get(kind="registered")
    assert entry.params["rule"] == ENGLISH
    with translation.override("zh-hans"):
        assert CHINESE in entry.text
    with translation.override("en"):
        assert ENGLISH in entry.text


def test_a_reminder_quotes_the_rule_in_its_recipients_language(staff_user, reminder_mail):
    StaffProfile.objects.create(user=staff_user, language="zh-hans", time_zone="Asia/Shanghai")
    case = texas_case(assignee=staff_user)
    reminder = Reminder.objects.create(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk, kind="dsar_due_before",
        threshold="7", recipient=staff_user, due_at=datetime(2026, 4, 8, 1, 0, tzinfo=UTC))
    assert reminder_send(reminder_id=reminder.pk, now=datetime(2026, 4, 8, 1, 0, tzinfo=UTC)) == "sent"
    assert CHINESE in mail.outbox[-1].body and "respond within" not in mail.outbox[-1].body


@pytest.mark.parametrize("language, expected", [("zh-hans", CHINESE), ("en", ENGLISH)])
def test_an_export_writes_the_rule_in_its_language(language, expected):
    case = texas_case()
    with translation.override(language):
        row = RightsRequestResource().export_resource(case)
    assert expected in row


def test_the_history_and_audit_log_show_a_changed_rule_in_the_readers_language():
    from privacy_office.audit_display import shown_changes
    from requests_app.models import RightsRequest

    change = [{"field": "due_rule", "old": "", "new": ENGLISH}]
    with translation.override("zh-hans"):
        assert shown_changes(RightsRequest, change)[0][2] == CHINESE
        assert shown_changes(RightsRequest.history.model, change)[0][2] == CHINESE
    with translation.override("en"):
        assert shown_changes(RightsRequest, change)[0][2] == ENGLISH
