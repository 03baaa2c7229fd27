"""A notice draft as a document (``privacy_office.documents``): the letterhead of the entity that
reports, the incident's reference, the approver, and the text as sent once it was sent."""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import slugify

from privacy_office import documents
from privacy_office.services import sent_document_freeze

from . import notices
from .models import NoticeDraft


def reporting_entity(draft: NoticeDraft):
    """The controller entity whose letterhead the notice carries: the one its text speaks for."""
    return notices.reporting_entity(draft.obligation)


def title(draft: NoticeDraft) -> str:
    for level, line in documents.body_lines(draft.text):
        if level and line.strip():
            return line.strip()
    return str(draft)


def notice_document(draft: NoticeDraft) -> documents.Document:
    when = draft.sent_at or draft.approved_at or timezone.now()
    return documents.Document(
        language=draft.language,
        letterhead=documents.letterhead(reporting_entity(draft), draft.language),
        title=title(draft),
        reference=draft.obligation.incident.reference,
        date=timezone.localdate(when),
        approver=documents.person_name(draft.approved_by),
        body=draft.text,
        sent=draft.is_sent,
    )


def file_name(draft: NoticeDraft) -> str:
    obligation = draft.obligation
    return f"{obligation.incident.reference}-{slugify(obligation.code)}-{draft.phase}-{draft.language}"


def notice_freeze(*, draft: NoticeDraft, by):
    """Keep the .docx and PDF of a draft just marked sent (inside the same transaction)."""
    return sent_document_freeze(record=draft, document=notice_document(draft), file_name=file_name(draft), by=by,
                                now=draft.sent_recorded_at)


def download(draft: NoticeDraft, file_format: str):
    return documents.download_response(draft, file_format, lambda: notice_document(draft), file_name=file_name(draft))
