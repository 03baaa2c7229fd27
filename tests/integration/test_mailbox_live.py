"""The privacy mailbox against real servers on loopback: Debian's Dovecot (tests/mailservers.py) for
IMAP and aiosmtpd for SMTP. Exactly once: two pollers at once, and a connection cut mid-fetch."""

from __future__ import annotations

import socket
import threading

import pytest
from django.db import connection

from requests_app import letters, outbound_mail, tasks
from requests_app.mailbox import mailbox_poll
from requests_app.models import DraftKind, InboundMessage, RightsRequest
from requests_app.tests.factories import at, make_case
from tests.mailservers import PDF_BYTES, dovecot_server, free_port, make_message  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


def requests(n, *, size=0):
    padding = "x" * size
    return [make_message(sender=f"user{i}@example.de", subject=f"GDPR access request {i}",
                         body=f"Please send me a copy of my data. {padding}", message_id=f"<req-{i}@example.de>")
            for i in range(n)]


@pytest.fixture
def privacy_mailbox(dovecot_server, settings):
    settings.PRIVACY_MAILBOXES = {"privacy": dovecot_server.mailbox_settings(done_flag="PrivacyOfficeImported")}
    return dovecot_server


@pytest.mark.django_db
def test_one_poll_files_each_new_message_and_flags_it_only_after(privacy_mailbox):
    privacy_mailbox.append(make_message(attachments=[("id.pdf", PDF_BYTES, "application/pdf")]),
                           received=at(2026, 11, 2, 1, 30))
    privacy_mailbox.append(make_message(sender="MAILER-DAEMON@mx.example.com", subject="Undelivered",
                                        message_id="<dsn@mx>"))
    privacy_mailbox.append(b"this is not an e-mail")
    result = tasks.poll_mailbox("privacy")
    assert result == 3
    request = InboundMessage.objects.get(kind=InboundMessage.Kind.REQUEST)
    assert request.received_at == at(2026, 11, 2, 1, 30)  # the server's INTERNALDATE, not the poll's time
    assert request.request.identity_documents.count() == 1
    assert InboundMessage.objects.filter(kind=InboundMessage.Kind.BOUNCE).count() == 1
    assert InboundMessage.objects.get(kind=InboundMessage.Kind.REVIEW).raw
    assert all("PrivacyOfficeImported" in flags and "\\Seen" not in flags for flags in privacy_mailbox.flags())
    # Polled again: nothing new.
    assert mailbox_poll(name="privacy").seen == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_pollers_at_once_file_each_message_once(privacy_mailbox):
    privacy_mailbox.append_many(requests(30))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def poll():
        try:
            barrier.wait()
            results.append(mailbox_poll(name="privacy"))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert InboundMessage.objects.count() == 30 and RightsRequest.objects.count() == 30
    assert sum(r.filed for r in results) == 30
    assert sum(r.seen for r in results) == 30 + sum(r.duplicates for r in results)


class CuttingProxy:
    """A TCP relay to the IMAP server that drops the connection after passing ``limit`` bytes from
    the server: a network failure in the middle of a FETCH."""

    def __init__(self, target_port: int, limit: int):
        self.target_port, self.limit = target_port, limit
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        client, _ = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", self.target_port))
        passed = 0

        def upstream():
            try:
                while data := client.recv(65536):
                    server.sendall(data)
            except OSError:
                pass

        threading.Thread(target=upstream, daemon=True).start()
        try:
            while data := server.recv(4096):
                passed += len(data)
                if passed > self.limit:
                    client.sendall(data[: len(data) // 2])
                    break
                client.sendall(data)
        finally:
            for sock in (client, server, self.listener):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()


@pytest.mark.django_db
def test_a_connection_cut_mid_fetch_loses_nothing(privacy_mailbox, settings):
    privacy_mailbox.append_many(requests(10, size=20_000))
    proxy = CuttingProxy(privacy_mailbox.port, limit=75_000)  # in the 4th message
    settings.PRIVACY_MAILBOXES = {"privacy": privacy_mailbox.mailbox_settings(port=proxy.port)}
    with pytest.raises(Exception):
        mailbox_poll(name="privacy")
    filed_before = InboundMessage.objects.count()
    assert 0 < filed_before < 10
    settings.PRIVACY_MAILBOXES = {"privacy": privacy_mailbox.mailbox_settings()}
    result = mailbox_poll(name="privacy")
    assert InboundMessage.objects.count() == 10 and RightsRequest.objects.count() == 10
    assert result.filed == 10 - filed_before
    assert all("PrivacyOfficeImported" in flags for flags in privacy_mailbox.flags())


@pytest.mark.django_db
def test_a_letter_goes_out_over_smtp_and_the_answer_comes_back_over_imap(privacy_mailbox, smtp_sink, settings,
                                                                         staff_user):
    smtp_sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", smtp_sink.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.LETTER_FROM_EMAIL = privacy_mailbox.user
    case = make_case(requester_email="anna@example.com")
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user,
                                   now=at(2026, 3, 2, 12))
    record = outbound_mail.draft_send_email(draft=draft, by=staff_user)
    (delivered,) = smtp_sink.inbox.wait_for(1, timeout=20)
    assert delivered["Message-ID"] == f"<{record.message_id}>"
    assert case.reference in delivered["Subject"] and delivered["To"] == "anna@example.com"
    # The requester answers from their mail program: only In-Reply-To and References tie it to the case.
    privacy_mailbox.append(make_message(sender="Anna <anna@example.com>", subject="Re: thanks", body="Thank you!",
                                        message_id="<thanks@example.com>",
                                        headers={"In-Reply-To": delivered["Message-ID"],
                                                 "References": delivered["Message-ID"]}))
    mailbox_poll(name="privacy")
    answer = InboundMessage.objects.get(message_key="thanks@example.com")
    assert (answer.kind, answer.request) == (InboundMessage.Kind.REPLY, case)
