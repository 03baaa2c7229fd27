"""The reminder log names each kind of reminder in the reader's language, from one registry."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from privacy_office.models import AuditReview, Reminder, ReminderKind, StaffProfile
from privacy_office.reminders import CONTEXT_BUILDERS, sweeps


def test_every_kind_sent_or_worded_has_a_name():
    sweeps()  # loads every app's reminders module, which registers its kinds
    worded = {path.name.split(".")[0] for path in (Path(settings.BASE_DIR) / "templates" / "reminders").glob("*.txt")}
    assert set(CONTEXT_BUILDERS) | worded == set(ReminderKind.values)


def test_reminder_log_shows_the_kind_by_name_in_chinese(manager_client, manager_user):
    StaffProfile.objects.update_or_create(user=manager_user, defaults={"language": "zh-hans"})
    manager_client.force_login(manager_user)  # the session takes the language at sign-in
    Reminder.objects.create(
        content_type=ContentType.objects.get_for_model(AuditReview), object_id=1, kind="dsar_due_today",
        threshold="x", recipient=manager_user, due_at=timezone.now() - timedelta(hours=1),
    )
    page = manager_client.get("/admin/privacy_office/reminder/").content.decode()
    assert '<td class="field-kind_label">案件：今日到期</td>' in page
    filtered = manager_client.get("/admin/privacy_office/reminder/?kind=dsar_overdue").content.decode()
    assert "field-kind_label" not in filtered  # the filter by name selects by code
