"""Renders notice drafts from the incident's facts (reads only; ``services`` stores the result).

One vocabulary for what a draft must contain: ``deadlines.CONTENT_KEYS``. Every key gets a value
from the incident or, when the fact is not known yet, a visible marker in the draft's language
("[MISSING: likely consequences]" / "【缺少：可能的影响】") -- never a silent blank. Templates live in
``templates/breach_app/notices/<name>.<language>.txt`` (see ``privacy_office.outgoing``); a line
starting with ``#`` is a heading.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from privacy_office import jurisdictions as registry
from privacy_office import documents, outgoing
from privacy_office.spreadsheets import replace_control_characters

from . import deadlines
from .models import EU_MEMBER_STATES, Incident, NoticeDraft, Obligation
from .us_states import BREACH_LAWS

ORGANISATION = {
    "zh-hans": "深圳绿米联创科技有限公司（Aqara）",
    "en": "Lumi United Technology Co., Ltd. (Aqara)",
}

# What each content key is called in a draft's "missing" marker.
CONTENT_LABELS = {
    "delay_reasons": gettext_lazy("reasons for the delay"),
    "nature": gettext_lazy("what happened"),
    "categories_and_numbers": gettext_lazy("numbers of people and records affected"),
    "data_categories": gettext_lazy("categories of personal information involved"),
    "cause": gettext_lazy("cause"),
    "likely_consequences": gettext_lazy("likely consequences"),
    "measures": gettext_lazy("measures taken or planned"),
    "self_protection_advice": gettext_lazy("what individuals can do"),
    "remedies": gettext_lazy("remedies offered"),
    "contact": gettext_lazy("contact point"),
    "dpo_contact": gettext_lazy("DPO or contact point"),
    "plain_language": gettext_lazy("plain language"),
    "unit_and_system_overview": gettext_lazy("reporting unit and system overview"),
    "discovery_time": gettext_lazy("discovery time"),
    "incident_type": gettext_lazy("incident type"),
    "incident_level": gettext_lazy("incident level"),
    "impact": gettext_lazy("impact"),
    "pending_items": gettext_lazy("items to be reported later"),
    "accountability": gettext_lazy("accountability"),
    "remediation": gettext_lazy("rectification measures"),
    "lessons_learned": gettext_lazy("lessons learned"),
    "title_notice_of_data_breach": gettext_lazy('title "Notice of Data Breach"'),
    "what_happened": gettext_lazy('heading "What Happened"'),
    "what_information_was_involved": gettext_lazy('heading "What Information Was Involved"'),
    "what_we_are_doing": gettext_lazy('heading "What We Are Doing"'),
    "what_you_can_do": gettext_lazy('heading "What You Can Do"'),
    "for_more_information": gettext_lazy('heading "For More Information"'),
    "notifier_contact": gettext_lazy("notifier's name and contact"),
    "breach_date": gettext_lazy("date of the breach"),
    "law_enforcement_delay": gettext_lazy("law-enforcement delay"),
    "credit_bureau_contacts": gettext_lazy("credit-bureau contacts"),
    "sample_notice_copy": gettext_lazy("sample copy of the resident notice"),
    "investigation_results": gettext_lazy("investigation results"),
    "responsible_persons": gettext_lazy("persons responsible"),
    # EU Cyber Resilience Act, Art. 14(2), (4), (8).
    "vulnerability": gettext_lazy("the vulnerability"),
    "member_states": gettext_lazy("Member States where the product is made available"),
    "affected_products": gettext_lazy("products concerned"),
    "user_measures": gettext_lazy("measures users can take"),
    "sensitivity": gettext_lazy("how sensitive the information is"),
    "severity_and_impact": gettext_lazy("severity and impact"),
    "malicious_actor": gettext_lazy("malicious actor"),
    "security_update": gettext_lazy("security update or corrective measure made available"),
    "malicious_act_suspected": gettext_lazy("whether an unlawful or malicious act is suspected"),
    "threat_or_root_cause": gettext_lazy("type of threat or root cause"),
    # Facts some templates show that are not in CONTENT_KEYS.
    "customers": gettext_lazy("customers (controllers) to notify"),
    "sg_assessed_time": gettext_lazy("SG assessment time"),
    "resident_notice_time": gettext_lazy("date the resident notice was sent"),
    "risk_reasoning": gettext_lazy("risk reasoning"),
    "people": gettext_lazy("number of people affected"),
    "contained_time": gettext_lazy("containment time"),
    "late_reasons": gettext_lazy("reasons for the delay"),
    "eu_affected_states": gettext_lazy("Member States where the EU people affected live"),
    "eu_representative": gettext_lazy("EU representative (GDPR Art. 27)"),
    "data_field_name": gettext_lazy("name of an exposed data field in this language"),
    "extra_data_categories": gettext_lazy("additional data categories in this language"),
}

# California Civ. Code §1798.82(d)(1): the title and headings must appear as written.
CA_HEADINGS = {
    "title_notice_of_data_breach": "Notice of Data Breach",
    "what_happened": "What Happened",
    "what_information_was_involved": "What Information Was Involved",
    "what_we_are_doing": "What We Are Doing",
    "what_you_can_do": "What You Can Do",
    "for_more_information": "For More Information",
}
# Satisfied by the template's own wording, not by a fact.
TEMPLATE_KEYS = {"plain_language", *CA_HEADINGS}

MISSING_PATTERN = re.compile(r"\[MISSING: [^\]]*\]|【缺少：[^】]*】")

# Notices and reports are documents, not messages: they go into a regulator's form, a posted notice
# or a letter the office writes around them, so they have no subject line; their title is the
# ``#`` heading on the first line.
NOTICES = outgoing.Family("breach_app/notices", has_subject=False)

# Which template a draft is made from: the code's own, else its family's (EU CRA stage, US state
# recipient), else the recipient's. A code added to the clocks needs no entry here unless its text
# differs from its family's.
TEMPLATE_FOR_CODE = {
    "EU-SA": "gdpr_regulator_report",
    "UK-ICO": "gdpr_regulator_report",
    "CN-CAC-PIPL": "pipl_cac_report",
    "CN-CAC-INCIDENT": "cac_incident_report",
    "CN-CAC-FINAL": "cac_final_report",
    "US-CA-IND": "ca_resident_notice",
    "US-CA-AG": "ca_ag_submission",
    "SG-PDPC": "sg_pdpc_report",
    "KR-PIPC": "kr_pipc_report",
}
# EU Cyber Resilience Act Art. 14: "EU-CRA-<VUL|INC>-<stage>" and "EU-CRA-USERS"; the stage is the
# code's last part, the track (vulnerability or incident) its third.
CRA_PREFIX = "EU-CRA-"
TEMPLATE_FOR_CRA_STAGE = {
    "24H": "cra_early_warning",  # Art. 14(2)(a), 14(4)(a)
    "72H": "cra_notification",  # Art. 14(2)(b), 14(4)(b)
    "FINAL": "cra_final_report",  # Art. 14(2)(c), 14(4)(c)
    "USERS": "cra_user_information",  # Art. 14(8)
}
# Every US state, DC and Puerto Rico (us-states.md Table 2); California's own texts are in
# TEMPLATE_FOR_CODE (Civ. Code §1798.82(d) prescribes its title and headings).
US_STATE_JURISDICTIONS = frozenset(registry.codes_with(registry.US_STATE_BREACH))
TEMPLATE_FOR_US_STATE_RECIPIENT = {
    Obligation.Recipient.INDIVIDUALS: "us_state_resident_notice",
    Obligation.Recipient.ATTORNEY_GENERAL: "us_state_regulator_submission",
    Obligation.Recipient.REGULATOR: "us_state_regulator_submission",
}
TEMPLATE_FOR_RECIPIENT = {
    Obligation.Recipient.REGULATOR: "regulator_report",
    Obligation.Recipient.INDIVIDUALS: "user_notice",
    Obligation.Recipient.PUBLIC_NOTICE: "public_notice",
    Obligation.Recipient.ATTORNEY_GENERAL: "us_state_regulator_submission",
    Obligation.Recipient.CREDIT_BUREAUS: "credit_bureau_notice",
    Obligation.Recipient.CONTROLLER: "controller_notice",
}
KIND_FOR_RECIPIENT = {
    Obligation.Recipient.REGULATOR: NoticeDraft.Kind.REGULATOR_REPORT,
    Obligation.Recipient.INDIVIDUALS: NoticeDraft.Kind.USER_NOTICE,
    Obligation.Recipient.PUBLIC_NOTICE: NoticeDraft.Kind.PUBLIC_NOTICE,
    Obligation.Recipient.ATTORNEY_GENERAL: NoticeDraft.Kind.AG_SAMPLE,
    Obligation.Recipient.CREDIT_BUREAUS: NoticeDraft.Kind.CREDIT_BUREAU_NOTICE,
    Obligation.Recipient.CONTROLLER: NoticeDraft.Kind.CONTROLLER_NOTICE,
}
# The resident notice a US regulator or credit-bureau submission carries as its sample copy.
SAMPLE_NOTICE_TEMPLATE = {"US-CA": "ca_resident_notice"}

# Content a law forbids in a notice: not shown, so never asked for. M.G.L. c. 93H §3(b): the
# Massachusetts resident notice must not state the nature of the breach nor the number of
# residents affected (us-states.md Table 2, US-MA, S+).
WITHHELD_CONTENT = {"US-MA-IND": ("nature", "categories_and_numbers")}

# The state regulators as us_states.py names them (``RegulatorRule.body``), as a notice names them.
REGULATOR_BODY_NAMES = {
    "attorney general": {"en": "Attorney General", "zh-hans": "总检察长"},
    "attorney general and Director of the Arizona Department of Homeland Security": {
        "en": "Attorney General and the Director of the Arizona Department of Homeland Security",
        "zh-hans": "总检察长和亚利桑那州国土安全部部长"},
    "Department of Legal Affairs": {"en": "Department of Legal Affairs", "zh-hans": "法律事务部"},
    "Office of Consumer Protection": {"en": "Office of Consumer Protection", "zh-hans": "消费者保护办公室"},
    "attorney general and OCABR": {
        "en": "Attorney General and the Office of Consumer Affairs and Business Regulation",
        "zh-hans": "总检察长和消费者事务与商业监管办公室"},
    "attorney general's Office of Consumer Protection": {
        "en": "Attorney General's Office of Consumer Protection", "zh-hans": "总检察长消费者保护办公室"},
    "Division of State Police": {"en": "Division of State Police", "zh-hans": "州警察局"},
    "attorney general, Department of State, Division of State Police and DFS": {
        "en": "Attorney General, the Department of State, the Division of State Police and the Department "
              "of Financial Services",
        "zh-hans": "总检察长、州务厅、州警察局和金融服务厅"},
    "Department of Consumer Affairs": {"en": "Department of Consumer Affairs", "zh-hans": "消费者事务部"},
    "attorney general and Utah Cyber Center": {
        "en": "Attorney General and the Utah Cyber Center", "zh-hans": "总检察长和犹他州网络中心"},
    "Department of Consumer Affairs (DACO)": {
        "en": "Department of Consumer Affairs (DACO)", "zh-hans": "消费者事务部（DACO）"},
}
# A body not in the table yet is still named by its office, never by an English fragment in zh.
REGULATOR_BODY_FALLBACK = {"en": "state regulator", "zh-hans": "州主管机关"}

CREDIT_BUREAUS = (
    "Equifax: 1-800-685-1111, www.equifax.com, P.O. Box 740241, Atlanta, GA 30374\n"
    "Experian: 1-888-397-3742, www.experian.com, P.O. Box 9554, Allen, TX 75013\n"
    "TransUnion: 1-888-909-8872, www.transunion.com, P.O. Box 2000, Chester, PA 19016"
)
# Several state laws require the FTC's contact details in the resident notice (us-states.md Table 2:
# AZ, IL, MD; IL and MA also fraud alerts and security freezes).
FTC_CONTACT = (
    "Federal Trade Commission: 1-877-438-4338 (1-877-ID-THEFT), www.identitytheft.gov, "
    "600 Pennsylvania Avenue NW, Washington, DC 20580"
)


# The grades of the national incident grading guide (指南), named in the draft's language: an
# English draft says "relatively major", a Chinese one 较大 (the CAC's own English renderings).
CN_GRADE_NAMES = {
    "较大": pgettext_lazy("CN incident grade", "relatively major"),
    "重大": pgettext_lazy("CN incident grade", "major"),
    "特别重大": pgettext_lazy("CN incident grade", "particularly major"),
}


def missing_marker(key: str, language: str) -> str:
    with translation.override(language):
        label = str(CONTENT_LABELS.get(key, key))
    if language == "zh-hans":
        return f"【缺少：{label}】"
    return f"[MISSING: {label}]"


@dataclass
class Rendered:
    body: str
    missing: list[str]
    kind: str


# --------------------------------------------------------------------------- derived data


def exposed_sensitive(incident: Incident) -> bool:
    """Sensitive personal information involved: one of the exposed fields the inventory marks sensitive
    (PIPL Art. 28), or staff say the data outside the inventory includes some."""
    if incident.pk is None:
        return incident.extra_sensitive
    return incident.extra_sensitive or incident.exposed_fields.filter(field__sensitive=True).exists()


def field_name(field, language: str) -> str | None:
    """A data field's name in ``language`` (the inventory names fields in Chinese and English), or None."""
    if language.startswith("zh"):
        return field.name_zh or None
    if language == "en":
        return field.name_en or None
    return None


