"""How clocks read on screen: translated time left, in the office's urgency levels (admin and dashboard)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop

from privacy_office.jurisdiction_choices import jurisdiction_name

from privacy_office.urgency import DANGER, MUTED, OK, WARN, badge

from . import deadlines
from .statement_phrases import translate_phrases

# Below these, a clock turns to "warn", then "danger".
WARN_BELOW = timedelta(hours=24)
DANGER_BELOW = timedelta(hours=4)


# The phrases deadlines.format_time_left writes, listed here so makemessages keeps them in the catalogue.
TIME_LEFT_PHRASES = (
    gettext_noop("%(d)s d %(h)s h"), gettext_noop("%(h)s h %(m)s min"), gettext_noop("%(m)s min"),
    gettext_noop("< 1 min"), gettext_noop("overdue by %(time)s"),
)


def time_left_text(delta: timedelta) -> str:
    """'2 d 4 h', '3 h 12 min', '< 1 min', 'overdue by 1 h 5 min' (truncated), in the reader's language."""
    return deadlines.format_time_left(delta, translate=_)


def urgency(deadline: datetime | None, now: datetime) -> str:
    """The urgency level (``privacy_office.urgency``) of a clock ending at ``deadline``."""
    if deadline is None:
        return MUTED
    left = deadlines.time_left(deadline, now)
    if left < DANGER_BELOW:
        return DANGER
    if left < WARN_BELOW:
        return WARN
    return OK


def deadline_html(deadline: datetime | None, now: datetime | None = None) -> str:
    """Time left to an instant, in its urgency level, with the local deadline as a tooltip."""
    if deadline is None:
        return "—"
    now = now or timezone.now()
    level = urgency(deadline, now)
    return format_html(
        '<span class="breach-time-left" title="{}">{}</span>', localize(timezone.localtime(deadline)),
        badge(level, time_left_text(deadlines.time_left(deadline, now)), strong=level == DANGER),
    )


def obligation_clock_html(obligation, now: datetime | None = None) -> str:
    """The clock as the obligation's kind reads: time left, 'immediately', 'without undue delay'…"""
    if obligation.status in obligation.DONE:
        return badge(MUTED, obligation.get_status_display())
    if obligation.applicability in ("not_required", "obsolete"):
        return badge(MUTED, obligation.get_applicability_display())
    if obligation.deadline_kind == "instant" and obligation.deadline is not None:
        if obligation.unverified:
            # The date rests on a rule the reference marks unverified: it says so where it binds.
            return format_html("{} {}", deadline_html(obligation.deadline, now), badge(WARN, _("unverified")))
        return deadline_html(obligation.deadline, now)
    if obligation.deadline_kind == "immediately":
        return badge(DANGER, _("immediately"), strong=True)
    if obligation.deadline_kind == "without_undue_delay":
        return badge(WARN, _("without undue delay"))
    return badge(MUTED, _("clock not started"))


