"""The public request form: a person sends a request, confirms the e-mail address with the link
mailed to it, and only then is a case registered, received at the confirmation. Every test runs
at an instant it sets itself (the suite's pinned day may be any hard day)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from requests_app import public_form
from requests_app.models import (
    Channel, DraftKind, IdentityDocument, PublicAttachment, PublicSubmission, Relationship, RightsRequest,
)

pytestmark = pytest.mark.django_db

UTC = dt_timezone.utc
# Wednesday 18 Nov 2026, 10:00 in Shanghai (02:00 UTC): sent; confirmed 3 h 30 min later.
SENT = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
CONFIRMED = datetime(2026, 11, 18, 5, 30, tzinfo=UTC)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def eager_tasks(settings):
    """Celery tasks run in the test (the acknowledgement is a task queued after commit)."""
    from privacy_office.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = "https://privacy.example"
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


def form_data(**overrides):
    data = {
        "requester_name": "Anna Schmidt", "requester_email": "Anna@Example.com", "jurisdiction": "EU",
        "request_type": "access", "relationship": "self", "account_id": "anna@example.com",
        "description": "Please send me a copy of everything you hold about me.", "time_zone": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def send_form(client, language="en", *, at=SENT, ip="203.0.113.7", **overrides):
    with time_machine.travel(at, tick=False):
        return client.post(f"/request/{language}/", form_data(**overrides), REMOTE_ADDR=ip)


def link_in(message) -> str:
    """The confirmation link's path in a captured mail."""
    match = re.search(r"https://privacy\.example(/request/[^\s]+/confirm/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def unreachable_smtp(settings):
    """Real SMTP to a loopback port nobody listens on: every send fails with a refused connection."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 3
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def confirm(client, path, *, at=CONFIRMED, capture=None):
    with time_machine.travel(at, tick=False):
        with capture(execute=True):
            return client.post(path)


def test_sending_the_form_registers_nothing_until_the_link_is_confirmed(
        eager_tasks, django_capture_on_commit_callbacks):
    client = Client()
    response = send_form(client)
    assert response.status_code == 302 and response["Location"] == "/request/en/sent/"
    assert "Check your e-mail" in client.get("/request/en/sent/").content.decode()
    assert RightsRequest.objects.count() == 0
    [message] = mail.outbox
    assert message.to == ["anna@example.com"]
    assert message.subject == "Please confirm your privacy request"
    assert "within 24 hours" in message.body and "access / copy" in message.body
    path = link_in(message)

    # Opening the link (a mail scanner does too) shows what is to be confirmed and registers nothing.
    with time_machine.travel(CONFIRMED, tick=False):
        page = client.get(path)
    assert page.status_code == 200 and "Confirm and send my request" in page.content.decode()
    assert RightsRequest.objects.count() == 0

    response = confirm(client, path, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    case = RightsRequest.objects.get()
    # The legal clock starts at the confirmation, not at sending (3 h 30 min earlier).
    assert case.received_at == CONFIRMED
    assert case.received_on == date(2026, 11, 18)
    # GDPR Art. 12(3): one month from receipt on 18 Nov 2026 -> 18 Dec 2026.
    assert case.due_on == date(2026, 12, 18)
    assert (case.channel, case.requester_email, case.requester_name) == (Channel.WEB_FORM, "anna@example.com",
                                                                        "Anna Schmidt")
    assert case.account_id == "anna@example.com"
    assert case.description == "Please send me a copy of everything you hold about me."
    timeline = [entry.text for entry in case.timeline.all()]
    assert any("Sent with the public request form at 2026-11-18 10:00" in text and "at 2026-11-18 13:30" in text
               for text in timeline), timeline

    with time_machine.travel(CONFIRMED + timedelta(minutes=1), tick=False):
        page = client.get(path).content.decode()
    assert case.reference in page and "Your request is registered" in page
    assert "Dec. 18, 2026" in page  # we reply by

    # What the requester typed now lives on the case only.
    submission = PublicSubmission.objects.get()
    assert (submission.case, submission.confirmed_at) == (case, CONFIRMED)
    assert submission.requester_name == submission.requester_email == submission.description == ""


def test_confirming_twice_creates_one_case(eager_tasks, django_capture_on_commit_callbacks):
    client = Client()
    send_form(client)
    path = link_in(mail.outbox[0])
    confirm(client, path, capture=django_capture_on_commit_callbacks)
    first = RightsRequest.objects.get()
    # A second click an hour later, in another browser.
    response = confirm(Client(), path, at=CONFIRMED + timedelta(hours=1), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200 and first.reference in response.content.decode()
    assert RightsRequest.objects.get() == first
    assert RightsRequest.objects.get().received_at == CONFIRMED
    # And the service itself, called again, returns the same case.
    token = path.rstrip("/").rsplit("/", 1)[1]
    with time_machine.travel(CONFIRMED + timedelta(hours=2), tick=False):
        assert public_form.submission_confirm(token=token) == first
    # One acknowledgement only.
    assert len([m for m in mail.outbox if first.reference in m.subject]) == 1


def test_the_acknowledgement_gives_the_reference_and_is_recorded_as_sent(
        eager_tasks, django_capture_on_commit_callbacks):
    client = Client()
    send_form(client)
    confirm(client, link_in(mail.outbox[0]), capture=django_capture_on_commit_callbacks)
    case = RightsRequest.objects.get()
    acknowledgement = mail.outbox[1]
    assert acknowledgement.to == ["anna@example.com"]
    assert acknowledgement.subject == f"We have received your request {case.reference}"
    assert "18 December 2026" in acknowledgement.body
    assert acknowledgement.extra_headers["Message-ID"].startswith("<")
    draft = case.drafts.get()
    assert (draft.kind, draft.language, draft.sent_at) == (DraftKind.ACKNOWLEDGEMENT, "en", CONFIRMED)
    assert draft.sent_body == acknowledgement.body
    case.refresh_from_db()
    assert case.acknowledged_at == CONFIRMED
    assert "Sent to the requester: acknowledgement (en)." in [entry.text for entry in case.timeline.all()]


def test_ccpa_acknowledgement_in_chinese_is_sent_at_confirmation(eager_tasks, django_capture_on_commit_callbacks):
    """A Californian asks, in Chinese, for deletion. Confirmed Wed 18 Nov 2026 10:00 in Shanghai =
    Tue 17 Nov 18:00 in Los Angeles: received 17 Nov. 11 CCR §7021(a): acknowledge within 10
    business days, day 1 = 18 Nov: 18, 19, 20, 23, 24, 25, (26 Thanksgiving), 27, 30 Nov, 1, 2 Dec
    -> due 2 Dec; respond within 45 days, receipt day 1 -> 17 Nov + 44 = 31 Dec 2026."""
    client = Client()
    send_form(client, "zh-hans", at=SENT - timedelta(minutes=30), jurisdiction="US-CA", request_type="deletion",
              requester_name="王芳", requester_email="wang.fang@example.com")
    [link_mail] = mail.outbox
    assert link_mail.subject == "请确认您的个人信息权利请求"
    assert "加利福尼亚州" in link_mail.body and "删除" in link_mail.body
    confirm(client, link_in(link_mail), at=SENT, capture=django_capture_on_commit_callbacks)
    case = RightsRequest.objects.get()
    assert case.received_on == date(2026, 11, 17)
    assert case.acknowledgement_due_on == date(2026, 12, 2)
    assert case.due_on == date(2026, 12, 31)
    assert case.acknowledged_at == SENT
    acknowledgement = mail.outbox[1]
    assert acknowledgement.subject == f"我们已收到您的请求 {case.reference}"
    assert "王芳，您好" in acknowledgement.body and "2026年12月31日" in acknowledgement.body
    draft = case.drafts.get(kind=DraftKind.ACKNOWLEDGEMENT)
    assert (draft.language, draft.sent_at) == ("zh-hans", SENT)
    assert any(entry.message.startswith("Sent to the requester") for entry in case.timeline.all())


def test_an_unconfirmed_link_expires_after_24_hours_and_is_deleted(eager_tasks, django_capture_on_commit_callbacks,
                                                                    settings):
    client = Client()
    send_form(client, identity_files=SimpleUploadedFile("passport.pdf", PDF, content_type="application/pdf"))
    path = link_in(mail.outbox[0])
    attachment = PublicAttachment.objects.get()
    stored = attachment.file.name
    assert attachment.file.storage.exists(stored)

    # One minute before expiry the clean-up keeps it; one minute after, the link says it expired.
    assert public_form.submissions_delete_expired(now=SENT + timedelta(hours=23, minutes=59)) == 0
    with time_machine.travel(SENT + timedelta(hours=24, minutes=1), tick=False):
        page = client.get(path)
        assert page.status_code == 410
        assert "This link has expired" in page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(path).status_code == 410
    assert RightsRequest.objects.count() == 0

    # The hourly task deletes the submission and its file; the link still says "expired".
    assert settings.CELERY_BEAT_SCHEDULE["public-form-expired"]["task"] == \
        "requests_app.tasks.delete_expired_public_submissions"
    from requests_app.tasks import delete_expired_public_submissions

    with time_machine.travel(SENT + timedelta(hours=25), tick=False):
        assert delete_expired_public_submissions.delay().get() == 1
        assert PublicSubmission.objects.count() == 0
        assert not attachment.file.storage.exists(stored)
        page = client.get(path)
    assert page.status_code == 410 and "This link has expired" in page.content.decode()


def test_a_changed_link_is_refused(eager_tasks):
    client = Client()
    send_form(client)
    path = link_in(mail.outbox[0])
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    with time_machine.travel(CONFIRMED, tick=False):
        page = client.get(tampered)
        assert page.status_code == 404 and "This link is not valid" in page.content.decode()
        assert client.post(tampered).status_code == 404
    assert RightsRequest.objects.count() == 0


def test_an_agent_must_attach_proof_which_becomes_an_identity_document(
        eager_tasks, django_capture_on_commit_callbacks):
    client = Client()
    response = send_form(client, relationship="agent", data_subject_name="Max Schmidt")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Attach the proof that you may act for this person" in page
    assert PublicSubmission.objects.count() == 0 and mail.outbox == []

    response = send_form(client, relationship="agent", data_subject_name="",
                         authority_files=SimpleUploadedFile("authorisation.pdf", PDF))
    assert response.status_code == 400
    assert "Enter the name of the person you act for" in response.content.decode()

    response = send_form(client, relationship="agent", data_subject_name="Max Schmidt",
                         authority_files=SimpleUploadedFile("authorisation.pdf", PDF),
                         identity_files=SimpleUploadedFile("id-card.jpg", JPEG))
    assert response.status_code == 302
    confirm(client, link_in(mail.outbox[0]), capture=django_capture_on_commit_callbacks)
    case = RightsRequest.objects.get()
    assert (case.relationship, case.data_subject_name) == (Relationship.AGENT, "Max Schmidt")
    documents = IdentityDocument.objects.filter(request=case).order_by("original_name")
    assert [(d.original_name, d.content_type, d.size) for d in documents] == [
        ("authorisation.pdf", "application/pdf", len(PDF)), ("id-card.jpg", "image/jpeg", len(JPEG))]
    assert documents[0].file.read() == PDF
    assert PublicAttachment.objects.count() == 0
    texts = [entry.text for entry in case.timeline.all()]
    assert any("acting for the data subject (authorised agent), with 1 file(s) of proof" in t for t in texts), texts


def test_a_deceased_users_relative_says_so_and_attaches_proof_in_chinese(
        eager_tasks, django_capture_on_commit_callbacks):
    client = Client()
    # The PIPL Art. 49 request type is made by a close relative only.
    response = send_form(client, "zh-hans", jurisdiction="CN", request_type="deceased_relative",
                         requester_name="李强", requester_email="li.qiang@example.cn")
    assert response.status_code == 400
    page = response.content.decode()
    assert "关于已故用户个人信息的请求由其近亲属提出" in page
    response = send_form(client, "zh-hans", jurisdiction="CN", request_type="deceased_relative",
                         relationship="deceased_relative", data_subject_name="李建国",
                         requester_name="李强", requester_email="li.qiang@example.cn")
    assert response.status_code == 400
    assert "请附上您有权代其提出请求的证明" in response.content.decode()

    response = send_form(client, "zh-hans", jurisdiction="CN", request_type="deceased_relative",
                         relationship="deceased_relative", data_subject_name="李建国",
                         requester_name="李强", requester_email="li.qiang@example.cn",
                         authority_files=[SimpleUploadedFile("死亡证明.pdf", PDF),
                                          SimpleUploadedFile("户口簿.jpg", JPEG)])
    assert response.status_code == 302
    confirm(client, link_in(mail.outbox[0]), capture=django_capture_on_commit_callbacks)
    case = RightsRequest.objects.get()
    assert (case.relationship, case.request_type) == (Relationship.DECEASED_RELATIVE, "deceased_relative")
    assert sorted(case.identity_documents.values_list("original_name", flat=True)) == ["户口簿.jpg", "死亡证明.pdf"]
    assert mail.outbox[1].subject == f"我们已收到您的请求 {case.reference}"


def test_files_are_judged_by_content_and_size(eager_tasks, settings):
    client = Client()
    response = send_form(client, identity_files=SimpleUploadedFile("passport.pdf", EXE, content_type="application/pdf"))
    assert response.status_code == 400
    assert "passport.pdf: This file is not an allowed identity document" in response.content.decode()
    settings.IDENTITY_DOCUMENT_MAX_BYTES = 50
    response = send_form(client, identity_files=SimpleUploadedFile("passport.pdf", PDF))
    assert response.status_code == 400
    assert "an identity document may be at most 50" in response.content.decode()
    settings.IDENTITY_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
    settings.PUBLIC_FORM_MAX_FILES = 2
    response = send_form(client, identity_files=[SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(3)])
    assert response.status_code == 400 and "Attach at most 2 files in all." in response.content.decode()
    assert PublicSubmission.objects.count() == 0 and PublicAttachment.objects.count() == 0


def test_a_request_type_the_place_does_not_have_is_refused_with_the_list(eager_tasks):
    response = send_form(Client(), jurisdiction="SG", request_type="deletion")
    assert response.status_code == 400
    page = response.content.decode()
    assert "does not exist in SG" in page and "withdraw consent" in page
    assert PublicSubmission.objects.count() == 0


def test_a_mail_server_that_refuses_the_link_leaves_nothing_behind(eager_tasks, settings):
    unreachable_smtp(settings)
    response = send_form(Client(), identity_files=SimpleUploadedFile("passport.pdf", PDF))
    assert response.status_code == 503
    assert "We could not send the e-mail" in response.content.decode()
    assert PublicSubmission.objects.count() == 0 and PublicAttachment.objects.count() == 0


def test_the_browsers_time_zone_makes_the_earlier_receipt_date(eager_tasks, django_capture_on_commit_callbacks):
    """Confirmed Wed 18 Nov 2026 00:30 UTC: 01:30 in Berlin (18 Nov), 19:30 on 17 Nov in New York.
    The earlier local date is the receipt date (legal-rules.md 2026-11): 17 Nov; due 17 Dec."""
    client = Client()
    at = datetime(2026, 11, 18, 0, 30, tzinfo=UTC)
    send_form(client, at=at - timedelta(minutes=5), time_zone="America/New_York")
    confirm(client, link_in(mail.outbox[0]), at=at, capture=django_capture_on_commit_callbacks)
    case = RightsRequest.objects.get()
    assert case.requester_time_zone == "America/New_York"
    assert (case.received_on, case.due_on) == (date(2026, 11, 17), date(2026, 12, 17))


def test_an_acknowledgement_the_mail_server_refused_is_not_recorded_and_goes_out_on_retry(
        eager_tasks, settings, django_capture_on_commit_callbacks):
    client = Client()
    send_form(client)
    path = link_in(mail.outbox[0])
    unreachable_smtp(settings)
    with time_machine.travel(CONFIRMED, tick=False):
        token = path.rstrip("/").rsplit("/", 1)[1]
        with django_capture_on_commit_callbacks(execute=False):
            case = public_form.submission_confirm(token=token)
        draft_id = case.drafts.get(kind=DraftKind.ACKNOWLEDGEMENT).pk
        with pytest.raises(OSError):
            public_form.acknowledgement_send(draft_id=draft_id)
    case.refresh_from_db()
    assert case.acknowledged_at is None and case.drafts.get().sent_at is None
    # The mail server is back: the retry sends it once, recorded at the time it went out.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retried = CONFIRMED + timedelta(minutes=2)
    with time_machine.travel(retried, tick=False):
        assert public_form.acknowledgement_send(draft_id=draft_id) == "sent"
        assert public_form.acknowledgement_send(draft_id=draft_id) == "already sent"
    case.refresh_from_db()
    assert case.acknowledged_at == retried
    assert [m.subject for m in mail.outbox[1:]] == [f"We have received your request {case.reference}"]
