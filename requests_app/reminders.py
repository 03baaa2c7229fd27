"""What rights-request reminders are due now. Called by the reminder sweep every minute.

Each rule is one indexed query over the open cases near a date (never a loop over all cases);
the Python that follows only turns those few rows into reminder specs. ``privacy_office.reminders``
records them exactly once and sends them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from privacy_office.reminder_time import catch_up_floor, manager_ids, morning_of, office_today, reminder_days_in
from privacy_office.reminders import ReminderSpec, content_type_id, register_kind

from .models import OPEN_STATUSES, RightsRequest, Status
from .rule_phrases import rule_display


def _recipients(assignee_id, managers):
    # Nobody assigned: the managers are the ones who must act.
    return [assignee_id] if assignee_id else managers


def due_reminders(*, now: datetime, since: datetime | None = None) -> list[ReminderSpec]:
    """Reminder specs due at ``now``.

    ``since=None`` reconciles: every open case near a date is looked at (hourly, and after an
    outage longer than the catch-up window). With ``since`` (the previous sweep), only the cases
    a moment in (since, now] can concern are read: due dates a threshold away from an office day
    whose reminder hour fell in the window, cases registered in it, and — once a day — the overdue
    ones. Either way the unique constraint keeps what was already recorded.
    """
    ct = content_type_id(RightsRequest)
    today = office_today(now)
    floor = catch_up_floor(now)
    managers = manager_ids()
    specs: list[ReminderSpec] = []

    def add(case_id, kind, threshold, recipients, moment, created_at=None):
        # On a window, a moment at or before ``since`` was the previous sweeps' to record (or the
        # hourly reconcile's), unless the case itself is new since then.
        if since is not None and moment <= since and not (created_at and created_at > since):
            return
        specs.extend(ReminderSpec(ct, case_id, kind, threshold, r, moment) for r in recipients)

    days_before = sorted(set(settings.REMINDER_DAYS_BEFORE), reverse=True)
    ext_days = sorted(set(settings.REMINDER_EXTENSION_DAYS_BEFORE), reverse=True)
    horizon = today + timedelta(days=max(days_before, default=0))
    chase_after = timedelta(days=settings.REMINDER_IDENTITY_CHASER_DAYS)
    window = None
    if since is not None:
        days = reminder_days_in(since, now)
        window = {
            "due": Q(due_on__in={d + timedelta(days=n) for d in days for n in (*days_before, 0, -1)})
            | Q(created_at__gt=since) | (Q(due_on__lt=max(days), clock_paused=False) if days else Q(pk__in=[])),
            "ack": Q(acknowledgement_due_on__in={d + timedelta(days=2) for d in days}) | Q(created_at__gt=since),
            "identity": Q(identity_requested_at__gt=since - chase_after),
            "extension": Q(extension_deadline__in={d + timedelta(days=n) for d in days for n in ext_days})
            | Q(created_at__gt=since),
        }
    # 1. Due-date reminders: open cases due by the horizon (partial index dsar_open_due_idx).
    rows = RightsRequest.objects.open().filter(due_on__lte=horizon)
    if window:
        rows = rows.filter(window["due"])
    rows = rows.order_by().values_list("id", "due_on", "assignee_id", "created_at", "clock_paused")
    for case_id, due_on, assignee_id, created_at, paused in rows:
        recipients = _recipients(assignee_id, managers)
        for days in days_before:
            moment = morning_of(due_on - timedelta(days=days))
            # Owed only if the case existed at that moment (a case registered 2 days before its
            # due date gets no "7 days left"), and not older than the catch-up window.
            if floor <= moment <= now and created_at <= moment:
                add(case_id, "dsar_due_before", f"{days}d:{due_on}", recipients, moment, created_at)
        if due_on <= today and not paused:
            moment = morning_of(due_on)
            if floor <= moment <= now:
                add(case_id, "dsar_due_today", f"{due_on}", recipients, max(moment, created_at), created_at)
            if due_on < today and morning_of(today) <= now:
                # Daily while overdue (one per office day), and once to the managers.
                add(case_id, "dsar_overdue", f"{today}", recipients, morning_of(today), created_at)
                add(case_id, "dsar_overdue_escalation", f"{due_on}", managers,
                    morning_of(due_on + timedelta(days=1)), created_at)

    # 2. Acknowledgement owed (CCPA: 10 business days; 11 CCR §7021(a)) — two days ahead.
    rows = RightsRequest.objects.open().filter(
        acknowledged_at__isnull=True, acknowledgement_due_on__isnull=False,
        acknowledgement_due_on__lte=today + timedelta(days=2),
    )
    if window:
        rows = rows.filter(window["ack"])
    rows = rows.values_list("id", "acknowledgement_due_on", "assignee_id", "created_at")
    for case_id, ack_on, assignee_id, created_at in rows:
        moment = max(morning_of(ack_on - timedelta(days=2)), created_at)
        if floor <= moment <= now:
            add(case_id, "dsar_ack_due", f"{ack_on}", _recipients(assignee_id, managers), moment, created_at)

    # 3. Identity proof not received after N days: chase it (once per request for proof; not once it arrived).
    rows = RightsRequest.objects.filter(status=Status.AWAITING_IDENTITY, identity_requested_at__lte=now - chase_after,
                                        identity_received_at__isnull=True)
    if window:
        rows = rows.filter(window["identity"])
    rows = rows.values_list("id", "identity_requested_at", "assignee_id")
    for case_id, requested_at, assignee_id in rows:
        moment = requested_at + chase_after
        if moment >= floor:
            add(case_id, "dsar_identity_chaser", requested_at.isoformat(), _recipients(assignee_id, managers), moment)

    # 4. Last days to send an extension notice (GDPR Art. 12(3): within the first month;
    #    CCPA §7021(b): within the first 45 days) — the original deadline.
    rows = RightsRequest.objects.filter(
        status__in=OPEN_STATUSES, extended=False, extension_deadline__isnull=False,
        extension_deadline__gte=today, extension_deadline__lte=today + timedelta(days=max(ext_days, default=0)),
    )
    if window:
        rows = rows.filter(window["extension"])
    rows = rows.values_list("id", "extension_deadline", "assignee_id", "created_at")
    for case_id, last_day, assignee_id, created_at in rows:
        for days in ext_days:
            moment = morning_of(last_day - timedelta(days=days))
            if floor <= moment <= now and created_at <= moment:
                add(case_id, "dsar_extension_last_chance", f"{days}d:{last_day}", _recipients(assignee_id, managers),
                    moment, created_at)
    return specs


def case_url(case_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("admin:requests_app_rightsrequest_change", args=[case_id])


@register_kind(
    "dsar_due_before", "dsar_due_today", "dsar_overdue", "dsar_overdue_escalation",
    "dsar_ack_due", "dsar_identity_chaser", "dsar_extension_last_chance",
)
def case_context(reminder):
    """Only what the reminder needs: reference, type, jurisdiction, dates. No requester identity."""
    case = RightsRequest.objects.filter(pk=reminder.object_id).first()
    if case is None or not case.is_open:
        return None
    if reminder.kind == "dsar_ack_due" and case.acknowledged_at:
        return None
    if reminder.kind == "dsar_identity_chaser" and (
            case.status != Status.AWAITING_IDENTITY or case.identity_received_at is not None):
        return None
    if reminder.kind == "dsar_extension_last_chance" and case.extended:
        return None
    today = office_today(reminder.due_at)
    return {
        "reference": case.reference,
        "request_type": case.get_request_type_display(),
        "jurisdiction": case.get_jurisdiction_display(),
        "due_on": case.due_on,
        "days_left": (case.due_on - today).days,
        "days_overdue": (today - case.due_on).days,
        "due_rule": rule_display(case.due_rule),  # rendered in the recipient's language
        "acknowledgement_due_on": case.acknowledgement_due_on,
        "extension_deadline": case.extension_deadline,
        "identity_requested_at": case.identity_requested_at,
        "threshold_days": reminder.threshold.split("d:")[0] if "d:" in reminder.threshold else "",
        "url": case_url(case.pk),
    }
