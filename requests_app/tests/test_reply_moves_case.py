"""Sending the reply moves the case on: once the letter that answers the request (access response,
deletion confirmation, response) is sent - by e-mail or marked sent by hand - the case is
"responded", with the sent time as its response time, in the same transaction. Other letters
(an acknowledgement) move nothing; an open task refuses the reply, naming the task, and nothing is
sent. Closing stays a separate step."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation

from requests_app import case_tasks, letter_attachments, letters, outbound_mail, services
from requests_app.models import DraftKind, OutboundEmail, Status, TimelineEntry
from tests.integration.conftest import SMTPSink

from .factories import at, make_case, verified_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback (aiosmtpd) that the letters are sent to."""
    sink = SMTPSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    sink.stop()


def access_reply(case, by):
    draft = letters.draft_generate(case=case, kind=DraftKind.ACCESS_RESPONSE, language="en", by=by,
                                   now=at(2026, 3, 4, 9))
    letter_attachments.attachment_add(draft=draft, file=ContentFile(b'{"devices": ["Hub M2"]}', name="copy.json"),
                                      by=by)
    return draft


def statuses(case) -> list[str]:
    return list(case.timeline.filter(kind=TimelineEntry.Kind.STATUS).order_by("at", "id")
                .values_list("params__to_status", flat=True))


def test_an_access_reply_e_mailed_marks_the_case_responded_at_its_sent_time(staff_user, smtp):
    case = verified_case(staff_user)
    assert case.status == Status.IN_PROGRESS
    draft = access_reply(case, staff_user)
    record = outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 5, 7, 30))
    (received,) = smtp.inbox.wait_for(1)
    assert received["Message-ID"].strip("<>") == record.message_id
    case.refresh_from_db()
    assert case.status == Status.RESPONDED
    assert case.responded_at == at(2026, 3, 5, 7, 30) and case.reply_id == draft.pk
    assert case.closed_at is None  # closing stays a deliberate step
    assert statuses(case)[-2:] == [Status.RESPONSE_DRAFTED, Status.RESPONDED]
    assert case.timeline.filter(kind=TimelineEntry.Kind.DRAFT, message__startswith="Response time").exists()
    services.dsar_close(case=case, by=staff_user, now=at(2026, 3, 6))
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_a_deletion_confirmation_sent_by_post_marks_the_case_responded(staff_user):
    case = verified_case(staff_user, request_type="deletion")
    services.dsar_mark_response_drafted(case=case, by=staff_user, now=at(2026, 3, 4))
    draft = letters.draft_generate(case=case, kind=DraftKind.DELETION_CONFIRMATION, language="en", by=staff_user,
                                   now=at(2026, 3, 4, 9))
    outbound_mail.draft_mark_sent_by_hand(draft=draft, by=staff_user, reason="Registered post RR123",
                                          now=at(2026, 3, 6, 2))
    case.refresh_from_db()
    assert case.status == Status.RESPONDED
    assert case.responded_at == at(2026, 3, 6, 2) and case.reply_id == draft.pk
    assert statuses(case)[-1] == Status.RESPONDED


def test_an_acknowledgement_moves_nothing(staff_user, smtp):
    case = make_case()
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user,
                                   now=at(2026, 3, 2, 12))
    outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 2, 13))
    assert len(smtp.inbox.wait_for(1)) == 1
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.responded_at is None and case.reply_id is None
    assert case.acknowledged_at == at(2026, 3, 2, 13)


def test_an_open_task_refuses_the_reply_naming_it_and_nothing_is_sent(staff_user, smtp):
    case = verified_case(staff_user)
    task = case_tasks.task_create(case=case, title="Export the Aqara Home account data", by=staff_user)
    draft = access_reply(case, staff_user)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 5))
    (text,) = refused.value.messages
    assert "“Export the Aqara Home account data”" in text and "任务" in text
    with pytest.raises(ValidationError, match="tasks are still open: “Export the Aqara Home account data”"):
        outbound_mail.draft_mark_sent_by_hand(draft=draft, by=staff_user, reason="post", now=at(2026, 3, 5))
    draft.refresh_from_db()
    case.refresh_from_db()
    assert draft.sent_at is None and not draft.sent_body
    assert case.status == Status.IN_PROGRESS and case.responded_at is None
    assert not OutboundEmail.objects.exists() and smtp.inbox.wait_for(1, timeout=1) == []
    # The task done, the same letter goes out and the case is responded.
    case_tasks.task_set_done(task=task, by=staff_user)
    outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 5, 8))
    case.refresh_from_db()
    assert case.status == Status.RESPONDED and case.responded_at == at(2026, 3, 5, 8)


def test_a_reply_before_identity_is_verified_is_refused(staff_user):
    """Sending the reply starts work on the way to "responded": an unverified requester gets nothing."""
    case = make_case()
    draft = letters.draft_generate(case=case, kind=DraftKind.RESPONSE, language="en", by=staff_user,
                                   reasons="Your address was corrected.", now=at(2026, 3, 2, 12))
    with pytest.raises(ValidationError, match="Verify the requester's identity"):
        letters.draft_mark_sent(draft=draft, by=staff_user, now=at(2026, 3, 2, 13))
    draft.refresh_from_db()
    case.refresh_from_db()
    assert draft.sent_at is None and case.status == Status.RECEIVED


def test_a_second_reply_keeps_the_first_response_time(staff_user):
    case = verified_case(staff_user, request_type="correction")
    first = letters.draft_generate(case=case, kind=DraftKind.RESPONSE, language="en", by=staff_user,
                                   reasons="Your address was corrected.", now=at(2026, 3, 3))
    letters.draft_mark_sent(draft=first, by=staff_user, now=at(2026, 3, 3, 1))
    second = letters.draft_generate(case=case, kind=DraftKind.RESPONSE, language="en", by=staff_user,
                                    reasons="Your phone number was corrected too.", now=at(2026, 3, 4))
    letters.draft_mark_sent(draft=second, by=staff_user, now=at(2026, 3, 4, 1))
    case.refresh_from_db()
    assert case.status == Status.RESPONDED
    assert case.responded_at == at(2026, 3, 3, 1) and case.reply_id == first.pk
