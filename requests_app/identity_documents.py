"""What an identity document may be, and how a stored one is handed back.

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

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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
