"""Identity documents: what a file may be, its upload, who may view it (every view logged), and
its deletion after the retention period.

A passport scan is the most sensitive file the office holds, and the upload form faces whatever
a requester sent by e-mail. So a file is accepted only when its first bytes say it is one of the
allowed types (``settings.IDENTITY_DOCUMENT_TYPES``) and it is no larger than
``settings.IDENTITY_DOCUMENT_MAX_BYTES``: the name and the browser's content type are the sender's
claims, not facts (an ``.exe`` renamed ``passport.pdf`` is still an ``.exe``). The type recognised
here is stored and is the only type the file is ever served with, always as a download.
"""

from __future__ import annotations

import re
import unicodedata

from datetime import datetime, timedelta

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason

from .models import DocumentAccessLog, IdentityDocument, RightsRequest, TimelineEntry
from .case_writes import lock_case, refuse_if_ended, refuse_if_erased, timeline_add

# The extension a download gets, from the type recognised at upload.
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "image/webp": "webp",
}
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
    "image/webp": "WebP",
}
UNKNOWN_TYPE = "application/octet-stream"


def allowed_type_names() -> str:
    """The allowed types by name ("PDF, JPEG, ..."), for the upload form and its refusals."""
    return ", ".join(TYPE_NAMES.get(mime, mime) for mime in settings.IDENTITY_DOCUMENT_TYPES)


def identity_document_check(file) -> str:
    """The file's type, recognised from its content; ``ValidationError`` (in the user's language)
    if it is empty, too large, or not an allowed type. Leaves the file at its start."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = settings.IDENTITY_DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; an identity document may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    file.seek(0)
    kind = filetype.guess(file.read(8192))
    file.seek(0)
    mime = kind.mime if kind is not None else None
    if mime not in settings.IDENTITY_DOCUMENT_TYPES:
        raise ValidationError(
            _("This file is not an allowed identity document: its content is not %(types)s, whatever its "
              "name says. Scan or save the document in one of these formats and upload it again.")
            % {"types": allowed_type_names()},
            code="type",
        )
    return mime


def served_type(stored_type: str) -> str:
    """The type a stored file is served with: the one recognised at upload, if allowed. Files
    stored before the check (their type was the browser's claim) are served as plain bytes."""
    return stored_type if stored_type in EXTENSIONS and stored_type in settings.IDENTITY_DOCUMENT_TYPES else UNKNOWN_TYPE


def download_name(original_name: str, stored_type: str) -> str:
    """A file name safe in a Content-Disposition header and on any desktop: no path, no control
    or quoting characters, and the extension of the type the file really is."""
    name = unicodedata.normalize("NFC", original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r'[<>:"|?*;,=]+', "_", stem).strip(" ._")[:100] or "identity-document"
    extension = EXTENSIONS.get(served_type(stored_type), "bin")
    return f"{stem}.{extension}"


def dsar_upload_identity_document(*, case: RightsRequest, file, by, now: datetime | None = None) -> IdentityDocument:
    """Store an identity document in private storage (no URL); it is deleted later by
    identity_documents_delete_expired."""
    now = now or timezone.now()
    if file is None:
        raise ValidationError(_("Choose a file to upload."), code="file")
    # Size and type by content; the stored type is the recognised one, never the browser's claim.
    content_type = identity_document_check(file)
    with transaction.atomic():
        lock_case(case)
        refuse_if_erased(case)
        refuse_if_ended(case)
        name = getattr(file, "name", "document") or "document"
        document = IdentityDocument(
            request=case, original_name=name.rsplit("/", 1)[-1][:255],
            content_type=content_type, size=getattr(file, "size", 0) or 0,
            uploaded_by=by, uploaded_at=now,
            retention_starts_at=retention_start(closed_at=case.closed_at, verified_on=case.verified_on),
        )
        document.file.save(document.original_name, File(file), save=False)
        save_with_reason(document, by=by, reason=gettext_noop("identity document uploaded"))
        timeline_add(
            case=case, kind=TimelineEntry.Kind.DOCUMENT,
            message=gettext_noop("Identity document uploaded (%(size)d bytes)."), params={"size": document.size},
            by=by, at=now,
        )
    return document


def can_view_identity_document(*, user, case: RightsRequest) -> bool:
    """Only the staff member working the case (its assignee, who must be able to work cases: a
    read-only role never sees a document, even if it was once made the assignee) and holders of
    requests_app.approve_view_any_identity_document (managers)."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.has_perm("requests_app.approve_view_any_identity_document"):
        return True
    return (case.assignee_id == user.pk and user.has_perm("requests_app.view_identitydocument")
            and user.has_perm("requests_app.change_rightsrequest"))


def identity_document_open(*, document: IdentityDocument, by, ip_address: str | None = None,
                           now: datetime | None = None):
    """Open the file for the person ``by`` after checking the rule; every successful view is logged."""
    if not can_view_identity_document(user=by, case=document.request):
        raise PermissionDenied(_("Only the staff member working this case and managers may view its identity documents."))
    if document.deleted_at is not None or not document.file:
        raise ValidationError(_("This document's file was deleted on %(when)s.")
                              % {"when": document.deleted_at or "—"}, code="deleted")
    handle = document.file.open("rb")
    DocumentAccessLog.objects.create(document=document, user=by, at=now or timezone.now(), ip_address=ip_address)
    return handle


def retention_start(*, closed_at: datetime | None, verified_on) -> datetime | None:
    """When an identity document's retention period starts: the case's closure, or the start of
    the office day after its verification (verified_on is a local date: counting from the next
    office day errs one day late, never early), whichever is earlier; None while neither happened."""
    starts = []
    if closed_at is not None:
        starts.append(closed_at)
    if verified_on is not None:
        starts.append(timezone.make_aware(datetime.combine(verified_on + timedelta(days=1), datetime.min.time()),
                                          timezone.get_default_timezone()))
    return min(starts) if starts else None


def identity_documents_schedule_purge(*, case: RightsRequest) -> int:
    """Store on the case's live documents when their retention starts (after it is verified, ends
    or is re-opened, and on upload). Returns how many documents were updated."""
    return IdentityDocument.objects.filter(request=case, deleted_at__isnull=True).update(
        retention_starts_at=retention_start(closed_at=case.closed_at, verified_on=case.verified_on))


def identity_documents_delete_expired(*, now: datetime | None = None) -> int:
    """Delete identity-document files N days (settings.IDENTITY_DOCUMENT_RETENTION_DAYS) after the
    case's verification or closure, whichever comes first; the row stays as the record that the
    document existed and was deleted. Returns how many files were deleted. Reads the documents by
    their stored ``retention_starts_at`` (indexed), never every case."""
    now = now or timezone.now()
    days = settings.IDENTITY_DOCUMENT_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    due = (
        IdentityDocument.objects.filter(deleted_at__isnull=True, retention_starts_at__lte=cutoff)
        .select_related("request").order_by("retention_starts_at", "id")
    )
    deleted = 0
    for document in due.iterator(chunk_size=500):
        with transaction.atomic():
            if document.file:
                document.file.delete(save=False)
            document.file = ""
            document.deleted_at = now
            document.deletion_reason = f"retention period of {days} days after verification or closure ended"
            save_with_reason(
                document, by=None, reason=gettext_noop("identity document deleted after retention period"),
            )
            timeline_add(
                case=document.request, kind=TimelineEntry.Kind.DOCUMENT,
                message=gettext_noop(
                    "Identity document file deleted after the %(days)d-day retention period; the record is kept."
                ),
                params={"days": days}, at=now,
            )
        deleted += 1
    return deleted
