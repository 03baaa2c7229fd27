"""A letter to a requester downloads as a signed document (.docx and PDF): the letterhead of the
controller entity that serves the requester, the case reference, the date, the subject, who sent
it and a signature block. Once sent, the documents as sent are what downloads serve, until the
case's personal data is erased after the retention period."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pypdfium2
import pytest
from django.urls import reverse

from inventory_app.models import Controller, Service
from privacy_office.documents import sha256
from privacy_office.models import SentDocument
from requests_app import erasure, letters, services

from .factories import at, make_case

pytestmark = pytest.mark.django_db

CN_NAME = "深圳绿米联创科技有限公司"
CN_ADDRESS = "深圳市南山区留仙大道 3370 号南山智园崇文园区 1 号楼"


@pytest.fixture
def services_of_both_entities(db):
    cn = Controller.objects.create(code="lumi-united", name_zh=CN_NAME, name_en="Lumi United Technology Co., Ltd.",
                                   address=CN_ADDRESS, dpo_email="privacy@lumiunited.com")
    llc = Controller.objects.create(code="aqara-llc", name_zh="Aqara LLC", name_en="Aqara LLC",
                                    address="Suite 218, 33 West 60th Street, New York 10023, USA",
                                    contact="contact@aqara.example")
    return [Service.objects.create(code="aqara-home-cn", name_zh="Aqara Home", region="中国大陆", controller=cn),
            Service.objects.create(code="aqara-home-global", name_zh="Aqara Home（全球）", region="Global",
                                   controller=llc)]


def download(client, draft, file_format, status=200):
    response = client.get(reverse(f"admin:requests_app_responsedraft_{file_format}", args=[draft.pk]))
    assert response.status_code == status
    return response


def test_a_chinese_acknowledgement_is_signed_by_the_chinese_entity(services_of_both_entities, staff_client,
                                                                    staff_user):
    # Received Monday 2 March 2026, 10:00 UTC (18:00 in Shenzhen).
    case = make_case(by=staff_user, jurisdiction="CN", received_at=at(2026, 3, 2))
    case.services.set(services_of_both_entities)
    draft = letters.draft_generate(case=case, kind="acknowledgement", language="zh-hans", by=staff_user,
                                   now=at(2026, 3, 2, 11))
    draft = letters.draft_mark_sent(draft=draft, by=staff_user, now=at(2026, 3, 3, 2))  # 10:00 on 3 March in Shenzhen

    response = download(staff_client, draft, "docx")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-acknowledgement-{draft.pk}-zh-hans.docx"')
    document = docx.Document(io.BytesIO(response.content))
    assert [p.text for p in document.sections[0].header.paragraphs][0].splitlines() == [
        CN_NAME, CN_ADDRESS, "联系方式：privacy@lumiunited.com"]
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0].splitlines() == [f"编号：{case.reference}", "日期：2026年3月3日"]
    assert paragraphs[1] == draft.sent_subject
    assert paragraphs[-1].splitlines() == [
        f"{CN_NAME}（盖章）", f"批准人：{staff_user.get_full_name() or staff_user.username}", "签字：________________",
        "日期：2026年3月3日"]

    pdf = download(staff_client, draft, "pdf").content
    frozen = SentDocument.objects.for_record(draft).get()
    assert (sha256(response.content), sha256(pdf)) == (frozen.docx_sha256, frozen.pdf_sha256)
    document = pypdfium2.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert CN_NAME in text and f"编号：{case.reference}" in text and "第 1 页" in text


def test_an_english_letter_to_an_eu_requester_is_signed_by_the_global_entity(services_of_both_entities,
                                                                              staff_client, staff_user):
    case = make_case(by=staff_user, jurisdiction="EU", received_at=at(2026, 3, 2))
    case.services.set(services_of_both_entities)
    draft = letters.draft_generate(case=case, kind="acknowledgement", language="en", by=staff_user,
                                   now=at(2026, 3, 2, 11))
    document = docx.Document(io.BytesIO(download(staff_client, draft, "docx").content))
    assert document.sections[0].header.paragraphs[0].text.splitlines() == [
        "Aqara LLC", "Suite 218, 33 West 60th Street, New York 10023, USA", "Contact: contact@aqara.example"]
    # Not sent yet: the copy says so, and no one has signed for it.
    assert document.paragraphs[0].text.splitlines()[-1] == "Draft, not sent"
    assert "Approved by: ________________" in document.paragraphs[-1].text


def test_the_documents_as_sent_go_when_the_case_is_erased_after_retention(services_of_both_entities, staff_client,
                                                                         staff_user, manager_user):
    case = make_case(by=staff_user, jurisdiction="EU", received_at=at(2022, 3, 2))
    case.services.set(services_of_both_entities)
    draft = letters.draft_generate(case=case, kind="acknowledgement", language="en", by=staff_user,
                                   now=at(2022, 3, 2, 11))
    draft = letters.draft_mark_sent(draft=draft, by=staff_user, now=at(2022, 3, 2, 12))
    hashes = SentDocument.objects.for_record(draft).values_list("docx_sha256", "pdf_sha256").get()
    services.dsar_withdraw(case=case, by=staff_user, note="withdrawn", now=at(2022, 3, 10))
    case.refresh_from_db()
    erasure.dsar_erase_personal_data(case=case, by=manager_user, reason="retention period ended",
                                     now=at(2022, 3, 10) + timedelta(days=1100))

    frozen = SentDocument.objects.for_record(draft).get()
    assert (bytes(frozen.docx), bytes(frozen.pdf)) == (b"", b"")
    assert (frozen.docx_sha256, frozen.pdf_sha256) == hashes  # proof of what was sent, without the letter
    assert frozen.erased_at == at(2022, 3, 10) + timedelta(days=1100)
    response = download(staff_client, draft, "pdf", status=410)
    assert "erased after the retention period" in response.content.decode()
