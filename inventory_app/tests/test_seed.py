"""The seeded inventory holds every purpose and field of seed 000's 个人信息收集清单."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from inventory_app.models import ActivityField, Controller, DataField, DataLocation, ProcessingActivity, Recipient, Service
from inventory_app.policy_text import collection_list_parse, normalize, policy_compare
from privacy_office.models import AuditLogEntry

SEEDS = Path(settings.BASE_DIR) / "inventory_app" / "seed" / "policies"


def seed_000() -> str:
    return next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")


def table_rows(text: str) -> list[tuple[str, str]]:
    """Read the list the way a person does: rows are `purpose<TAB>fields`, continuation lines
    start with a tab, the table ends at `--`."""
    lines = text.split("个人信息收集清单", 1)[1].splitlines()[2:]
    rows = []
    for line in lines:
        if line.startswith("--"):
            break
        if "\t" not in line:
            continue
        left, right = line.split("\t", 1)
        if left.strip():
            rows.append([left, right])
        else:
            rows[-1][1] += right
    return [(normalize(p), cell) for p, cell in rows]


def test_every_purpose_of_the_collection_list_is_an_activity(seeded):
    rows = table_rows(seed_000())
    assert len(rows) == 20
    names = {normalize(n) for n in ProcessingActivity.objects.values_list("name_zh", flat=True)}
    for purpose, _cell in rows:
        assert purpose in names, purpose
    assert rows[0][0] == "个人用户注册与登录账号" and rows[-1][0] == "智慧酒店项目"
    assert "aqaragraph工具" in names


def test_every_field_of_every_row_is_in_the_inventory(seeded):
    text = seed_000()
    activities = ProcessingActivity.objects.filter(code__startswith="cn-")
    assert activities.count() == 20
    comparison = policy_compare(text=text, activities=activities.prefetch_related("fields__field"))
    assert comparison.rows_found == 20
    assert comparison.unknown_purposes == []
    assert comparison.undisclosed_activities == []
    assert comparison.not_in_inventory == []
    # The one difference is the policy's own typo: 授权用户信息（账号、明确） — the inventory says 名称.
    assert comparison.missing_from_policy == [("智慧酒店项目", "名称")]


@pytest.mark.parametrize(("activity", "field"), [
    ("个人用户注册与登录账号", "手机号码"),
    ("个人用户注册与登录账号", "短信验证码"),
    ("完善个人资料", "个人简介"),
    ("预约服务", "需求描述信息"),
    ("加盟服务", "验证码"),
    ("企业认证", "营业执照"),
    ("企业认证", "企业开户行账户"),
    ("售后维修", "售后订单产品 SN"),
    ("方案设计", "组件样式配置"),
    ("Aqara Graph 工具", "组件交互配置"),
    ("智慧酒店项目", "客需内容及状态"),
    ("智慧酒店项目", "设备日志"),
])
def test_fields_are_attached_to_their_activity(seeded, activity, field):
    assert ActivityField.objects.filter(activity__name_zh=activity, field__name_zh=field).exists()


def test_sensitive_fields_are_those_the_policy_underlines(seeded):
    text = seed_000()
    underlined = {}
    for purpose, cell in table_rows(text):
        for span in re.findall(r"<u>(.*?)</u>", cell, flags=re.S):
            underlined[purpose] = span
    assert set(underlined) == {"在线客服与技术支持", "社区发帖及互动"}
    for row in collection_list_parse(text):
        activity = ProcessingActivity.objects.get(name_zh__in=[row.purpose, row.purpose.replace(" ", "")])
        sensitive_in_policy = {normalize(i.name) for i in row.items if i.sensitive}
        sensitive_in_inventory = {
            normalize(name) for name in activity.fields.filter(field__sensitive=True).values_list("field__name_zh", flat=True)
        }
        assert sensitive_in_inventory == sensitive_in_policy, row.purpose
    assert DataField.objects.get(name_zh="私信记录").sensitive
    assert DataField.objects.get(name_zh="客服沟通交流的记录和内容").sensitive
    assert not DataField.objects.get(name_zh="手机号码").sensitive


def test_a_field_used_by_several_activities_is_one_field(seeded):
    device_id = DataField.objects.get(name_zh="设备 id")
    using = set(ProcessingActivity.objects.using_field(device_id).values_list("name_zh", flat=True))
    assert {"安全保障", "设备实施运维", "Aqara Graph 工具", "智慧酒店项目"} <= using


def test_the_two_sdk_vendors_are_recipients(seeded):
    fadada = Recipient.objects.get(name="深圳法大大网络科技有限公司")
    assert fadada.kind == Recipient.Kind.SDK_VENDOR and fadada.policy_url == "https://www.fadada.com/"
    assert "电子合同" in fadada.purpose
    yunpian = Recipient.objects.get(name="杭州云片网络科技有限公司")
    assert yunpian.kind == Recipient.Kind.SDK_VENDOR and "验证码" in yunpian.purpose
    assert "手机号码" in set(yunpian.fields_shared.values_list("name_zh", flat=True))
    assert yunpian.activities.filter(name_zh="个人用户注册与登录账号").exists()
    assert Recipient.objects.filter(kind=Recipient.Kind.SIGN_IN).count() >= 2
    assert Recipient.objects.filter(kind=Recipient.Kind.PROCESSOR).exists()


def test_controllers_services_and_data_centres(seeded):
    assert set(Controller.objects.values_list("name_zh", flat=True)) == {
        "深圳绿米联创科技有限公司", "深圳安卡萨软件服务有限公司", "Aqara LLC"
    }
    assert "增值电信" in Controller.objects.get(code="ankasa").role
    for name in ("Aqara 官网", "Aqara 社区", "智装大狮", "Aqara+ 服务平台", "Aqara 物联行业平台",
                 "绿米联创微信公众号", "Aqara 智慧生活服务号"):
        assert Service.objects.filter(name_zh=name).exists(), name
    assert Service.objects.filter(name_en__icontains="Aqara Home").exists()
    assert Service.objects.filter(name_en__icontains="Aqara Store").exists()
    assert set(DataLocation.objects.values_list("country", flat=True)) == {"CN", "US", "SG", "KR", "RU", "DE"}
    assert "EU" in DataLocation.objects.get(country="DE").description
    # seed 003's sections are activities too, with their GDPR basis and SCC transfers
    marketing = ProcessingActivity.objects.get(code="global-marketing")
    assert marketing.gdpr_basis == ProcessingActivity.GdprBasis.CONSENT and marketing.separate_consent_required
    assert marketing.transfers.filter(mechanism="scc").exists()


def test_seeding_twice_changes_nothing(seeded):
    history_before = {
        model: model.history.count()
        for model in (Controller, Service, DataField, Recipient, ProcessingActivity, ActivityField)
    }
    audit_before = AuditLogEntry.objects.count()
    versions_before = list(ProcessingActivity.objects.order_by("pk").values_list("version", flat=True))

    call_command("seed_inventory", stdout=open("/dev/null", "w"))

    assert {model: model.history.count() for model in history_before} == history_before
    assert AuditLogEntry.objects.count() == audit_before
    assert list(ProcessingActivity.objects.order_by("pk").values_list("version", flat=True)) == versions_before


def test_seed_is_recorded_in_history_and_audit_log(seeded):
    assert ActivityField.history.filter(history_type="+").count() == ActivityField.objects.count()
    assert AuditLogEntry.objects.filter(reason__contains="activity_fields.csv").count() >= ActivityField.objects.count()


def test_demo_loads_the_seed(db):
    import io

    from inventory_app.demo import load_demo

    out = io.StringIO()
    load_demo(stdout=out)
    assert ProcessingActivity.objects.count() >= 33
    assert "Inventory" in out.getvalue()


def test_shipped_policy_texts_match_the_offices_originals():
    originals = Path(settings.BASE_DIR).parent / "shared" / "seeds"
    shipped = sorted(SEEDS.glob("*.txt"))
    assert [p.name[:3] for p in shipped] == ["000", "003"]
    if originals.is_dir():  # beside the repository in the office's workspace and in CI
        for copy in shipped:
            assert copy.read_bytes() == (originals / copy.name).read_bytes(), copy.name
