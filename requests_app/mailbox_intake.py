"""Filing one e-mail read from the privacy mailbox: a new request becomes a case, a reply goes onto
its case's timeline, mail that is not a request (automatic replies, bounces, spam) is marked as such,
and what cannot be filed lands in the review queue with its raw bytes kept. Nothing here talks IMAP
(``mailbox.py`` does); the raw bytes and the server's receipt time come in.

The legal clock starts at receipt (GDPR Art. 12(3) "receipt of the request"; PIPL Art. 50; CCPA
§1798.130(a)(2) "receiving"): the receipt time is the time the mail server received the message
(IMAP INTERNALDATE), not the time anyone read it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.messages import reasons_param

from . import identity_checks, identity_documents, services
from .case_writes import timeline_add
from .intake_suggest import suggest
from .models import InboundMessage, OutboundEmail, RightsRequest, Status, TimelineEntry

log = logging.getLogger(__name__)

REFERENCE_RE = re.compile(r"\bDSAR-\d{4}-\d{6}\b")
MAX_BODY_CHARS = 100_000
BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon")


@dataclass
class Parsed:
    message: EmailMessage
    key: str
    from_address: str
    from_name: str
    subject: str
    body: str
    in_reply_to: str
    references: list[str]


def strip_id(value: str) -> str:
    return (value or "").strip().strip("<>").strip()


def message_key(message_id: str, raw: bytes) -> str:
    """The Message-ID without brackets; a hash of the raw bytes when there is none (or it is too long)."""
    key = strip_id(message_id)
    if not key or len(key) > 250 or any(ch.isspace() for ch in key):
        return "sha256:" + hashlib.sha256(raw).hexdigest()
    return key


def quick_key(raw: bytes) -> str:
    """The key from the raw bytes alone, without trusting the parser (used when parsing failed)."""
    match = re.search(rb"^Message-ID:[ \t]*<?([^\s<>]+)>?[ \t]*$", raw[:65536], re.IGNORECASE | re.MULTILINE)
    return message_key(match.group(1).decode("ascii", "replace") if match else "", raw)


def parse(raw: bytes) -> Parsed:
    """Parse ``raw``; ValueError (with a reason for the review queue) when it cannot be filed."""
    message = message_from_bytes(raw, policy=policy.default)
    if not message.keys():
        raise ValueError("no headers")
    addresses = getaddresses([str(message.get("From", ""))])
    name, address = addresses[0] if addresses else ("", "")
    if "@" not in (address or ""):
        raise ValueError("no sender address (From)")
    part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if part is not None:
        body = part.get_content()
        if part.get_content_type() == "text/html":
            body = strip_tags(body)
    return Parsed(
        message=message,
        key=message_key(str(message.get("Message-ID", "")), raw),
        from_address=address.strip().lower()[:254],
        from_name=(name or "").strip()[:200],
        subject=" ".join(str(message.get("Subject", "")).split())[:500],
        body=body.strip()[:MAX_BODY_CHARS],
        in_reply_to=strip_id(str(message.get("In-Reply-To", "")))[:255],
        references=[strip_id(r) for r in str(message.get("References", "")).split() if strip_id(r)],
    )


def classify(message: EmailMessage, from_address: str) -> str | None:
    """AUTO_REPLY, BOUNCE or SPAM when the message is not a person writing; else None.

    RFC 3834 (Auto-Submitted; Precedence and X-Autoreply by convention), RFC 3464 (delivery status
    notifications: multipart/report; report-type=delivery-status), the spam filter's X-Spam-Flag."""
    def header(name):
        return str(message.get(name, "")).strip().lower()

    if header("X-Spam-Flag").startswith("yes") or header("X-Spam-Status").startswith("yes"):
        return InboundMessage.Kind.SPAM
    local = from_address.split("@", 1)[0]
    if (message.get_content_type() == "multipart/report"
            and message.get_param("report-type", "").lower() == "delivery-status") or local in BOUNCE_SENDERS:
        return InboundMessage.Kind.BOUNCE
    if (header("Auto-Submitted") not in ("", "no") or header("X-Autoreply") or header("X-Autorespond")
            or header("Precedence") in ("auto_reply", "bulk", "junk", "list")):
        return InboundMessage.Kind.AUTO_REPLY
    return None


