"""What incident reminders are due now. Called by the reminder sweep every minute.

For every live obligation with a clock: reminders at fractions of its window (default 50/75/90 %)
and at expiry, to the incident's owner and the managers; an "immediately" duty (PIPL Art. 57)
is announced at once. One query over the live obligations (index on status, deadline).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from privacy_office.reminder_time import manager_ids
from privacy_office.reminders import ReminderSpec, content_type_id, register_kind

from .deadlines import format_time_left
from .models import Obligation


def due_reminders(*, now: datetime, since: datetime | None = None) -> list[ReminderSpec]:
    """With ``since`` (the previous sweep) only clocks that can have a moment in (since, now] are
    read: still running, or expired since, or (re)computed since. ``since=None`` reconciles all."""
    ct = content_type_id(Obligation)
    managers = manager_ids()
    specs: list[ReminderSpec] = []
    rows = Obligation.objects.filter(Obligation.live_q(), clock_start__isnull=False, clock_start__lte=now).exclude(
        incident__status__in=("closed", "withdrawn")
    )
    if since is not None:
        rows = rows.filter(Q(deadline__gt=since) | Q(computed_at__gt=since) | Q(clock_start__gt=since))
    rows = rows.order_by().values_list("id", "deadline", "deadline_kind", "clock_start", "incident__owner_id", "computed_at")
    for obligation_id, deadline, kind, start, owner_id, computed_at in rows:
        recipients = sorted({*managers, *([owner_id] if owner_id else [])})

        def add(reminder_kind, threshold, moment):
            # On a window, earlier moments were recorded by earlier sweeps, unless the clock is new.
            if since is not None and moment <= since and computed_at <= since:
                return
            specs.extend(ReminderSpec(ct, obligation_id, reminder_kind, threshold, r, moment) for r in recipients)

        if kind == Obligation.DeadlineKind.IMMEDIATELY:
            add("obligation_immediate", start.isoformat(), start)
            continue
        if deadline is None:
            continue
        window = deadline - start
        for percent in sorted(set(settings.REMINDER_OBLIGATION_PERCENTS)):
            moment = start + window * percent / 100
            if moment <= now:
                # The deadline is part of the threshold: a recomputed clock is a new clock.
                add("obligation_window", f"{percent}:{deadline.isoformat()}", moment)
        if deadline <= now:
            add("obligation_expired", deadline.isoformat(), deadline)
    return specs


@register_kind("obligation_window", "obligation_expired", "obligation_immediate")
def obligation_context(reminder):
    obligation = Obligation.objects.select_related("incident").filter(pk=reminder.object_id).first()
    if obligation is None or not obligation.is_live or obligation.incident.status in ("closed", "withdrawn"):
        return None
    incident = obligation.incident
    now = timezone.now()
    return {
        "incident_reference": incident.reference,
        "obligation": str(obligation),
        "jurisdiction": obligation.get_jurisdiction_display(),
        "recipient": obligation.get_recipient_display(),
        "deadline": obligation.deadline,
        "deadline_kind": obligation.get_deadline_kind_display(),
        "percent": reminder.threshold.split(":")[0] if reminder.kind == "obligation_window" else "",
        "time_left": format_time_left(obligation.deadline - now) if obligation.deadline else "",
        "citation": obligation.citation,
        "status": obligation.get_status_display(),
        "url": settings.SITE_URL.rstrip("/") + reverse("admin:breach_app_incident_change", args=[incident.pk]),
    }
