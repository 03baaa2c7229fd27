"""Polling the privacy mailbox(es) over IMAP (imap-tools): each message not yet imported is read
without marking it seen, filed in its own transaction (mailbox_intake.intake_message), and only
after that transaction committed flagged as imported on the server (``done_flag``).

Why this order: a connection dropped mid-fetch leaves the unfiled messages unflagged, and the next
poll reads them; a message filed but not yet flagged when the connection dropped is read again and
found in the database (the unique (mailbox, Message-ID) constraint), then flagged. Two workers polling
at once both read it; one files it, the other finds it taken. So every message is filed exactly once.
"""

from __future__ import annotations

import imaplib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted

from .mailbox_intake import intake_message

log = logging.getLogger(__name__)

FETCH_PARTS = "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[])"


@dataclass
class PollResult:
    mailbox: str
    seen: int = 0
    filed: int = 0
    duplicates: int = 0
    kinds: dict = field(default_factory=dict)


def mailbox_config(name: str) -> dict:
    try:
        return settings.PRIVACY_MAILBOXES[name]
    except KeyError:
        raise ImproperlyConfigured(f"No mailbox {name!r} in MAILBOXES.") from None


def connect(config: dict):
    timeout = config.get("timeout") or 30
    if config["security"] == "ssl":
        box = MailBox(config["host"], port=config["port"], timeout=timeout)
    elif config["security"] == "starttls":
        box = MailBoxStartTls(config["host"], port=config["port"], timeout=timeout)
    else:
        box = MailBoxUnencrypted(config["host"], port=config["port"], timeout=timeout)
    return box.login(config["user"], config["password"], initial_folder=config.get("folder") or "INBOX")


def not_done(flag: str):
    if flag.lower() == "\\seen":
        return AND(seen=False)
    return AND(no_keyword=flag)


def fetch_one(box, uid: str) -> tuple[bytes, datetime | None] | None:
    """The raw message and its INTERNALDATE (the server's receipt time), or None if it is gone."""
    status, data = box.client.uid("FETCH", uid, FETCH_PARTS)
    if status != "OK":
        raise imaplib.IMAP4.error(f"FETCH {uid} failed: {status}")
    for item in data:
        if isinstance(item, tuple):
            internal = imaplib.Internaldate2tuple(item[0])
            received = (datetime.fromtimestamp(time.mktime(internal), tz=timezone.get_current_timezone())
                        if internal else None)
            return item[1], received
    return None


def mailbox_poll(*, name: str, limit: int | None = None) -> PollResult:
    """Read and file the messages of mailbox ``name`` not yet imported (at most ``limit``)."""
    config = mailbox_config(name)
    flag = config.get("done_flag") or "PrivacyOfficeImported"
    result = PollResult(mailbox=name)
    with connect(config) as box:
        uids = box.uids(not_done(flag))
        if limit is not None:
            uids = uids[:limit]
        for uid in uids:
            fetched = fetch_one(box, uid)
            if fetched is None:
                continue
            raw, received = fetched
            result.seen += 1
            now = timezone.now()
            inbound = intake_message(mailbox=name, raw=raw, received_at=received or now, uid=uid, now=now)
            # Committed (intake_message's transaction is closed): only now mark it on the server.
            box.flag(uid, flag, True)
            if inbound is None:
                result.duplicates += 1
            else:
                result.filed += 1
                result.kinds[str(inbound.kind)] = result.kinds.get(str(inbound.kind), 0) + 1
    log.info("mailbox %s: %s read, %s filed, %s already filed", name, result.seen, result.filed, result.duplicates)
    return result
