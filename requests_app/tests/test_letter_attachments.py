"""A letter goes out with the files it names: uploaded on the unsent draft (checked by content and
size, kept in private storage with their history), listed in the letter's text ("Attachment 1: ..."
/ "附件一：..."), e-mailed with the letter's own signed PDF, frozen once sent, and deleted when the
case's personal data is erased. An access response is never e-mailed without its personal copy."""

from __future__ import annotations

import json
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from privacy_office.models import SentDocument
from requests_app import erasure, letter_attachments, letters, outbound_mail, services
from requests_app.models import DraftKind, OutboundEmail, ResponseDraftAttachment

from .factories import at, verified_case

pytestmark = pytest.mark.django_db

COPY = json.dumps({"account": "anna@example.com", "devices": ["Hub M2"]}).encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


def access_reply(staff_user, *, language="en", **case_fields):
    case = verified_case(staff_user, **case_fields)
    return letters.draft_generate(case=case, kind=DraftKind.ACCESS_RESPONSE, language=language, by=staff_user,
                                  now=at(2026, 3, 2, 12))


def management(total=1, initial=0):
    return {"attachments-TOTAL_FORMS": str(total), "attachments-INITIAL_FORMS": str(initial),
            "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000"}


def test_a_file_is_uploaded_on_the_letter_checked_by_content_and_kept_privately(staff_user):
    draft = access_reply(staff_user)
    attachment = letter_attachments.attachment_add(
        draft=draft, file=ContentFile(COPY, name="export.txt"), by=staff_user, now=at(2026, 3, 2, 13))
    # JSON by its content, whatever the name says; the name is the one the letter already gives.
    assert attachment.content_type == "application/json" and attachment.size == len(COPY)
    assert attachment.position == 1
    assert attachment.name == f"copy of your personal information ({draft.request.reference})"
    assert storages["private"].exists(attachment.file.name)
    assert "export" not in attachment.file.name  # no sender's name on the disk
    assert attachment.history.get().history_type == "+"


@pytest.mark.parametrize("content, name, code", [
    (EXE, "copy.pdf", "type"),  # a program renamed .pdf is still a program
    (b"", "copy.json", "empty"),
    (b"x" * 201, "copy.txt", "too_large"),
])
def test_a_wrong_type_or_too_large_a_file_is_refused(staff_user, settings, content, name, code):
    settings.LETTER_ATTACHMENT_MAX_BYTES = 200
    draft = access_reply(staff_user)
    with pytest.raises(ValidationError) as refused:
        letter_attachments.attachment_add(draft=draft, file=ContentFile(content, name=name), by=staff_user)
    assert refused.value.code == code
    assert not ResponseDraftAttachment.objects.exists()


def test_the_refusal_on_the_letter_page_is_in_the_users_language(staff_user, staff_client):
    draft = access_reply(staff_user)
    url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
    data = {"subject": draft.subject, "body": draft.body, "_loaded_version": draft.version, **management(),
            "attachments-0-position": "1", "attachments-0-name": "", "attachments-0-draft": str(draft.pk),
            "attachments-0-file": SimpleUploadedFile("copy.pdf", EXE, content_type="application/pdf")}
    page = staff_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This file cannot be attached to a letter: its content is not PDF, ZIP, PNG, JPEG, JSON, CSV, TXT" in page
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            letter_attachments.attachment_check(ContentFile(EXE, name="copy.pdf"))
    assert "此文件不能作为信函附件" in refused.value.messages[0]
    assert not ResponseDraftAttachment.objects.exists()


def test_an_access_reply_is_e_mailed_with_its_personal_copy_and_the_signed_letter(staff_user, staff_client, settings):
    """Through the letter's page: upload the copy, then "Save and e-mail to the requester"."""
    settings.LETTER_FROM_EMAIL = "privacy@aqara.test"
    draft = access_reply(staff_user)
    reference = draft.request.reference
    url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
    response = staff_client.post(url, {
        "subject": draft.subject, "body": draft.body, "_loaded_version": draft.version, "_send_email": "1",
        **management(), "attachments-0-position": "1", "attachments-0-name": "", "attachments-0-draft": str(draft.pk),
        "attachments-0-file": SimpleUploadedFile("anna.json", COPY, content_type="application/octet-stream")})
    assert response.status_code == 302

    (sent,) = mail.outbox
    raw = message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    files = [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
             for part in raw.iter_attachments()]
    draft.refresh_from_db()
    frozen = SentDocument.objects.for_record(draft).get()
    copy_name = f"1-copy of your personal information ({reference}).json"
    assert files == [(copy_name, "application/json", COPY),
                     (f"{frozen.file_name}.pdf", "application/pdf", bytes(frozen.pdf))]
    assert files[1][2].startswith(b"%PDF")
    # The letter says where the copy is, and the record names what went out.
    assert f"Attachment 1: copy of your personal information ({reference})" in sent.body
    assert sent.body == draft.sent_body
    assert OutboundEmail.objects.get(draft=draft).attachments == [copy_name, f"{frozen.file_name}.pdf"]


