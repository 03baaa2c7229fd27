"""Letters go out from the case: a letter (ResponseDraft) is sent by e-mail over SMTP (Django's
EmailMessage through the configured EMAIL_BACKEND), and what was actually sent - Message-ID, time,
recipients, subject, text, attachments - is recorded (``OutboundEmail``) with the letter frozen as
sent (letters.draft_mark_sent). A letter sent by post is marked sent by hand, with a reason.

Replies thread back: every e-mail carries a Message-ID of ours, the case's reference in its subject,
and In-Reply-To / References the requester's last e-mail, so mailbox_intake files the answer on the case.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.models import SentDocument

from . import letter_attachments, letters
from .case_writes import timeline_add
from .models import InboundMessage, OutboundEmail, ResponseDraft, TimelineEntry


def mail_subject(case, subject: str) -> str:
    """The letter's subject with the case reference, so a reply threads back even without headers."""
    subject = " ".join((subject or "").split())
    return subject if case.reference in subject else f"[{case.reference}] {subject}"


def message_domain() -> str:
    return settings.LETTER_FROM_EMAIL.rsplit("@", 1)[-1] or "privacy-office.invalid"


def draft_send_email(*, draft: ResponseDraft, by, now: datetime | None = None) -> OutboundEmail:
    """Send the letter to the requester by e-mail and record it as sent.

    The e-mail carries exactly the files the letter names (its ``attachments``, listed in its text
    as "Attachment 1: ..." / "附件一：...", letter_attachments.py) and the letter's own signed PDF
    as frozen when it is marked sent. An access response without an attachment is refused (its
    personal copy would be missing); sent by post, it is marked sent by hand instead. The SMTP
    delivery happens inside the transaction that marks the letter sent: if the server refuses it,
    nothing is marked."""
    with transaction.atomic():
        draft = ResponseDraft.objects.select_for_update().select_related("request").get(pk=draft.pk)
        case = draft.request
        if draft.sent_at is not None:
            raise ValidationError(_("This draft has already been sent."), code="sent")
        if not case.requester_email:
            raise ValidationError(_("The requester has no e-mail address; send the letter by post and mark it sent "
                                    "by hand with the reason."), code="no_email")
        letters.refuse_if_frozen(case, draft.kind)
        attachments = letter_attachments.files_for_email(draft)
        named = letter_attachments.body_with_attachments(draft.body, draft.attachments.order_by("position", "id"),
                                                         draft.language)
        if named != draft.body:  # the letter names its attachments in the text that is sent and frozen
            draft = letters.draft_edit(draft=draft, by=by, body=named)
        sent_at = now or timezone.now()
        letters.draft_mark_sent(draft=draft, by=by, now=sent_at)
        draft.refresh_from_db()
        frozen = SentDocument.objects.for_record(draft).first()
        if frozen is not None:  # the signed copy of the letter itself
            attachments.append((f"{frozen.file_name}.pdf", bytes(frozen.pdf), "application/pdf"))
        last_received = (case.inbound_messages.exclude(kind=InboundMessage.Kind.REVIEW)
                         .filter(message_key__contains="@").order_by("-received_at", "-id").first())
        message_id = make_msgid(domain=message_domain())
        headers = {"Message-ID": message_id, "Content-Language": draft.language}
        in_reply_to = ""
        if last_received is not None:
            in_reply_to = f"<{last_received.message_key}>"
            headers["In-Reply-To"] = in_reply_to
            headers["References"] = in_reply_to
        subject = mail_subject(case, draft.subject)
        email = EmailMessage(subject=subject, body=draft.sent_body, from_email=settings.LETTER_FROM_EMAIL,
                             to=[case.requester_email], headers=headers,
                             reply_to=[settings.LETTER_FROM_EMAIL])
        for name, content, mimetype in attachments:
            email.attach(name, content, mimetype)
        email.send(fail_silently=False)
        record = OutboundEmail.objects.create(
            draft=draft, request=case, message_id=message_id.strip("<>"), in_reply_to=in_reply_to.strip("<>"),
            sent_at=sent_at, from_address=settings.LETTER_FROM_EMAIL, recipients=list(email.recipients()),
            subject=subject, text=draft.sent_body, attachments=[name for name, _c, _m in attachments], sent_by=by,
        )
        timeline_add(case=case, kind=TimelineEntry.Kind.MAIL, by=by, at=sent_at,
                     message=gettext_noop("E-mailed to %(recipients)s (Message-ID %(message_id)s)."),
                     params={"recipients": ", ".join(record.recipients), "message_id": record.message_id})
    return record


def draft_mark_sent_by_hand(*, draft: ResponseDraft, by, reason: str, now: datetime | None = None) -> ResponseDraft:
    """A letter that went out another way (post, in person): marked sent by hand, with the reason
    (required), recorded on the case's timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say how the letter was sent (for instance: by registered post, tracking number)."),
                              code="reason")
    now = now or timezone.now()
    with transaction.atomic():
        draft = letters.draft_mark_sent(draft=draft, by=by, now=now)
        timeline_add(case=draft.request, kind=TimelineEntry.Kind.DRAFT, by=by, at=now, note=reason,
                     message=gettext_noop("Marked sent by hand (not by e-mail)."))
    return draft

