"""Staff accounts are deactivated, not deleted; history and the audit log keep the actor's name even
if an account is removed by other means (the name used to become empty)."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from conftest import make_user
from inventory_app.models import DataLocation
from privacy_office.models import AuditLogEntry
from privacy_office.roles import STAFF
from requests_app.tests.factories import make_case

pytestmark = pytest.mark.django_db

AUDIT_LOG = reverse("admin:privacy_office_auditlogentry_changelist")
USERS = reverse("admin:auth_user_changelist")


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(make_user("root", is_superuser=True))
    return client


def _location_added_by(username):
    """A colleague records a data location in the admin: a history row and an audit-log entry."""
    colleague = make_user(username, STAFF)
    client = Client()
    client.force_login(colleague)
    response = client.post(reverse("admin:inventory_app_datalocation_add"), {
        "code": "frankfurt", "name_zh": "法兰克福", "name_en": "Frankfurt", "country": "DE", "description": "",
        "_change_reason": "new EU data centre",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return colleague, DataLocation.objects.get(code="frankfurt")


def test_the_name_stays_on_the_audit_log_and_the_history_page_when_an_account_is_deleted(manager_client,
                                                                                         superuser_client):
    colleague, location = _location_added_by("li.wei")
    assert AuditLogEntry.objects.get(content_type__model="datalocation").user_name == "li.wei"

    get_user_model().objects.filter(pk=colleague.pk).delete()  # by other means than the admin

    entry = AuditLogEntry.objects.get(content_type__model="datalocation")
    assert entry.user_id is None and entry.user_name == "li.wei"
    assert location.history.get().history_user_id is None
    audit = manager_client.get(AUDIT_LOG).content.decode()
    assert "li.wei <span class=\"quiet\">(account removed)</span>" in audit
    history = superuser_client.get(reverse("admin:inventory_app_datalocation_history", args=[location.pk]))
    assert history.status_code == 200
    body = history.content.decode()
    assert "li.wei" in body and "(account removed)" in body and "new EU data centre" in body


def test_entries_written_without_the_name_get_it_before_the_account_goes(manager_client):
    # Bulk paths (the inventory import) write the user id only.
    colleague = make_user("zhang.min", STAFF)
    case = make_case()
    entry = AuditLogEntry.objects.filter(object_id=str(case.pk)).first()
    AuditLogEntry.objects.filter(pk=entry.pk).update(user=colleague, user_name="")
    colleague.delete()
    entry.refresh_from_db()
    assert entry.user_id is None and entry.user_name == "zhang.min"
    assert "zhang.min" in manager_client.get(AUDIT_LOG).content.decode()


def test_someone_who_worked_a_case_cannot_be_deleted_at_all(staff_user):
    make_case(by=staff_user)  # the case's timeline names them
    with pytest.raises(ProtectedError):
        staff_user.delete()


def test_nobody_deletes_an_account_in_the_admin(superuser_client):
    colleague = make_user("chen.hao", STAFF)
    url = reverse("admin:auth_user_delete", args=[colleague.pk])
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    page = superuser_client.get(USERS).content.decode()
    assert 'value="delete_selected"' not in page and 'value="deactivate"' in page
    superuser_client.post(USERS, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [colleague.pk], "post": "yes"})
    assert get_user_model().objects.filter(pk=colleague.pk).exists()


def test_an_account_is_deactivated_with_a_reason_kept_in_the_audit_log(superuser_client, manager_client):
    colleague = make_user("wang.fang", STAFF)
    page = superuser_client.post(USERS, {"action": "deactivate", ACTION_CHECKBOX_NAME: [colleague.pk]})
    assert "wang.fang" in page.content.decode() and "why the account is deactivated" in page.content.decode()

    response = superuser_client.post(USERS, {"action": "deactivate", ACTION_CHECKBOX_NAME: [colleague.pk],
                                             "apply": "1", "reason": ""})
    assert "This field is required." in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.is_active

    response = superuser_client.post(USERS, {"action": "deactivate", ACTION_CHECKBOX_NAME: [colleague.pk],
                                             "apply": "1", "reason": "left the company on 30 June"}, follow=True)
    assert "Deactivated: wang.fang." in response.content.decode()
    colleague.refresh_from_db()
    assert not colleague.is_active
    entry = AuditLogEntry.objects.get(content_type__model="user", object_id=str(colleague.pk))
    assert (entry.user_name, entry.reason, entry.changes) == (
        "root", "left the company on 30 June", [{"field": "is_active", "old": "True", "new": "False"}])
    assert "left the company on 30 June" in manager_client.get(AUDIT_LOG).content.decode()
    # The account can no longer sign in.
    response = Client().post(reverse("admin:login"), {"username": "wang.fang", "password": "correct-horse-battery",
                                                      "next": "/admin/"})
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session


def test_nobody_deactivates_their_own_account(superuser_client):
    root = get_user_model().objects.get(username="root")
    response = superuser_client.post(USERS, {"action": "deactivate", ACTION_CHECKBOX_NAME: [root.pk],
                                             "apply": "1", "reason": "testing"}, follow=True)
    assert "You cannot deactivate your own account." in response.content.decode()
    root.refresh_from_db()
    assert root.is_active