def test_a_chinese_letter_names_its_attachments_in_chinese(staff_user):
    draft = access_reply(staff_user, language="zh-hans", jurisdiction="CN", request_type="access",
                         requester_email="li.wei@qq.com")
    letter_attachments.attachment_add(draft=draft, file=ContentFile(COPY, name="copy.json"), by=staff_user)
    letter_attachments.attachment_add(draft=draft, file=ContentFile(b"device,serial\nHub M2,123\n", name="d.csv"),
                                      name="设备清单", by=staff_user)
    record = outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 3, 9))
    body = mail.outbox[0].body
    assert "附件一：您的个人信息副本" in body and body.rstrip().endswith("附件二：设备清单")
    assert record.attachments[:2] == [f"1-您的个人信息副本（{draft.request.reference}）.json", "2-设备清单.csv"]
    assert [a[2] for a in mail.outbox[0].attachments] == ["application/json", "text/csv", "application/pdf"]


def test_an_access_reply_without_its_copy_is_not_e_mailed_but_may_go_by_post(staff_user, staff_client):
    draft = access_reply(staff_user)
    with pytest.raises(ValidationError) as refused:
        outbound_mail.draft_send_email(draft=draft, by=staff_user)
    assert "An access response must carry the copy of the personal information" in refused.value.messages[0]
    url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    staff_client.cookies["django_language"] = "zh-hans"
    page = staff_client.post(url, {"subject": draft.subject, "body": draft.body, "_loaded_version": draft.version,
                                   "_send_email": "1"}, follow=True).content.decode()
    assert "访问答复必须附上个人信息副本" in page
    draft.refresh_from_db()
    assert draft.sent_at is None and not mail.outbox and not OutboundEmail.objects.exists()
    # Sent by registered post with a USB stick: marked sent by hand.
    outbound_mail.draft_mark_sent_by_hand(draft=draft, by=staff_user, reason="Registered post with a USB stick")
    draft.refresh_from_db()
    assert draft.sent_at is not None


def test_the_attachments_are_frozen_once_the_letter_is_sent(staff_user, staff_client):
    draft = access_reply(staff_user)
    attachment = letter_attachments.attachment_add(draft=draft, file=ContentFile(COPY, name="c.json"), by=staff_user)
    outbound_mail.draft_send_email(draft=draft, by=staff_user)
    with pytest.raises(ValidationError) as refused:
        letter_attachments.attachment_add(draft=draft, file=ContentFile(COPY, name="late.json"), by=staff_user)
    assert refused.value.code == "sent"
    with pytest.raises(ValidationError):
        letter_attachments.attachment_remove(attachment=attachment, by=staff_user)
    url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="attachments-0-file"' not in page and 'type="file"' not in page
    staff_client.post(url, {**management(), "attachments-0-position": "2", "attachments-0-draft": str(draft.pk),
                            "attachments-0-file": SimpleUploadedFile("late.json", COPY)})
    assert list(draft.attachments.values_list("name", flat=True)) == [attachment.name]
    assert storages["private"].exists(attachment.file.name)


def test_the_files_are_deleted_when_the_cases_personal_data_is_erased(
        staff_user, manager_user, django_capture_on_commit_callbacks):
    draft = access_reply(staff_user)
    case = draft.request
    attachment = letter_attachments.attachment_add(draft=draft, file=ContentFile(COPY, name="anna.json"),
                                                   name="Anna Schmidt's data", by=staff_user, now=at(2026, 3, 2, 13))
    outbound_mail.draft_send_email(draft=draft, by=staff_user, now=at(2026, 3, 2, 14))
    services.dsar_close(case=case, by=staff_user, now=at(2026, 3, 3))  # the reply made it "responded"
    case.refresh_from_db()
    stored = attachment.file.name
    assert storages["private"].exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        erasure.dsar_erase_personal_data(case=case, by=manager_user, reason="retention period ended",
                                         now=at(2026, 3, 3) + timedelta(days=1100))
    attachment.refresh_from_db()
    assert not storages["private"].exists(stored)
    assert (attachment.name, attachment.file.name) == ("—", "")
    assert set(attachment.history.values_list("name", "file")) == {("—", "")}