# --------------------------------------------------------------------------- obligation names
# What each duty is called on screen, in the reader's language: the recipient and the provision,
# never the internal code (CN-CAC-PIPL reads 网信部门（个人信息保护法第五十七条）).
OBLIGATION_NAMES = {
    "EU-SA": gettext_lazy("EU supervisory authority (GDPR Art. 33)"),
    "EU-IND": gettext_lazy("People affected in the EU (GDPR Art. 34)"),
    "EU-PUBLIC": gettext_lazy("Public communication in the EU (GDPR Art. 34(3)(c))"),
    "UK-ICO": gettext_lazy("Information Commissioner's Office (UK GDPR Art. 33)"),
    "UK-IND": gettext_lazy("People affected in the UK (UK GDPR Art. 34)"),
    "UK-PUBLIC": gettext_lazy("Public communication in the UK (UK GDPR Art. 34(3)(c))"),
    "CN-CAC-PIPL": gettext_lazy("Cyberspace administration (PIPL Art. 57)"),
    "CN-CAC-INCIDENT": gettext_lazy("Provincial cyberspace administration: incident report (Incident Reporting Measures Art. 4)"),
    "CN-CAC-FINAL": gettext_lazy("Provincial cyberspace administration: summary report (Incident Reporting Measures Art. 4)"),
    "CN-IND": gettext_lazy("People affected in mainland China (PIPL Art. 57)"),
    "CN-PUBLIC": gettext_lazy("Public notice in mainland China (PIPL Art. 57; privacy policy §五.4)"),
    "SG-PDPC": gettext_lazy("Personal Data Protection Commission (PDPA s.26D)"),
    "SG-IND": gettext_lazy("People affected in Singapore (PDPA s.26D(2))"),
    "KR-PIPC": gettext_lazy("Personal Information Protection Commission / KISA (PIPA Art. 34(3))"),
    "KR-IND": gettext_lazy("People affected in Korea (PIPA Art. 34(1))"),
    "RU-RKN-24H": gettext_lazy("Roskomnadzor: initial notice within 24 h (152-FZ Art. 21(3.1))"),
    "RU-RKN-72H": gettext_lazy("Roskomnadzor: investigation results within 72 h (152-FZ Art. 21(3.1))"),
    "BR-ANPD": gettext_lazy("National Data Protection Authority (LGPD Art. 48)"),
    "BR-ANPD-SUPP": gettext_lazy("National Data Protection Authority: complementary information (Res. CD/ANPD 15/2024)"),
    "BR-IND": gettext_lazy("People affected in Brazil (LGPD Art. 48)"),
    "JP-PPC-PRELIM": gettext_lazy("Personal Information Protection Commission: preliminary report (APPI Art. 26)"),
    "JP-PPC-FINAL": gettext_lazy("Personal Information Protection Commission: confirmed report (APPI Art. 26)"),
    "JP-IND": gettext_lazy("People affected in Japan (APPI Art. 26(2))"),
    "EU-CRA-VUL-24H": gettext_lazy("CSIRT and ENISA: early warning of an exploited vulnerability (CRA Art. 14(2)(a))"),
    "EU-CRA-VUL-72H": gettext_lazy("CSIRT and ENISA: vulnerability notification (CRA Art. 14(2)(b))"),
    "EU-CRA-VUL-FINAL": gettext_lazy("CSIRT and ENISA: final report on the vulnerability (CRA Art. 14(2)(c))"),
    "EU-CRA-INC-24H": gettext_lazy("CSIRT and ENISA: early warning of a severe incident (CRA Art. 14(4)(a))"),
    "EU-CRA-INC-72H": gettext_lazy("CSIRT and ENISA: severe incident notification (CRA Art. 14(4)(b))"),
    "EU-CRA-INC-FINAL": gettext_lazy("CSIRT and ENISA: final report on the severe incident (CRA Art. 14(4)(c))"),
    "EU-CRA-USERS": gettext_lazy("Users of the product (CRA Art. 14(8))"),
}
# The duties every US state (and any jurisdiction, for -CTRL) has, by the code's last part.
OBLIGATION_NAME_PATTERNS = {
    "IND": gettext_lazy("Residents of %(place)s"),
    "AG": gettext_lazy("Attorney General of %(place)s"),
    "REG": gettext_lazy("State regulator of %(place)s"),
    "CRA": gettext_lazy("Nationwide credit bureaus (%(place)s)"),
    "CTRL": gettext_lazy("Controllers (customers) of the data, %(place)s"),
}


def chinese_reader() -> bool:
    return (get_language() or "").startswith("zh")


def eu_authorities_text(incident) -> str:
    """The EU-SA addressee: the lead authority, or each concerned authority, by name."""
    authorities = incident.eu_breach_authorities
    zh = chinese_reader()
    if authorities.lead is not None:
        return _("lead supervisory authority: %(authority)s") % {"authority": authorities.lead.name(chinese=zh)}
    if authorities.concerned:
        sep = "；" if zh else "; "
        return _("each concerned supervisory authority: %(authorities)s") % {
            "authorities": sep.join(a.name(chinese=zh) for a in authorities.concerned)}
    return _("Member States of the people affected not recorded yet")


def obligation_name(obligation) -> str:
    """The duty as the reader calls it: recipient and provision in their language; EU-SA names its authorities."""
    code = obligation.code
    if code in OBLIGATION_NAMES:
        name = str(OBLIGATION_NAMES[code])
        if code == "EU-SA":
            name = f"{name}{'：' if chinese_reader() else ': '}{eu_authorities_text(obligation.incident)}"
        return name
    suffix = code.rsplit("-", 1)[-1]
    if suffix in OBLIGATION_NAME_PATTERNS:
        return str(OBLIGATION_NAME_PATTERNS[suffix]) % {"place": jurisdiction_name(obligation.jurisdiction)}
    return code


def statement_text(text: str) -> str:
    """A reason or citation the clocks wrote (English, "; "-separated statements) in the reader's
    language: the whole text if the catalogue has it, else statement by statement; a statement the
    catalogue lacks stays as the reference words it."""
    if not text:
        return ""
    whole = _(text)
    if whole != text:
        return whole
    sep = "；" if chinese_reader() else "; "
    return sep.join(statement_part_text(part) for part in statements(text))


def statements(text: str) -> list[str]:
    """The "; "-separated statements of a reason or citation; a "; " inside brackets ("(not stated;
    data not encrypted)") belongs to its statement."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith("; ", i):
            parts.append(text[start:i])
            start = i + 2
    parts.append(text[start:])
    return parts


def statement_part_text(part: str) -> str:
    """One statement in the reader's language: the catalogue's sentence, else its phrases translated
    around the citations, names and numbers it carries."""
    whole = _(part)
    if whole != part:
        return whole
    return translate_phrases(part)


def obligation_name_html(obligation) -> str:
    """The name, with its code small beside it; quiet when the duty does not apply."""
    name = obligation_name(obligation)
    if obligation.applicability in ("not_required", "obsolete"):
        return format_html('{} <small class="quiet">{}</small>', badge(MUTED, name), obligation.code)
    # Bold by its cell's style (urgency.css), not a <strong> element: one element fewer a row.
    return format_html('{} <small class="quiet">{}</small>', name, obligation.code)
