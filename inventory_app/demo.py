"""Demo data: the inventory seeded from Aqara's published policies (called by the demo set-up), and
governance records on it: an approved impact assessment and one made outdated by a later edit of
the activity it covers. Idempotent: an assessment whose title exists is left alone."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason

from . import audits, crossborder, governance
from .models import (
    ComplianceAudit,
    Controller,
    ImpactAssessment,
    PeopleCount,
    ProcessingActivity,
    Recipient,
    RemediationItem,
    TransferVolume,
)
from .services import inventory_seed

CURRENT_TITLE = "Booking services: contact details shared with the SMS provider"
OUTDATED_TITLE = "Applying to become a service provider or installer"
JUDGEMENT = {
    "lawfulness_necessity": "PIPL Art. 13(2): necessary to perform the booking / application; only contact details "
                            "and the address of the premises are collected.",
    "risks": "Disclosure of phone numbers through the SMS provider (entrusted processing, PIPL Art. 21); "
             "misuse for marketing.",
    "measures": "Entrustment contract with the SMS provider; TLS in transit; access limited to the service team; "
                "deletion after the purpose is met.",
    "residual_risk": ImpactAssessment.ResidualRisk.LOW,
    "officer_opinion": "The measures are proportionate; review when a new recipient is added.",
}


def _assessment(*, code: str, title: str, staff, manager) -> ImpactAssessment | None:
    if ImpactAssessment.objects.filter(title=title).exists():
        return None
    activity = ProcessingActivity.objects.filter(code=code).first()
    if activity is None or staff is None or manager is None:
        return None
    assessment = governance.assessment_create_from_activities(activities=[activity], by=staff, title=title)
    for name, value in JUDGEMENT.items():
        setattr(assessment, name, value)
    save_with_reason(assessment, by=staff, reason=gettext_noop("impact assessment started from the inventory"))
    return governance.assessment_approve(assessment=assessment, by=manager)


def load_demo(*, stdout) -> None:
    summary = inventory_seed()
    created = sum(counts["new"] for counts in summary.values())
    updated = sum(counts["update"] for counts in summary.values())
    stdout.write(_("Inventory: %(new)d rows created, %(update)d updated from the seed files.") % {"new": created, "update": updated})

    User = get_user_model()
    staff, manager = User.objects.filter(username="staff").first(), User.objects.filter(username="manager").first()
    _assessment(code="cn-booking", title=CURRENT_TITLE, staff=staff, manager=manager)
    outdated = _assessment(code="cn-franchise", title=OUTDATED_TITLE, staff=staff, manager=manager)
    if outdated is not None:
        # After approval the activity learns a new retention rule: the assessment no longer matches.
        activity = ProcessingActivity.objects.get(code="cn-franchise")
        activity.retention = (activity.retention + "；未通过审核的申请资料在 6 个月后删除").strip("；")
        save_with_reason(activity, by=staff, reason="Rejected applications: delete after 6 months")
        governance.assessments_check_current(activity_ids=[activity.pk], by=staff)
    _crossborder(staff=staff)
    _audit(staff=staff)
    stdout.write(_("Governance: %(n)d impact assessments (%(outdated)d outdated).") % {
        "n": ImpactAssessment.objects.count(), "outdated": ImpactAssessment.objects.outdated().count()})


def _crossborder(*, staff) -> None:
    """This year's exports of the Shenzhen handler to Singapore cross the 100,000-people line with no
    standard contract in force: the dashboard flags it."""
    controller = Controller.objects.filter(code="lumi-united").first()
    if controller is None or TransferVolume.objects.filter(controller=controller).exists():
        return
    if controller.cii_operator is None and controller.important_data is None:
        controller.cii_operator, controller.important_data = False, False
        save_with_reason(controller, by=staff, reason="Not a CII operator; no data notified as important data")
    today = timezone.localdate()
    crossborder.transfer_volume_record(
        controller=controller, destination_country="SG", recipient=Recipient.objects.filter(code="affiliates").first(),
        period_start=date(today.year, 1, 1), period_end=today, people=120_000, sensitive_people=0,
        note="Account data synchronised to the Singapore cloud", by=staff,
    )


def _audit(*, staff) -> None:
    """A dated count of the people handled (over 10 million: an audit every 2 years, an officer) and
    last year's periodic audit with a remediation item ten days overdue."""
    controller = Controller.objects.filter(code="lumi-united").first()
    if controller is None or staff is None or ComplianceAudit.objects.filter(controller=controller).exists():
        return
    today = timezone.localdate()
    if not PeopleCount.objects.filter(controller=controller).exists():
        count = PeopleCount(controller=controller, counted_on=today - timedelta(days=60), people=12_000_000, minors=True,
                            note="Unique accounts and household members, all products")
        save_with_reason(count, by=staff, reason="Quarterly count")
    audit = audits.audit_save(audit=ComplianceAudit(
        controller=controller, kind=ComplianceAudit.Kind.PERIODIC, auditor="Internal audit department",
        scope="Rights requests, breach notification, cross-border transfers, impact assessments",
        period_start=date(today.year - 1, 1, 1), period_end=date(today.year - 1, 12, 31),
        findings="Two rights requests answered late; the SMS provider's entrustment contract lacks a deletion clause.",
        report_on=today - timedelta(days=40),
    ), by=staff)
    item = RemediationItem(audit=audit, title="Add the deletion clause to the SMS provider's contract", owner=staff,
                           due_on=today - timedelta(days=10))
    save_with_reason(item, by=staff, reason="Audit finding")
