"""Builders shared by the breach_app tests (real database, through the services)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from breach_app import services

UTC = timezone.utc

# The narrative facts in both office languages: each draft takes its paragraphs from its own language.
FULL_NARRATIVES = {
    "en": dict(
        description="A storage bucket with support tickets was publicly readable.",
        cause="Misconfigured access policy.",
        risk_reasoning="Addresses and phone numbers were downloaded.",
        likely_consequences="Phishing calls impersonating support.",
        measures_taken="Bucket closed; keys rotated.", measures_planned="Policy reviews.",
        self_protection_advice="Ignore calls asking for codes; change your password.",
        remedies="Free identity protection for 12 months.",
        contact_point="privacy@lumiunited.com",
        system_overview="Ticketing system.",
        extra_data_categories="Name\nPhone number\nHome address",
        delay_reasons="The extent was only established after the vendor's log review.",
    ),
    "zh-hans": dict(
        description="一个存放客服工单的存储桶可被公开读取。",
        cause="访问策略配置错误。",
        risk_reasoning="住址和电话号码已被下载。",
        likely_consequences="冒充客服的诈骗电话。",
        measures_taken="已关闭存储桶；已轮换密钥。", measures_planned="复核访问策略。",
        self_protection_advice="不要理会索要验证码的电话；请修改密码。",
        remedies="免费提供 12 个月的身份保护服务。",
        contact_point="隐私办公室：privacy@lumiunited.com",
        system_overview="工单系统。",
        extra_data_categories="姓名\n电话号码\n住址",
        delay_reasons="直到供应商完成日志审查后才确定了影响范围。",
    ),
}

FULL_FACTS = dict(
    confidentiality=True, unauthorised_access=True,
    occurred_from=datetime(2026, 6, 1, 8, 0, tzinfo=UTC), occurred_to=datetime(2026, 6, 4, 8, 0, tzinfo=UTC),
    risk_level="high", eu_affected_states="DE, FR",
)


def make_incident(*, by=None, populations=None, discovered_at=None, full=True, **facts):
    """An incident with every fact in both languages (``full``); a narrative fact passed here replaces
    that fact in every language ("" removes it everywhere)."""
    values = {**(FULL_FACTS if full else {}), **facts}
    narratives = {lang: dict(texts) for lang, texts in (FULL_NARRATIVES if full else {}).items()}
    for name in [n for n in values if n in services.NARRATIVE_FIELDS]:
        text = values.pop(name)
        for texts in narratives.values():
            texts[name] = text
        if not narratives:
            narratives = services.narratives_by_language(None, {name: text})
    if "narratives" in values:
        for lang, texts in values.pop("narratives").items():
            narratives.setdefault(lang, {}).update(texts)
    return services.incident_create(
        by=by, title=values.pop("title", "Ticket store exposed"),
        discovered_at=discovered_at or datetime(2026, 6, 5, 9, 0, tzinfo=UTC),
        populations=populations if populations is not None else {"CN": {"people_min": 1_000_001}},
        narratives=narratives, **values,
    )


def codes(incident):
    return {o.code: o for o in incident.obligations.all()}


def now_minus(**kw):
    return datetime.now(UTC).replace(microsecond=0) - timedelta(**kw)
