"""A notice or report downloads as a document a lawyer would sign (.docx and PDF): the letterhead
of the controller entity that reports (from the inventory), the incident's reference, the date, the
approver, a signature block and page numbers, Chinese in a CJK font. Once sent, the documents as
sent are what every later download serves, whatever changes in the inventory afterwards."""

from __future__ import annotations

import io
import zipfile
import docx
import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from breach_app import services
from inventory_app.models import Controller, Service
from privacy_office.documents import sha256
from privacy_office.models import SentDocument

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db

CN_NAME = "深圳绿米联创科技有限公司"
CN_ADDRESS = "深圳市南山区留仙大道 3370 号南山智园崇文园区 1 号楼"
LLC_ADDRESS = "Suite 218, 33 West 60th Street, New York 10023, USA"


@pytest.fixture
def incident(staff_user):
    cn = Controller.objects.create(code="lumi-united", name_zh=CN_NAME, name_en="Lumi United Technology Co., Ltd.",
                                   address=CN_ADDRESS, dpo_email="privacy@lumiunited.com")
    llc = Controller.objects.create(code="aqara-llc", name_zh="Aqara LLC", name_en="Aqara LLC", address=LLC_ADDRESS,
                                    dpo_email="privacy@aqara.example")
    china = Service.objects.create(code="aqara-home-cn", name_zh="Aqara Home", region="中国大陆", controller=cn)
    world = Service.objects.create(code="aqara-home-global", name_zh="Aqara Home（全球）", name_en="Aqara Home (global)",
                                   region="Global", controller=llc)
    # Discovered on Friday 5 June 2026, 09:00 UTC (17:00 in Shenzhen).
    return make_incident(by=staff_user, services=[china, world],
                         populations={"CN": {"people_min": 1_000_001}, "EU": {"people_min": 3}})


def draft(incident, code, language, by):
    return services.notice_draft_generate(obligation=codes(incident)[code], by=by, language=language)


def sent(incident, code, language, staff_user, manager_user):
    d = draft(incident, code, language, staff_user)
    services.notice_draft_approve(draft=d, by=manager_user)
    return services.notice_draft_mark_sent(draft=d, by=staff_user, channel="portal", reference="R-1")


