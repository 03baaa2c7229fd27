"""Erasing the requester's personal data from an ended case after the retention period
(``settings.CASE_RETENTION_DAYS``): the case stays as a tombstone."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason
from privacy_office.models import AuditLogEntry, SentDocument
from privacy_office.roles import missing_permission_message

from .models import (
    ENDED_STATUSES,
    ClockPause,
    IdentityCheck,
    IdentityDocument,
    ResponseDraft,
    ResponseDraftAttachment,
    RightsRequest,
    Task,
    TimelineEntry,
)
from .case_writes import lock_case, timeline_add

ERASE_PERMISSION = "requests_app.approve_erase_personal_data"

# What an erased case keeps: reference, jurisdiction, types, channel, dates, status and outcome,
# who handled it, its clock and its timeline's events. What goes: everything that names or describes
# the requester, on the case and its children, in their history rows and in the audit log's diffs.
# "—" stands where a constraint needs text (a refusal's reasons, a sent draft's frozen body).
ERASED = "—"
ERASED_FIELDS: dict[type, dict[str, object]] = {
    RightsRequest: {
        "requester_name": "", "requester_email": "", "requester_phone": "", "account_id": "",
        "data_subject_name": "", "description": "", "extension_reasons": ERASED, "rejection_reasons": ERASED,
        "remedy_text": ERASED,
    },
    ResponseDraft: {"subject": ERASED, "body": ERASED, "sent_subject": ERASED, "sent_body": ERASED},
    Task: {"title": ERASED, "title_message": "", "title_params": {}},
    IdentityCheck: {"data_points": [], "note": ""},
    ClockPause: {"note": ""},
    IdentityDocument: {"original_name": ERASED, "file": ""},
    ResponseDraftAttachment: {"name": ERASED, "file": ""},
}
# Text that only exists when filled in: "—" where it was, "" where it was not (the constraints).
_ONLY_IF_SET = {"extension_reasons", "rejection_reasons", "remedy_text", "sent_subject", "sent_body"}


def dsar_erasure_blocker(*, case: RightsRequest, now: datetime | None = None) -> str | None:
    """Why the case's personal data may not be erased yet (a sentence), or None when it may."""
    now = now or timezone.now()
    if case.erased_at is not None:
        return _("Its personal data was already erased on %(when)s.") % {
            "when": timezone.localtime(case.erased_at).strftime("%Y-%m-%d")}
    if case.status not in ENDED_STATUSES or case.closed_at is None:
        return _("The case has not ended (it is “%(status)s”).") % {"status": case.get_status_display()}
    kept_until = case.closed_at + timedelta(days=settings.CASE_RETENTION_DAYS)
    if now < kept_until:
        return _("It is kept until %(date)s: %(days)d days after it ended (CASE_RETENTION_DAYS).") % {
            "date": timezone.localtime(kept_until).strftime("%Y-%m-%d"), "days": settings.CASE_RETENTION_DAYS}
    return None


def _erase_row(obj, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        if name in _ONLY_IF_SET and not getattr(obj, name):
            continue
        setattr(obj, name, value)


def _purge_history_and_audit(model, ids: list[int]) -> None:
    """The erased fields also go from the model's history rows and from the audit log's diffs
    (otherwise the history would keep what the case no longer holds)."""
    if not ids:
        return
    fields = ERASED_FIELDS[model]
    model.history.filter(id__in=ids).update(**fields)
    entries = list(AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[str(i) for i in ids]))
    for entry in entries:
        entry.changes = [{**c, "old": ERASED, "new": ERASED} if c.get("field") in fields else c
                         for c in entry.changes or []]
        if model in (Task, IdentityDocument, ResponseDraftAttachment):  # their name in the log is the erased title / file name
            entry.object_repr = ERASED
    AuditLogEntry.objects.bulk_update(entries, ["changes", "object_repr"], batch_size=500)


def dsar_erase_personal_data(*, case: RightsRequest, by, reason: str, now: datetime | None = None) -> RightsRequest:
    """Erase the requester's personal data from an ended case after the retention period
    (settings.CASE_RETENTION_DAYS), leaving a tombstone: the case row with its reference,
    jurisdiction, types, dates and outcome, who erased it, when and why.

    Blanked: the requester's name, e-mail, phone, account id, the data subject's name, the request
    text and the free-text reasons on the case; drafts' text; task titles; identity checks' data
    points and notes; pause notes; timeline notes; identity documents' and letter attachments' names,
    and their files are deleted. The same fields are blanked in every history row and audit-log diff of those records.
    The only deletion besides the identity-document purge: regulated records are never deleted, only erased after retention."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for erasing the personal data (it stays on the case)."),
                              code="reason_required")
    if by is None:
        raise ValidationError(missing_permission_message(ERASE_PERMISSION), code="by")
    files: list[str] = []
    with transaction.atomic():
        lock_case(case)
        blocker = dsar_erasure_blocker(case=case, now=now)
        if blocker:
            raise ValidationError(
                _("The personal data of %(reference)s cannot be erased: %(why)s") % {"reference": case.reference,
                                                                                    "why": blocker},
                code="not_erasable")
        erased_reason = gettext_noop("personal data erased after the retention period")
        children = {
            ResponseDraft: list(case.drafts.all()), Task: list(case.tasks.all()),
            IdentityCheck: list(case.identity_checks.all()), ClockPause: list(case.pauses.all()),
            IdentityDocument: list(case.identity_documents.all()),
            # The files letters carried (the personal copy of an access response): deleted like identity documents.
            ResponseDraftAttachment: list(ResponseDraftAttachment.objects.filter(draft__request=case)),
        }
        for model, rows in children.items():
            for row in rows:
                if model is ResponseDraftAttachment and row.file:
                    files.append(row.file.name)
                if model is IdentityDocument:
                    if row.file:
                        files.append(row.file.name)
                    row.deleted_at = row.deleted_at or now
                    row.deletion_reason = "personal data erased after the retention period"
                _erase_row(row, ERASED_FIELDS[model])
                save_with_reason(row, by=by, reason=erased_reason)
        _erase_row(case, ERASED_FIELDS[RightsRequest])
        case.erased_at, case.erased_by, case.erasure_reason = now, by, reason
        save_with_reason(case, by=by, reason=reason)
        for model, rows in children.items():
            _purge_history_and_audit(model, [row.pk for row in rows])
        SentDocument.objects.filter(
            content_type=ContentType.objects.get_for_model(ResponseDraft),
            object_id__in=[row.pk for row in children[ResponseDraft]]).erase_personal_data(now=now)
        _purge_history_and_audit(RightsRequest, [case.pk])
        for entry in case.timeline.all():
            params = dict(entry.params or {})
            if "title" in params:  # a task's title
                params["title"] = ERASED
            if entry.note or params != entry.params:
                entry.note, entry.params = "", params
                entry.save(update_fields=["note", "params"])
        timeline_add(
            case=case, kind=TimelineEntry.Kind.ERASURE,
            message=gettext_noop("Personal data erased %(days)d days after the case ended; the case is kept without it."),
            params={"days": (now - case.closed_at).days}, by=by, at=now, note=reason,
        )
        # Files go once the erasure is committed: a rolled-back erasure keeps them.
        storage = IdentityDocument._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return case
