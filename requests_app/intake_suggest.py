"""What a request that arrived by e-mail is probably about: its jurisdiction and request type,
suggested from the message's language, the sender's domain and keywords. Pure: text in, a
suggestion out, no database. Staff confirm or correct it on the case (mailbox_intake).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_noop

from privacy_office.jurisdictions import BR, CN, EU, JP, KR, RU, SG, UK, US_CA
from privacy_office.messages import reason_with_params

from . import deadlines as dl

# Mail providers of mainland China without a .cn domain.
CN_MAIL_DOMAINS = {"qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sohu.com",
                   "aliyun.com", "139.com", "189.cn", "wo.cn"}
RU_MAIL_DOMAINS = {"yandex.ru", "mail.ru", "yandex.com", "bk.ru", "inbox.ru", "list.ru", "rambler.ru"}
EU_TLDS = {"at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it", "lv", "lt",
           "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se", "eu"}
TLD_JURISDICTION = {"cn": CN, "uk": UK, "sg": SG, "kr": KR, "ru": RU, "br": BR, "jp": JP,
                    **{tld: EU for tld in EU_TLDS}}

# Laws named in the text win over everything else: the requester says which law they invoke.
LAW_KEYWORDS = (
    (UK, ("uk gdpr", "data protection act 2018", "ico")),
    (US_CA, ("ccpa", "cpra", "california")),
    (EU, ("gdpr", "article 15", "art. 15", "article 17", "dsgvo", "rgpd")),
    (CN, ("个人信息保护法", "pipl")),
    (BR, ("lgpd",)),
    (SG, ("pdpa",)),
    (JP, ("appi", "個人情報保護法")),
    (KR, ("pipa", "개인정보")),
    (RU, ("152-фз", "152-fz")),
)

# Request types by keyword, most specific first (English, Chinese).
TYPE_KEYWORDS = (
    (dl.CCPA_OPT_OUT, ("do not sell", "don't sell", "do not share", "opt out of sale", "opt-out of sale")),
    (dl.ACCOUNT_CANCELLATION, ("注销", "close my account", "cancel my account", "delete my account")),
    (dl.WITHDRAW_CONSENT, ("withdraw consent", "withdraw my consent", "撤回同意", "撤回授权")),
    (dl.PORTABILITY, ("portability", "transfer my data", "port my data", "转移", "可携")),
    (dl.CORRECTION, ("correct", "rectif", "update my", "更正", "补充", "修改")),
    (dl.DELETION, ("delete", "erase", "erasure", "remove my", "forget", "删除", "清除")),
    (dl.OBJECTION, ("object to", "stop processing", "stop using", "反对", "停止处理")),
    (dl.OPT_OUT, ("opt out", "opt-out", "targeted advertising", "退出")),
    (dl.EXPLANATION, ("explain", "解释", "说明规则")),
    (dl.ACCESS, ("access", "copy of", "what data", "what personal", "查阅", "复制", "副本", "访问")),
    (dl.COMPLAINT, ("complain", "complaint", "投诉")),
)

# Choice: with no sign at all, China. Aqara's users are mostly there, and Aqara's own 15-day
# commitment after verification (legal-rules.md) is among the shortest clocks, so an unconfirmed
# suggestion does not show a later due date than the real one is likely to be.
DEFAULT_JURISDICTION = CN
# Choice: with no keyword, access (every jurisdiction has it, and it is what most e-mails ask).
DEFAULT_TYPE = dl.ACCESS


@dataclass
class Suggestion:
    jurisdiction: str
    request_type: str
    language: str
    # Message ids (alone or with parameters, privacy_office.messages): read in each reader's language.
    reasons: list[str] = field(default_factory=list)


def text_language(text: str) -> str:
    """The office language a letter to this writer goes out in: zh-hans when the text is mostly
    Chinese (Han characters outnumber Latin words' letters by a fifth), else en."""
    han = len(re.findall(r"[\u4e00-\u9fff]", text or ""))
    latin = len(re.findall(r"[A-Za-z]", text or ""))
    return "zh-hans" if han and han * 5 >= latin else "en"


def _script_jurisdiction(text: str) -> str | None:
    if re.search(r"[\u3040-\u30ff]", text):  # kana: Japanese
        return JP
    if re.search(r"[\uac00-\ud7af]", text):  # Hangul
        return KR
    if re.search(r"[\u0400-\u04ff]", text):  # Cyrillic
        return RU
    if re.search(r"[\u4e00-\u9fff]", text):
        return CN
    return None


def domain_jurisdiction(address: str) -> str | None:
    domain = (address or "").rsplit("@", 1)[-1].lower().strip(" >.")
    if not domain:
        return None
    if domain in CN_MAIL_DOMAINS:
        return CN
    if domain in RU_MAIL_DOMAINS:
        return RU
    return TLD_JURISDICTION.get(domain.rsplit(".", 1)[-1])


def suggest(*, sender: str, subject: str, body: str, received_on: date | None = None) -> Suggestion:
    """The jurisdiction and request type a message most likely means, with the reasons."""
    text = f"{subject or ''}\n{body or ''}"
    lowered = text.lower()
    reasons: list[str] = []
    jurisdiction = None
    for code, words in LAW_KEYWORDS:
        hit = next((w for w in words if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", lowered)), None)
        if hit:
            jurisdiction = code
            reasons.append(reason_with_params(gettext_noop("law named: %(word)s"), word=hit))
            break
    if jurisdiction is None:
        jurisdiction = domain_jurisdiction(sender)
        if jurisdiction:
            reasons.append(reason_with_params(gettext_noop("sender domain: %(domain)s"),
                                              domain=sender.rsplit("@", 1)[-1].lower()))
    if jurisdiction is None:
        jurisdiction = _script_jurisdiction(text)
        if jurisdiction:
            reasons.append(gettext_noop("language of the message"))
    if jurisdiction is None:
        jurisdiction = DEFAULT_JURISDICTION
        reasons.append(gettext_noop("no sign of the jurisdiction: default"))

    allowed = dl.request_types(jurisdiction, received_on=received_on)
    request_type = None
    for kind, words in TYPE_KEYWORDS:
        hit = next((w for w in words if w in lowered), None)
        if not hit:
            continue
        candidate = kind
        # The same wish has its own type in some laws: a CCPA opt-out elsewhere is the state-law
        # opt-out; account cancellation outside China is a deletion.
        if candidate == dl.CCPA_OPT_OUT and candidate not in allowed:
            candidate = dl.OPT_OUT
        if candidate == dl.ACCOUNT_CANCELLATION and candidate not in allowed:
            candidate = dl.DELETION
        if candidate in allowed:
            request_type = candidate
            reasons.append(reason_with_params(gettext_noop("keyword: %(word)s"), word=hit))
            break
    if request_type is None:
        request_type = DEFAULT_TYPE if DEFAULT_TYPE in allowed else allowed[0]
        reasons.append(gettext_noop("no keyword for the request type: default"))
    return Suggestion(jurisdiction=jurisdiction, request_type=request_type, language=text_language(text),
                      reasons=reasons)
