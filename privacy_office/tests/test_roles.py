"""The permission matrix, through the admin: each role can and cannot do what it should."""

import pytest
from django.contrib import admin
from django.urls import reverse

from privacy_office.roles import DOMAIN_APPS

pytestmark = pytest.mark.django_db


def domain_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in DOMAIN_APPS
    ]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def test_every_domain_model_is_visible_to_staff_manager_and_auditor(staff_client, manager_client, auditor_client):
    for model, _ in domain_admins():
        for client in (staff_client, manager_client, auditor_client):
            assert client.get(changelist(model)).status_code == 200, model


def test_auditor_can_add_nothing_and_sees_no_save_button(auditor_client):
    for model, model_admin in domain_admins():
        response = auditor_client.get(add_url(model))
        assert response.status_code == 403, model


def test_auditor_forged_post_is_refused(auditor_client, manager_user):
    from privacy_office.models import AuditReview

    review = AuditReview.objects.create(period_start="2026-11-01", period_end="2026-11-07", reviewed_by=manager_user)
    url = reverse("admin:privacy_office_auditreview_change", args=[review.pk])
    page = auditor_client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = auditor_client.post(url, {"period_start": "2026-01-01", "period_end": "2026-01-02", "remark": "forged"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.remark == ""


def test_audit_log_is_for_managers_and_auditors_not_staff(staff_client, manager_client, auditor_client):
    url = reverse("admin:privacy_office_auditlogentry_changelist")
    assert staff_client.get(url).status_code == 403
    assert manager_client.get(url).status_code == 200
    assert auditor_client.get(url).status_code == 200


def test_only_managers_record_audit_reviews(staff_client, manager_client, auditor_client):
    url = reverse("admin:privacy_office_auditreview_add")
    assert manager_client.get(url).status_code == 200
    assert staff_client.get(url).status_code == 403
    assert auditor_client.get(url).status_code == 403


def test_approval_permissions_belong_to_managers_only(staff_user, manager_user, auditor_user):
    from django.contrib.auth.models import Permission

    approvals = Permission.objects.filter(codename__startswith="approve_", content_type__app_label__in=DOMAIN_APPS)
    for perm in approvals:
        key = f"{perm.content_type.app_label}.{perm.codename}"
        assert manager_user.has_perm(key)
        assert not staff_user.has_perm(key)
        assert not auditor_user.has_perm(key)


def test_staff_work_domain_records_but_auditors_only_read(staff_user, auditor_user):
    for model, _ in domain_admins():
        label = f"{model._meta.app_label}.change_{model._meta.model_name}"
        if "change" in model._meta.default_permissions:  # append-only logs have none
            assert staff_user.has_perm(label), label
        assert not auditor_user.has_perm(label), label
        assert auditor_user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def test_a_role_change_takes_effect_at_once_despite_the_permission_cache(staff_user):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    assert User.objects.get(pk=staff_user.pk).has_perm("requests_app.change_rightsrequest")
    staff_user.groups.clear()
    assert not User.objects.get(pk=staff_user.pk).has_perm("requests_app.change_rightsrequest")


def test_every_approval_permission_and_notice_kind_is_in_the_table():
    """A new approval permission or notice kind is given to a role on purpose, never by its name."""
    from django.apps import apps

    from breach_app.models import NoticeDraft
    from privacy_office.roles import APPROVALS

    defined = {
        f"{model._meta.app_label}.{codename}"
        for model in apps.get_models() if model._meta.app_label in DOMAIN_APPS
        for codename, _ in model._meta.permissions
    }
    assert defined == set(APPROVALS.values())
    assert set(NoticeDraft.Kind.values) <= set(APPROVALS)


def test_a_refusal_names_the_permission_in_the_readers_language():
    from django.utils import translation

    from privacy_office.roles import missing_permission_message

    with translation.override("zh-hans"):
        assert missing_permission_message("breach_app.approve_noticedraft") == "您需要“可批准通知草稿发送”权限才能执行此操作。"
        assert "可导出审计日志条目" in missing_permission_message("privacy_office.export_auditlogentry")
        assert "Can " not in missing_permission_message("requests_app.approve_erase_personal_data")
    with translation.override("en"):
        assert missing_permission_message("privacy_office.export_auditlogentry") == (
            "You need the permission “Can export audit log entry” to do this.")
        assert "Can approve notice drafts for sending" in missing_permission_message("breach_app.approve_noticedraft")