def exposed_data(incident: Incident, language: str) -> tuple[list[tuple[str, list[str]]], bool]:
    """What was exposed, as staff decided it, in ``language``: [(group, [names])] by inventory category,
    each name once, the sensitive ones marked, then the categories not in the inventory written in that
    language's facts; and whether sensitive personal information is involved."""
    from inventory_app.models import DataField

    groups: dict[str, list[str]] = {}
    if incident.pk is None:
        return [], incident.extra_sensitive
    fields = DataField.objects.filter(exposures__incident=incident).order_by("category", "code")
    with translation.override(language):
        for field in fields:
            name = field_name(field, language)
            if name is None:
                name = missing_marker("data_field_name", language) + f" {field.code}"
            elif field.sensitive:
                name = _("%(name)s (sensitive)") % {"name": name}
            names = groups.setdefault(str(field.get_category_display()), [])
            if name not in names:
                names.append(name)
        written = {row.language: row.extra_category_list for row in incident.narratives.all()}
        own = written.get(language, [])
        seen = {name for names in groups.values() for name in names}
        extra = [name for name in dict.fromkeys(own) if name not in seen]
        # Categories written in another language but not (all) in this one: flagged, never borrowed.
        if max((len(names) for names in written.values()), default=0) > len(own):
            extra.append(missing_marker("extra_data_categories", language))
        if extra:
            groups.setdefault(str(_("other data")), []).extend(extra)
    return list(groups.items()), exposed_sensitive(incident)


