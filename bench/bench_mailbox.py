"""Times one poll of the privacy mailbox holding 1,000 new messages, and its peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_mailbox.py

Starts Debian's Dovecot on loopback (tests/mailservers.py; apt-get install dovecot-imapd), delivers
the messages over IMAP APPEND - mostly new requests in English and Chinese, some with a small PDF
identity document, some replies quoting a case reference, some automatic replies - and polls once
(mailbox.mailbox_poll: fetch, file each in its own transaction, flag after commit). Then a second
mailbox of the same size is polled under tracemalloc for the Python heap's peak.
"""

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _setup import setup

connection = setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from tests.mailservers import PDF_BYTES, DovecotServer, ensure_dovecot, make_message  # noqa: E402


def messages(n: int, run: str, reference: str):
    for i in range(n):
        if i % 20 == 0:
            yield make_message(sender=f"away{i}@example.com", subject="Out of office", body="Back on Monday.",
                               message_id=f"<{run}-auto-{i}@example.com>", headers={"Auto-Submitted": "auto-replied"})
        elif i % 20 == 1:
            yield make_message(sender="anna@example.com", subject=f"Re: {reference}", body="Here is what you asked.",
                               message_id=f"<{run}-reply-{i}@example.com>")
        elif i % 2:
            yield make_message(sender=f"user{i}@example.de", subject="GDPR Art. 15 access request",
                               body="Please send me a copy of all personal data you hold about me. " * 10,
                               message_id=f"<{run}-en-{i}@example.de>",
                               attachments=[("passport.pdf", PDF_BYTES, "application/pdf")] if i % 10 == 3 else ())
        else:
            yield make_message(sender=f"user{i}@qq.com", subject="申请删除个人信息",
                               body="请删除我的账号及其全部个人信息。" * 10, message_id=f"<{run}-zh-{i}@qq.com>")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    binary = ensure_dovecot()
    if binary is None:
        sys.exit("bench: install Debian's dovecot-imapd")
    call_command("migrate", verbosity=0)
    private = Path(tempfile.mkdtemp(prefix="bench-private-"))
    settings.STORAGES = {**settings.STORAGES, "private": {**settings.STORAGES["private"],
                                                          "OPTIONS": {"location": str(private)}}}
    from requests_app.mailbox import mailbox_poll
    from requests_app.models import InboundMessage
    from requests_app.tests.factories import make_case

    reference = make_case(requester_email="anna@example.com").reference
    root = Path(tempfile.mkdtemp(prefix="imap-"))
    root.chmod(0o755)
    server = DovecotServer(root)
    server.start(binary)
    try:
        settings.PRIVACY_MAILBOXES = {"bench": server.mailbox_settings()}
        run = f"{time.time_ns()}"
        start = time.perf_counter()
        server.append_many(messages(args.messages, run + "a", reference))
        print(f"delivered {args.messages} messages over IMAP APPEND in {time.perf_counter() - start:6.1f} s")
        before = InboundMessage.objects.count()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        result = mailbox_poll(name="bench")
        elapsed = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"one poll of {result.seen} new messages: {elapsed:6.1f} s ({elapsed / max(result.seen, 1) * 1000:5.1f} "
              f"ms a message); filed {InboundMessage.objects.count() - before}: {result.kinds}")
        print(f"process peak RSS {rss_after / 1024:6.1f} MB (before the poll {rss_before / 1024:6.1f} MB)")
        server.append_many(messages(args.messages, run + "b", reference))
        tracemalloc.start()
        start = time.perf_counter()
        mailbox_poll(name="bench")
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"second poll under tracemalloc: {elapsed:6.1f} s, Python heap peak {peak / 1024 / 1024:6.1f} MB")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
