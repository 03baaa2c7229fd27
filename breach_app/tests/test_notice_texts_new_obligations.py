"""Drafts for the EU Cyber Resilience Act reports, the processor's notice to its customer, every US
state's notices, and the JP/RU/BR reports carry each item their law requires, in the language they
claim, and nothing internal (no obligation codes, rule notes or reference file names).

Texts are checked as a reader gets them: the draft's body, generated through the service or
``notices.render_draft``. "Template text" is the body with the incident's facts and the missing
markers taken out: what the template itself wrote.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from breach_app import deadlines, notices, services
from breach_app.models import NoticeDraft, Obligation
from breach_app.us_states import BREACH_LAWS

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "zh-hans")
# CJK ideographs, CJK punctuation and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin words a Chinese text may carry: acronyms of the bodies and laws it names, the credit
# bureaus' names, a web address, the Russian law's number, the fixed California headings.
ZH_LATIN_ALLOWED = {
    "CSIRT", "ENISA", "GDPR", "PIPA", "PIPC", "KISA", "PDPA", "PDPC", "FZ", "DACO",
    "Equifax", "Experian", "TransUnion", "www", "annualcreditreport", "com",
}
INTERNAL = ("seed", ".md", "Choice", "unverified", "internal target", "eu-uk-product", "us-states",
            "legal-rules", "aware_at", "fix_available_at", "resident_notice_sent_at")

CRA_FACTS = dict(
    affected_products="Aqara Hub M3, firmware 4.1.0 to 4.1.6",
    vulnerability="CVE-2026-40123: a crafted Zigbee frame overflows a buffer and runs code on the hub.",
    malicious_actor="A botnet operator recruiting hubs, seen from 12 November.",
    security_update="Firmware 4.1.7 fixes the overflow and is pushed to every hub.",
    user_measures="Install firmware 4.1.7; until then unpair unknown Zigbee devices.",
    member_states="DE, FR, NL",
    sensitivity="Exploit details are sensitive until most hubs are updated (TLP:AMBER).",
    severity_and_impact="High (CVSS 8.8): remote code execution on the hub; 40,000 hubs exposed.",
)
# Facts every template shows when they are known.
EVERY_FACT = dict(
    **CRA_FACTS,
    actively_exploited=True, severe_incident=True, malicious_act_suspected=True,
    customers="Hotel Alpha GmbH",
    investigation_results="An engineer's test bucket was left public.",
    responsible_persons="The engineer concerned (disciplinary procedure opened).",
    accountability="Team lead warned; access reviews quarterly.",
    lessons_learned="Public buckets are now blocked by policy.",
    pending_items="The exact number of records copied.",
)


def when(**delta):
    """An instant relative to the pinned clock (never today's date)."""
    return timezone.now().replace(microsecond=0) - timedelta(**delta)


def template_text(body: str, *fills) -> str:
    """The body with the given facts (and the missing markers) taken out: what the template wrote."""
    text = notices.MISSING_PATTERN.sub("", body)
    for fill in sorted((f for f in fills if f), key=len, reverse=True):
        text = text.replace(fill, "")
    return text


def facts_in(incident, obligation, values):
    row = BREACH_LAWS.get(obligation.jurisdiction)
    return [
        *(v for v in values.values() if isinstance(v, str)),
        row.citation if row else "", notices.CREDIT_BUREAUS, notices.FTC_CONTACT, *incident.customer_list,
    ]


def assert_language(body: str, language: str, fills, where: str) -> None:
    own = template_text(body, *fills)
    if language == "en":
        assert not CJK.search(own), f"{where}: Chinese in the English template text: {CJK.findall(own)[:10]}"
    else:
        headings = [line for line in body.splitlines() if line.startswith("#")]
        assert headings and all(CJK.search(h) for h in headings if h != "# Notice of Data Breach"), (
            f"{where}: a heading of the Chinese text is not in Chinese: {headings}")
        for heading in ("Notice of Data Breach", *notices.CA_HEADINGS.values()):
            own = own.replace(heading, "")  # Civ. Code §1798.82(d): the English title and headings stay
        foreign = set(LATIN_WORD.findall(own)) - ZH_LATIN_ALLOWED
        assert not foreign, f"{where}: English words in the Chinese template text: {sorted(foreign)}"


def assert_nothing_internal(body: str, obligation, where: str) -> None:
    for code in deadlines.REQUIRED_CONTENT:
        assert code not in body, f"{where}: raw obligation code {code} in the text"
    for word in INTERNAL:
        assert word not in body, f"{where}: internal label {word!r} in the text"
    assert not obligation.reason or obligation.reason not in body, f"{where}: the clock's reasoning is in the text"


def obligation_row(incident, computed) -> Obligation:
    """An obligation as the service stores it, from the pure clock's output (not saved)."""
    return Obligation(
        incident=incident, code=computed.code, jurisdiction=computed.jurisdiction,
        recipient=computed.recipient, applicability=computed.status, reason=computed.reason,
        deadline=computed.deadline, deadline_kind=computed.deadline_kind, clock_start=computed.clock_start,
        citation=computed.citation[:300], required_content=list(computed.required_content),
    )


# --------------------------------------------------------------------------- vocabulary


def test_every_content_key_has_a_label_and_a_value_from_the_incident(staff_user):
    incident = make_incident(by=staff_user, populations={"EU": {"people_min": 10}})
    for key in deadlines.CONTENT_KEYS:
        assert key in notices.CONTENT_LABELS, f"no label for {key}"
    required = {key for keys in deadlines.REQUIRED_CONTENT.values() for key in keys}
    assert required <= set(deadlines.CONTENT_KEYS)
    for code, jurisdiction in (("EU-CRA-VUL-FINAL", "EU"), ("US-TX-AG", "US-TX")):
        obligation = Obligation(incident=incident, code=code, jurisdiction=jurisdiction, recipient="regulator",
                                required_content=list(deadlines.REQUIRED_CONTENT[code]))
        values = notices.content_values(incident, obligation, "en")
        # sample_notice_copy is the resident notice itself, rendered with the report.
        expected = required - {"sample_notice_copy"} - notices.TEMPLATE_KEYS
        assert expected <= set(values), expected - set(values)


def test_every_state_regulator_is_named_in_both_languages():
    bodies = {row.regulator.body for row in BREACH_LAWS.values() if row.regulator is not None}
    assert bodies <= set(notices.REGULATOR_BODY_NAMES), bodies - set(notices.REGULATOR_BODY_NAMES)
    for names in notices.REGULATOR_BODY_NAMES.values():
        assert CJK.search(names["zh-hans"]) and not CJK.search(names["en"])


def test_a_boolean_fact_reads_yes_or_no_in_the_drafts_language_and_unassessed_is_missing(staff_user):
    incident = make_incident(by=staff_user, populations={"EU": {"people_min": 10}}, malicious_act_suspected=True)
    obligation = Obligation(incident=incident, code="EU-CRA-INC-24H", jurisdiction="EU", recipient="regulator",
                            required_content=["malicious_act_suspected", "member_states"])
    assert notices.content_values(incident, obligation, "en")["malicious_act_suspected"] == "Yes"
    assert notices.content_values(incident, obligation, "zh-hans")["malicious_act_suspected"] == "是"
    incident.malicious_act_suspected = False
    assert notices.content_values(incident, obligation, "en")["malicious_act_suspected"] == "No"
    incident.malicious_act_suspected = None
    assert notices.content_values(incident, obligation, "en")["malicious_act_suspected"] is None
    rendered = notices.render_draft(obligation, "en")
    assert "malicious_act_suspected" in rendered.missing
    assert "[MISSING: whether an unlawful or malicious act is suspected]" in rendered.body


# --------------------------------------------------------------------------- every code


@pytest.fixture
def everywhere(staff_user):
    """One incident, every fact known, people affected in every breach jurisdiction."""
    return make_incident(
        by=staff_user, discovered_at=when(hours=30), aware_at=when(hours=29),
        populations={code: {"people_min": 20_000} for code in deadlines.JURISDICTIONS},
        kind="both", aqara_role="both", fix_available_at=when(hours=2), sg_assessed_at=when(hours=20),
        resident_notice_sent_at=when(hours=3), contained_at=when(hours=25), **EVERY_FACT,
    )


def every_code(incident):
    personal = deadlines.IncidentFacts(
        discovered_at=incident.discovered_at, aware_at=incident.aware_at, risk="high", aqara_role="both",
        controllers=tuple(incident.customer_list),
        affected={code: deadlines.Affected(20_000, 20_000) for code in deadlines.JURISDICTIONS},
    )
    product = deadlines.ProductSecurityFacts(aware_at=incident.aware_at, actively_exploited=True,
                                             severe_incident=True, fix_available_at=incident.fix_available_at)
    return [*deadlines.notification_obligations(personal), *deadlines.product_security_obligations(product)]


def test_every_code_the_clocks_return_renders_in_both_languages_with_nothing_internal(everywhere):
    """Every code, both languages: a heading first, nothing missing when every fact is known (so it
    could be approved), each required fact in the text (not only flagged when missing), nothing
    internal, each language's own words."""
    computed = every_code(everywhere)
    assert {o.code for o in computed} == set(deadlines.REQUIRED_CONTENT)  # every family is covered
    for item in computed:
        obligation = obligation_row(everywhere, item)
        for language in LANGUAGES:
            where = f"{item.code} ({language})"
            rendered = notices.render_draft(obligation, language)
            body = rendered.body
            assert body.startswith("# "), f"{where}: no heading first"
            assert rendered.kind in NoticeDraft.Kind.values
            assert not notices.markers_in(body) and not rendered.missing, f"{where}: {notices.markers_in(body)}"
            values = notices.content_values(everywhere, obligation, language)
            for key in item.required_content:
                if key in notices.TEMPLATE_KEYS or key == "sample_notice_copy":
                    continue
                if key in notices.WITHHELD_CONTENT.get(item.code, ()):
                    assert values[key] not in body, f"{where}: {key} must not be stated"
                else:
                    assert values[key] and values[key] in body, f"{where}: {key} not in the text"
            assert_nothing_internal(body, obligation, where)
            assert_language(body, language, facts_in(everywhere, obligation, values), where)


# --------------------------------------------------------------------------- through the service


def generate(incident, code, language, user):
    return services.notice_draft_generate(obligation=codes(incident)[code], by=user, language=language)


def heading(body: str) -> str:
    return body.splitlines()[0]


@pytest.fixture
def vulnerability(staff_user):
    """An actively exploited vulnerability in a hub's firmware; no personal data at all."""
    return make_incident(
        by=staff_user, full=False, populations={}, kind="product_security",
        title="Hub firmware exploited", description="Hubs were taken over through their Zigbee radio.",
        discovered_at=when(hours=6), aware_at=when(hours=5), actively_exploited=True, severe_incident=False,
        fix_available_at=when(hours=1), measures_taken="Firmware 4.1.7 released; exploit traffic blocked.",
        contact_point="psirt@aqara.example", **CRA_FACTS,
    )


def test_a_product_vulnerability_has_only_csirt_reports_and_user_information(vulnerability):
    live = {code for code, o in codes(vulnerability).items() if o.applicability == "required"}
    assert live == {"EU-CRA-VUL-24H", "EU-CRA-VUL-72H", "EU-CRA-VUL-FINAL", "EU-CRA-USERS"}


def test_cra_early_warning_names_the_vulnerability_and_the_member_states(vulnerability, staff_user):
    en = generate(vulnerability, "EU-CRA-VUL-24H", "en", staff_user)
    zh = generate(vulnerability, "EU-CRA-VUL-24H", "zh-hans", staff_user)
    assert en.kind == zh.kind == NoticeDraft.Kind.CSIRT_REPORT
    title = heading(en.body)
    for words in ("Early warning", "actively exploited vulnerability", "coordinating CSIRT and ENISA",
                  "Cyber Resilience Act, Article 14(2)(a)"):
        assert words in title
    assert "single reporting platform" in en.body
    # The facts were written in English only: the Chinese report flags them, it does not borrow them.
    assert CRA_FACTS["vulnerability"] in en.body and CRA_FACTS["vulnerability"] not in zh.body
    assert "【缺少：漏洞情况】" in zh.body or "【缺少：" in zh.body
    assert "Germany, France, Netherlands" in en.body  # Member States by name, in the draft's language
    assert "早期预警" in heading(zh.body) and "《网络韧性法案》第 14(2)(a) 条" in heading(zh.body)
    assert not en.missing_content and not notices.markers_in(en.body)


def test_cra_notification_and_final_report_carry_the_article_14_2_items(vulnerability, staff_user):
    notification = generate(vulnerability, "EU-CRA-VUL-72H", "en", staff_user).body
    assert "Article 14(2)(b)" in heading(notification)
    for fact in (CRA_FACTS["affected_products"], CRA_FACTS["vulnerability"], CRA_FACTS["user_measures"],
                 CRA_FACTS["sensitivity"], "Firmware 4.1.7 released; exploit traffic blocked."):
        assert fact in notification
    final = generate(vulnerability, "EU-CRA-VUL-FINAL", "en", staff_user)
    assert final.phase == NoticeDraft.Phase.FINAL
    assert "Final report" in heading(final.body) and "Article 14(2)(c)" in heading(final.body)
    for fact in (CRA_FACTS["severity_and_impact"], CRA_FACTS["malicious_actor"], CRA_FACTS["security_update"]):
        assert fact in final.body
    zh = generate(vulnerability, "EU-CRA-VUL-FINAL", "zh-hans", staff_user).body
    assert "最终报告" in heading(zh) and "严重程度和影响" in zh and CRA_FACTS["malicious_actor"] not in zh


def test_cra_user_information_tells_users_what_to_do(vulnerability, staff_user):
    en = generate(vulnerability, "EU-CRA-USERS", "en", staff_user)
    assert en.kind == NoticeDraft.Kind.USER_NOTICE
    assert "Article 14(8)" in heading(en.body)
    assert CRA_FACTS["user_measures"] in en.body and CRA_FACTS["security_update"] in en.body
    assert "Dear user" in en.body and "psirt@aqara.example" in en.body
    zh = generate(vulnerability, "EU-CRA-USERS", "zh-hans", staff_user).body
    assert "尊敬的用户" in zh and "第 14(8) 条" in heading(zh)


def test_a_severe_incident_early_warning_says_whether_a_malicious_act_is_suspected(staff_user):
    incident = make_incident(by=staff_user, full=False, populations={}, kind="product_security",
                             description="The update server pushed a tampered image.", discovered_at=when(hours=2),
                             severe_incident=True, malicious_act_suspected=True, member_states="it")
    en = generate(incident, "EU-CRA-INC-24H", "en", staff_user).body
    assert "severe incident" in heading(en) and "Article 14(4)(a)" in heading(en)
    assert "suspected of being caused by unlawful or malicious acts\nYes" in en
    assert "Italy" in en
    zh = generate(incident, "EU-CRA-INC-24H", "zh-hans", staff_user).body
    assert "是否疑似由非法或恶意行为引起\n是" in zh


def test_a_missing_cra_fact_is_marked_in_both_languages_and_blocks_approval(staff_user, manager_user):
    incident = make_incident(by=staff_user, full=False, populations={}, kind="product_security",
                             description="Hubs were taken over.", discovered_at=when(hours=2),
                             actively_exploited=True, vulnerability="CVE-2026-40123.")
    warning = generate(incident, "EU-CRA-VUL-24H", "en", staff_user)
    assert "[MISSING: Member States where the product is made available]" in warning.body
    assert warning.missing_content == ["member_states"]
    assert "【缺少：" in generate(incident, "EU-CRA-VUL-24H", "zh-hans", staff_user).body
    users = generate(incident, "EU-CRA-USERS", "en", staff_user)
    assert "user_measures" in users.missing_content
    with pytest.raises(ValidationError) as refused:
        services.notice_draft_approve(draft=users, by=manager_user)
    assert refused.value.code == "missing_facts"
    # Recorded, regenerated: nothing missing any more.
    services.incident_update(incident=incident, by=staff_user, member_states="DE",
                             user_measures="Update the hub firmware.")
    warning = generate(incident, "EU-CRA-VUL-24H", "en", staff_user)
    assert not warning.missing_content and "Germany" in warning.body
    users = generate(incident, "EU-CRA-USERS", "en", staff_user)
    approved = services.notice_draft_approve(draft=users, by=manager_user)
    assert approved.is_approved


# ---- processor -> controller


@pytest.fixture
def as_processor(staff_user):
    return make_incident(by=staff_user, aqara_role="processor", customers="Hotel Alpha GmbH",
                         populations={"EU": {"people_min": 120}, "US-GA": {"people_min": 40}})


def test_the_notice_to_the_customer_carries_what_it_needs_for_its_own_article_33_notice(as_processor, staff_user):
    draft = generate(as_processor, "EU-CTRL", "en", staff_user)
    assert draft.kind == NoticeDraft.Kind.CONTROLLER_NOTICE
    assert "to our customer" in heading(draft.body) and "GDPR, Article 33(2)" in heading(draft.body)
    assert "To: Hotel Alpha GmbH" in draft.body
    values = notices.content_values(as_processor, draft.obligation, "en")
    for key in deadlines.REQUIRED_CONTENT["EU-CTRL"]:  # nature, numbers, data, consequences, measures, contact
        assert values[key] in draft.body, key
    assert "120 people" in draft.body
    assert not draft.missing_content
    assert_nothing_internal(draft.body, draft.obligation, "EU-CTRL")
    zh = generate(as_processor, "EU-CTRL", "zh-hans", staff_user).body
    assert "受托处理者致客户" in heading(zh) and "第 33(2) 条" in heading(zh) and "致：Hotel Alpha GmbH" in zh


def test_a_us_state_processor_notice_names_the_states_law(as_processor, staff_user):
    body = generate(as_processor, "US-GA-CTRL", "en", staff_user).body
    assert "Georgia" in heading(body) and "O.C.G.A. §10-1-912" in heading(body)
    assert "佐治亚州" in heading(generate(as_processor, "US-GA-CTRL", "zh-hans", staff_user).body)


def test_with_several_customers_the_notice_names_none_of_them(staff_user):
    incident = make_incident(by=staff_user, aqara_role="both", customers="Hotel Alpha GmbH\nInstaller Beta SARL",
                             populations={"EU": {"people_min": 120}})
    body = generate(incident, "EU-CTRL", "en", staff_user).body
    assert "Hotel Alpha" not in body and "Installer Beta" not in body and "To:" not in body
    assert "Dear customer" in body and not notices.markers_in(body)


def test_a_notice_to_the_customer_without_a_customer_is_flagged(staff_user):
    incident = make_incident(by=staff_user, aqara_role="processor", populations={"EU": {"people_min": 120}})
    draft = generate(incident, "EU-CTRL", "en", staff_user)
    assert "[MISSING: customers (controllers) to notify]" in draft.body and "customers" in draft.missing_content


# ---- US states


@pytest.fixture
def us_residents(staff_user):
    # Discovered Fri 2026-06-05 09:00 UTC (factories), 04:00 in Texas (CDT, UTC-5).
    return make_incident(by=staff_user, populations={
        "US-TX": {"people_min": 20_000}, "US-NY": {"people_min": 10}, "US-MA": {"people_min": 10}})


def test_a_state_resident_notice_has_every_item_the_state_laws_require(us_residents, staff_user):
    for code in ("US-TX-IND", "US-NY-IND"):
        draft = generate(us_residents, code, "en", staff_user)
        assert draft.kind == NoticeDraft.Kind.USER_NOTICE
        values = notices.content_values(us_residents, draft.obligation, "en")
        for key in deadlines.REQUIRED_CONTENT[code]:  # description, date, data, measures, advice, contact
            assert values[key] in draft.body, (code, key)
        # The contacts and rights several states require (AZ, IL, MD, MA; us-states.md Table 2).
        for words in ("Equifax", "Experian", "TransUnion", "Federal Trade Commission", "security freeze",
                      "fraud alert", "police report"):
            assert words in draft.body, (code, words)
        assert not draft.missing_content
    assert "Texas (Tex. Bus. & Com. Code §521.053)" in generate(us_residents, "US-TX-IND", "en", staff_user).body
    zh = generate(us_residents, "US-TX-IND", "zh-hans", staff_user).body
    assert heading(zh) == "# 数据泄露通知" and "得克萨斯州" in zh and "安全冻结" in zh


def test_the_massachusetts_notice_does_not_state_the_nature_of_the_breach(staff_user):
    """M.G.L. c. 93H §3(b): the resident notice must not state the nature of the breach or the number
    affected; it is neither shown nor asked for, while Texas still asks for it."""
    incident = make_incident(by=staff_user, description="", populations={
        "US-MA": {"people_min": 10}, "US-TX": {"people_min": 10}})
    ma = generate(incident, "US-MA-IND", "en", staff_user)
    assert "nature" not in ma.missing_content and not notices.markers_in(ma.body)
    assert "10 people" not in ma.body and "police report" in ma.body
    tx = generate(incident, "US-TX-IND", "en", staff_user)
    assert "[MISSING: what happened]" in tx.body and "nature" in tx.missing_content
    with_nature = make_incident(by=staff_user, populations={"US-MA": {"people_min": 10}})
    description = with_nature.narratives.get(language="en").description
    assert description and description not in generate(with_nature, "US-MA-IND", "en", staff_user).body


def test_a_state_attorney_general_gets_the_numbers_the_timing_and_a_sample_notice(us_residents, staff_user):
    draft = generate(us_residents, "US-TX-AG", "en", staff_user)
    assert draft.kind == NoticeDraft.Kind.AG_SAMPLE
    assert heading(draft.body) == ("# Data breach notification to the Attorney General of Texas "
                                   "(Tex. Bus. & Com. Code §521.053)")
    assert "20,000 people" in draft.body
    # Residents' deadline: discovered Fri 2026-06-05 04:00 CDT; + 60 days (Tex. Bus. & Com. Code
    # §521.053) -> June 5 + 25 = June 30, + 31 = July 31 (56), + 4 = Tue 2026-08-04, end of day CDT.
    assert "Timing: to be sent no later than 2026-08-04 23:59 (UTC-05:00)" in draft.body
    assert "## Sample copy of the notice sent to the residents\n# Notice of Data Breach" in draft.body
    assert not draft.missing_content
    ny = generate(us_residents, "US-NY-AG", "en", staff_user).body
    assert "Department of Financial Services of New York" in heading(ny)
    assert "金融服务厅" in heading(generate(us_residents, "US-NY-AG", "zh-hans", staff_user).body)


def test_the_credit_bureaus_get_the_timing_distribution_and_content(us_residents, staff_user):
    draft = generate(us_residents, "US-TX-CRA", "en", staff_user)
    assert draft.kind == NoticeDraft.Kind.CREDIT_BUREAU_NOTICE
    assert "consumer reporting agencies" in heading(draft.body) and "Texas" in heading(draft.body)
    assert "To: Equifax, Experian and TransUnion" in draft.body and "20,000 people" in draft.body
    assert "# Notice of Data Breach" in draft.body  # the content of the residents' notice
    zh = generate(us_residents, "US-TX-CRA", "zh-hans", staff_user).body
    assert "消费者信用报告机构" in heading(zh) and "# 数据泄露通知" in zh


# ---- JP, RU, BR


def test_japan_russia_and_brazil_reports_name_their_regulator_and_law(staff_user):
    incident = make_incident(by=staff_user, jp_financial_damage_risk=True, populations={
        "JP": {"people_min": 2_000}, "RU": {"people_min": 10}, "BR": {"people_min": 10}})
    expected = {
        "JP-PPC-PRELIM": ("Preliminary report", "Personal Information Protection Commission", "日本个人信息保护委员会"),
        "JP-PPC-FINAL": ("Final report", "Article 26(1)", "最终报告"),
        "RU-RKN-24H": ("Roskomnadzor", "Federal Law No. 152-FZ", "初次通知"),
        "RU-RKN-72H": ("results of the internal investigation", "Article 21(3.1)", "内部调查结果"),
        "BR-ANPD": ("National Data Protection Authority (ANPD)", "Article 48", "巴西国家数据保护局"),
        "BR-ANPD-SUPP": ("Complementary information", "ANPD", "补充报告"),
    }
    for code, (first, second, chinese) in expected.items():
        en = generate(incident, code, "en", staff_user).body
        assert first in heading(en) and second in heading(en), (code, heading(en))
        assert chinese in heading(generate(incident, code, "zh-hans", staff_user).body), code
    final = generate(incident, "JP-PPC-FINAL", "en", staff_user).body
    assert "## Measures to prevent recurrence\nPolicy reviews." in final
    # APPI Rules Art. 10: the people are told the cause too.
    assert "Why it happened: Misconfigured access policy." in generate(incident, "JP-IND", "en", staff_user).body


def test_every_draft_of_an_incident_with_every_family_is_generated(staff_user):
    incident = make_incident(by=staff_user, kind="both", aqara_role="both", customers="Hotel Alpha GmbH",
                             discovered_at=when(hours=10), actively_exploited=True, severe_incident=True, **CRA_FACTS, populations={
                                 "EU": {"people_min": 120}, "US-TX": {"people_min": 20_000},
                                 "JP": {"people_min": 2_000}, "CN": {"people_min": 10}})
    drafts = services.incident_generate_drafts(incident=incident, by=staff_user)
    made = {d.obligation.code for d in drafts}
    assert {"EU-CRA-VUL-24H", "EU-CRA-INC-72H", "EU-CTRL", "US-TX-CRA", "US-TX-AG", "JP-PPC-PRELIM",
            "CN-CTRL"} <= made
    for d in drafts:
        assert d.kind == notices.notice_kind(d.obligation)
        assert_nothing_internal(d.body, d.obligation, f"{d.obligation.code} ({d.language})")