def exposed_data_text(incident: Incident, language: str) -> str | None:
    """The exposed data on one line, grouped: "contact details: name, phone number; …"."""
    groups, _sensitive = exposed_data(incident, language)
    if not groups:
        return None
    if language.startswith("zh"):
        return "；".join(f"{group}：{'、'.join(names)}" for group, names in groups)
    return "; ".join(f"{group}: {', '.join(names)}" for group, names in groups)


# --------------------------------------------------------------------------- rendering


def _when(value, jurisdiction: str) -> str | None:
    if value is None:
        return None
    local = value.astimezone(deadlines.LOCAL_TZ.get(jurisdiction, deadlines.UTC))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def _text(value: str) -> str | None:
    value = (value or "").strip()
    return value or None


def _yes_no(value: bool | None) -> str | None:
    """A fact staff assess: "Yes"/"No" in the draft's language, None (missing) when not assessed."""
    if value is None:
        return None
    return _("Yes") if value else _("No")


def _resident_notice_timing(incident: Incident, jurisdiction: str) -> str:
    """When the residents of a US state are (or were) told: their notice's sent time, else its deadline
    (the "timing and distribution" a regulator or credit bureau is told, e.g. Va. Code §18.2-186.6)."""
    notice = incident.obligations.filter(code=f"{jurisdiction}-IND").first() if incident.pk else None
    if notice is not None and notice.sent_at is not None:
        text = _("sent on %(when)s") % {"when": _when(notice.sent_at, jurisdiction)}
        return f"{text} ({notice.channel})" if notice.channel else text
    if notice is not None and notice.deadline is not None:
        return _("to be sent no later than %(when)s") % {"when": _when(notice.deadline, jurisdiction)}
    return _("to be sent without unreasonable delay")


