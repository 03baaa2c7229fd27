"""Identity documents: a size limit and an allow-list of types recognised by content, refused on
the form in the user's language; every download is an attachment, typed as recognised, nosniff."""

import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app import identity_documents
from requests_app.models import IdentityDocument

from .factories import at, make_case

pytestmark = pytest.mark.django_db

# A Windows program starts with "MZ" whatever it is called.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    """A real 1×1 grey PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")


def upload_url(case):
    return reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "upload_document"])


def viewer_url(document):
    return reverse("admin:requests_app_rightsrequest_document", args=[document.request_id, document.pk])


def upload(client, case, name, content, content_type="application/pdf", **headers):
    return client.post(
        upload_url(case), {"file": SimpleUploadedFile(name, content, content_type), "_loaded_version": case.version},
        **headers,
    )


def stored_files():
    storage = storages["private"]
    try:
        _dirs, files = storage.listdir("identity")
    except FileNotFoundError:
        return []
    return files


def test_an_exe_renamed_pdf_is_refused_on_the_form(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    response = upload(staff_client, case, "passport.pdf", EXE)
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["form"].errors["file"]
    assert "not an allowed identity document" in errors[0] and "PDF, JPEG, PNG, HEIC, WebP" in errors[0]
    assert "not an allowed identity document" in response.content.decode()
    assert not case.identity_documents.exists()
    assert not case.timeline.filter(message__contains="Identity document uploaded").exists()


def test_the_refusal_is_in_chinese_for_a_chinese_reader(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    response = upload(staff_client, case, "passport.pdf", EXE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "不是允许的身份证明文件" in response.context["form"].errors["file"][0]
    assert not case.identity_documents.exists()


def test_html_sent_as_an_image_is_refused(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    response = upload(staff_client, case, "photo.png", b"<html><script>alert(1)</script></html>", "image/png")
    assert "file" in response.context["form"].errors
    assert not case.identity_documents.exists()


@pytest.mark.parametrize(
    ("name", "content", "recognised"),
    [
        ("passport.pdf", PDF, "application/pdf"),
        ("id-card.png", png(), "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9", "image/jpeg"),
        ("phone.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16, "image/heic"),
        ("scan.webp", b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00" + b"\x00" * 14, "image/webp"),
    ],
)
def test_allowed_types_are_accepted_and_stored_with_the_recognised_type(staff_client, staff_user, name, content, recognised):
    case = make_case(assignee=staff_user)
    # The browser's claim is ignored either way.
    response = upload(staff_client, case, name, content, "application/octet-stream")
    assert response.status_code == 302
    document = case.identity_documents.get()
    assert document.content_type == recognised
    assert document.size == len(content)
    assert storages["private"].exists(document.file.name)


def test_a_png_named_pdf_is_kept_and_served_as_the_png_it_is(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    assert upload(staff_client, case, "passport.pdf", png(), "application/pdf").status_code == 302
    document = case.identity_documents.get()
    assert document.content_type == "image/png"
    response = staff_client.get(viewer_url(document))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="passport.png"'


def test_an_over_limit_file_is_refused_and_nothing_is_stored(settings, staff_client, staff_user):
    settings.IDENTITY_DOCUMENT_MAX_BYTES = 1000
    case = make_case(assignee=staff_user)
    response = upload(staff_client, case, "passport.pdf", PDF + b"%" * 1500)
    assert response.status_code == 200
    error = response.context["form"].errors["file"][0]
    assert "at most 1000" in error and "bytes" in error
    assert not case.identity_documents.exists()
    assert stored_files() == []
    # Just under the limit is fine.
    assert upload(staff_client, case, "passport.pdf", PDF + b"%" * 800).status_code == 302
    assert case.identity_documents.count() == 1


def test_the_service_refuses_what_the_form_would(settings, staff_user):
    # Other callers (the demo, scripts) go through the same rule.
    from django.core.exceptions import ValidationError

    case = make_case(assignee=staff_user)
    with pytest.raises(ValidationError):
        identity_documents.dsar_upload_identity_document(case=case, by=staff_user, file=ContentFile(EXE, name="id.pdf"))
    with pytest.raises(ValidationError):
        identity_documents.dsar_upload_identity_document(case=case, by=staff_user, file=ContentFile(b"", name="id.pdf"))
    assert not IdentityDocument.objects.exists()


def test_download_is_an_attachment_with_nosniff_and_the_recognised_type(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    document = identity_documents.dsar_upload_identity_document(
        case=case, by=staff_user, file=ContentFile(PDF, name="licence.pdf"), now=at(2026, 3, 3),
    )
    response = staff_client.get(viewer_url(document))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="licence.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_hostile_file_name_becomes_a_safe_download_name(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    document = identity_documents.dsar_upload_identity_document(
        case=case, by=staff_user, file=ContentFile(PDF, name='x.pdf'), now=at(2026, 3, 3),
    )
    IdentityDocument.objects.filter(pk=document.pk).update(original_name='../..\\evil"\x1b;name=.html')
    response = staff_client.get(viewer_url(document))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert disposition == 'attachment; filename="evil_name.pdf"'


def test_a_document_stored_before_the_check_is_served_as_plain_bytes(staff_client, staff_user):
    # Its type was the browser's claim; it is never served as HTML.
    case = make_case(assignee=staff_user)
    document = identity_documents.dsar_upload_identity_document(
        case=case, by=staff_user, file=ContentFile(PDF, name="old.pdf"), now=at(2026, 3, 3),
    )
    IdentityDocument.objects.filter(pk=document.pk).update(original_name="page.html", content_type="text/html")
    response = staff_client.get(viewer_url(document))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.bin"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_upload_form_names_the_types_and_the_limit(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    page = staff_client.get(upload_url(case)).content.decode()
    assert "PDF, JPEG, PNG, HEIC, WebP, at most 20.0" in page
