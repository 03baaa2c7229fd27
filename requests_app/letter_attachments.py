"""The files a letter names: uploaded on the draft while it is unsent, listed in its text
("Attachment 1: <name>" / "附件一：<name>"), e-mailed with it (outbound_mail.draft_send_email),
frozen once it is sent, and deleted when the case's personal data is erased (erasure.py).

As with identity documents (identity_documents.py), a file is accepted by what its bytes are, not
by its name or the browser's claim: a PDF, ZIP, PNG or JPEG recognised by ``filetype``, or plain
UTF-8 text (JSON, CSV, text: the usual shapes of a copy of personal data, which have no magic
bytes). At most ``settings.LETTER_ATTACHMENT_MAX_BYTES`` (default 20 MB), which keeps the e-mail
within what common mail servers accept.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason, set_change_reason

from . import letters
from .case_writes import timeline_add
from .models import DraftKind, ResponseDraft, ResponseDraftAttachment, TimelineEntry

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
BINARY_TYPES = {"application/pdf", "application/zip", "image/png", "image/jpeg"}
TEXT_TYPES = {"json": "application/json", "csv": "text/csv", "txt": "text/plain"}
TYPE_NAMES = "PDF, ZIP, PNG, JPEG, JSON, CSV, TXT"

# The kinds of letter that must carry a file when e-mailed: the access response's personal copy
# (GDPR Art. 15(3), PIPL Art. 45; see reference texts: the copy is provided with the answer).
NEEDS_ATTACHMENT = {DraftKind.ACCESS_RESPONSE}


def max_bytes() -> int:
    return getattr(settings, "LETTER_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def attachment_check(file) -> str:
    """The file's MIME type, recognised from its content; ``ValidationError`` (in the user's
    language) if it is empty, too large, or not an allowed type. Leaves the file at its start."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes():
        raise ValidationError(
            _("The file is %(size)s; a letter's attachment may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())},
            code="too_large",
        )
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in BINARY_TYPES:
            return kind.mime
    else:
        text_type = _text_type(file, getattr(file, "name", "") or "")
        if text_type:
            return text_type
    raise ValidationError(
        _("This file cannot be attached to a letter: its content is not %(types)s, whatever its name says.")
        % {"types": TYPE_NAMES},
        code="type",
    )


def _text_type(file, name: str) -> str | None:
    """JSON, CSV or plain text when the whole file is UTF-8 text without control characters."""
    try:
        text = file.read().decode("utf-8")
    except UnicodeDecodeError:
        return None
    finally:
        file.seek(0)
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
        return None
    try:
        json.loads(text)
    except ValueError:
        pass
    else:
        return TEXT_TYPES["json"]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return TEXT_TYPES.get(extension if extension in ("csv", "txt") else "txt")


def attachment_file_name(attachment: ResponseDraftAttachment) -> str:
    """The name the requester's mail program shows: the name given, with the extension of what the file is."""
    extension = {"application/pdf": "pdf", "application/zip": "zip", "image/png": "png", "image/jpeg": "jpg",
                 "application/json": "json", "text/csv": "csv", "text/plain": "txt"}.get(attachment.content_type, "bin")
    stem = re.sub(r'[\\/<>:"|?*;,=\x00-\x1f]+', "_", attachment.name).strip(" ._")[:100] or "attachment"
    return f"{attachment.position}-{stem}.{extension}"


def refuse_if_frozen(draft: ResponseDraft) -> None:
    if draft.sent_at is not None:
        raise ValidationError(_("This letter was sent; its attachments are frozen with it."), code="sent")
    if not letters.draft_editable(draft):
        raise ValidationError(_("This letter can no longer be changed, nor its attachments."), code="frozen")


def attachment_add(*, draft: ResponseDraft, file, name: str = "", by, position: int | None = None,
                   now: datetime | None = None) -> ResponseDraftAttachment:
    """Store a file the letter names, in private storage (no URL)."""
    now = now or timezone.now()
    if file is None:
        raise ValidationError(_("Choose a file to upload."), code="file")
    content_type = attachment_check(file)
    with transaction.atomic():
        draft = ResponseDraft.objects.select_for_update().select_related("request").get(pk=draft.pk)
        refuse_if_frozen(draft)
        if position is None:
            position = max([a.position for a in draft.attachments.all()], default=0) + 1
        uploaded = (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
        # Without a name given, the one the letter already writes on its "Attachment N:" line (the
        # access response names its personal copy), else the uploaded file's.
        name = name or named_in_body(draft, position) or uploaded.rsplit(".", 1)[0] or _("attachment")
        name = " ".join(name.split())[:200]
        attachment = ResponseDraftAttachment(draft=draft, position=position, name=name, content_type=content_type,
                                             size=getattr(file, "size", 0) or 0, uploaded_by=by, uploaded_at=now)
        attachment.file.save("upload", File(file), save=False)
        save_with_reason(attachment, by=by, reason=gettext_noop("letter attachment uploaded"))
        timeline_add(case=draft.request, kind=TimelineEntry.Kind.DRAFT, by=by, at=now,
                     message=gettext_noop("Attachment %(position)d added to a letter (%(size)d bytes)."),
                     params={"position": position, "size": attachment.size})
    return attachment


def attachment_rename(*, attachment: ResponseDraftAttachment, by, name: str, position: int) -> ResponseDraftAttachment:
    """Change the name or number a letter gives an attachment, while the letter is unsent."""
    with transaction.atomic():
        draft = ResponseDraft.objects.select_for_update().select_related("request").get(pk=attachment.draft_id)
        refuse_if_frozen(draft)
        attachment.name, attachment.position = " ".join(name.split())[:200], position
        save_with_reason(attachment, by=by, reason=gettext_noop("letter attachment renamed"))
    return attachment


def attachment_remove(*, attachment: ResponseDraftAttachment, by) -> None:
    """Remove a file from a letter not yet sent (its history row stays; the file goes)."""
    with transaction.atomic():
        draft = ResponseDraft.objects.select_for_update().select_related("request").get(pk=attachment.draft_id)
        refuse_if_frozen(draft)
        name = attachment.file.name
        storage = attachment.file.storage
        set_change_reason(attachment, by=by, reason=gettext_noop("letter attachment removed"))
        attachment.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"


def attachment_label(position: int, language: str) -> str:
    """"Attachment 1: " / "附件一：" as the letter writes it."""
    if language.startswith("zh"):
        return f"附件{chinese_number(position)}："
    return f"Attachment {position}: "


def named_in_body(draft: ResponseDraft, position: int) -> str:
    """What the letter's text already names as attachment ``position`` ("" if nothing)."""
    label = attachment_label(position, draft.language).strip()
    for line in draft.body.split("\n"):
        if line.strip().startswith(label):
            return line.strip()[len(label):].strip()
    return ""


def body_with_attachments(body: str, attachments, language: str) -> str:
    """The letter's text naming each attachment: a line "Attachment N: ..." already in the text is
    replaced by the attachment's name, one missing is added at the end."""
    lines = body.rstrip("\n").split("\n")
    extra = []
    for attachment in attachments:
        label = attachment_label(attachment.position, language)
        line = f"{label}{attachment.name}"
        for i, existing in enumerate(lines):
            if existing.strip().startswith(label.strip()):
                lines[i] = line
                break
        else:
            extra.append(line)
    if extra:
        lines += ["", *extra] if lines and lines[-1].strip() else extra
    return "\n".join(lines) + ("\n" if body.endswith("\n") else "")


def files_for_email(draft: ResponseDraft) -> list[tuple[str, bytes, str]]:
    """(file name, bytes, MIME type) of the draft's attachments, in the letter's order. Refuses an
    access response without its personal copy (sending it by post and marking it sent by hand stays possible)."""
    attachments = list(draft.attachments.order_by("position", "id"))
    if draft.kind in NEEDS_ATTACHMENT and not attachments:
        raise ValidationError(
            _("An access response must carry the copy of the personal information: upload it on the letter "
              "(Attachment 1) before e-mailing it, or send the letter another way and mark it sent by hand."),
            code="no_attachment")
    files = []
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            files.append((attachment_file_name(attachment), handle.read(), attachment.content_type))
    return files
