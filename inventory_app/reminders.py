"""What governance reminders are due now. Called by the reminder sweep every minute.

Impact assessments: when one is found outdated (a covered activity changed after approval) its
preparer and the managers are told at once; an approved one's yearly review is announced 30 days
ahead. The hourly reconcile (``since=None``) first compares every approved assessment with the
inventory, so a change that came in by an import or a bulk path is found within the hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from privacy_office.reminder_time import catch_up_floor, manager_ids, morning_of, office_today, reminder_days_in
from privacy_office.reminders import ReminderSpec, content_type_id, register_kind

from .models import ComplianceAudit, ImpactAssessment, RemediationItem, TransferFiling

REVIEW_DAYS_BEFORE = 30
# A standard contract's filing: 3 days ahead and on the day (10 working days from effect, 令13 Art. 7).
FILING_DAYS_BEFORE = (3, 0)


def due_reminders(*, now: datetime, since: datetime | None = None) -> list[ReminderSpec]:
    from .governance import assessments_check_current

    if since is None:
        assessments_check_current(now=now)
    ct = content_type_id(ImpactAssessment)
    managers = manager_ids()
    floor = catch_up_floor(now)
    specs: list[ReminderSpec] = []

    def add(pk, kind, threshold, preparer_id, moment):
        for recipient in sorted({*managers, preparer_id}):
            specs.append(ReminderSpec(ct, pk, kind, threshold, recipient, moment))

    rows = ImpactAssessment.objects.outdated().filter(outdated_at__lte=now, outdated_at__gte=floor)
    if since is not None:
        rows = rows.filter(outdated_at__gt=since)
    for pk, outdated_at, preparer_id in rows.order_by().values_list("pk", "outdated_at", "prepared_by_id"):
        add(pk, "pia_outdated", outdated_at.isoformat(), preparer_id, outdated_at)

    today = office_today(now)
    days = reminder_days_in(since, now) if since is not None else None
    rows = ImpactAssessment.objects.current().filter(review_due_on__isnull=False)
    if days is not None:
        rows = rows.filter(review_due_on__in=[d + timedelta(days=REVIEW_DAYS_BEFORE) for d in days])
    else:
        rows = rows.filter(review_due_on__lte=today + timedelta(days=REVIEW_DAYS_BEFORE))
    for pk, review_on, preparer_id in rows.order_by().values_list("pk", "review_due_on", "prepared_by_id"):
        moment = morning_of(review_on - timedelta(days=REVIEW_DAYS_BEFORE))
        if floor <= moment <= now:
            add(pk, "pia_review_due", str(review_on), preparer_id, moment)

    specs.extend(filing_reminders(now=now, days=days, managers=managers, floor=floor))
    specs.extend(remediation_reminders(now=now, days=days, managers=managers, floor=floor))
    specs.extend(audit_deadline_reminders(now=now, days=days, managers=managers, floor=floor))
    return specs


# An ordered audit finishes "within the period the department sets" (governance-cn.md §3.4; PIPL Art. 64(1)):
# the deadline is the regulator's own date, so reminders come a week and three
# days ahead, on the day, and the day after while no report date is recorded.
AUDIT_DAYS_BEFORE = (7, 3)


def audit_recorded_by(audit_ids) -> dict[int, int]:
    """Who recorded each audit (its first history row): the audit has no owner field of its own,
    so the person who entered the regulator's order is the one to remind, with the managers."""
    rows = (ComplianceAudit.history.filter(id__in=list(audit_ids), history_type="+", history_user_id__isnull=False)
            .order_by("history_date").values_list("id", "history_user_id"))
    recorded = {}
    for pk, user_id in rows:
        recorded.setdefault(pk, user_id)
    return recorded


def audit_deadline_reminders(*, now, days, managers, floor) -> list[ReminderSpec]:
    """Ordered audits without a report date: to the person who recorded the audit and the managers
    7 and 3 days before the regulator's deadline, on the day, and once the day after (overdue)."""
    ct = content_type_id(ComplianceAudit)
    today = office_today(now)
    rows = ComplianceAudit.objects.filter(kind=ComplianceAudit.Kind.ORDERED, report_on__isnull=True,
                                          deadline__isnull=False)
    if days is not None:
        rows = rows.filter(deadline__in=[d + timedelta(days=n) for d in days for n in (*AUDIT_DAYS_BEFORE, 0, -1)])
    else:
        rows = rows.filter(deadline__gte=today - timedelta(days=8), deadline__lte=today + timedelta(days=max(AUDIT_DAYS_BEFORE)))
    rows = list(rows.order_by("pk").values_list("pk", "deadline"))
    recorded = audit_recorded_by(pk for pk, _ in rows)
    specs = []
    for pk, deadline in rows:
        recipients = sorted({*managers, *([recorded[pk]] if pk in recorded else [])})
        moments = [(f"{n}d:{deadline}", "audit_deadline_before", deadline - timedelta(days=n)) for n in AUDIT_DAYS_BEFORE]
        moments += [(str(deadline), "audit_deadline_today", deadline),
                     (str(deadline), "audit_deadline_overdue", deadline + timedelta(days=1))]
        for threshold, kind, day in moments:
            moment = morning_of(day)
            if floor <= moment <= now:
                specs.extend(ReminderSpec(ct, pk, kind, threshold, r, moment) for r in recipients)
    return specs


REMEDIATION_DAYS_BEFORE = 3


