"""The record of processing activities as XLSX (GDPR Art. 30(1) and PIPL layouts)."""

import io

import openpyxl
from django.urls import reverse

from inventory_app.models import Controller, ProcessingActivity, Service
from inventory_app.records import GDPR_HEADERS, PIPL_HEADERS, ropa_export_gdpr, ropa_export_pipl


def read(content: bytes):
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    return rows[0], rows[1:]


def by_activity(rows, code):
    return next(r for r in rows if f"（{code}）" in r[0] or f"({code})" in r[0])


def test_art30_export_has_one_full_row_per_activity(seeded, manager_client):
    response = manager_client.get(reverse("admin:inventory_app_record"), {"layout": "gdpr"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    headers, rows = read(response.content)
    assert headers == GDPR_HEADERS
    assert len(rows) == ProcessingActivity.objects.count()
    for row in rows:
        assert all(cell not in (None, "") for cell in row), row
    account = dict(zip(headers, by_activity(rows, "global-account")))
    assert "Aqara LLC" in account["Controller"]
    assert "privacy@lumiunited.com" in account["DPO / privacy contact"]
    assert account["Legal basis (GDPR Art. 6)"].startswith("performance of a contract")
    assert "password" in account["Categories of personal data"]
    assert "US" in account["Transfers to third countries"]
    assert "Standard Contractual Clauses" in account["Safeguards for transfers"]
    booking = dict(zip(headers, by_activity(rows, "cn-booking")))
    assert "杭州云片网络科技有限公司" in booking["Categories of recipients"] or "Yunpian" in booking["Categories of recipients"]
    assert "China data centre" in booking["Transfers to third countries"]


def test_pipl_export_has_chinese_headings_and_one_full_row_per_activity(seeded):
    headers, rows = read(ropa_export_pipl())
    assert headers == PIPL_HEADERS
    for heading in ("处理目的", "处理方式", "个人信息种类", "敏感个人信息", "保存期限", "接收方（委托处理/共享）", "跨境提供", "个人信息保护影响评估"):
        assert heading in headers
    assert len(rows) == ProcessingActivity.objects.count()
    for row in rows:
        assert all(cell not in (None, "") for cell in row), row
    community = dict(zip(headers, by_activity(rows, "cn-community")))
    assert "私信记录" in community["敏感个人信息"]
    assert community["单独同意"] == "是"
    assert community["个人信息保护影响评估"].startswith("需要")
    assert community["个人信息处理者"] == "深圳安卡萨软件服务有限公司"
    registration = dict(zip(headers, by_activity(rows, "cn-user-registration")))
    assert "杭州云片网络科技有限公司" in registration["接收方（委托处理/共享）"]
    assert registration["跨境提供"] == "无"


def test_exports_filter_by_controller_and_service(seeded):
    _, rows = read(ropa_export_pipl(service=Service.objects.get(code="aqara-community")))
    assert len(rows) == ProcessingActivity.objects.for_service(Service.objects.get(code="aqara-community")).count()
    assert any("社区发帖及互动" in r[0] for r in rows)
    llc = Controller.objects.get(code="aqara-llc")
    _, rows = read(ropa_export_gdpr(controller=llc))
    assert len(rows) == ProcessingActivity.objects.filter(controller=llc).count()
    assert all("Aqara LLC" in r[1] for r in rows)


def test_export_needs_the_export_permission(seeded, staff_client, manager_client):
    assert staff_client.get(reverse("admin:inventory_app_record"), {"layout": "pipl"}).status_code == 403
    changelist = reverse("admin:inventory_app_processingactivity_changelist")
    pks = list(ProcessingActivity.objects.filter(code__startswith="cn-")[:3].values_list("pk", flat=True))
    response = manager_client.post(changelist, {"action": "export_pipl_record", "_selected_action": pks})
    assert response.status_code == 200
    _, rows = read(response.content)
    assert len(rows) == 3
    # staff do not even get the action
    response = staff_client.get(changelist)
    assert "export_pipl_record" not in response.content.decode()
