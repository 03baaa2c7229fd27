"""Governance records as read: an assessment's assessed content and changes in the reader's language,
and its report (.docx, zh-hans or en) in the house document style (``templates/inventory_app/documents``)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from breach_app.notices import docx_bytes
from privacy_office import outgoing

from . import governance
from . import governance_rules as rules
from .models import ComplianceAudit, ImpactAssessment, ProcessingActivity, Recipient, Transfer

DOCUMENTS = outgoing.Family("inventory_app/documents", has_subject=False)

CHOICES = {"pipl_basis": ProcessingActivity.PiplBasis, "gdpr_basis": ProcessingActivity.GdprBasis}


def item_label(item: str) -> str:
    if item == "activity":
        return str(ProcessingActivity._meta.verbose_name)
    if item == "fields":
        return _("data fields")
    if item == "transfers":
        return str(ProcessingActivity._meta.get_field("transfers").related_model._meta.verbose_name_plural)
    return str(ProcessingActivity._meta.get_field(item).verbose_name)


# The stored snapshot's list entries ("code · name · kind") carry codes and English flags
# (governance.assessment_snapshot): each is put in the reader's words here, by its position.
ENTRY_CHOICES = {"recipients": {2: Recipient.Kind}, "transfers": {1: Transfer.Mechanism}}
ENTRY_FLAGS = {"sensitive": gettext_lazy("sensitive"), "optional": gettext_lazy("optional")}


def entry_text(item: str, entry: str) -> str:
    parts = entry.split(" · ")
    for position, choices in ENTRY_CHOICES.get(item, {}).items():
        if position < len(parts) and parts[position] in choices.values:
            parts[position] = str(choices(parts[position]).label)
    return " · ".join(str(ENTRY_FLAGS.get(part, part)) if item == "fields" else part for part in parts)


def value_text(item: str, value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "\n".join(entry_text(item, entry) for entry in value) or "—"
    if item in CHOICES and value in CHOICES[item].values:
        return str(CHOICES[item](value).label)
    return str(value) if value not in (None, "") else "—"


def diff_value_text(item: str, value: str) -> str:
    if item in ("separate_consent_required", "automated_decision") and value in ("yes", "no"):
        return _("yes") if value == "yes" else _("no")
    return value_text(item, value)


def snapshot_rows(snapshot: dict) -> list[dict]:
    """One entry per activity: its code and (label, value) rows, in the active language."""
    return [
        {"code": code, "rows": [
            (item_label(item), value_text(item, row.get(item)))
            for item in (*governance.SNAPSHOT_FIELDS, *governance.SNAPSHOT_LISTS)
        ]}
        for code, row in sorted(snapshot.items())
    ]


def diff_rows(diff: list[dict]) -> list[dict]:
    return [
        {"activity": entry["activity"], "item": item_label(entry["item"]),
         "old": diff_value_text(entry["item"], entry["old"]) if entry["old"] else "—",
         "new": diff_value_text(entry["item"], entry["new"]) if entry["new"] else "—"}
        for entry in diff
    ]


def assessed_snapshot(assessment: ImpactAssessment) -> dict:
    """What the assessment rests on: frozen at approval, the inventory as it is for a draft."""
    if assessment.status != ImpactAssessment.Status.DRAFT:
        return assessment.snapshot
    return governance.assessment_snapshot(activity_ids=assessment.activities.values_list("pk", flat=True))


def triggers(assessment: ImpactAssessment) -> list[str]:
    """Why each covered activity needs an assessment (PIPL Art. 55), from the inventory as it is."""
    rows = ProcessingActivity.objects.filter(impact_assessments=assessment).with_pia_flags().order_by("code")
    return [f"{a.code}: {'; '.join(a.pia_reasons()) or _('not required by PIPL Art. 55')}" for a in rows]


def assessment_document(*, assessment: ImpactAssessment, language: str) -> bytes:
    """The assessment report as a .docx in ``language`` (zh-hans or en)."""
    with translation.override(language):
        context = {
            "a": assessment,
            "status": assessment.get_status_display(),
            "residual_risk": assessment.get_residual_risk_display() or "—",
            "controller": str(assessment.controller),
            "triggers": triggers(assessment),
            "activities": snapshot_rows(assessed_snapshot(assessment)),
            "changes": diff_rows(assessment.outdated_diff),
            "prepared_by": assessment.prepared_by.get_full_name() or assessment.prepared_by.get_username(),
            "approved_by": (assessment.approved_by.get_full_name() or assessment.approved_by.get_username())
            if assessment.approved_by else "",
            "retention_rule": rules.PIA_RETENTION_YEARS,
        }
        text = outgoing.render_plain_text(DOCUMENTS, "impact_assessment", language=language, context=context).body
        title = _("Personal information protection impact assessment %(ref)s") % {"ref": assessment.reference}
    return docx_bytes(text, title=title)


def evidence_rows(evidence):
    return [
        (_("rights requests received in the period"), evidence.requests_total),
        (_("answered on time"), evidence.requests_on_time),
        (_("answered late"), evidence.requests_late),
        (_("unanswered and overdue"), evidence.requests_open_overdue),
        (_("breach notifications due in the period sent on time"), evidence.notices_on_time),
        (_("sent late"), evidence.notices_late),
        (_("not sent and past the deadline"), evidence.notices_open_overdue),
        (_("impact assessments current"), evidence.assessments_current),
        (_("impact assessments outdated"), evidence.assessments_outdated),
        (_("handler exporting without the required mechanism"), evidence.handlers_uncovered),
        (_("audit-log reviews recorded in the period"), evidence.audit_reviews),
    ]


def audit_document(*, audit: ComplianceAudit, language: str) -> bytes:
    """The audit report as a .docx in ``language``: scope, findings, remediation, live evidence."""
    from . import audits

    with translation.override(language):
        context = {
            "a": audit,
            "kind": audit.get_kind_display(),
            "controller": str(audit.controller),
            "evidence": evidence_rows(audits.audit_evidence(audit=audit)),
            "items": [
                {"title": item.title, "owner": item.owner.get_full_name() or item.owner.get_username(),
                 "due_on": item.due_on, "done_on": item.done_on}
                for item in audit.remediation_items.select_related("owner").order_by("due_on", "id")
            ],
        }
        text = outgoing.render_plain_text(DOCUMENTS, "audit_report", language=language, context=context).body
        title = _("Compliance audit report %(ref)s") % {"ref": audit.reference}
    return docx_bytes(text, title=title)