def remediation_reminders(*, now, days, managers, floor) -> list[ReminderSpec]:
    """Open remediation items: to the owner 3 days ahead, and to owner and managers the day after
    the due date (overdue)."""
    ct = content_type_id(RemediationItem)
    today = office_today(now)
    specs = []
    rows = RemediationItem.objects.open()
    if days is not None:
        rows = rows.filter(due_on__in=[d + timedelta(days=n) for d in days for n in (REMEDIATION_DAYS_BEFORE, -1)])
    else:
        rows = rows.filter(due_on__gte=today - timedelta(days=8), due_on__lte=today + timedelta(days=REMEDIATION_DAYS_BEFORE))
    for pk, due_on, owner_id in rows.order_by().values_list("pk", "due_on", "owner_id"):
        moment = morning_of(due_on - timedelta(days=REMEDIATION_DAYS_BEFORE))
        if floor <= moment <= now:
            specs.append(ReminderSpec(ct, pk, "audit_remediation_due", str(due_on), owner_id, moment))
        moment = morning_of(due_on + timedelta(days=1))
        if floor <= moment <= now:
            specs.extend(ReminderSpec(ct, pk, "audit_remediation_overdue", str(due_on), r, moment)
                         for r in sorted({*managers, owner_id}))
    return specs


def filing_reminders(*, now, days, managers, floor) -> list[ReminderSpec]:
    """Unfiled standard contracts before their filing day; security assessments when the renewal
    window opens (令16 Art. 9: the 60 working days before expiry). To the managers."""
    ct = content_type_id(TransferFiling)
    today = office_today(now)
    specs = []
    rows = TransferFiling.objects.filter(kind=TransferFiling.Kind.SCC, filed_on__isnull=True, filing_due_on__isnull=False)
    if days is not None:
        rows = rows.filter(filing_due_on__in=[d + timedelta(days=n) for d in days for n in FILING_DAYS_BEFORE])
    else:
        rows = rows.filter(filing_due_on__gte=today - timedelta(days=1), filing_due_on__lte=today + timedelta(days=max(FILING_DAYS_BEFORE)))
    for pk, due_on in rows.order_by().values_list("pk", "filing_due_on"):
        for before in FILING_DAYS_BEFORE:
            moment = morning_of(due_on - timedelta(days=before))
            if floor <= moment <= now:
                specs.extend(ReminderSpec(ct, pk, "xb_filing_due", f"{before}d:{due_on}", r, moment) for r in managers)
    rows = TransferFiling.objects.filter(kind=TransferFiling.Kind.SECURITY_ASSESSMENT, renewal_opens_on__isnull=False)
    if days is not None:
        rows = rows.filter(renewal_opens_on__in=days)
    else:
        rows = rows.filter(renewal_opens_on__lte=today, expires_on__gte=today)
    for pk, opens_on in rows.order_by().values_list("pk", "renewal_opens_on"):
        moment = morning_of(opens_on)
        if floor <= moment <= now:
            specs.extend(ReminderSpec(ct, pk, "xb_renewal_window", str(opens_on), r, moment) for r in managers)
    return specs


@register_kind("pia_outdated", "pia_review_due")
def assessment_context(reminder):
    assessment = ImpactAssessment.objects.select_related("controller").filter(pk=reminder.object_id).first()
    if assessment is None:
        return None
    wanted = ImpactAssessment.Status.OUTDATED if reminder.kind == "pia_outdated" else ImpactAssessment.Status.APPROVED
    if assessment.status != wanted:
        return None  # reassessed, or already outdated: nothing left to remind about
    return {
        "reference": assessment.reference,
        "title": assessment.title,
        "controller": str(assessment.controller),
        "changes": len(assessment.outdated_diff),
        "reassessment_due_on": assessment.reassessment_due_on,
        "review_due_on": assessment.review_due_on,
        "url": settings.SITE_URL.rstrip("/") + reverse("admin:inventory_app_impactassessment_change", args=[assessment.pk]),
    }


@register_kind("xb_filing_due", "xb_renewal_window")
def filing_context(reminder):
    filing = TransferFiling.objects.select_related("controller").filter(pk=reminder.object_id).first()
    if filing is None or (reminder.kind == "xb_filing_due" and filing.filed_on is not None):
        return None  # filed since: nothing to remind about
    return {
        "mechanism": filing.get_kind_display(),
        "controller": str(filing.controller),
        "destination": filing.destination_country or "—",
        "effective_on": filing.effective_on,
        "filing_due_on": filing.filing_due_on,
        "expires_on": filing.expires_on,
        "renewal_opens_on": filing.renewal_opens_on,
        "provisional": filing.provisional,
        "url": settings.SITE_URL.rstrip("/") + reverse("admin:inventory_app_transferfiling_change", args=[filing.pk]),
    }


@register_kind("audit_remediation_due", "audit_remediation_overdue")
def remediation_context(reminder):
    item = RemediationItem.objects.select_related("audit", "audit__controller").filter(pk=reminder.object_id).first()
    if item is None or item.done_on is not None:
        return None
    return {
        "reference": item.audit.reference,
        "title": item.title,
        "controller": str(item.audit.controller),
        "due_on": item.due_on,
        "url": settings.SITE_URL.rstrip("/") + reverse("admin:inventory_app_complianceaudit_change", args=[item.audit_id]),
    }


@register_kind("audit_deadline_before", "audit_deadline_today", "audit_deadline_overdue")
def audit_deadline_context(reminder):
    audit = ComplianceAudit.objects.select_related("controller").filter(pk=reminder.object_id).first()
    if audit is None or audit.report_on is not None or audit.deadline is None:
        return None  # reported since (or no longer ordered with a deadline): nothing to remind about
    return {
        "reference": audit.reference,
        "controller": str(audit.controller),
        "ordered_by": audit.ordered_by or "—",
        "auditor": audit.auditor,
        "deadline": audit.deadline,
        "days_left": (audit.deadline - office_today(reminder.due_at)).days,
        "url": settings.SITE_URL.rstrip("/") + reverse("admin:inventory_app_complianceaudit_change", args=[audit.pk]),
    }