def _people_total(incident: Incident, population) -> str:
    parts = [_("%(people)s people") % {"people": population.people_text}]
    if population.records is not None:
        parts.append(_("%(records)s records") % {"records": f"{population.records:,}"})
    if population.estimate:
        parts.append(_("approximate"))
    return "; ".join(parts)


def reporting_entity(obligation: Obligation):
    """The controller entity a notice speaks for: of the incident's affected activities' and
    services' entities, one serving mainland China for a CN obligation, one that does not for any
    other (``documents.letterhead_controller``); the notice's text and its letterhead name the same."""
    incident = obligation.incident
    if not incident.pk:
        return None
    candidates = [activity.controller for activity in incident.affected_activities.select_related("controller")]
    candidates += [service.controller for service in incident.affected_services.select_related("controller")]
    return documents.letterhead_controller(candidates, mainland_china=obligation.jurisdiction == registry.CN)


def organisation_name(obligation: Obligation, language: str) -> str:
    entity = reporting_entity(obligation)
    name = documents.letterhead(entity, language).name if entity is not None else ""
    if not name:
        return ORGANISATION[language]
    if "Aqara" in name:
        return name
    return f"{name} (Aqara)" if language == "en" else f"{name}（Aqara）"


def content_values(incident: Incident, obligation: Obligation, language: str) -> dict[str, str | None]:
    """Every content key -> text in ``language``, or None when the incident does not say.

    The narrative paragraphs come only from the facts written in ``language``: a fact not written
    in it is missing there (flagged), never filled with another language's paragraph."""
    jurisdiction = obligation.jurisdiction
    organisation = organisation_name(obligation, language)
    populations = {p.jurisdiction: p for p in incident.populations.all()}
    population = populations.get(jurisdiction)
    narrative = incident.narratives.filter(language=language).first() if incident.pk else None
    fact = lambda name: _text(getattr(narrative, name, ""))  # noqa: E731
    with translation.override(language):
        sensitive = exposed_sensitive(incident)
        sep = "、" if language == "zh-hans" else ", "
        types = incident.breach_types
        measures = []
        if fact("measures_taken"):
            measures.append(_("Taken: %(text)s") % {"text": fact("measures_taken")})
        if fact("measures_planned"):
            measures.append(_("Planned: %(text)s") % {"text": fact("measures_planned")})
        overview = [fact("system_overview")]
        services = [name for name in (_inventory_name(s, language) for s in incident.affected_services.all()) if name]
        if services:
            overview.append(_("Affected services: %(names)s") % {"names": sep.join(services)})
        activities = [name for name in (_inventory_name(a, language) for a in incident.affected_activities.all())
                      if name]
        if activities:
            overview.append(_("Affected processing activities: %(names)s") % {"names": sep.join(activities)})
        overview = [o for o in overview if o]
        if incident.occurred_from and incident.occurred_to and incident.occurred_to != incident.occurred_from:
            breach_date = f"{_when(incident.occurred_from, jurisdiction)} – {_when(incident.occurred_to, jurisdiction)}"
        else:
            breach_date = _when(incident.occurred_from or incident.occurred_to, jurisdiction)
        cn = populations.get("CN")
        level = None
        if cn is not None:
            grade = deadlines.cn_people_grade(cn.people_min)
            level = (_("%(grade)s (personal information of %(people)s people)")
                     % {"grade": str(CN_GRADE_NAMES[grade]), "people": cn.people_text}
                     if grade else _("below the grade “relatively major” (personal information of %(people)s people)")
                     % {"people": cn.people_text})
        contact = fact("contact_point")
        values: dict[str, str | None] = {
            "nature": fact("description"),
            "categories_and_numbers": _people_total(incident, population) if population else None,
            "data_categories": exposed_data_text(incident, language),
            "sensitive": _("Yes") if sensitive else _("No"),
            "cause": fact("cause"),
            "likely_consequences": fact("likely_consequences"),
            "measures": "\n".join(measures) or None,
            "self_protection_advice": fact("self_protection_advice"),
            "remedies": fact("remedies"),
            "contact": contact,
            "dpo_contact": contact,
            "plain_language": "",
            "unit_and_system_overview": "\n".join(overview) or None,
            "discovery_time": _when(incident.discovered_at, jurisdiction),
            "aware_time": _when(incident.aware_at or incident.discovered_at, jurisdiction),
            "sg_assessed_time": _when(incident.sg_assessed_at, jurisdiction),
            "resident_notice_time": _when(incident.resident_notice_sent_at, jurisdiction),
            "contained_time": _when(incident.contained_at, jurisdiction),
            "incident_type": sep.join(types) or None,
            "incident_level": level,
            "impact": fact("likely_consequences"),
            "accountability": fact("accountability"),
            "remediation": fact("measures_planned"),
            "lessons_learned": fact("lessons_learned"),
            "notifier_contact": f"{organisation}\n{contact}" if contact else None,
            "breach_date": breach_date,
            "law_enforcement_delay": (
                _("Yes: this notice was delayed at the request of a law enforcement agency.")
                if incident.law_enforcement_delay else
                _("No: this notice was not delayed by a law enforcement investigation.")
            ),
            "credit_bureau_contacts": CREDIT_BUREAUS if incident.ssn_or_id_number_involved else _(
                "Not applicable: no Social Security, driver's licence or identification card number was involved."),
            "investigation_results": fact("investigation_results"),
            "responsible_persons": fact("responsible_persons"),
            "risk_level": incident.get_risk_level_display(),
            "risk_reasoning": fact("risk_reasoning"),
            "organisation": organisation,
            "reference": incident.reference,
            "title": incident.title,
            "people": _people_total(incident, population) if population else None,
            "encrypted": _("Yes") if incident.encrypted else _("No"),
            # Only a late report needs them (GDPR Art. 33(1); PDPA s.26D): "" hides the section.
            "delay_reasons": fact("delay_reasons") if is_late(obligation) else "",
            # EU Cyber Resilience Act, Art. 14(2), (4), (8).
            "vulnerability": fact("vulnerability"),
            "member_states": sep.join(str(EU_MEMBER_STATES.get(code, code))
                                      for code in incident.member_state_list) or None,
            "affected_products": fact("affected_products"),
            "user_measures": fact("user_measures"),
            "sensitivity": fact("sensitivity"),
            "severity_and_impact": fact("severity_and_impact"),
            "malicious_actor": fact("malicious_actor"),
            "security_update": fact("security_update"),
            "malicious_act_suspected": _yes_no(incident.malicious_act_suspected),
            "threat_or_root_cause": fact("cause"),
            "fix_available_time": _when(incident.fix_available_at, jurisdiction),
            # Processor -> controller: the customers the notice goes to.
            "customers": "; ".join(incident.customer_list) or None,
        }
        if obligation.code.startswith(CRA_PREFIX):
            # Art. 14(4)(b) "initial assessment": the severity and impact, else the consequences.
            values["impact"] = fact("severity_and_impact") or fact("likely_consequences")
        if jurisdiction in US_STATE_JURISDICTIONS:
            values["resident_notice_timing"] = _resident_notice_timing(incident, jurisdiction)
        # Items not known yet are listed for the follow-up report (CAC Art. 4, GDPR Art. 33(4)).
        unknown = [str(CONTENT_LABELS[k]) for k in obligation.required_content
                   if k in values and values[k] is None]
        values["pending_items"] = fact("pending_items") or (
            _("To be reported later: %(items)s") % {"items": sep.join(unknown)} if unknown else _("None."))
    return values


