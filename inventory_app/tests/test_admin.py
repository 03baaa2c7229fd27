"""Browsing the inventory in the admin: search, filters, pages, and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory_app.models import ActivityField, Controller, DataField, ProcessingActivity, Transfer

CHANGELIST = "admin:inventory_app_processingactivity_changelist"


def listed(response):
    return {obj.code for obj in response.context["cl"].result_list}


def test_search_by_field_name_finds_every_activity_using_it(seeded, staff_client):
    response = staff_client.get(reverse(CHANGELIST), {"q": "手机号"})
    expected = set(
        ActivityField.objects.filter(field__name_zh__contains="手机号").values_list("activity__code", flat=True)
    )
    assert {"cn-user-registration", "cn-booking", "cn-franchise", "cn-profile", "cn-enterprise-verification"} <= expected
    assert listed(response) == expected


def test_search_by_english_field_name(seeded, staff_client):
    response = staff_client.get(reverse(CHANGELIST), {"q": "business licence"})
    assert listed(response) == {"cn-enterprise-verification"}


def test_pia_missing_filter(seeded, staff_client):
    community = ProcessingActivity.objects.get(code="cn-community")
    community.pia_completed_on = datetime.date(2025, 11, 1)
    community.save()
    response = staff_client.get(reverse(CHANGELIST), {"pia": "missing"})
    codes = listed(response)
    assert "cn-community" not in codes  # assessed
    assert "cn-support" in codes  # sensitive content, no PIA date
    assert "cn-user-registration" in codes  # entrusted to the SMS SDK vendor
    assert "global-profiling" in codes  # automated decision-making
    assert "cn-profile" not in codes  # no Art. 55 trigger
    assert codes == set(ProcessingActivity.objects.pia_missing().values_list("code", flat=True))


def test_sensitive_and_cross_border_filters(seeded, staff_client):
    sensitive = listed(staff_client.get(reverse(CHANGELIST), {"sensitive": "yes"}))
    assert sensitive == {"cn-support", "cn-community", "global-marketing"}
    cross = listed(staff_client.get(reverse(CHANGELIST), {"cross_border": "yes"}))
    assert cross == set(ProcessingActivity.objects.filter(controller__code="aqara-llc").values_list("code", flat=True))
    basis = listed(staff_client.get(reverse(CHANGELIST), {"gdpr_basis__exact": "legitimate_interests"}))
    assert basis == {"global-analytics", "global-security"}


def test_activity_page_shows_its_fields_recipients_and_transfers(seeded, staff_client):
    registration = ProcessingActivity.objects.get(code="cn-user-registration")
    body = staff_client.get(reverse("admin:inventory_app_processingactivity_change", args=[registration.pk])).content.decode()
    for name in ("手机号码", "电子邮箱", "短信验证码", "密码", "用户名/昵称", "杭州云片网络科技有限公司"):
        assert name in body, name
    account = ProcessingActivity.objects.get(code="global-account")
    body = staff_client.get(reverse("admin:inventory_app_processingactivity_change", args=[account.pk])).content.decode()
    assert "EU Standard Contractual Clauses" in body
    assert "entrusted to or provided to others" in body  # why a PIA is required


def test_field_page_lists_every_activity_using_it(seeded, staff_client):
    field = DataField.objects.get(name_zh="设备型号")
    body = staff_client.get(reverse("admin:inventory_app_datafield_change", args=[field.pk])).content.decode()
    for activity in ActivityField.objects.filter(field=field).select_related("activity"):
        assert activity.activity.name_zh in body


def _add_activities(n: int, start: int):
    controller = Controller.objects.get(code="lumi-united")
    field = DataField.objects.get(name_zh="私信记录")
    for i in range(start, start + n):
        activity = ProcessingActivity.objects.create(
            code=f"extra-{i}", name_zh=f"额外活动 {i}", controller=controller, pipl_basis="consent",
        )
        ActivityField.objects.create(activity=activity, field=field)
        Transfer.objects.create(activity=activity, destination_country="US", mechanism="pipl_contract")


@pytest.mark.parametrize("url_name", [
    CHANGELIST,
    "admin:inventory_app_datafield_changelist",
    "admin:inventory_app_activityfield_changelist",
    "admin:inventory_app_transfer_changelist",
    "admin:inventory_app_recipient_changelist",
    "admin:inventory_app_service_changelist",
])
def test_changelists_have_constant_query_counts(db, staff_client, url_name):
    from inventory_app.services import inventory_seed

    inventory_seed()
    ProcessingActivity.objects.all().delete()  # start from few rows
    _add_activities(5, 0)
    staff_client.get(reverse(url_name))  # warm: the session refresh and the permission cache
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(reverse(url_name)).status_code == 200
    _add_activities(45, 5)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(reverse(url_name)).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_auditor_can_browse_but_not_change(seeded, auditor_client):
    response = auditor_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    registration = ProcessingActivity.objects.get(code="cn-user-registration")
    response = auditor_client.post(
        reverse("admin:inventory_app_processingactivity_change", args=[registration.pk]), {"name_zh": "x"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("model", [
    "controller", "datalocation", "service", "datafield", "recipient", "processingactivity", "activityfield", "transfer",
])
def test_every_admin_page_opens(seeded, staff_client, model):
    from django.apps import apps

    obj = apps.get_model("inventory_app", model).objects.first()
    for url in (
        reverse(f"admin:inventory_app_{model}_changelist"),
        reverse(f"admin:inventory_app_{model}_add"),
        reverse(f"admin:inventory_app_{model}_change", args=[obj.pk]),
        reverse(f"admin:inventory_app_{model}_history", args=[obj.pk]),
    ):
        assert staff_client.get(url).status_code == 200, url


def test_admin_speaks_chinese(seeded, staff_client):
    response = staff_client.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert "需要影响评估但尚未完成" in body
    assert "含敏感个人信息" in body
    assert "政策工具（个人信息收集清单）" in body


def test_dashboard_card_counts_missing_assessments(seeded, staff_client):
    # The counts are cached; each test has cache keys of its own (root conftest), so this one starts cold.
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert str(ProcessingActivity.objects.pia_missing().count()) in response.content.decode()
