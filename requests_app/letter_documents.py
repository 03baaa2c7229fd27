"""A response draft (letter to the requester) as a document (``privacy_office.documents``): the
letterhead of the entity that serves the requester, the case reference, who sent it, and the
letter as sent once it was sent."""

from __future__ import annotations

from django.utils import timezone

from privacy_office import documents
from privacy_office.jurisdictions import CN
from privacy_office.services import sent_document_freeze

from .models import ResponseDraft


def answering_entity(draft: ResponseDraft):
    """The controller entity of the case's services that serves the requester's jurisdiction
    (``documents.letterhead_controller``)."""
    case = draft.request
    candidates = [service.controller for service in case.services.select_related("controller")]
    return documents.letterhead_controller(candidates, mainland_china=case.jurisdiction == CN)


def letter_document(draft: ResponseDraft) -> documents.Document:
    sent = draft.sent_at is not None
    subject, body = (draft.sent_subject, draft.sent_body) if sent else (draft.subject, draft.body)
    return documents.Document(
        language=draft.language,
        letterhead=documents.letterhead(answering_entity(draft), draft.language),
        title=subject,
        reference=draft.request.reference,
        date=timezone.localdate(draft.sent_at or timezone.now()),
        # A letter has no approval step of its own: the person who sent it signs for it.
        approver=documents.person_name(draft.sent_by),
        body=f"# {subject}\n{body}" if subject else body,
        sent=sent,
    )


def file_name(draft: ResponseDraft) -> str:
    return f"{draft.request.reference}-{draft.kind}-{draft.pk}-{draft.language}"


def letter_freeze(*, draft: ResponseDraft, by):
    """Keep the .docx and PDF of a letter just marked sent (inside the same transaction)."""
    return sent_document_freeze(record=draft, document=letter_document(draft), file_name=file_name(draft), by=by,
                                now=draft.sent_at)


def download(draft: ResponseDraft, file_format: str):
    return documents.download_response(draft, file_format, lambda: letter_document(draft), file_name=file_name(draft))