def _inventory_name(row, language: str) -> str | None:
    """A service's or activity's name as the inventory gives it in ``language`` (zh or en), or None."""
    if language.startswith("zh"):
        return row.name_zh or None
    return (row.name_en or None) if language == "en" else None


def is_late(obligation: Obligation, now=None) -> bool:
    """Drafted after its deadline instant (a late report must say why)."""
    return obligation.deadline is not None and (now or timezone.now()) > obligation.deadline


def notice_template(obligation: Obligation) -> str:
    """The template (kind) a draft for ``obligation`` is made from."""
    code, recipient = obligation.code, obligation.recipient
    if code in TEMPLATE_FOR_CODE:
        return TEMPLATE_FOR_CODE[code]
    if code.startswith(CRA_PREFIX):
        return TEMPLATE_FOR_CRA_STAGE[code.rsplit("-", 1)[1]]
    if obligation.jurisdiction in US_STATE_JURISDICTIONS and recipient in TEMPLATE_FOR_US_STATE_RECIPIENT:
        return TEMPLATE_FOR_US_STATE_RECIPIENT[recipient]
    return TEMPLATE_FOR_RECIPIENT[recipient]


def notice_kind(obligation: Obligation) -> str:
    """The NoticeDraft kind (and so the approval it needs) of a draft for ``obligation``."""
    if obligation.code.startswith(CRA_PREFIX) and obligation.recipient == Obligation.Recipient.REGULATOR:
        return NoticeDraft.Kind.CSIRT_REPORT
    return KIND_FOR_RECIPIENT[obligation.recipient]


