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

from .models import ImpactAssessment

REVIEW_DAYS_BEFORE = 30


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
