"""Keeping the published 个人信息收集清单 true to the inventory."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory_app.models import Controller, ProcessingActivity
from inventory_app.policy_text import collection_list_render, policy_compare
from inventory_app.records import activities_for_record

SEEDS = Path(settings.BASE_DIR) / "inventory_app" / "seed" / "policies"


def seed_list() -> str:
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    return text[text.index("个人信息收集清单"): text.index("## （一）通用功能")]


def edited_list() -> str:
    # 加盟服务 no longer discloses 验证码, and now names a field the inventory does not hold.
    old = "加盟服务\t姓名、手机号、验证码、地区、需求信息"
    assert old in seed_list()
    return seed_list().replace(old, "加盟服务\t姓名、手机号、地区、需求信息、身份证号码")




def test_compare_pasted_text(seeded):
    result = policy_compare(text=edited_list())
    assert ("加盟服务", "验证码") in result.missing_from_policy
    assert ("加盟服务", "身份证号码") in result.not_in_inventory
    assert not any(activity == "加盟服务" and field == "手机号" for activity, field in result.missing_from_policy)


def test_compare_reports_activities_the_policy_has_no_row_for(seeded):
    text = seed_list().replace("财务管理\t采购订单出库产品信息、数量、返利金额的对账信息\n", "")
    lumi = Controller.objects.get(code="lumi-united")
    result = policy_compare(text=text, activities=activities_for_record(controller=lumi))
    assert "财务管理" in result.undisclosed_activities
    assert ("财务管理", "返利金额的对账信息") in result.missing_from_policy


def test_generated_list_marks_sensitive_fields_and_round_trips(seeded):
    activities = activities_for_record().filter(code__startswith="cn-")
    text = collection_list_render(activities=activities)
    assert text.startswith("个人信息收集清单")
    assert "社区发帖及互动\t<u>浏览记录</u>、" in text
    assert "<u>客服沟通交流的记录和内容（包括文字、图片、音视频对话记录及来电录音）</u>" in text
    assert "完善个人资料\t个人基本信息（姓名、昵称、手机号、邮箱地址、头像、所在地区、个人简介）、所属企业信息（" in text
    assert "<u>手机号码</u>" not in text
    assert policy_compare(text=text, activities=activities).in_sync


def test_free_text_mode_checks_every_field_name(seeded):
    booking = activities_for_record().filter(code="cn-booking")
    text = "我们会收集位置权限、查找的门店位置、姓名、手机号码、验证码、所在地区、详细地址信息。"
    result = policy_compare(text=text, activities=booking)
    assert result.missing_from_policy == [("预约服务", "需求描述信息")]


def test_policy_tools_view_compares_pasted_text(seeded, staff_client):
    url = reverse("admin:inventory_app_policy_tools")
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "社区发帖及互动" in response.context["generated"]
    response = staff_client.post(url, {"text": edited_list()})
    body = response.content.decode()
    assert response.status_code == 200
    assert ("加盟服务", "验证码") in response.context["comparison"].missing_from_policy
    assert "身份证号码" in body and "验证码" in body


def test_policy_tools_view_accepts_an_upload(seeded, staff_client):
    upload = SimpleUploadedFile("policy.txt", edited_list().encode("utf-8"), content_type="text/plain")
    response = staff_client.post(reverse("admin:inventory_app_policy_tools"), {"upload": upload})
    assert ("加盟服务", "身份证号码") in response.context["comparison"].not_in_inventory


def test_changelist_links_to_policy_tools(seeded, staff_client):
    body = staff_client.get(reverse("admin:inventory_app_processingactivity_changelist")).content.decode()
    assert reverse("admin:inventory_app_policy_tools") in body
    assert ProcessingActivity.objects.exists()
