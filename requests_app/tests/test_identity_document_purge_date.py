"""Each identity document stores when its retention starts (closure, or the office day after
verification, whichever is earlier); the hourly purge reads by it and deletes exactly the
documents past IDENTITY_DOCUMENT_RETENTION_DAYS, at the minute, and never one of an open,
unverified or re-opened case. The migration fills it for documents that already exist."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

from requests_app import identity_checks, identity_documents, services
from requests_app.models import IdentityDocument

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def upload(case, by, when):
    return identity_documents.dsar_upload_identity_document(case=case, by=by, now=when,
                                                            file=ContentFile(b"%PDF-1.4 id", name="id.pdf"))


def live_ids():
    return set(IdentityDocument.objects.filter(deleted_at__isnull=True).values_list("pk", flat=True))


@pytest.fixture
def documents(settings, staff_user, manager_user):
    settings.IDENTITY_DOCUMENT_RETENTION_DAYS = 30
    # Verified: identity decided Tue 2026-03-03 10:00 UTC (Berlin 11:00, so verified_on 2026-03-03);
    # retention counts from the next office day, Wed 2026-03-04 00:00 Shanghai = 03-03 16:00 UTC;
    # + 30 days -> Thu 2026-04-02 16:00 UTC.
    verified = make_case(assignee=staff_user)
    doc_verified = upload(verified, staff_user, at(2026, 3, 3, 9))
    identity_checks.dsar_record_identity_check(case=verified, by=staff_user, method="session_reauth",
                                               decided_at=at(2026, 3, 3), now=at(2026, 3, 3))
    # Withdrawn Wed 2026-03-11 10:00 UTC, never verified: + 30 days -> Fri 2026-04-10 10:00 UTC.
    withdrawn = make_case(assignee=staff_user, requester_email="w@example.com")
    doc_withdrawn = upload(withdrawn, staff_user, at(2026, 3, 3))
    services.dsar_withdraw(case=withdrawn, by=staff_user, now=at(2026, 3, 11))
    # Open and unverified: never due.
    waiting = make_case(assignee=staff_user, requester_email="o@example.com")
    doc_waiting = upload(waiting, staff_user, at(2026, 3, 3))
    # Withdrawn on 03-04, then re-opened on 03-05: its retention no longer runs.
    reopened = make_case(assignee=staff_user, requester_email="r@example.com")
    doc_reopened = upload(reopened, staff_user, at(2026, 3, 3))
    services.dsar_withdraw(case=reopened, by=staff_user, now=at(2026, 3, 4))
    services.dsar_reopen(case=reopened, by=manager_user, reason="withdrawn by mistake", now=at(2026, 3, 5))
    return doc_verified, doc_withdrawn, doc_waiting, doc_reopened


def test_the_purge_deletes_exactly_the_due_documents(documents):
    doc_verified, doc_withdrawn, doc_waiting, doc_reopened = documents
    purge = identity_documents.identity_documents_delete_expired
    assert purge(now=at(2026, 4, 2, 15, 59)) == 0
    assert purge(now=at(2026, 4, 2, 16, 0)) == 1
    assert live_ids() == {doc_withdrawn.pk, doc_waiting.pk, doc_reopened.pk}
    assert purge(now=at(2026, 4, 10, 9, 59)) == 0
    assert purge(now=at(2026, 4, 10, 10, 0)) == 1
    assert live_ids() == {doc_waiting.pk, doc_reopened.pk}
    assert purge(now=at(2027, 4, 10)) == 0


def test_a_document_uploaded_after_verification_gets_its_date_at_once(staff_user, documents):
    doc_verified = documents[0]
    later = upload(doc_verified.request, staff_user, at(2026, 3, 20))
    assert later.retention_starts_at == at(2026, 3, 3, 16, 0)


def test_the_migration_fills_the_date_of_existing_documents(documents):
    expected = dict(IdentityDocument.objects.values_list("pk", "retention_starts_at"))
    assert expected[documents[1].pk] == at(2026, 3, 11) and expected[documents[2].pk] is None
    IdentityDocument.objects.update(retention_starts_at=None)
    migration = import_module("requests_app.migrations.0012_identity_document_retention_start")
    migration.fill(apps, None)
    assert dict(IdentityDocument.objects.values_list("pk", "retention_starts_at")) == expected