def thread_case(parsed: Parsed) -> RightsRequest | None:
    """The case a message answers: a Message-ID we sent or received on the thread, else the
    reference in its subject. A case whose personal data was erased answers nothing: the message
    is a new request (its tombstone takes no new personal data)."""
    ids = [i for i in [parsed.in_reply_to, *parsed.references] if i]
    case = None
    if ids:
        sent = OutboundEmail.objects.filter(message_id__in=ids).select_related("request").order_by("-sent_at").first()
        if sent is not None:
            case = sent.request
        else:
            received = (InboundMessage.objects.filter(message_key__in=ids, request__isnull=False)
                        .select_related("request").order_by("-received_at").first())
            case = received.request if received is not None else None
    if case is None:
        match = REFERENCE_RE.search(parsed.subject)
        if match:
            case = RightsRequest.objects.filter(reference=match.group(0)).first()
    return case if case is not None and case.erased_at is None else None


def awaited_by(case: RightsRequest) -> str:
    """What the case waits for from its requester: proof of identity asked for and not yet
    arrived, or a clarification."""
    if case.status == Status.AWAITING_IDENTITY and case.identity_requested_at and not case.identity_received_at:
        return InboundMessage.Awaited.IDENTITY
    if case.status == Status.AWAITING_CLARIFICATION:
        return InboundMessage.Awaited.CLARIFICATION
    return InboundMessage.Awaited.NONE


def open_duplicates(case: RightsRequest):
    """Other open cases of the same requester (e-mail) and request type: linked and shown, never
    merged (staff decide; services.dsar_mark_duplicate)."""
    if not case.requester_email:
        return RightsRequest.objects.none()
    return (RightsRequest.objects.open().filter(requester_email=case.requester_email, request_type=case.request_type)
            .exclude(pk=case.pk).order_by("received_at", "id"))


def attachment_parts(message: EmailMessage):
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        yield part


def file_attachments(*, inbound: InboundMessage, case: RightsRequest | None, message: EmailMessage) -> bool:
    """Store the attachments: an identity document type (by content) goes to the identity-document
    store of the case, with its size limit and purge. Returns False when one could not be stored
    (then the raw message is kept for review)."""
    all_stored = True
    records = []
    for part in attachment_parts(message):
        name = (part.get_filename() or "attachment")[-200:]
        try:
            payload = part.get_content()
        except Exception:  # an undecodable part: keep the raw message instead
            payload = None
        if isinstance(payload, str):
            payload = payload.encode()
        record = {"name": name, "content_type": part.get_content_type(), "size": len(payload or b"")}
        if payload is None:
            record["outcome"] = "undecodable"
            all_stored = False
        elif case is None or case.has_ended or case.erased_at is not None:
            record["outcome"] = "not stored: no open case"
            all_stored = False
        else:
            try:
                document = identity_documents.dsar_upload_identity_document(
                    case=case, file=ContentFile(payload, name=name), by=None, now=inbound.imported_at,
                )
            except ValidationError as error:
                record["outcome"] = "refused: " + "; ".join(error.messages)[:250]
                all_stored = False
            else:
                record["outcome"] = "identity document"
                record["document"] = document.pk
        records.append(record)
    inbound.attachments = records
    return all_stored


def keep_raw(inbound: InboundMessage, raw: bytes, reason: str) -> None:
    inbound.review_reason = reason[:300]
    inbound.raw.save("message.eml", ContentFile(raw), save=False)


def intake_message(*, mailbox: str, raw: bytes, received_at: datetime, uid: str = "",
                   now: datetime | None = None) -> InboundMessage | None:
    """File one message exactly once. Returns the new ``InboundMessage``, or None when this mailbox
    already holds it (imported earlier, or by another worker at the same time)."""
    now = now or timezone.now()
    # A server clock ahead of ours must not put the receipt in the future.
    received_at = min(received_at, now)
    try:
        with transaction.atomic():
            return file_message(mailbox=mailbox, raw=raw, received_at=received_at, uid=uid, now=now)
    except AlreadyImported:
        return None
    except Exception as error:  # never lost: whatever went wrong, the raw message goes to review
        log.exception("mailbox %s: message uid %s could not be filed", mailbox, uid)
        inbound = InboundMessage(mailbox=mailbox, message_key=quick_key(raw), imap_uid=uid,
                                 kind=InboundMessage.Kind.REVIEW, received_at=received_at, imported_at=now)
        keep_raw(inbound, raw, f"could not be filed: {type(error).__name__}: {error}")
        try:
            with transaction.atomic():
                inbound.save()
        except IntegrityError:
            return None
        return inbound


class AlreadyImported(Exception):
    pass