def download(client, d, file_format):
    response = client.get(reverse(f"admin:breach_app_noticedraft_{file_format}", args=[d.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{d.obligation.incident.reference}-{d.obligation.code.lower()}-initial-'
        f'{d.language}.{file_format}"')
    return response.content


def docx_parts(content: bytes) -> tuple[str, list[str], str]:
    """(letterhead, body paragraphs, footer XML) of a .docx."""
    document = docx.Document(io.BytesIO(content))
    head = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        footer = "".join(package.read(name).decode() for name in package.namelist() if name.startswith("word/footer"))
    return head, [p.text for p in document.paragraphs], footer


def pdf_pages(content: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(content)
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def test_a_chinese_report_goes_out_on_the_chinese_entitys_paper(incident, staff_client, staff_user, manager_user):
    d = draft(incident, "CN-CAC-INCIDENT", "zh-hans", staff_user)
    services.notice_draft_approve(draft=d, by=manager_user)
    head, paragraphs, footer = docx_parts(download(staff_client, d, "docx"))

    assert head.splitlines() == [CN_NAME, CN_ADDRESS, "联系方式：privacy@lumiunited.com"]
    # Reference and date (of the approval: the pinned clock's day) above the text, "draft" until sent.
    assert paragraphs[0].splitlines()[0] == f"编号：{incident.reference}"
    assert paragraphs[0].splitlines()[1].startswith("日期：") and paragraphs[0].endswith("草稿（尚未发出）")
    assert [p.strip() for p in paragraphs[1:-1]] == [line.lstrip("#").strip() for line in d.body.splitlines()]
    assert paragraphs[-1].splitlines() == [
        f"{CN_NAME}（盖章）", f"批准人：{manager_user.get_full_name()}", "签字：________________",
        paragraphs[0].splitlines()[1]]
    # Page numbers are fields the word processor fills in; Chinese text has a CJK font.
    assert "第 " in footer and " PAGE " in footer and " NUMPAGES " in footer
    normal = docx.Document(io.BytesIO(download(staff_client, d, "docx"))).styles["Normal"].element.xml
    assert 'w:eastAsia="SimSun"' in normal

    pages = pdf_pages(download(staff_client, d, "pdf"))
    assert all(CN_NAME in page and CN_ADDRESS in page for page in pages)  # the letterhead on every page
    assert [f"第 {n} 页，共 {len(pages)} 页" in page for n, page in enumerate(pages, 1)] == [True] * len(pages)
    assert f"编号：{incident.reference}" in pages[0]
    assert f"批准人：{manager_user.get_full_name()}" in pages[-1]


def test_an_english_report_to_an_eu_authority_goes_out_on_the_global_entitys_paper(
        incident, staff_client, staff_user, manager_user):
    d = sent(incident, "EU-SA", "en", staff_user, manager_user)
    head, paragraphs, _ = docx_parts(download(staff_client, d, "docx"))
    assert head.splitlines() == ["Aqara LLC", LLC_ADDRESS, "Contact: privacy@aqara.example"]
    # Sent on the pinned clock's day; no "draft" line any more.
    day = timezone.localdate(d.sent_at)
    assert paragraphs[0].splitlines() == [f"Reference: {incident.reference}", f"Date: {day.day} {day:%B %Y}"]
    assert paragraphs[-1].splitlines() == [
        "For and on behalf of Aqara LLC", f"Approved by: {manager_user.get_full_name()}", "Signature: ________________",
        f"Date: {day.day} {day:%B %Y}"]
    pages = pdf_pages(download(staff_client, d, "pdf"))
    assert "Aqara LLC" in pages[0] and f"Page 1 of {len(pages)}" in pages[0]
    assert CN_NAME not in "".join(pages)


def test_the_sent_version_is_what_is_downloaded_forever(incident, staff_client, staff_user, manager_user):
    d = sent(incident, "CN-CAC-INCIDENT", "zh-hans", staff_user, manager_user)
    frozen = SentDocument.objects.for_record(d).get()
    first_docx, first_pdf = download(staff_client, d, "docx"), download(staff_client, d, "pdf")
    assert (sha256(first_docx), sha256(first_pdf)) == (frozen.docx_sha256, frozen.pdf_sha256)
    assert frozen.frozen_by == staff_user and frozen.language == "zh-hans"

    # The entity moves and renames itself afterwards: the sent report still reads as it went out.
    Controller.objects.filter(code="lumi-united").update(name_zh="绿米新名称有限公司", address="新地址")
    assert download(staff_client, d, "docx") == first_docx
    assert download(staff_client, d, "pdf") == first_pdf
    assert docx_parts(first_docx)[0].splitlines()[0] == CN_NAME

    # A draft not sent yet shows the inventory as it is now.
    other = draft(incident, "CN-CAC-INCIDENT", "en", staff_user)
    assert docx_parts(download(staff_client, other, "docx"))[0].splitlines()[:2] == ["Lumi United Technology Co., Ltd.",
                                                                                     "新地址"]


def test_a_document_as_sent_is_never_changed_nor_deleted(incident, staff_user, manager_user):
    d = sent(incident, "EU-SA", "en", staff_user, manager_user)
    frozen = SentDocument.objects.for_record(d).get()
    frozen.pdf = b"%PDF forged"
    with pytest.raises(ValidationError):
        frozen.save()
    with pytest.raises(ValidationError):
        frozen.delete()
    with pytest.raises(ValidationError):
        SentDocument.objects.for_record(d).update(pdf=b"%PDF forged")
    with pytest.raises(ValidationError):
        SentDocument.objects.all().delete()
    assert sha256(bytes(SentDocument.objects.get().pdf)) == frozen.pdf_sha256


def test_an_english_document_carries_the_english_address_and_its_text_names_the_letterheads_entity(
        incident, staff_client, staff_user, manager_user):
    Controller.objects.filter(code="lumi-united").update(
        address_en="Building 1, Chongwen Park, Nanshan iPark, 3370 Liuxian Avenue, Shenzhen, China")
    d = draft(incident, "CN-CAC-INCIDENT", "en", staff_user)
    head, _paragraphs, _footer = docx_parts(download(staff_client, d, "docx"))
    assert head.splitlines()[:2] == ["Lumi United Technology Co., Ltd.",
                                     "Building 1, Chongwen Park, Nanshan iPark, 3370 Liuxian Avenue, Shenzhen, China"]
    assert CN_ADDRESS not in head
    assert "Lumi United Technology Co., Ltd. (Aqara)" in d.body  # the text speaks for the letterhead's entity
    # The EU report of the same incident goes out on the global entity's paper, and says so.
    eu = draft(incident, "EU-SA", "en", staff_user)
    assert head_of(staff_client, eu).splitlines()[0] == "Aqara LLC"
    assert "Aqara LLC" in eu.body and "Lumi United" not in eu.body
    zh = draft(incident, "CN-CAC-INCIDENT", "zh-hans", staff_user)
    assert head_of(staff_client, zh).splitlines()[1] == CN_ADDRESS  # the Chinese one keeps the Chinese address


def head_of(client, d) -> str:
    return docx_parts(download(client, d, "docx"))[0]
