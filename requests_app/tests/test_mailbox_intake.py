"""An e-mail to the privacy mailbox, filed (mailbox_intake.intake_message, without IMAP: the raw
bytes and the server's receipt time come in as the poller hands them over).

Hand-worked UK dates (legal-rules.md UK row; England bank holidays 2026: Good Friday Fri 04-03,
Easter Monday Mon 04-06), as in test_uk_relevant_time and test_uk_stop_the_clock:
  received Mon 03-02, proof asked Tue 03-03, the e-mail with the proof arrives Fri 03-06 09:00 UTC,
  staff record it on Tue 03-10: relevant time Fri 03-06 -> + 1 month Mon 04-06 Easter Monday ->
  Tue 2026-04-07 (recorded as of the click, Tue 03-10, it would be Fri 04-10: three days lost).
  access request, clarification asked Tue 03-10, the answer e-mail arrives Tue 03-17, recorded Fri
  03-20: 03-10..03-17 not counted (8 days) -> Thu 04-02 + 8 days -> Fri 2026-04-10 (as of the
  click, 03-10..03-20 = 11 days -> Mon 04-13).
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app import identity_checks, mailbox_intake, services
from requests_app.models import (
    IdentityDocument,
    InboundMessage,
    OutboundEmail,
    RightsRequest,
    Status,
    TimelineEntry,
)
from tests.mailservers import PDF_BYTES, make_message

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def intake(raw, received, now=None):
    return mailbox_intake.intake_message(mailbox="privacy", raw=raw, received_at=received, uid="1",
                                         now=now or received)


def test_a_new_request_opens_a_case_received_when_the_server_received_it():
    inbound = intake(make_message(), at(2026, 3, 2, 1, 30), now=at(2026, 3, 2, 6))
    case = inbound.request
    assert inbound.kind == InboundMessage.Kind.REQUEST
    assert (case.status, case.channel, case.received_at) == (Status.RECEIVED, "email", at(2026, 3, 2, 1, 30))
    assert (case.requester_name, case.requester_email) == ("Li Wei", "li.wei@qq.com")
    assert (case.jurisdiction, case.request_type) == ("CN", "deletion")
    assert "请删除我的账号数据" in case.description
    assert (inbound.suggested_jurisdiction, inbound.suggested_type, inbound.language) == ("CN", "deletion", "zh-hans")
    assert inbound.suggestion_confirmed_at is None
    assert mailbox_intake.unconfirmed_suggestion(case) == inbound
    assert case.timeline.filter(kind=TimelineEntry.Kind.MAIL).exists()


def test_the_same_message_is_filed_once_with_or_without_a_message_id():
    for message_id in ("<twice@qq.com>", None):
        raw = make_message(message_id=message_id, sender=f"x{message_id and 1 or 2}@qq.com")
        first = intake(raw, at(2026, 3, 2))
        assert intake(raw, at(2026, 3, 2)) is None
        assert InboundMessage.objects.filter(message_key=first.message_key).count() == 1
    assert RightsRequest.objects.count() == 2
    assert InboundMessage.objects.get(request__requester_email="x2@qq.com").message_key.startswith("sha256:")


def test_a_reply_quoting_the_reference_goes_onto_its_case():
    case = make_case()
    inbound = intake(make_message(sender="anna@example.com", subject=f"Re: [{case.reference}] Your request",
                                  body="Thanks.", message_id="<r1@example.com>"), at(2026, 3, 3))
    assert (inbound.kind, inbound.request) == (InboundMessage.Kind.REPLY, case)
    assert RightsRequest.objects.count() == 1
    assert case.timeline.filter(kind=TimelineEntry.Kind.MAIL, params__sender="anna@example.com").exists()


def test_a_reply_to_a_letter_we_sent_threads_by_its_message_id(staff_user):
    case = make_case()
    from requests_app import letters
    draft = letters.draft_generate(case=case, kind="acknowledgement", language="en", by=staff_user, now=at(2026, 3, 2, 12))
    OutboundEmail.objects.create(draft=draft, request=case, message_id="ack-1@aqara.test", sent_at=at(2026, 3, 2, 12),
                                 from_address="privacy@aqara.test", recipients=[case.requester_email],
                                 subject="Acknowledgement", text="…")
    inbound = intake(make_message(sender="anna@example.com", subject="Re: Acknowledgement", body="ok",
                                  message_id="<r2@example.com>", headers={"In-Reply-To": "<ack-1@aqara.test>"}),
                     at(2026, 3, 3))
    assert inbound.request == case and inbound.kind == InboundMessage.Kind.REPLY


def test_identity_proof_by_e_mail_is_recorded_with_the_e_mails_date_in_one_click(staff_user):
    case = make_case(jurisdiction="UK", received_at=at(2026, 3, 2), now=at(2026, 3, 2, 12))
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    inbound = intake(make_message(sender="anna@example.com", subject=f"Re: {case.reference} proof of identity",
                                  body="My passport is attached.", message_id="<id@example.com>",
                                  attachments=[("passport.pdf", PDF_BYTES, "application/pdf")]),
                     at(2026, 3, 6, 9), now=at(2026, 3, 6, 9, 5))
    assert inbound.awaited == InboundMessage.Awaited.IDENTITY and inbound.answer_pending
    document = IdentityDocument.objects.get(request=case)
    assert (document.content_type, document.original_name) == ("application/pdf", "passport.pdf")
    assert inbound.attachments[0]["outcome"] == "identity document"
    assert list(mailbox_intake.pending_answers(case)) == [inbound]

    mailbox_intake.intake_record_answer(inbound=inbound, by=staff_user, now=at(2026, 3, 10, 11))
    case.refresh_from_db()
    assert case.identity_received_at == at(2026, 3, 6, 9)
    assert case.due_on == date(2026, 4, 7)
    with pytest.raises(ValidationError):
        mailbox_intake.intake_record_answer(inbound=inbound, by=staff_user, now=at(2026, 3, 10, 12))


def test_a_clarification_by_e_mail_restarts_the_uk_clock_on_the_day_it_arrived(staff_user):
    case = make_case(jurisdiction="UK", request_type="access", received_at=at(2026, 3, 2), now=at(2026, 3, 2, 12))
    identity_checks.dsar_record_identity_check(case=case, by=staff_user, method="data_points",
                                               data_points=["email", "account id"], decided_at=at(2026, 3, 2, 12),
                                               now=at(2026, 3, 2, 12))
    services.dsar_request_clarification(case=case, by=staff_user, note="Which device?", now=at(2026, 3, 10))
    inbound = intake(make_message(sender="anna@example.com", subject=f"Re: {case.reference}", body="The hub M3.",
                                  message_id="<cl@example.com>"), at(2026, 3, 17, 9))
    assert inbound.awaited == InboundMessage.Awaited.CLARIFICATION
    mailbox_intake.intake_record_answer(inbound=inbound, by=staff_user, now=at(2026, 3, 20, 9))
    case.refresh_from_db()
    assert (case.status, case.due_on) == (Status.IN_PROGRESS, date(2026, 4, 10))


@pytest.mark.parametrize(("headers", "sender", "kind"), [
    ({"Auto-Submitted": "auto-replied"}, "anna@example.com", InboundMessage.Kind.AUTO_REPLY),
    ({"X-Autoreply": "yes"}, "anna@example.com", InboundMessage.Kind.AUTO_REPLY),
    ({"Precedence": "bulk"}, "news@example.com", InboundMessage.Kind.AUTO_REPLY),
    ({}, "MAILER-DAEMON@mx.example.com", InboundMessage.Kind.BOUNCE),
    ({"X-Spam-Flag": "YES"}, "win@example.com", InboundMessage.Kind.SPAM),
])
def test_mail_that_is_not_a_request_is_marked_and_opens_no_case(headers, sender, kind):
    inbound = intake(make_message(sender=sender, subject="Out of office", body="I am away.", headers=headers),
                     at(2026, 3, 2))
    assert inbound.kind == kind and inbound.request is None
    assert not RightsRequest.objects.exists()


def test_a_delivery_report_is_a_bounce_even_from_a_person_looking_address():
    raw = (b"From: postbox@mx.example.com\r\nTo: privacy@aqara.test\r\nSubject: Undelivered\r\n"
           b"Message-ID: <dsn-1@mx.example.com>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/report; report-type=delivery-status; boundary=XX\r\n\r\n"
           b"--XX\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
           b"--XX\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
           b"Final-Recipient: rfc822; anna@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--XX--\r\n")
    assert intake(raw, at(2026, 3, 2)).kind == InboundMessage.Kind.BOUNCE


@pytest.mark.parametrize("raw", [
    b"\x00\x01\x02 not an e-mail at all",
    b"Subject: no sender\r\nMessage-ID: <nosender@x>\r\n\r\nWho wrote this?\r\n",
])
def test_a_message_that_cannot_be_parsed_lands_in_review_with_its_raw_bytes(raw):
    inbound = intake(raw, at(2026, 3, 2))
    assert inbound.kind == InboundMessage.Kind.REVIEW and inbound.in_review
    assert inbound.request is None and not RightsRequest.objects.exists()
    with inbound.raw.open("rb") as handle:
        assert handle.read() == raw
    assert intake(raw, at(2026, 3, 2)) is None  # and it is not queued twice


def test_a_10_mb_attachment_is_stored_within_the_identity_document_limit():
    ten_mb = PDF_BYTES + b"0" * (10 * 1024 * 1024 - len(PDF_BYTES))
    inbound = intake(make_message(attachments=[("scan.pdf", ten_mb, "application/pdf")]), at(2026, 3, 2))
    document = IdentityDocument.objects.get(request=inbound.request)
    assert document.size == 10 * 1024 * 1024 and not inbound.in_review


def test_an_attachment_over_the_limit_is_refused_and_the_message_kept_for_review(settings):
    settings.IDENTITY_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
    ten_mb = PDF_BYTES + b"0" * (10 * 1024 * 1024 - len(PDF_BYTES))
    raw = make_message(attachments=[("scan.pdf", ten_mb, "application/pdf")])
    inbound = intake(raw, at(2026, 3, 2))
    assert inbound.request is not None  # the request itself is filed: its clock runs
    assert not IdentityDocument.objects.exists()
    assert inbound.attachments[0]["outcome"].startswith("refused")
    assert inbound.in_review and inbound.raw.size == len(raw)


def test_a_second_open_request_of_the_same_person_and_type_is_linked_not_merged():
    first = intake(make_message(message_id="<a@qq.com>"), at(2026, 3, 2)).request
    second = intake(make_message(message_id="<b@qq.com>"), at(2026, 3, 3)).request
    assert first != second
    assert list(mailbox_intake.open_duplicates(second)) == [first]
    assert second.timeline.filter(params__references=first.reference).exists()


def test_staff_confirm_the_suggestion_and_record_answers_from_the_case_page(staff_client, staff_user):
    from django.urls import reverse

    inbound = intake(make_message(), at(2026, 3, 2))
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[inbound.request_id]))
    assert "suggested, not confirmed" in page.content.decode()
    response = staff_client.post(reverse("admin:requests_app_inboundmessage_act", args=[inbound.pk, "confirm"]))
    assert response.status_code == 302
    inbound.refresh_from_db()
    assert inbound.suggestion_confirmed_by == staff_user
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[inbound.request_id]))
    assert "suggested, not confirmed" not in page.content.decode()


def test_the_review_queue_lists_what_could_not_be_filed(staff_client):
    from django.urls import reverse

    intake(b"garbage", at(2026, 3, 2))
    page = staff_client.get(reverse("admin:requests_app_inboundmessage_changelist") + "?review=open")
    assert page.status_code == 200 and "could not be parsed" in page.content.decode()


def test_proof_from_another_address_than_the_requesters_is_flagged_on_the_case_page(staff_client, staff_user):
    from django.urls import reverse

    case = make_case(jurisdiction="UK", received_at=at(2026, 3, 2), now=at(2026, 3, 2, 12))
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    intake(make_message(sender="someone@else.example", subject=f"{case.reference}", body="Here is her passport.",
                        message_id="<other@else.example>"), at(2026, 3, 6, 9))
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert "not the requester&#x27;s address" in page or "not the requester's address" in page
    assert "Record the proof of identity as received 2026-03-06" in page


def test_a_reply_to_an_erased_case_opens_a_new_one(manager_user):
    case = make_case()
    RightsRequest.objects.filter(pk=case.pk).update(status="closed", closed_at=at(2026, 3, 3), erased_at=at(2026, 3, 4),
                                                    erased_by=manager_user)
    inbound = intake(make_message(sender="anna@example.com", subject=f"Re: {case.reference}",
                                  message_id="<late@example.com>"), at(2026, 3, 5))
    assert inbound.kind == InboundMessage.Kind.REQUEST and inbound.request != case


def test_the_suggestion_reasons_read_in_the_readers_language(staff_client):
    from django.urls import reverse

    # A Chinese e-mail from qq.com asking to delete: jurisdiction from the sender's domain, type
    # from the keyword 删除; each reader sees the reasons in their own language.
    inbound = intake(make_message(), at(2026, 3, 2))
    url = reverse("admin:requests_app_rightsrequest_change", args=[inbound.request_id])
    chinese = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "发件人域名：qq.com" in chinese and "关键词：删除" in chinese
    assert "sender domain" not in chinese and "keyword:" not in chinese
    english = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "sender domain: qq.com; keyword: 删除" in english
    inbound_page = staff_client.get(reverse("admin:requests_app_inboundmessage_change", args=[inbound.pk]),
                                    HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "发件人域名：qq.com；关键词：删除" in inbound_page
