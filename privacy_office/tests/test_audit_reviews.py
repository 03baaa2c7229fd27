"""Audit reviews are attestations: recorded once with the period, the filters, the count and a digest
of the entries they covered; never edited or deleted; a correction supersedes. The Auditor exports
the audit log and the reviews and still changes nothing."""

import csv
import hashlib
import io
import json
from datetime import date, timedelta, timezone as dt_timezone

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from privacy_office.audit_reviews import audit_review_record
from privacy_office.models import AuditLogEntry, AuditReview
from requests_app.models import RightsRequest
from requests_app.tests.factories import make_case

pytestmark = pytest.mark.django_db

ADD = reverse("admin:privacy_office_auditreview_add")
AUDIT_LOG = reverse("admin:privacy_office_auditlogentry_changelist")


def today() -> date:
    """The office's date on the pinned clock (CI pins it to hard days): reviews cover past days only."""
    return timezone.localdate()


def expected_digest(entries):
    """The digest as audit_reviews documents it, recomputed independently."""
    digest = hashlib.sha256()
    for entry in entries.order_by("id"):
        changes = json.dumps(entry.changes, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest.update(f"{entry.id}\t{entry.at.astimezone(dt_timezone.utc).isoformat()}\t{changes}\n".encode())
    return digest.hexdigest()


def export(client, url_name, prefix):
    url = reverse(url_name)
    page = client.get(url)
    assert page.status_code == 200
    fields = {name: "on" for name in page.context["form"].fields if name.startswith(prefix)}
    response = client.post(url, {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_review_is_built_from_the_audit_logs_filters_with_count_and_digest(staff_user, manager_client, manager_user):
    make_case(by=staff_user, jurisdiction="EU")  # today's entries by staff
    make_case(by=manager_user, jurisdiction="EU", requester_name="Other")
    case_type = ContentType.objects.get_for_model(RightsRequest)
    day = today().isoformat()
    filters = {"from": day, "to": day, "user": staff_user.pk, "content_type": case_type.pk}
    log = manager_client.get(AUDIT_LOG, filters).content.decode()
    assert f"{ADD}?from={day}&amp;to={day}&amp;user={staff_user.pk}&amp;content_type={case_type.pk}" in log

    page = manager_client.get(ADD, filters)
    initial = page.context["adminform"].form.initial
    assert (initial["period_start"], initial["filter_user"], initial["filter_record_type"]) == (
        day, str(staff_user.pk), str(case_type.pk))
    response = manager_client.post(ADD, {"period_start": day, "period_end": day,
                                         "filter_user": staff_user.pk, "filter_record_type": case_type.pk,
                                         "filter_action": "", "remark": "nothing irregular", "_save": "Save"})
    assert response.status_code == 302
    review = AuditReview.objects.get()
    covered = AuditLogEntry.objects.filter(user=staff_user, content_type=case_type)
    assert covered.count() >= 1 and AuditLogEntry.objects.exclude(user=staff_user).exists()
    assert (review.reviewed_by, review.filter_user, review.filter_record_type) == (manager_user, staff_user, case_type)
    assert review.entry_count == covered.count()
    assert review.digest == expected_digest(covered)

    detail = manager_client.get(reverse("admin:privacy_office_auditreview_change", args=[review.pk]),
                                HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "changes by: staff; record type: rights request" in detail
    assert review.digest in detail and "the audit log still holds exactly these entries" in detail


def test_a_recorded_review_cannot_be_edited_or_deleted_a_correction_supersedes_it(manager_client, manager_user):
    review = audit_review_record(by=manager_user, period_start=date(2026, 11, 1), period_end=date(2026, 11, 7),
                                 remark="weekly")
    change = reverse("admin:privacy_office_auditreview_change", args=[review.pk])
    assert manager_client.post(change, {"period_start": "2026-11-01", "period_end": "2026-11-30",
                                        "remark": "widened", "_save": "Save"}).status_code == 403
    assert manager_client.post(reverse("admin:privacy_office_auditreview_delete", args=[review.pk]),
                               {"post": "yes"}).status_code == 403
    review.refresh_from_db()
    assert (review.period_end, review.remark) == (date(2026, 11, 7), "weekly")

    # The correction: the detail page offers it with the period and filters filled in.
    page = manager_client.get(change, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"supersedes={review.pk}" in page
    response = manager_client.post(ADD, {"period_start": "2026-11-01", "period_end": "2026-11-08", "supersedes": review.pk,
                                         "remark": "the 8th belonged to the week", "_save": "Save"})
    assert response.status_code == 302
    correction = AuditReview.objects.exclude(pk=review.pk).get()
    assert correction.supersedes == review
    review.refresh_from_db()
    assert review.period_end == date(2026, 11, 7) and review.history.count() == 1
    assert f"/{correction.pk}/change/" in manager_client.get(change).content.decode()  # "corrected by"
    # Corrected once: a second correction of the same review is refused (correct the correction).
    again = manager_client.post(ADD, {"period_start": "2026-11-01", "period_end": "2026-11-09",
                                      "supersedes": review.pk, "_save": "Save"})
    assert again.status_code == 200 and AuditReview.objects.count() == 2


def test_a_period_not_over_yet_is_refused(manager_client):
    response = manager_client.post(ADD, {"period_start": today().isoformat(),
                                         "period_end": (today() + timedelta(days=1)).isoformat(), "_save": "Save"})
    assert response.status_code == 200
    assert "The period cannot end after today" in response.content.decode()
    assert not AuditReview.objects.exists()


def test_a_digest_that_no_longer_matches_is_shown(manager_client, manager_user, staff_user):
    make_case(by=staff_user, jurisdiction="EU")
    review = audit_review_record(by=manager_user, period_start=today(), period_end=today())
    entry = AuditLogEntry.objects.filter(user=staff_user).first()
    AuditLogEntry.objects.filter(pk=entry.pk).update(changes=[{"field": "status", "old": "x", "new": "y"}])
    page = manager_client.get(reverse("admin:privacy_office_auditreview_change", args=[review.pk]),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "with another digest (changed since the review)" in page


def test_a_review_recorded_before_digests_says_so(manager_client, manager_user):
    review = AuditReview.objects.create(period_start="2026-11-01", period_end="2026-11-07", reviewed_by=manager_user,
                                        scope="from=2026-11-01&to=2026-11-07&action=~")
    page = manager_client.get(reverse("admin:privacy_office_auditreview_change", args=[review.pk]),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "recorded before counts and digests were kept" in page
    assert "from=2026-11-01&amp;to=2026-11-07&amp;action=~" in page  # the filters as they were kept


def test_the_auditor_exports_the_audit_log_and_the_reviews_and_changes_nothing(
        auditor_client, staff_client, manager_user, staff_user):
    make_case(by=staff_user, jurisdiction="EU")
    review = audit_review_record(by=manager_user, period_start=today(), period_end=today(),
                                 user=staff_user, remark="weekly")
    log_rows = export(auditor_client, "admin:privacy_office_auditlogentry_export", "auditlogentryresource_")
    assert len(log_rows) == AuditLogEntry.objects.count()
    review_rows = export(auditor_client, "admin:privacy_office_auditreview_export", "auditreviewresource_")
    assert [(row["digest"], row["filters"], row["reviewed by"]) for row in review_rows] == [
        (review.digest, "changes by: staff", "manager")]
    # Staff export neither.
    assert staff_client.get(reverse("admin:privacy_office_auditlogentry_export")).status_code == 403
    assert staff_client.get(reverse("admin:privacy_office_auditreview_export")).status_code == 403
    # The Auditor records, changes and deletes nothing.
    assert auditor_client.get(ADD).status_code == 403
    assert auditor_client.post(ADD, {"period_start": "2026-11-01", "period_end": "2026-11-07"}).status_code == 403
    change = reverse("admin:privacy_office_auditreview_change", args=[review.pk])
    assert auditor_client.post(change, {"period_start": "2026-11-01", "period_end": "2026-11-30"}).status_code == 403
    assert auditor_client.post(reverse("admin:privacy_office_auditreview_delete", args=[review.pk]),
                               {"post": "yes"}).status_code == 403
    assert "supersedes=" not in auditor_client.get(change).content.decode()  # no correction offered
    assert AuditReview.objects.count() == 1
