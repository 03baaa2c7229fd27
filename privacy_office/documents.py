"""Outgoing letters, notices and reports as documents a lawyer would sign: a .docx and a PDF.

Both apps hand over a ``Document`` (letterhead, title, reference, date, approver, body in one
language); this module lays it out the same way in both formats: the controller entity's letterhead
(name, address, contact), the reference and date, the body (a line starting with ``#`` is a
heading), a signature block naming the approver, and "page n of m" in the footer.

Chinese needs a CJK font. The .docx names one for East Asian text (``w:eastAsia``: SimSun, which
Word and LibreOffice have or substitute); the PDF uses ReportLab's built-in CID font STSong-Light,
which needs no font file on the server (a PDF reader supplies the glyphs from its Adobe-GB1 CJK
fonts), so a fresh clone and the Docker image render Chinese with nothing but ``pip install``.

A sent draft's documents are frozen once (``services.sent_document_freeze``, model ``SentDocument``)
and downloads serve those bytes forever: see ``document_bytes``.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from django.utils import formats, translation
from django.utils.translation import gettext as _

from .spreadsheets import replace_control_characters

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"

# Regions (inventory Service.region) that mean "serves mainland China": a CN letter goes out on the
# paper of the entity that serves the person there (PIPL Art. 17: the handler's name and contact).
MAINLAND_CHINA_REGIONS = ("中国大陆", "中国", "Mainland China", "China", "CN")

EAST_ASIAN_DOCX_FONT = "SimSun"
LATIN_DOCX_FONT = "Calibri"
CJK_PDF_FONT = "STSong-Light"
LATIN_PDF_FONT = "Helvetica"
LATIN_PDF_BOLD = "Helvetica-Bold"

HEADING = re.compile(r"^(#+)\s*(.*)$")
# ReportLab's Helvetica is encoded in WinAnsi (cp1252: Latin-1 plus dashes, “curly quotes”, €…); a
# line with anything else (CJK, full-width punctuation) is set in the CID font, which has those.
def fits_helvetica(text: str) -> bool:
    try:
        (text or "").encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Letterhead:
    name: str
    address: str = ""
    contact: str = ""


@dataclass(frozen=True)
class Document:
    """One outgoing text, ready to lay out. ``sent`` is False for a copy downloaded before sending:
    it then says "draft" under the title, so nobody mistakes it for the letter that went out."""

    language: str
    letterhead: Letterhead
    title: str
    reference: str
    date: date
    approver: str
    body: str
    sent: bool = False


@dataclass(frozen=True)
class Rendered:
    docx: bytes
    pdf: bytes

    @property
    def docx_sha256(self) -> str:
        return sha256(self.docx)

    @property
    def pdf_sha256(self) -> str:
        return sha256(self.pdf)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- the letterhead


def serves_mainland_china(controller) -> bool:
    return controller.services.filter(region__in=MAINLAND_CHINA_REGIONS).exists()


def letterhead_controller(candidates, *, mainland_china: bool):
    """The controller entity whose letterhead a document carries.

    ``candidates`` are the entities of the record's activities and services (one entry per
    activity or service, so an entity behind more of them counts more), else every entity in the
    inventory. A mainland-China letter or report goes out on the paper of an entity serving
    mainland China, any other on that of an entity that does not (the global services' entity);
    among those, the one behind most of the record's activities and services (then by code). Where
    none fits, that same ranking over all candidates: the entity that processed the data."""
    counts = Counter(candidates)
    if not counts:
        from inventory_app.models import Controller

        counts = Counter(Controller.objects.order_by("code"))
    ranked = sorted(counts, key=lambda c: (-counts[c], c.code))
    for controller in ranked:
        if serves_mainland_china(controller) == mainland_china:
            return controller
    return ranked[0] if ranked else None


def letterhead(controller, language: str) -> Letterhead:
    """The entity's name in the document's language (the other one where it has none), address and
    contact e-mail (the privacy contact first)."""
    if controller is None:
        return Letterhead(name="")
    if language == "en":
        name = controller.name_en or controller.name_zh
    else:
        name = controller.name_zh or controller.name_en
    contact = controller.dpo_email or controller.contact
    address = (controller.address_en or controller.address) if language == "en" else controller.address
    return Letterhead(name=name, address=address, contact=contact)


# --------------------------------------------------------------------------- the words around the body


# A letter's date written out as a letter writes it ("18 November 2026", "2026年11月18日").
LETTER_DATE_FORMATS = {"en": "j F Y", "zh-hans": "Y年n月j日"}


def long_date(value: date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, LETTER_DATE_FORMATS.get(language, "DATE_FORMAT"))


def labels(document: Document) -> dict[str, str]:
    """The fixed words of the layout, in the document's language."""
    with translation.override(document.language):
        return {
            "reference": _("Reference: %(reference)s") % {"reference": document.reference},
            "date": _("Date: %(date)s") % {"date": long_date(document.date, document.language)},
            "draft": _("Draft, not sent"),
            "contact": _("Contact: %(contact)s") % {"contact": document.letterhead.contact},
            "on_behalf": _("For and on behalf of %(entity)s") % {"entity": document.letterhead.name},
            "approver": _("Approved by: %(name)s") % {"name": document.approver or "________________"},
            "signature": _("Signature: ________________"),
            "signed_on": _("Date: %(date)s") % {"date": long_date(document.date, document.language)},
            # "page 1 of 3": the numbers are filled in by the word processor (fields) or the PDF pass.
            "page": _("Page %(page)s of %(pages)s"),
        }


def body_lines(text: str) -> list[tuple[int, str]]:
    """(heading level or 0, text) per line; control characters replaced (a .docx is XML)."""
    lines = []
    for line in replace_control_characters(text or "").splitlines():
        heading = HEADING.match(line)
        if heading:
            lines.append((min(len(heading.group(1)), 3), heading.group(2)))
        else:
            lines.append((0, line))
    return lines


def clean(text: str) -> str:
    return replace_control_characters(text or "")


# --------------------------------------------------------------------------- .docx


def docx_bytes(document: Document) -> bytes:
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    words = labels(document)
    word = WordDocument()
    word.core_properties.title = clean(document.title)
    word.core_properties.language = document.language
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        set_docx_fonts(word.styles[style_name])

    section = word.sections[0]
    header = section.header.paragraphs[0]
    name = header.add_run(clean(document.letterhead.name))
    name.bold = True
    name.font.size = Pt(13)
    for line in (document.letterhead.address, words["contact"] if document.letterhead.contact else ""):
        if line:
            header.add_run().add_break()
            header.add_run(clean(line)).font.size = Pt(9)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_fields(footer, words["page"])

    meta = word.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    meta.add_run(clean(words["reference"]))
    meta.add_run().add_break()
    meta.add_run(words["date"])
    if not document.sent:
        meta.add_run().add_break()
        meta.add_run(words["draft"]).bold = True

    for level, line in body_lines(document.body):
        if level:
            word.add_heading(line, level=level)
        else:
            word.add_paragraph(line)

    signature = word.add_paragraph()
    signature.paragraph_format.space_before = Pt(24)
    signature.paragraph_format.keep_together = True
    for i, line in enumerate((words["on_behalf"], words["approver"], words["signature"], words["signed_on"])):
        if i:
            signature.add_run().add_break()
        signature.add_run(clean(line))

    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def set_docx_fonts(style) -> None:
    """Latin text in ``LATIN_DOCX_FONT``, East Asian text in ``EAST_ASIAN_DOCX_FONT`` (w:eastAsia)."""
    from docx.oxml.ns import qn

    style.font.name = LATIN_DOCX_FONT
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_DOCX_FONT)
    # A theme font would win over the named one for East Asian text: drop it.
    for attribute in ("w:eastAsiaTheme", "w:asciiTheme", "w:hAnsiTheme"):
        fonts.attrib.pop(qn(attribute), None)


