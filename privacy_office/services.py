"""Writes on what all apps share: staff accounts."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditLogEntry


def staff_deactivate(*, user, by, reason: str, now: datetime | None = None) -> bool:
    """Deactivate a staff account, with the reason, in the audit log. Returns False if it was
    already inactive.

    Accounts are deactivated, never deleted: who did what stays attached to a live row in every
    history and timeline, and the person can no longer sign in. Auth users keep no per-model
    history, so the audit-log entry is the record of who deactivated whom, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the account is deactivated."), code="reason_required")
    if by is not None and user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="self")
    with transaction.atomic():
        user = type(user)._default_manager.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return False
        user.is_active = False
        user.save(update_fields=["is_active"])
        AuditLogEntry.objects.create(
            at=now or timezone.now(), user=by, user_name=by.get_username() if by is not None else "",
            content_type=ContentType.objects.get_for_model(type(user)), object_id=str(user.pk),
            object_repr=user.get_username()[:300], action=AuditLogEntry.Action.CHANGED, reason=reason,
            changes=[{"field": "is_active", "old": "True", "new": "False"}], history_id=None,
        )
    return True


def sent_document_freeze(*, record, document, file_name: str, by, now: datetime | None = None):
    """Render ``document`` (a ``documents.Document``) as .docx and PDF and keep the bytes and their
    SHA-256 for ``record`` (a sent draft), once: the first freeze wins, so a repeated call returns
    the stored row. Called inside the transaction that marks the draft sent."""
    from . import documents
    from .models import SentDocument

    existing = SentDocument.objects.for_record(record).first()
    if existing is not None:
        return existing
    rendered = documents.render(document)
    return SentDocument.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, language=document.language,
        file_name=file_name, docx=rendered.docx, pdf=rendered.pdf, docx_sha256=rendered.docx_sha256,
        pdf_sha256=rendered.pdf_sha256, frozen_at=now or timezone.now(), frozen_by=by,
    )
