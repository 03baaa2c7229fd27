"""Demo incidents: one touching CN, EU, US-CA and SG with its obligations and drafts (Aqara also acted
as processor for an installer there), two more in later statuses, and a product vulnerability under
the EU Cyber Resilience Act with no personal data. Idempotent: an incident whose title exists is left
alone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .models import Incident, NoticeDraft, Obligation

MAIN_TITLE = "Customer-service ticket store exposed to the internet"
LAPTOP_TITLE = "Engineer's laptop with an encrypted backup lost"
EMAIL_TITLE = "Order confirmation sent to the wrong customer (Korea)"
HUB_TITLE = "Hub firmware: local API vulnerability exploited"
# The ticket store also held tickets Aqara+ installers opened for their own customers' projects:
# for those Aqara is the installer's processor (受托方) and tells the installer.
INSTALLER = "Brightline Smart Homes GmbH (Aqara+ installer, Munich)"

CONTACT = {
    "en": "Aqara Privacy Office, privacy@lumiunited.com, +86 755 0000 0000 (DPO: Privacy Office lead)",
    "zh-hans": "Aqara 隐私办公室，privacy@lumiunited.com，+86 755 0000 0000（个人信息保护负责人：隐私办公室主管）",
}

# The ticket store held booking requests and the floor plans customers sent for a design scheme:
# the activities staff linked, and the fields of those activities they decided were exposed.
MAIN_ACTIVITIES = ("cn-booking", "cn-scheme-design")
MAIN_EXPOSED = ("name", "mobile-phone-number", "detailed-address", "customer-floor-plan")


def _exposure():
    """(activities, exposed fields) of the main incident, from the inventory if it is loaded."""
    try:
        from inventory_app.models import DataField, ProcessingActivity
    except ImportError:  # inventory not installed: incidents still load
        return [], []
    return (list(ProcessingActivity.objects.filter(code__in=MAIN_ACTIVITIES)),
            list(DataField.objects.filter(code__in=MAIN_EXPOSED)))


MAIN_FACTS = {
    "en": dict(
        description=("A misconfigured object-storage bucket holding customer-service tickets was readable from the "
                     "internet without authentication. Access logs show downloads from two unknown IP addresses."),
        cause="Access policy changed during a storage migration; the change was not peer-reviewed.",
        extra_data_categories="Free text of support tickets",
        risk_reasoning=("Names, phone numbers and home addresses with floor plans enable phishing and physical "
                        "targeting; data was actually downloaded."),
        likely_consequences=("Phishing calls and messages impersonating Aqara support; exposure of home addresses "
                             "and floor plans linked to smart-home devices."),
        measures_taken=("Bucket made private within 35 minutes of discovery; access keys rotated; the downloading "
                        "IP addresses blocked."),
        measures_planned="Mandatory review of storage policy changes; weekly automated exposure scan.",
        self_protection_advice=("Be wary of calls or messages claiming to be Aqara support; Aqara never asks for your "
                                "password or verification code. Change your Aqara Home password."),
        remedies="Free identity-protection service for 12 months; dedicated support line.",
        contact_point=CONTACT["en"],
        system_overview="Aqara customer-service ticketing system (SaaS, hosted in Shanghai and Frankfurt).",
    ),
    "zh-hans": dict(
        description="一个存放客服工单的对象存储桶因配置错误，可在互联网上无需身份验证读取。访问日志显示有两个未知 IP 地址下载了数据。",
        cause="存储迁移过程中更改了访问策略，该更改未经同行复核。",
        extra_data_categories="客服工单中的自由文本",
        risk_reasoning="姓名、手机号码、住址及户型图可被用于网络钓鱼和线下针对性侵害；数据已被实际下载。",
        likely_consequences="冒充 Aqara 客服的诈骗电话和短信；与智能家居设备关联的住址和户型图被泄露。",
        measures_taken="发现后 35 分钟内将存储桶设为私有；轮换访问密钥；封禁下载数据的 IP 地址。",
        measures_planned="存储策略的变更一律经过复核；每周自动扫描公开暴露情况。",
        self_protection_advice="请警惕自称 Aqara 客服的电话或短信；Aqara 绝不会索要您的密码或验证码。请修改您的 Aqara Home 密码。",
        remedies="免费提供 12 个月的身份保护服务；开通专线客服。",
        contact_point=CONTACT["zh-hans"],
        system_overview="Aqara 客服工单系统（SaaS，部署于上海和法兰克福）。",
    ),
}


def load_demo(*, stdout) -> None:
    User = get_user_model()
    staff = User.objects.filter(username="staff").first()
    manager = User.objects.filter(username="manager").first()
    now = timezone.now().replace(second=0, microsecond=0)
    activities, exposed = _exposure()
    created = 0

    if not Incident.objects.filter(title=MAIN_TITLE).exists():
        discovered = now - timedelta(hours=1, minutes=20)
        incident = services.incident_create(
            by=staff, title=MAIN_TITLE, discovered_at=discovered, aware_at=discovered + timedelta(minutes=40),
            occurred_from=now - timedelta(days=6), occurred_to=discovered - timedelta(hours=2),
            narratives=MAIN_FACTS,
            confidentiality=True, unauthorised_disclosure=True, unauthorised_access=True,
            risk_level=Incident.RiskLevel.HIGH,
            significant_harm=True, sg_assessed_at=discovered + timedelta(minutes=50),
            populations={
                "CN": {"people_min": 1_200_000, "people_max": 1_300_000, "records": 2_400_000, "estimate": True},
                "EU": {"people_min": 3_400, "records": 6_100},
                "US-CA": {"people_min": 620, "records": 700},
                "SG": {"people_min": 800, "records": 820},
            },
            activities=activities, exposed_fields=exposed,
            aqara_role=Incident.AqaraRole.BOTH, customers=INSTALLER,
            # No main establishment in the Union recorded: each concerned authority (GDPR Art. 56, 60).
            eu_affected_states="DE, FR, NL",
        )
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.ASSESSING)
        services.incident_generate_drafts(incident=incident, by=staff)
        if manager is not None:
            cac = incident.obligations.get(code="CN-CAC-INCIDENT")
            for draft in cac.drafts.all():
                services.notice_draft_approve(draft=draft, by=manager)
            services.obligation_mark_sent(obligation=cac, by=staff, channel="Provincial CAC reporting portal",
                                          reference="GD-CAC-2026-0815")
            eu = incident.obligations.get(code="EU-SA")
            services.notice_draft_approve(draft=eu.drafts.get(language="en"), by=manager)
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.NOTIFYING)
        created += 1

    if not Incident.objects.filter(title=LAPTOP_TITLE).exists():
        discovered = now - timedelta(days=3)
        incident = services.incident_create(
            by=staff, title=LAPTOP_TITLE, discovered_at=discovered, aware_at=discovered,
            narratives={
                "en": dict(
                    description="A laptop holding an encrypted backup of device pairing logs was left on a train.",
                    cause="Loss of equipment.",
                    risk_reasoning="Full-disk encryption (AES-256) with a key not stored on the device; remote wipe "
                                   "sent.",
                    likely_consequences="None expected: data unintelligible without the key.",
                    measures_taken="Remote wipe; credentials of the engineer rotated.", contact_point=CONTACT["en"]),
                "zh-hans": dict(
                    description="一台存有设备配网日志加密备份的笔记本电脑遗失在火车上。",
                    cause="设备遗失。",
                    risk_reasoning="全盘加密（AES-256），密钥不存放在该设备上；已发出远程擦除指令。",
                    likely_consequences="预计无影响：没有密钥无法读取数据。",
                    measures_taken="远程擦除；轮换该工程师的凭据。", contact_point=CONTACT["zh-hans"]),
            },
            loss=True, availability=True, encrypted=True, risk_level=Incident.RiskLevel.NONE,
            populations={"EU": {"people_min": 40, "people_max": 60, "estimate": True}},
            eu_affected_states="DE",
        )
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.ASSESSING)
        # A person's note, typed by the demo's staff member in their own language (zh-hans), like the
        # Chinese narratives beside it; it is also the history row's reason, shown as typed.
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.MONITORING,
                                        note="数据已加密：无需通知（GDPR Art. 33(1)）；已按 Art. 33(5) 记录。")
        created += 1

    if not Incident.objects.filter(title=EMAIL_TITLE).exists():
        # Handled within the day: the notice goes out when it is approved (now), never before its
        # approval, so the demo shows no back-dated send.
        discovered = now - timedelta(hours=6)
        incident = services.incident_create(
            by=staff, title=EMAIL_TITLE, discovered_at=discovered, aware_at=discovered,
            occurred_from=discovered - timedelta(hours=3),
            narratives={
                "en": dict(
                    description="An order confirmation with a name and delivery address was e-mailed to another "
                                "customer.",
                    cause="Manual error when re-sending a confirmation.",
                    extra_data_categories="Name\nDelivery address\nOrder number",
                    risk_reasoning="One person; the recipient confirmed deletion.",
                    likely_consequences="Low: one delivery address disclosed to one person.",
                    measures_taken="The recipient deleted the e-mail and confirmed it in writing.",
                    measures_planned="Re-sending confirmations now only from the order page.",
                    self_protection_advice="No action needed; contact us if you receive unexpected parcels or "
                                           "messages.",
                    remedies="Apology and a service voucher.", contact_point=CONTACT["en"]),
                "zh-hans": dict(
                    description="一封含有姓名和收货地址的订单确认邮件被误发给另一位客户。",
                    cause="重新发送确认邮件时的人工失误。",
                    extra_data_categories="姓名\n收货地址\n订单号",
                    risk_reasoning="仅涉及一人；收件人已确认删除。",
                    likely_consequences="影响较低：一个收货地址被披露给一个人。",
                    measures_taken="收件人已删除该邮件并书面确认。",
                    measures_planned="今后确认邮件只能从订单页面重新发送。",
                    self_protection_advice="无需采取行动；如收到异常包裹或信息，请与我们联系。",
                    remedies="致歉并赠送服务代金券。", contact_point=CONTACT["zh-hans"]),
            },
            confidentiality=True, unauthorised_disclosure=True, risk_level=Incident.RiskLevel.RISK,
            contained_at=discovered + timedelta(hours=5),
            populations={"KR": {"people_min": 1, "records": 1}},
        )
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.ASSESSING)
        services.incident_generate_drafts(incident=incident, by=staff)
        if manager is not None:
            notice = incident.obligations.get(code="KR-IND")
            for draft in notice.drafts.filter(phase=NoticeDraft.Phase.INITIAL):
                services.notice_draft_approve(draft=draft, by=manager)
            services.obligation_mark_sent(obligation=notice, by=staff, channel="e-mail")
            services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.MONITORING)
            services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.CLOSED)
        created += 1

    if not Incident.objects.filter(title=HUB_TITLE).exists():
        # An actively exploited vulnerability in a product sold in the EU: CRA Art. 14(2) early
        # warning (24 h) and notification (72 h) to the CSIRT and ENISA, users informed; no personal
        # data, so no breach notification. The fix is not out yet: the final report's clock waits.
        aware = now - timedelta(hours=5)
        incident = services.incident_create(
            by=staff, title=HUB_TITLE, kind=Incident.Kind.PRODUCT_SECURITY,
            discovered_at=aware - timedelta(hours=2), aware_at=aware,
            narratives={
                "en": dict(
                    description=("A crafted packet on the local network makes the hub's LAN API run code of the "
                                 "sender's choosing. Our honeypot hubs recorded the exploit being used from "
                                 "compromised routers."),
                    cause="Missing length check in the mDNS service parser of the hub firmware.",
                    affected_products="Aqara Hub M3, firmware 4.1.0 to 4.1.3; Aqara Hub M2, firmware 4.0.5",
                    vulnerability="Heap buffer overflow in the mDNS parser (internal id AQ-PSIRT-2026-017, CVE "
                                  "requested).",
                    malicious_actor="A botnet of compromised home routers scanning for port 5353; attribution "
                                    "unknown.",
                    user_measures="Until the update is installed: turn off 'LAN control' in the Aqara Home app.",
                    sensitivity="High until the update is out: the exploit details stay restricted to the CSIRT.",
                    severity_and_impact="CVSS 8.8; a compromised hub can be used to attack other devices on the "
                                        "home LAN.",
                    measures_taken="Cloud-side block of the exploit's scanning sources; firmware 4.1.4 in staged "
                                   "roll-out.",
                    contact_point=CONTACT["en"]),
                "zh-hans": dict(
                    description="局域网内构造的数据包可使网关的局域网 API 执行发送者指定的代码。我们的蜜罐网关记录到该漏洞被已入侵的路由器利用。",
                    cause="网关固件的 mDNS 服务解析器缺少长度检查。",
                    affected_products="Aqara 网关 M3（固件 4.1.0 至 4.1.3）；Aqara 网关 M2（固件 4.0.5）",
                    vulnerability="mDNS 解析器堆缓冲区溢出（内部编号 AQ-PSIRT-2026-017，已申请 CVE 编号）。",
                    malicious_actor="由被入侵的家用路由器组成、扫描 5353 端口的僵尸网络；攻击者身份不明。",
                    user_measures="在安装更新之前：请在 Aqara Home 应用中关闭“局域网控制”。",
                    sensitivity="在更新发布前为高：漏洞利用细节仅向 CSIRT 提供。",
                    severity_and_impact="CVSS 8.8；被入侵的网关可被用来攻击家庭局域网内的其他设备。",
                    measures_taken="在云端封禁漏洞扫描来源；固件 4.1.4 正在分批推送。",
                    contact_point=CONTACT["zh-hans"]),
            },
            actively_exploited=True, severe_incident=False, malicious_act_suspected=True,
            member_states="DE, FR, NL, IT, ES, PL",
        )
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.ASSESSING)
        created += 1

    live = Obligation.objects.live().count()
    stdout.write(_("Incidents: %(created)d demo incidents created; %(total)d incidents, %(live)d obligations "
                   "still to do.") % {"created": created, "total": Incident.objects.count(), "live": live})