def add_page_fields(paragraph, template: str) -> None:
    """``template`` ("Page %(page)s of %(pages)s") with PAGE and NUMPAGES fields in place of the numbers."""
    parts = re.split(r"(%\((?:page|pages)\)s)", template)
    for part in parts:
        if part == "%(page)s":
            add_field(paragraph, "PAGE")
        elif part == "%(pages)s":
            add_field(paragraph, "NUMPAGES")
        elif part:
            paragraph.add_run(part)


def add_field(paragraph, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def element(tag, **attributes):
        node = OxmlElement(tag)
        for key, value in attributes.items():
            node.set(qn(key), value)
        return node

    run = paragraph.add_run()
    # python-docx has no API for fields: the run's XML element gets the field characters.
    run.element.append(element("w:fldChar", **{"w:fldCharType": "begin"}))
    text = element("w:instrText", **{"xml:space": "preserve"})
    text.text = f" {instruction} "
    run.element.append(text)
    run.element.append(element("w:fldChar", **{"w:fldCharType": "separate"}))
    placeholder = element("w:t")
    placeholder.text = "1"
    run.element.append(placeholder)
    run.element.append(element("w:fldChar", **{"w:fldCharType": "end"}))


# --------------------------------------------------------------------------- PDF


def register_pdf_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_PDF_FONT))


def pdf_font(text: str, *, bold: bool = False, language: str = "en") -> str:
    if language != "en" or not fits_helvetica(text):
        return CJK_PDF_FONT
    return LATIN_PDF_BOLD if bold else LATIN_PDF_FONT


HEAD_SIZE = 8.5  # points: the letterhead's address and contact lines