def cra_track(obligation: Obligation) -> str:
    """"vulnerability" (Art. 14(2)) or "incident" (Art. 14(4)) for an EU CRA report, else ""."""
    if not obligation.code.startswith(CRA_PREFIX):
        return ""
    return {"VUL": "vulnerability", "INC": "incident"}.get(obligation.code.split("-")[2], "")


def jurisdiction_name(code: str, language: str) -> str:
    """The registry's name of a jurisdiction in ``language``, as a letter names it."""
    return registry.display_name(code, chinese=language.startswith("zh"), qualify_us=False)


def _state_context(obligation: Obligation, language: str) -> dict:
    """A US state's law (its citation) and the regulator a submission goes to, named in ``language``."""
    row = BREACH_LAWS.get(obligation.jurisdiction)
    if row is None:
        return {}
    context = {"law": row.citation}
    if row.regulator is not None:
        names = REGULATOR_BODY_NAMES.get(row.regulator.body, REGULATOR_BODY_FALLBACK)
        context["regulator_body"] = names[language]
    return context


def eu_report_context(obligation: Obligation, language: str) -> dict:
    """An EU-SA report's addressee and the controller's representative (privacy_office/eu_authorities.py):
    the lead authority (GDPR Art. 56(1)), or each concerned authority where Aqara has no main
    establishment in the Union (EDPB Guidelines 9/2022 para. 73); and, with no establishment, the
    Art. 27 representative recorded on the controllers of the affected activities or services."""
    if obligation.code != "EU-SA":
        return {}
    incident = obligation.incident
    zh = language.startswith("zh")
    authorities = incident.eu_breach_authorities
    sep = "；" if zh else "; "
    context = {
        "eu_lead": authorities.lead.name(chinese=zh) if authorities.lead else "",
        "eu_concerned": sep.join(a.name(chinese=zh) for a in authorities.concerned),
        "eu_addressees": sep.join(a.name(chinese=zh) for a in authorities.addressees)
        or missing_marker("eu_affected_states", language),
        "eu_representative": "",
    }
    if authorities.lead is None:
        controllers = {a.controller for a in incident.affected_activities.select_related("controller")}
        controllers |= {s.controller for s in incident.affected_services.select_related("controller")
                        if s.controller_id}
        representatives = sorted({c.eu_representative_text for c in controllers if c.eu_representative_text})
        # Shown when recorded; its absence is no Art. 33(3) content gap, so it does not block approval.
        context["eu_representative"] = sep.join(representatives)
    return context


