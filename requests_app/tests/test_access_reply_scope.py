"""The access reply of a demo case describes the processing of the entity that serves the
requester, under the requester's law, each item once, in the letter's language only."""

import re

import pytest

from requests_app.demo import DEMO_CASES

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Four Latin words in a row (names such as "Aqara Home" or "How We Store" are shorter): a sentence.
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ ,]+[A-Za-z][A-Za-z'’-]+){3,}")


def cjk_lines(text: str) -> list[str]:
    """Lines of an English letter that carry Chinese script."""
    return [line for line in text.splitlines() if CJK.search(line)]


def english_runs(text: str) -> list[str]:
    """English sentences (runs of four or more Latin words) in a Chinese letter."""
    return LATIN_RUN.findall(text)


def section(body: str, start: str, end: str) -> list[str]:
    """The list lines ("- …") between two headings."""
    block = body[body.index(start) + len(start):body.index(end)]
    return [line for line in block.splitlines() if line.startswith("- ")]


def test_the_script_checks_catch_what_they_should():
    assert cjk_lines("Purposes\n- 预约服务: booking") == ["- 预约服务: booking"]
    assert english_runs("处理目的：Register the user and let them sign in") == ["Register the user and let them sign in"]
    assert english_runs("- Google（分析与广告）：使用 Facebook 账号登录（隐私政策“How We Store”）") == []


def test_cn_reply_lists_only_the_chinese_entities_processing_under_pipl(demo_texts):
    body = demo_texts["access", "demo-cn-1", "zh-hans"]
    global_names = {"第三方账号登录", "上门安装与维护", "Aqara 账号注册与管理", "营销推广", "自动化决策与画像"}
    purposes = section(body, "一、处理目的和处理方式", "二、个人信息种类")
    assert purposes and not [line for line in purposes if any(name in line for name in global_names)]
    assert "预约服务" in body and "Aqara LLC" not in body
    # No Facebook/Google sign-in, no EU standard contractual clauses: PIPL mechanisms only.
    assert "第三方登录" not in body and "欧盟标准合同条款" not in body and "SCC" not in body
    assert section(body, "五、向境外提供", "六、如何行使您的权利") == ["- 无。"]
    assert "深圳绿米联创科技有限公司（privacy@lumiunited.com）" in body


def test_cn_reply_names_each_category_and_field_once(demo_texts):
    body = demo_texts["access", "demo-cn-1", "zh-hans"]
    categories = section(body, "二、个人信息种类", "三、接收方")
    labels = [line.split("：")[0] for line in categories]
    assert len(labels) == len(set(labels))
    contact = next(line for line in categories if line.startswith("- 联系信息"))
    names = contact.split("：", 1)[1].split("、")
    assert len(names) == len(set(names))
    # 邮箱地址 / 电子邮箱 / 电子邮件地址 / 邮箱 are one normalised field.
    assert "电子邮件地址" in names and not {"邮箱地址", "电子邮箱", "邮箱"} & set(names)
    assert "手机号码" in names and "手机号" not in names


def test_cn_reply_has_each_pipl_item_once_and_says_where_the_copy_is(demo_texts):
    body = demo_texts["access", "demo-cn-1", "zh-hans"]
    # PIPL Arts 17, 44, 45 and 48: purposes and methods, categories, recipients, retention,
    # cross-border provision, how to exercise the rights.
    for heading in ("一、处理目的和处理方式", "处理方式：", "二、个人信息种类", "三、接收方", "四、保存期限",
                    "五、向境外提供", "六、如何行使您的权利", "第五十条"):
        assert body.count(heading) == 1, heading
    assert "随本函附上（附件一）" in body and "附件一：您的个人信息副本" in body
    retention = section(body, "四、保存期限", "五、向境外提供")
    assert len(retention) == len(set(retention))
    recipients = section(body, "三、接收方", "四、保存期限")
    assert recipients == ["- 杭州云片网络科技有限公司（SDK 提供方，中国）：短信 SDK：用户发送验证码，通知信息"]


def test_eu_reply_lists_the_global_entity_under_gdpr_each_item_once(demo_texts):
    body = demo_texts["access", "demo-eu-1", "en"]
    assert "Controller: Aqara LLC (privacy@lumiunited.com)" in body
    assert "Booking services" not in body  # a Chinese entity's activity
    # GDPR Art. 15(1)(a)-(h) and 15(2), each once.
    for heading in ("1. Purposes of the processing", "2. Categories of personal data", "3. Recipients",
                    "4. Transfers to other countries and their safeguards", "5. How long we keep it",
                    "6. Your rights", "7. Complaints", "8. Where the data comes from",
                    "9. Automated decision-making, including profiling", "supervisory authority"):
        assert body.count(heading) == 1, heading
    transfers = section(body, "4. Transfers to other countries", "5. How long we keep it")
    # 13 activities x 4 destinations in the inventory: one line per destination and safeguard.
    assert transfers == [
        "- China (Aqara affiliated companies): EU Standard Contractual Clauses",
        "- Russia: EU Standard Contractual Clauses",
        "- Singapore: EU Standard Contractual Clauses",
        "- United States: EU Standard Contractual Clauses",
    ]
    recipients = section(body, "3. Recipients", "4. Transfers")
    assert len(recipients) == len(set(recipients))
    assert "- Facebook (analytics and advertising) (advertising and analytics provider, United States): Track and " \
           "analyse website activity, measure advertising effectiveness, optimise campaigns (cookies, pixels)" in recipients
    categories = section(body, "2. Categories of personal data", "3. Recipients")
    contact = next(line for line in categories if line.startswith("- contact details"))
    assert contact.count("e-mail address") == 1 and "email address" not in contact
    assert section(body, "5. How long we keep it", "6. Your rights") == [
        "- As long as necessary to fulfil the purposes collected for, or as permitted or required by law "
        "(privacy policy, “How We Store”)"]
    assert "Attachment 1: copy of your personal information" in body


@pytest.mark.parametrize("account_id", ["demo-cn-1", "demo-eu-1"])
def test_english_replies_carry_no_chinese_and_chinese_ones_no_english(demo_texts, account_id):
    # The requester's own name is written as they wrote it.
    name = next(row[5] for row in DEMO_CASES if row[0] == account_id)
    english = demo_texts["access", account_id, "en"].replace(name, "")
    chinese = demo_texts["access", account_id, "zh-hans"].replace(name, "")
    assert cjk_lines(english) == []
    assert english_runs(chinese) == []
    for body in (english, chinese):
        assert "seed" not in body.lower()
        assert not re.search(r"\b(?:cn|global|scc|pipl_contract|sign_in|sdk|aqara-llc|lumi-united)\b", body)


def test_a_cn_transfer_recorded_under_eu_clauses_is_disclosed_for_the_officer_to_confirm(demo_texts):
    body = demo_texts["access with transfers", "demo-cn-1", "zh-hans"]
    assert section(body, "五、向境外提供", "六、如何行使您的权利") == [
        "- 新加坡：个人信息出境标准合同（第三十八条第一款第三项）",
        "- 新加坡：【请确认该项跨境提供依据的机制】",
    ]


@pytest.mark.django_db
def test_the_entities_serve_the_requesters_of_their_region(db):
    from inventory_app.models import Controller
    from inventory_app.services import inventory_seed

    inventory_seed()
    assert dict(Controller.objects.values_list("code", "serves")) == {
        "lumi-united": "cn", "ankasa": "cn", "aqara-llc": "global"}