def claim(inbound: InboundMessage) -> None:
    """Insert the row that claims the message; a second claimant (on PostgreSQL, it waits for the
    first one's commit) finds the unique constraint taken."""
    try:
        with transaction.atomic():
            inbound.save()
    except IntegrityError:
        raise AlreadyImported from None


def file_message(*, mailbox: str, raw: bytes, received_at: datetime, uid: str, now: datetime) -> InboundMessage:
    inbound = InboundMessage(mailbox=mailbox, imap_uid=uid, received_at=received_at, imported_at=now,
                             kind=InboundMessage.Kind.REVIEW)
    if len(raw) > settings.MAILBOX_MAX_MESSAGE_BYTES:
        inbound.message_key = quick_key(raw)
        claim(inbound)
        keep_raw(inbound, raw, f"larger than MAILBOX_MAX_MESSAGE_BYTES ({len(raw)} bytes)")
        inbound.save()
        return inbound
    try:
        parsed = parse(raw)
    except Exception as error:
        inbound.message_key = quick_key(raw)
        claim(inbound)
        keep_raw(inbound, raw, f"could not be parsed: {error}")
        inbound.save()
        return inbound

    inbound.message_key = parsed.key
    inbound.from_address, inbound.from_name = parsed.from_address, parsed.from_name
    inbound.subject, inbound.body = parsed.subject, parsed.body
    inbound.in_reply_to, inbound.references = parsed.in_reply_to, " ".join(parsed.references)[:10000]
    claim(inbound)

    not_a_request = classify(parsed.message, parsed.from_address)
    case = thread_case(parsed)
    if not_a_request:
        inbound.kind = not_a_request
        # A bounce of one of our letters tells the case's staff that the letter did not arrive.
        if not_a_request == InboundMessage.Kind.BOUNCE and case is not None:
            inbound.request = case
            timeline_add(case=case, kind=TimelineEntry.Kind.MAIL, at=now,
                         message=gettext_noop("A letter could not be delivered: the mail server returned it."))
        inbound.save()
        return inbound

    if case is not None:
        return file_reply(inbound=inbound, case=case, parsed=parsed, raw=raw, now=now)
    return file_request(inbound=inbound, parsed=parsed, raw=raw, now=now)


def file_reply(*, inbound: InboundMessage, case: RightsRequest, parsed: Parsed, raw: bytes,
               now: datetime) -> InboundMessage:
    inbound.kind, inbound.request = InboundMessage.Kind.REPLY, case
    inbound.language = suggest(sender=parsed.from_address, subject=parsed.subject, body=parsed.body).language
    inbound.awaited = awaited_by(case) if not case.has_ended else ""
    if not file_attachments(inbound=inbound, case=case, message=parsed.message):
        keep_raw(inbound, raw, "an attachment could not be stored")
    inbound.save()
    if inbound.awaited == InboundMessage.Awaited.IDENTITY:
        message = gettext_noop("E-mail received from %(sender)s while waiting for proof of identity: check it and "
                               "record the proof with the e-mail's date.")
    elif inbound.awaited == InboundMessage.Awaited.CLARIFICATION:
        message = gettext_noop("E-mail received from %(sender)s while waiting for a clarification: check it and "
                               "record the clarification with the e-mail's date.")
    else:
        message = gettext_noop("E-mail received from %(sender)s.")
    timeline_add(case=case, kind=TimelineEntry.Kind.MAIL, message=message, params={"sender": parsed.from_address},
                 note=parsed.subject, at=inbound.received_at)
    return inbound


def file_request(*, inbound: InboundMessage, parsed: Parsed, raw: bytes, now: datetime) -> InboundMessage:
    received_on = timezone.localtime(inbound.received_at).date()
    suggestion = suggest(sender=parsed.from_address, subject=parsed.subject, body=parsed.body,
                         received_on=received_on)
    name = parsed.from_name or parsed.from_address.split("@", 1)[0]
    description = f"{parsed.subject}\n\n{parsed.body}".strip()
    case = services.dsar_register(
        requester_name=name, requester_email=parsed.from_address, jurisdiction=suggestion.jurisdiction,
        request_type=suggestion.request_type, received_at=inbound.received_at, channel="email",
        description=description, by=None, now=now,
    )
    inbound.kind, inbound.request = InboundMessage.Kind.REQUEST, case
    inbound.language = suggestion.language
    inbound.suggested_jurisdiction, inbound.suggested_type = suggestion.jurisdiction, suggestion.request_type
    inbound.suggestion_reasons = suggestion.reasons
    if not file_attachments(inbound=inbound, case=case, message=parsed.message):
        keep_raw(inbound, raw, "an attachment could not be stored")
    inbound.save()
    timeline_add(
        case=case, kind=TimelineEntry.Kind.MAIL, at=now,
        message=gettext_noop("Opened from an e-mail to the privacy mailbox; jurisdiction and request type are "
                             "suggested (%(reasons)s) until confirmed."),
        params={"reasons": reasons_param(suggestion.reasons)},
    )
    duplicates = list(open_duplicates(case).values_list("reference", flat=True)[:10])
    if duplicates:
        timeline_add(case=case, kind=TimelineEntry.Kind.MAIL, at=now,
                     message=gettext_noop("Possible duplicate of the open case(s) %(references)s of the same "
                                          "requester and type: linked, not merged."),
                     params={"references": ", ".join(duplicates)})
    return inbound


