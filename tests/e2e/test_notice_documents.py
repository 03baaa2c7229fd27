"""A breach notice drafted, approved, sent and downloaded through the pages, in Chinese and in
English, then opened as a lawyer would: the .docx's letterhead, reference, text and signature in
the notice's language, and the PDF's pages.

The PDF pages are rendered to PNG (pypdfium2) under the test's temporary folder, and the first
pages, with ``WALK_SCREENSHOTS=<folder>``, into that folder too (the README's screenshots are made
so: ``WALK_SCREENSHOTS=docs/screenshots``, as the walk's are)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pypdfium2
import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from breach_app import notice_documents
from breach_app.models import Incident, NoticeDraft
from breach_app.demo import MAIN_TITLE
from privacy_office.documents import serves_mainland_china
from privacy_office.models import SentDocument
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def translated(language: str, text: str, **params) -> str:
    with translation.override(language):
        return gettext(text) % params if params else gettext(text)


def message(page, level: str = "info"):
    return page.locator(f"ul.messagelist li.{level}")


def test_a_notice_in_each_language_is_downloaded_as_sent(browsers, tmp_path):
    incident = Incident.objects.get(title=MAIN_TITLE)
    staff = browsers.login("staff", locale="zh-CN")
    manager = browsers.login("manager")

    # Staff (in Chinese) brings the incident's drafts up to date from its page.
    staff.goto(f"/admin/breach_app/incident/{incident.pk}/change/")
    staff.locator(".incident-actions button", has_text=translated("zh-hans", "Generate drafts")).click()
    staff.wait_for_url(re.compile(r"/incident/\d+/change/$"))

    out = Path(SCREENSHOTS or tmp_path)
    for code, language, stem in (("CN-IND", "zh-hans", "notice-as-sent-zh"), ("EU-IND", "en", "notice-as-sent-en")):
        draft = NoticeDraft.objects.get(obligation__incident=incident, obligation__code=code, language=language,
                                        phase=NoticeDraft.Phase.INITIAL)
        assert draft.approved_at is None and draft.sent_at is None

        # The manager reads and approves it on its own page; staff marks it sent.
        manager.goto(f"/admin/breach_app/noticedraft/{draft.pk}/change/")
        manager.locator(".object-tools button", has_text="Approve").click()
        expect(message(manager)).to_have_text("Draft approved for sending.")
        staff.goto(f"/admin/breach_app/noticedraft/{draft.pk}/mark-sent/")
        staff.fill("#id_channel", "App push and e-mail")
        staff.locator("#content form [type=submit]").click()
        expect(message(staff)).to_have_text(translated("zh-hans", "Marked sent; the text as sent is frozen."))
        draft.refresh_from_db()
        assert draft.is_sent and SentDocument.objects.for_record(draft).exists()

        # Downloaded from the draft's page, as sent.
        files = {}
        for label, file_format in (("Download .docx", "docx"), ("Download PDF", "pdf")):
            with manager.expect_download() as info:
                manager.locator(".object-tools a", has_text=label).click()
            assert info.value.suggested_filename == f"{notice_documents.file_name(draft)}.{file_format}"
            files[file_format] = Path(info.value.path()).read_bytes()
        frozen = SentDocument.objects.for_record(draft).get()
        assert (files["docx"], files["pdf"]) == (bytes(frozen.docx), bytes(frozen.pdf))

        # The letterhead is an entity of the incident's activities and services: for CN users one
        # serving mainland China (the demo incident has no other, so the EU notice has it too).
        entity = notice_documents.reporting_entity(draft)
        controllers = {a.controller for a in incident.affected_activities.all()} | {
            s.controller for s in incident.affected_services.all()}
        assert entity in controllers and serves_mainland_china(entity)
        name = entity.name_zh if language == "zh-hans" else (entity.name_en or entity.name_zh)
        document = docx.Document(io.BytesIO(files["docx"]))
        head = document.sections[0].header.paragraphs[0].text.splitlines()
        address = entity.address if language == "zh-hans" else (entity.address_en or entity.address)
        assert head[0] == name and head[1] == address
        paragraphs = [p.text for p in document.paragraphs]
        layout = [paragraphs[0], paragraphs[-1]]  # reference and date; signature block
        assert paragraphs[0].splitlines()[0] == translated(language, "Reference: %(reference)s",
                                                          reference=incident.reference)
        assert paragraphs[-1].splitlines()[0] == translated(language, "For and on behalf of %(entity)s", entity=name)
        assert paragraphs[-1].splitlines()[1] == translated(language, "Approved by: %(name)s",
                                                           name=draft.approved_by.get_full_name())
        # The text is the one sent, heading for heading.
        assert [p.strip() for p in paragraphs[1:-1]] == [
            line.lstrip("#").strip() for line in draft.sent_text.splitlines()]
        if language == "zh-hans":
            assert all(CJK.search(part) for part in layout)
        else:
            assert not any(CJK.search(part) for part in layout)

        pdf = pypdfium2.PdfDocument(files["pdf"])
        try:
            texts = [page.get_textpage().get_text_range() for page in pdf]
            # The first page where the screenshots go; every page under the test's folder, to look at.
            pdf[0].render(scale=1.5).to_pil().save(out / f"{stem}.png")
            for number, page in enumerate(pdf, 1):
                page.render(scale=1.5).to_pil().save(tmp_path / f"{stem}-page-{number}.png")
        finally:
            pdf.close()
        assert all(name in text for text in texts)
        pages = translated(language, "Page %(page)s of %(pages)s", page=1, pages=len(texts))
        assert pages in texts[0]
        assert (out / f"{stem}.png").stat().st_size > 10_000
