"""Identity documents: private storage, viewed only by the case's assignee and managers, every
view logged, files deleted after the retention period with a record kept."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from conftest import make_user
from privacy_office.roles import STAFF
from requests_app import identity_checks, identity_documents, services
from requests_app.models import DocumentAccessLog, IdentityDocument, TimelineEntry

from .factories import at, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(staff_user):
    case = make_case(assignee=staff_user)
    return identity_documents.dsar_upload_identity_document(
        case=case, by=staff_user, file=ContentFile(b"%PDF-1.4 passport", name="passport.pdf"), now=at(2026, 3, 3),
    )


def viewer_url(document):
    return reverse("admin:requests_app_rightsrequest_document", args=[document.request_id, document.pk])


def test_document_is_stored_privately_without_a_url(document):
    assert storages["private"].exists(document.file.name)  # the test's temporary private folder
    assert "passport" not in document.request.requester_name
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 - private storage has no public URL


def test_assignee_views_the_document_and_the_view_is_logged(staff_client, staff_user, document):
    response = staff_client.get(viewer_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 passport"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    log = DocumentAccessLog.objects.get()
    assert (log.document, log.user) == (document, staff_user)
    staff_client.get(viewer_url(document))
    assert DocumentAccessLog.objects.count() == 2


def test_manager_views_any_case_document(manager_client, manager_user, document):
    response = manager_client.get(viewer_url(document))
    assert response.status_code == 200
    assert DocumentAccessLog.objects.filter(user=manager_user).count() == 1


def test_other_staff_member_is_refused_and_nothing_is_logged(client, document):
    colleague = make_user("colleague", STAFF)
    client.force_login(colleague)
    response = client.get(viewer_url(document))
    assert response.status_code == 403
    assert not DocumentAccessLog.objects.exists()


def test_auditor_is_refused(auditor_client, document):
    assert auditor_client.get(viewer_url(document)).status_code == 403
    assert not DocumentAccessLog.objects.exists()


def test_anonymous_is_sent_to_the_login_page(client, document):
    response = client.get(viewer_url(document))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert not DocumentAccessLog.objects.exists()


def test_expired_documents_are_deleted_and_the_record_kept(settings, staff_user):
    settings.IDENTITY_DOCUMENT_RETENTION_DAYS = 30
    verified = make_case(assignee=staff_user)
    identity_checks.dsar_record_identity_check(case=verified, by=staff_user, method="session_reauth",
                                        decided_at=at(2026, 3, 3), now=at(2026, 3, 3))
    old = identity_documents.dsar_upload_identity_document(case=verified, by=staff_user, now=at(2026, 3, 3),
                                                 file=ContentFile(b"%PDF-1.4 id", name="id.pdf"))
    waiting = make_case(assignee=staff_user, requester_email="b@example.com")
    kept = identity_documents.dsar_upload_identity_document(case=waiting, by=staff_user, now=at(2026, 3, 3),
                                                  file=ContentFile(b"%PDF-1.4 id2", name="id2.pdf"))
    storage, name = old.file.storage, old.file.name

    assert identity_documents.identity_documents_delete_expired(now=at(2026, 3, 30)) == 0  # 27 days: too early
    assert identity_documents.identity_documents_delete_expired(now=at(2026, 4, 5)) == 1

    old.refresh_from_db()
    assert old.deleted_at == at(2026, 4, 5)
    assert not old.file
    assert not storage.exists(name)
    assert old.original_name == "id.pdf"  # the record that it existed stays
    assert old.history.filter(deleted_at__isnull=False).exists()
    assert verified.timeline.filter(kind=TimelineEntry.Kind.DOCUMENT, message__contains="deleted").exists()
    kept.refresh_from_db()
    assert kept.deleted_at is None and kept.file
    # Running again deletes nothing twice.
    assert identity_documents.identity_documents_delete_expired(now=at(2026, 4, 6)) == 0


def test_closed_case_documents_expire_after_closure(settings, staff_user):
    settings.IDENTITY_DOCUMENT_RETENTION_DAYS = 10
    case = make_case(assignee=staff_user)
    doc = identity_documents.dsar_upload_identity_document(case=case, by=staff_user, now=at(2026, 3, 3),
                                                 file=ContentFile(b"%PDF-1.4 id", name="id.pdf"))
    services.dsar_withdraw(case=case, by=staff_user, now=at(2026, 3, 4))
    assert identity_documents.identity_documents_delete_expired(now=at(2026, 3, 4) + timedelta(days=11)) == 1
    assert IdentityDocument.objects.get(pk=doc.pk).deleted_at is not None


def test_deleted_document_cannot_be_viewed(staff_client, document):
    identity_documents.identity_documents_delete_expired(now=at(2027, 1, 1))
    document.refresh_from_db()
    # Not verified or closed: nothing deleted yet.
    assert document.deleted_at is None
    services.dsar_withdraw(case=document.request, by=None, now=at(2026, 3, 4))
    identity_documents.identity_documents_delete_expired(now=at(2027, 1, 1))
    response = staff_client.get(viewer_url(document))
    assert response.status_code == 302
    assert not DocumentAccessLog.objects.exists()


def test_celery_task_calls_the_service(settings, staff_user, document):
    from requests_app.tasks import delete_expired_identity_documents

    services.dsar_withdraw(case=document.request, by=staff_user, now=at(2026, 3, 4))
    assert delete_expired_identity_documents.apply().get() == 1


def test_upload_through_the_case_page_then_view(staff_client, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case(assignee=staff_user)
    url = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "upload_document"])
    response = staff_client.post(url, {"file": SimpleUploadedFile("licence.pdf", b"%PDF id", "application/pdf"),
                                       "_loaded_version": case.version})
    assert response.status_code == 302
    document = case.identity_documents.get()
    assert document.uploaded_by == staff_user and document.original_name == "licence.pdf"
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert viewer_url(document) in page
    assert document.file.name not in page  # the storage path is never shown
    assert b"".join(staff_client.get(viewer_url(document)).streaming_content) == b"%PDF id"