def render_draft(obligation: Obligation, language: str, phase: str = NoticeDraft.Phase.INITIAL) -> Rendered:
    incident = obligation.incident
    values = content_values(incident, obligation, language)
    withheld = WITHHELD_CONTENT.get(obligation.code, ())
    shown = {key: (missing_marker(key, language) if value is None else value) for key, value in values.items()}
    template = notice_template(obligation)
    with translation.override(language):
        context = {
            "c": shown, "present": {key: value not in (None, "") for key, value in values.items()},
            "required": set(obligation.required_content) - set(withheld),
            "incident": incident, "obligation": obligation, "language": language,
            "phase": phase, "phase_label": NoticeDraft.Phase(phase).label,
            "jurisdiction_label": jurisdiction_name(obligation.jurisdiction, language),
            "cra_track": cra_track(obligation), "credit_bureaus": CREDIT_BUREAUS, "ftc": FTC_CONTACT,
            # A single customer is named; several get the same text each, naming none of the others.
            "addressee": incident.customer_list[0] if len(incident.customer_list) == 1 else "",
            **_state_context(obligation, language),
            **eu_report_context(obligation, language),
        }
        if "sample_notice_copy" in obligation.required_content:
            sample = SAMPLE_NOTICE_TEMPLATE.get(obligation.jurisdiction, "us_state_resident_notice")
            values["sample_notice_copy"] = shown["sample_notice_copy"] = outgoing.render_plain_text(
                NOTICES, sample, language=language, context=context).body.strip()
        body = outgoing.render_plain_text(NOTICES, template, language=language, context=context).body
    missing = [key for key in obligation.required_content
               if key not in TEMPLATE_KEYS and key not in withheld and values.get(key) is None]
    if obligation.recipient == Obligation.Recipient.REGULATOR and values.get("delay_reasons") is None:
        missing.append("delay_reasons")
    # A notice to the controller needs someone to go to.
    if obligation.recipient == Obligation.Recipient.CONTROLLER and values.get("customers") is None:
        missing.append("customers")
    # Headings the law prescribes are checked in the text itself.
    missing += [key for key in obligation.required_content if key in CA_HEADINGS and CA_HEADINGS[key] not in body]
    # A template that does not show a required fact still flags it, at the end.
    unshown = [key for key in missing if missing_marker(key, language) not in body]
    if unshown:
        body += "\n" + "\n".join(missing_marker(key, language) for key in unshown) + "\n"
    return Rendered(body=body, missing=missing, kind=notice_kind(obligation))


