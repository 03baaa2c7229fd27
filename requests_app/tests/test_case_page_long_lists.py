"""A case with hundreds of reminders, timeline entries and tasks opens with the same number of
queries as a case with three: every inline reads its rows (and what they show) in one query, shows
at most ``shown_max`` of them (20; 10 editable tasks), and links to the whole list."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy_office.models import Reminder
from requests_app.models import Task, TimelineEntry

from .factories import make_case

pytestmark = pytest.mark.django_db


def page(client, case):
    url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def add_rows(case, n, *, start=0):
    """``n`` reminders (each to a different recipient, as a manager escalation list would be),
    timeline entries and tasks on ``case``."""
    now = timezone.now()
    ct = ContentType.objects.get_for_model(case)
    User = get_user_model()
    recipients = User.objects.bulk_create(User(username=f"recipient{start + i}", is_staff=True) for i in range(n))
    Reminder.objects.bulk_create(
        Reminder(content_type=ct, object_id=case.pk, kind="case_overdue", threshold=f"d{start + i}",
                 recipient=user, due_at=now - timedelta(days=start + i), status=Reminder.Status.SENT, sent_at=now)
        for i, user in enumerate(recipients))
    TimelineEntry.objects.bulk_create(
        TimelineEntry(request=case, kind=TimelineEntry.Kind.TASK, message="note", params={}, note=f"entry {start + i}",
                      by=recipients[i], at=now - timedelta(minutes=start + i))
        for i in range(n))
    Task.objects.bulk_create(Task(request=case, title=f"task {start + i}", owner=recipients[i]) for i in range(n))


def test_case_page_queries_do_not_grow_with_reminders_timeline_and_tasks(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    add_rows(case, 3)
    page(staff_client, case)  # warms the per-minute caches (choices, content types)
    _response, few = page(staff_client, case)
    add_rows(case, 297, start=3)
    response, many = page(staff_client, case)
    assert many == few
    # The page shows the latest rows and says there are more, with a link to the filtered lists.
    html = response.content.decode()
    assert "recipient0<" in html  # the newest reminder (due today) is on the page
    assert "recipient299<" not in html
    ct = ContentType.objects.get_for_model(case)
    assert f"{reverse('admin:privacy_office_reminder_changelist')}?content_type={ct.pk}&amp;object_id={case.pk}" in html
    assert f"{reverse('admin:requests_app_timelineentry_changelist')}?request={case.pk}" in html
    assert html.count("rows are shown here; there are more.") >= 3


def test_see_all_links_list_every_row_of_the_case(manager_client):
    case = make_case()
    other = make_case()
    add_rows(case, 60)
    add_rows(other, 2, start=60)
    ct = ContentType.objects.get_for_model(case)
    response = manager_client.get(reverse("admin:privacy_office_reminder_changelist"),
                                  {"content_type": ct.pk, "object_id": case.pk})
    assert response.status_code == 200
    assert response.context["cl"].paginator.count == 60
    response = manager_client.get(reverse("admin:requests_app_timelineentry_changelist"), {"request": case.pk})
    assert response.status_code == 200
    assert response.context["cl"].paginator.count == TimelineEntry.objects.filter(request=case).count()


def test_editing_a_task_on_a_capped_case_page_still_saves(staff_client, staff_user):
    case = make_case(assignee=staff_user)
    add_rows(case, 60)
    response, _ = page(staff_client, case)
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is Task).formset
    assert len(formset.forms) == formset.shown_max == 10
