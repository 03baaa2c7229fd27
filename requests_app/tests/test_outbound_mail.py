"""Letters go out from the case by e-mail (outbound_mail.draft_send_email; Django's locmem backend
in these tests, a real SMTP server in tests/integration/test_mailbox_live.py), and the requester's
answer threads back onto the case."""

from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from requests_app import letter_attachments, letter_documents, letters, mailbox_intake, outbound_mail
from requests_app.models import DraftKind, InboundMessage, OutboundEmail, TimelineEntry
from tests.mailservers import make_message

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def test_an_approved_letter_is_e_mailed_and_the_sent_message_is_the_record(staff_user, settings):
    settings.LETTER_FROM_EMAIL = "privacy@aqara.test"
    case = make_case()
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user,
                                   now=at(2026, 3, 2, 12))
    letter_attachments.attachment_add(draft=draft, file=ContentFile(b"{}", name="copy.json"), name="copy",
                                      by=staff_user)
    record = outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 2, 13))
    (sent,) = mail.outbox
    assert sent.to == ["anna@example.com"] and sent.from_email == "privacy@aqara.test"
    assert case.reference in sent.subject  # the template already names it; else it is prefixed
    assert sent.extra_headers["Message-ID"] == f"<{record.message_id}>"
    assert sent.extra_headers["Content-Language"] == "en"
    # The file the letter names, then the letter's own signed PDF.
    assert [a[0] for a in sent.attachments] == ["1-copy.json", f"{letter_documents.file_name(draft)}.pdf"]
    assert (record.subject, record.text, record.recipients) == (sent.subject, sent.body, ["anna@example.com"])
    draft.refresh_from_db()
    case.refresh_from_db()
    assert draft.sent_at == at(2026, 3, 2, 13) and draft.sent_body == sent.body
    assert case.acknowledged_at == at(2026, 3, 2, 13)
    assert case.timeline.filter(kind=TimelineEntry.Kind.MAIL, params__message_id=record.message_id).exists()
    with pytest.raises(ValidationError):
        outbound_mail.draft_send_email(draft=draft, by=staff_user)
    assert len(mail.outbox) == 1


def test_a_letter_in_chinese_goes_out_in_chinese(staff_user):
    case = make_case(jurisdiction="CN", request_type="deletion", requester_email="li.wei@qq.com")
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="zh-hans", by=staff_user,
                                   now=at(2026, 3, 2, 12))
    outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 2, 13))
    sent = mail.outbox[0].message()
    assert sent["Content-Language"] == "zh-hans"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in mail.outbox[0].subject + mail.outbox[0].body)


def test_the_requesters_answer_threads_back_by_message_id(staff_user):
    case = make_case()
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user,
                                   now=at(2026, 3, 2, 12))
    outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 2, 13))
    sent = message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    # The requester's mail program answers under another subject, quoting only the Message-ID.
    answer = make_message(sender="anna@example.com", subject="Re: your letter", body="Thank you.",
                          message_id="<answer@example.com>", headers={"In-Reply-To": sent["Message-ID"]})
    inbound = mailbox_intake.intake_message(mailbox="privacy", raw=answer, received_at=at(2026, 3, 3),
                                            now=at(2026, 3, 3))
    assert (inbound.kind, inbound.request) == (InboundMessage.Kind.REPLY, case)
    # Our next letter answers the requester's last e-mail.
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user,
                                   now=at(2026, 3, 4))
    letters.draft_edit(draft=draft, by=staff_user, body="A second letter.")
    outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 4, 1))
    assert mail.outbox[1].extra_headers["In-Reply-To"] == "<answer@example.com>"


def test_a_letter_sent_by_post_is_marked_sent_by_hand_only_with_a_reason(staff_user, staff_client):
    from django.urls import reverse

    case = make_case()
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user)
    with pytest.raises(ValidationError):
        outbound_mail.draft_mark_sent_by_hand(draft=draft, by=staff_user, reason="  ")
    url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
    staff_client.post(url, {"subject": draft.subject, "body": draft.body, "_mark_sent": "1",
                            "_loaded_version": draft.version})
    draft.refresh_from_db()
    assert draft.sent_at is None
    staff_client.post(url, {"subject": draft.subject, "body": draft.body, "_mark_sent": "1",
                            "sent_by_hand_reason": "Registered post RR123456789CN", "_loaded_version": draft.version})
    draft.refresh_from_db()
    assert draft.sent_at is not None and not mail.outbox and not OutboundEmail.objects.exists()
    assert case.timeline.filter(note="Registered post RR123456789CN").exists()


def test_the_send_button_on_the_letter_e_mails_it(staff_user, staff_client):
    from django.urls import reverse

    case = make_case()
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user)
    url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
    response = staff_client.post(url, {"subject": draft.subject, "body": "Edited, then e-mailed.", "_send_email": "1",
                                       "_loaded_version": draft.version})
    assert response.status_code == 302
    assert mail.outbox[0].body == "Edited, then e-mailed."
    assert OutboundEmail.objects.get(draft=draft).text == "Edited, then e-mailed."