def markers_in(text: str) -> list[str]:
    return MISSING_PATTERN.findall(text or "")


def text_sha256(text: str) -> str:
    """The SHA-256 of a notice text (UTF-8, hex): an approval names the exact text that was read."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def text_diff(before: str, after: str, *, before_label: str = "", after_label: str = "") -> str:
    """A unified line diff of two notice texts ("-" lines only in ``before``, "+" only in ``after``)."""
    lines = difflib.unified_diff(
        (before or "").splitlines(), (after or "").splitlines(), fromfile=before_label, tofile=after_label,
        lineterm="", n=2,
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- downloads


# Downloads replace control characters (ESC, NUL, …) with U+FFFD: a .docx is XML, which cannot hold
# them, so one stray character in a frozen, sent text would make it impossible to download ever again;
# the .txt gets the same text, and no terminal escape sequences.
def plain_text(text: str) -> str:
    """For pasting into a regulator's form: headings without their ``#``."""
    text = replace_control_characters(text)
    return "\n".join(re.sub(r"^#+\s*", "", line) for line in text.splitlines()).strip() + "\n"


def docx_bytes(text: str, *, title: str = "") -> bytes:
    from docx import Document

    text = replace_control_characters(text)
    document = Document()
    if title:
        document.core_properties.title = replace_control_characters(title)
    for line in text.splitlines():
        heading = re.match(r"^(#+)\s*(.*)$", line)
        if heading:
            document.add_heading(heading.group(2), level=min(len(heading.group(1)), 3))
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
