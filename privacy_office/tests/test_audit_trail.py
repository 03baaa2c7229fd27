"""Every admin change is kept with its user, reason and field diff; the audit log reads across models."""

import csv
import io

import pytest
from django.urls import reverse

from privacy_office.models import AuditLogEntry, AuditReview

pytestmark = pytest.mark.django_db


def add_review(client, **data):
    payload = {"period_start": "2026-11-01", "period_end": "2026-11-07", "remark": "weekly", "_save": "Save"}
    payload.update(data)
    return client.post(reverse("admin:privacy_office_auditreview_add"), payload)


def test_admin_add_records_user_and_reason_and_a_recorded_review_is_never_edited(manager_client, manager_user):
    assert add_review(manager_client, _change_reason="weekly review").status_code == 302
    review = AuditReview.objects.get()
    latest = review.history.first()
    assert latest.history_user == manager_user
    assert latest.history_change_reason == "weekly review"
    url = reverse("admin:privacy_office_auditreview_change", args=[review.pk])
    page = manager_client.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content  # read-only, for managers too
    response = manager_client.post(url, {
        "period_start": "2026-11-01", "period_end": "2026-11-30", "remark": "widened",
        "_loaded_version": review.version, "_change_reason": "period was short", "_save": "Save",
    })
    assert response.status_code == 403
    review.refresh_from_db()
    assert (str(review.period_end), review.remark, review.history.count()) == ("2026-11-07", "weekly", 1)
    assert not AuditLogEntry.objects.filter(action="~").exists()


def test_revert_is_refused_even_when_forged(manager_client):
    add_review(manager_client)
    review = AuditReview.objects.get()
    first = review.history.last()
    url = reverse("admin:privacy_office_auditreview_simple_history", args=[review.pk, first.history_id])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"period_start": "2020-01-01", "period_end": "2020-01-02", "remark": "x"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert str(review.period_start) == "2026-11-01"


def test_audit_log_filters_by_user_model_and_dates(manager_client, manager_user, auditor_user):
    from django.contrib.auth.models import Group

    add_review(manager_client, remark="by manager")
    url = reverse("admin:privacy_office_auditlogentry_changelist")
    page = manager_client.get(url, {"user": manager_user.pk})
    assert "by manager" not in page.content.decode()  # the remark is not a repr
    assert page.context["cl"].result_count == 1
    assert manager_client.get(url, {"user": auditor_user.pk}).context["cl"].result_count == 0
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(AuditReview)
    assert manager_client.get(url, {"content_type": ct.pk}).context["cl"].result_count == 1
    assert manager_client.get(url, {"from": "2000-01-01", "to": "2000-01-31"}).context["cl"].result_count == 0
    assert Group.objects.count() == 3
    # A manager can attest the filtered period straight from the log.
    page = manager_client.get(url, {"from": "2026-11-01", "to": "2026-11-07"}).content.decode()
    assert "Record a review of this period" in page
    assert "from=2026-11-01&amp;to=2026-11-07" in page


def test_audit_log_exports_csv_with_the_entries(manager_client):
    add_review(manager_client)
    add_review(manager_client, period_start="2026-11-08", period_end="2026-11-14")
    url = reverse("admin:privacy_office_auditlogentry_export")
    form = manager_client.get(url).context["form"]
    fields = {name: "on" for name in form.fields if name.startswith("auditlogentryresource_")}
    response = manager_client.post(url, {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert {row["action"].lstrip("'") for row in rows} == {"+"}  # a leading sign is quoted (inert cells)


def test_attestation_of_a_review_has_its_own_history(manager_client, manager_user):
    response = manager_client.get(reverse("admin:privacy_office_auditreview_add"), {"from": "2026-11-01", "to": "2026-11-07"})
    assert response.context["adminform"].form.initial["period_start"] == "2026-11-01"
    add_review(manager_client, remark="Reviewed all changes by staff")
    review = AuditReview.objects.get()
    assert review.reviewed_by == manager_user
    assert review.history.count() == 1


def test_review_period_must_be_ordered(manager_client):
    response = add_review(manager_client, period_start="2026-11-08", period_end="2026-11-01")
    assert response.status_code == 200
    assert AuditReview.objects.count() == 0
    assert "The period must end on or after its start." in response.content.decode()


def test_reasons_written_by_the_system_read_in_the_readers_language(manager_client, manager_user):
    add_review(manager_client)  # no reason typed: the service records its own
    entry = AuditLogEntry.objects.get()
    assert entry.reason == "audit review recorded"  # stored once, in English
    url = reverse("admin:privacy_office_auditlogentry_changelist")
    assert "audit review recorded" in manager_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    manager_client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert "已记录审计复核" in manager_client.get(url).content.decode()
