"""A control character in stored text never makes a notice impossible to download.

A .docx is XML, which cannot hold ESC or NUL: before, one such character in an incident's facts
froze into the sent report, and its .docx answered HTTP 500 forever after.
"""

import io

import docx
import pytest
from django.urls import reverse

from breach_app import notices, services

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db

# PostgreSQL text cannot hold NUL at all (the form refuses it too); every other C0 control can arrive,
# e.g. pasted from a terminal or a PDF.
STORED = "Ticket store\x1b exposed\x01 via\x0b a \x1fbucket"
SHOWN = "Ticket store\ufffd exposed\ufffd via\ufffd a \ufffdbucket"


@pytest.fixture
def sent_draft(staff_user, manager_user):
    incident = make_incident(by=staff_user, description=STORED)
    draft = services.notice_draft_generate(obligation=codes(incident)["CN-CAC-INCIDENT"], by=staff_user,
                                           language="en")
    services.notice_draft_approve(draft=draft, by=manager_user)
    draft = services.notice_draft_mark_sent(draft=draft, by=staff_user, channel="portal", reference="GD-1")
    assert draft.is_sent and STORED in draft.sent_text
    return draft


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def test_a_sent_notice_with_control_characters_downloads_as_docx(sent_draft, staff_client):
    response = staff_client.get(reverse("admin:breach_app_noticedraft_docx", args=[sent_draft.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = paragraphs(response.content)
    assert SHOWN in "\n".join(text)
    # Between the reference/date block and the signature block: the text as sent, line for line.
    text = text[1:-1]
    expected = [line.lstrip("#").strip() for line in notices.plain_text(sent_draft.sent_text).splitlines()]
    assert [line.strip() for line in text] == [line.replace(STORED, SHOWN) for line in expected]


def test_a_sent_notice_with_control_characters_downloads_as_text(sent_draft, staff_client):
    response = staff_client.get(reverse("admin:breach_app_noticedraft_text", args=[sent_draft.pk]))
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert SHOWN in body
    assert "\x1b" not in body
    assert body == notices.plain_text(sent_draft.sent_text.replace(STORED, SHOWN))


def test_nul_and_escape_are_replaced_in_both_writers():
    # NUL cannot reach the database through PostgreSQL, but other databases and imports can hold it.
    text = "# Heading\x00one\nBody with\x1b escape and \x00 nul\n"
    assert paragraphs(notices.docx_bytes(text, title="Report\x1b")) == ["Heading\ufffdone", "Body with\ufffd escape and \ufffd nul"]
    assert notices.plain_text(text) == "Heading\ufffdone\nBody with\ufffd escape and \ufffd nul\n"
    assert docx.Document(io.BytesIO(notices.docx_bytes(text, title="Report\x1b"))).core_properties.title == "Report\ufffd"