# ------------------------------------------------------------------------------------------------
# staff's one-click acts on a received e-mail
# ------------------------------------------------------------------------------------------------


def intake_record_answer(*, inbound: InboundMessage, by, now: datetime | None = None) -> RightsRequest:
    """Record the proof of identity or the clarification this e-mail brought, with the e-mail's
    receipt time (UK GDPR Art. 12A: the clock starts / restarts the day the asked-for proof or the
    clarification arrives; the pause rules read that date)."""
    now = now or timezone.now()
    with transaction.atomic():
        inbound = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if inbound.answer_recorded_at is not None:
            raise ValidationError(_("This e-mail's answer was already recorded."), code="recorded")
        case = inbound.request
        if inbound.awaited == InboundMessage.Awaited.IDENTITY:
            identity_checks.dsar_record_identity_received(case=case, by=by, received_at=inbound.received_at, now=now)
        elif inbound.awaited == InboundMessage.Awaited.CLARIFICATION:
            case.refresh_from_db()
            if case.status != Status.AWAITING_CLARIFICATION:
                raise ValidationError(_("The case no longer waits for a clarification."), code="not_waiting")
            # The pause ends on the day the clarification ARRIVED, not today: dsar_transition
            # ends it on the day of ``now``.
            services.dsar_receive_clarification(case=case, by=by, now=inbound.received_at)
        else:
            raise ValidationError(_("The case was not waiting for an answer when this e-mail arrived."),
                                  code="not_awaited")
        inbound.answer_recorded_at, inbound.answer_recorded_by = now, by
        inbound.save(update_fields=["answer_recorded_at", "answer_recorded_by"])
    return case


def intake_confirm_suggestion(*, inbound: InboundMessage, by, now: datetime | None = None) -> InboundMessage:
    """Staff confirm the case's jurisdiction and request type (as suggested, or as they corrected
    them on the case): the case stops showing "suggested"."""
    now = now or timezone.now()
    with transaction.atomic():
        inbound = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if inbound.kind != InboundMessage.Kind.REQUEST or inbound.suggestion_confirmed_at is not None:
            raise ValidationError(_("There is no suggestion to confirm on this e-mail."), code="nothing")
        inbound.suggestion_confirmed_at, inbound.suggestion_confirmed_by = now, by
        inbound.save(update_fields=["suggestion_confirmed_at", "suggestion_confirmed_by"])
        case = inbound.request
        timeline_add(case=case, kind=TimelineEntry.Kind.MAIL, by=by, at=now,
                     message=gettext_noop("Jurisdiction %(jurisdiction)s and request type confirmed."),
                     params={"jurisdiction": case.jurisdiction})
    return inbound


def intake_mark_reviewed(*, inbound: InboundMessage, by, now: datetime | None = None) -> InboundMessage:
    """Take a message out of the review queue (its raw bytes stay)."""
    inbound.reviewed_at, inbound.reviewed_by = now or timezone.now(), by
    inbound.save(update_fields=["reviewed_at", "reviewed_by"])
    return inbound


def unconfirmed_suggestion(case: RightsRequest) -> InboundMessage | None:
    """The e-mail that opened the case, while its suggested jurisdiction and type are unconfirmed."""
    return case.inbound_messages.filter(kind=InboundMessage.Kind.REQUEST, suggestion_confirmed_at__isnull=True).first()


def pending_answers(case: RightsRequest):
    """E-mails that arrived while the case waited for proof of identity or a clarification, not yet recorded."""
    return case.inbound_messages.exclude(awaited="").filter(answer_recorded_at__isnull=True).order_by("received_at")

