"""The audit log and reminder log cost the same number of queries for 5 rows as for 50."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy_office.models import AuditReview, Reminder

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    client.get(url)  # warm: the session refresh and the permission cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_reviews(manager_user, n):
    for i in range(n):
        review = AuditReview.objects.create(period_start="2026-11-01", period_end="2026-11-07", reviewed_by=manager_user)
        review.remark = f"edited {i}"
        review.save()


def add_reminders(manager_user, start, n):
    ct = ContentType.objects.get_for_model(AuditReview)
    Reminder.objects.bulk_create(
        Reminder(content_type=ct, object_id=i, kind="dsar_due_today", threshold="x", recipient=manager_user,
                 due_at=datetime(2026, 11, 1, tzinfo=dt_timezone.utc))
        for i in range(start, start + n)
    )


def test_audit_log_queries_do_not_grow_with_rows(manager_client, manager_user):
    add_reviews(manager_user, 3)  # 6 entries
    few = count_queries(manager_client, "/admin/privacy_office/auditlogentry/")
    add_reviews(manager_user, 22)  # 50 entries
    assert count_queries(manager_client, "/admin/privacy_office/auditlogentry/") == few <= 5


def test_reminder_log_queries_do_not_grow_with_rows(manager_client, manager_user):
    add_reminders(manager_user, 1, 5)
    few = count_queries(manager_client, "/admin/privacy_office/reminder/")
    add_reminders(manager_user, 6, 45)
    assert count_queries(manager_client, "/admin/privacy_office/reminder/") == few <= 5
