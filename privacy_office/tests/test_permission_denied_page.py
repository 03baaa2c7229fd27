"""A refused page keeps the site's header and says what the person lacks, in their language."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from privacy_office.models import AuditLogEntry, StaffProfile

pytestmark = pytest.mark.django_db


def test_staff_opening_the_audit_log_are_told_which_permission_they_lack(staff_client):
    response = staff_client.get(reverse("admin:privacy_office_auditlogentry_changelist"))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="site-name"' in page and "Aqara Privacy Office" in page  # the site's header, not a bare "403 Forbidden"
    label = str(AuditLogEntry._meta.verbose_name)
    assert f"You need the permission “Can view {label}” to do this." in page
    assert "Your role: Privacy staff." in page
    assert 'id="logout-form"' in page  # still signed in, with the usual links


def test_the_refusal_is_in_chinese_for_a_chinese_officer(staff_user):
    StaffProfile.objects.create(user=staff_user, language="zh-hans")
    client = Client()
    client.force_login(staff_user)
    response = client.get(reverse("admin:privacy_office_auditlogentry_changelist"))
    assert response.status_code == 403
    page = response.content.decode()
    with translation.override("zh-hans"):
        label = str(AuditLogEntry._meta.verbose_name)
    assert label != "audit log entry"  # the model name has a Chinese label
    assert "隐私专员" in page and "您需要" in page and label in page
    assert "You need the permission" not in page


def test_a_service_refusal_keeps_its_own_reason(auditor_client):
    # The auditor may read a case but not change it: the admin refuses the POST.
    from requests_app.tests.factories import make_case

    case = make_case()
    response = auditor_client.post(reverse("admin:requests_app_rightsrequest_change", args=[case.pk]), {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Auditor" in page and "You need the permission" in page