def pdf_bytes(document: Document) -> bytes:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.lib.utils import simpleSplit
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    register_pdf_fonts()
    words = labels(document)
    language = document.language

    def style(text, *, size=10.5, bold=False, align=None, space_before=0, space_after=3):
        font = pdf_font(text, bold=bold, language=language)
        options = {"fontName": font, "fontSize": size, "leading": size * 1.45, "spaceBefore": space_before,
                   "spaceAfter": space_after}
        if font == CJK_PDF_FONT:
            options["wordWrap"] = "CJK"  # Chinese lines break between any two characters
        if align is not None:
            options["alignment"] = align
        return ParagraphStyle(name=f"s{size}{bold}{align}", **options)

    def paragraph(text, **kwargs):
        text = clean(text)
        shown = escape(text) if text.strip() else "&nbsp;"
        return Paragraph(shown, style(text, **kwargs))

    def make_story():
        story = []
        meta = [words["reference"], words["date"]] + ([] if document.sent else [words["draft"]])
        for line in meta:
            story.append(paragraph(line, align=TA_RIGHT, space_after=1, bold=line == words["draft"]))
        story.append(Spacer(1, 6 * mm))
        for level, line in body_lines(document.body):
            if level:
                story.append(paragraph(line, size={1: 15, 2: 12.5, 3: 11}[level], bold=True, space_before=6,
                                       space_after=4))
            else:
                story.append(paragraph(line))
        story.append(Spacer(1, 10 * mm))
        story.append(KeepTogether([paragraph(line, space_after=6) for line in (
            words["on_behalf"], words["approver"], words["signature"], words["signed_on"])]))
        return story

    head = document.letterhead
    head_lines = [line for line in (head.address, words["contact"] if head.contact else "") if line]
    # A long address (an English one) wraps inside the margins instead of running off the page.
    head_font = pdf_font(" ".join(head_lines), language=language)
    head_lines = [piece for line in head_lines
                  for piece in simpleSplit(clean(line), head_font, HEAD_SIZE, A4[0] - 40 * mm) or [""]]

    def build(pages: int) -> tuple[bytes, int]:
        """One layout pass; "page n of m" needs m, so the first pass counts the pages."""
        seen = []

        def letterhead_and_page_number(canvas, template):
            width, height = A4
            seen.append(canvas.getPageNumber())
            canvas.saveState()
            y = height - 16 * mm
            canvas.setFont(pdf_font(head.name, bold=True, language=language), 13)
            canvas.drawString(20 * mm, y, clean(head.name))
            canvas.setFont(head_font, HEAD_SIZE)
            for line in head_lines:
                y -= 4.5 * mm
                canvas.drawString(20 * mm, y, line)
            canvas.setLineWidth(0.6)
            canvas.line(20 * mm, y - 3 * mm, width - 20 * mm, y - 3 * mm)
            number = words["page"] % {"page": canvas.getPageNumber(), "pages": pages}
            canvas.setFont(pdf_font(number, language=language), 8.5)
            canvas.drawCentredString(width / 2, 12 * mm, number)
            canvas.restoreState()

        buffer = io.BytesIO()
        template = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
            topMargin=(32 + 4.5 * len(head_lines)) * mm, bottomMargin=22 * mm, title=clean(document.title),
            author=clean(head.name), lang=language,
            # Identical input gives identical bytes (no creation time, fixed document id): a frozen
            # copy's hash can be re-checked by rendering again.
            invariant=1,
        )
        template.build(make_story(), onFirstPage=letterhead_and_page_number, onLaterPages=letterhead_and_page_number)
        return buffer.getvalue(), len(seen)

    content, pages = build(0)
    # The footer is drawn outside the text frame: the total changes nothing in the layout, so the
    # second pass has the same pages.
    content, _ = build(pages)
    return content


def render(document: Document) -> Rendered:
    return Rendered(docx=docx_bytes(document), pdf=pdf_bytes(document))


# --------------------------------------------------------------------------- what a download serves


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def document_bytes(record, file_format: str, make_document) -> bytes:
    """The bytes a download of ``record`` serves in ``file_format`` ("docx" or "pdf"): the frozen
    copy once the record was sent (``SentDocument``), else a fresh rendering of ``make_document()``."""
    from .models import SentDocument

    frozen = SentDocument.objects.for_record(record).first()
    if frozen is not None:
        return bytes(getattr(frozen, file_format))
    document = make_document()
    return docx_bytes(document) if file_format == "docx" else pdf_bytes(document)


def download_response(record, file_format: str, make_document, *, file_name: str):
    from django.http import HttpResponse

    from .models import SentDocument

    if SentDocument.objects.for_record(record).filter(erased_at__isnull=False).exists():
        return HttpResponse(_("The personal data of this case was erased after the retention period: the document "
                              "as sent is no longer kept."), status=410, content_type="text/plain; charset=utf-8")
    content_type = DOCX_CONTENT_TYPE if file_format == "docx" else PDF_CONTENT_TYPE
    response = HttpResponse(document_bytes(record, file_format, make_document), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}.{file_format}"'
    return response
