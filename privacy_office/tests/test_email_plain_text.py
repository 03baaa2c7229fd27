"""Plain-text e-mails say what the records say: no HTML escaping (``user&#x27;s`` before).

Reminders go to staff and carry no requester identity by design; what reaches them is the case's
type, rule and dates. The letters to a requester (response drafts) carry the name as typed.
"""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.core import mail

from privacy_office.models import StaffProfile
from privacy_office.reminder_time import morning_of
from privacy_office.reminders import reminders_enqueue_unsent, reminders_record
from requests_app import letters, services

UTC = dt_timezone.utc
NAME = "O'Brien & <Sons>"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager(reminder_mail):
    reminder_mail.REMINDER_DAYS_BEFORE = [7]


@pytest.fixture
def case(manager_user):
    StaffProfile.objects.create(user=manager_user, language="en")
    received = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    case = services.dsar_register(
        requester_name=NAME, requester_email="obrien@example.ie", jurisdiction="CN", request_type="deceased_relative",
        relationship="deceased_relative", data_subject_name="Seán O'Brien", received_at=received, assignee=manager_user,
        now=received + timedelta(hours=1),
    )
    type(case).objects.filter(pk=case.pk).update(created_at=received)
    return case


def sweep_at(when, django_capture_on_commit_callbacks):
    from requests_app.reminders import due_reminders

    with django_capture_on_commit_callbacks(execute=True):
        reminders_record(specs=due_reminders(now=when), now=when)
        reminders_enqueue_unsent(now=when)


def test_a_reminder_body_is_plain_text_not_html(case, manager_user, django_capture_on_commit_callbacks):
    sweep_at(morning_of(case.due_on - timedelta(days=7)) + timedelta(minutes=1), django_capture_on_commit_callbacks)
    [message] = [m for m in mail.outbox if m.to == [manager_user.email]]
    assert "deceased user's close relative (PIPL Art. 49)" in message.body
    for entity in ("&#x27;", "&#39;", "&amp;", "&lt;", "&gt;", "&quot;"):
        assert entity not in message.body and entity not in message.subject
    # Plain text only: no HTML alternative whose escaping could differ.
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    # And, by design, nothing of the requester's identity.
    assert "O'Brien" not in message.body + message.subject


def test_a_letter_to_the_requester_carries_the_name_as_typed(case, manager_user):
    draft = letters.draft_generate(case=case, kind="acknowledgement", language="en", by=manager_user)
    assert f"Dear {NAME}," in draft.body
    assert "&amp;" not in draft.body and "&lt;" not in draft.body and "&#x27;" not in draft.body
