"""Weekly digests: each person's open cases and obligations by urgency; a managers' summary."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from .reminder_time import manager_ids, morning_of, office_today
from .reminders import ReminderSpec, content_type_id, register_kind
from .roles import MANAGER, STAFF


def digest_moment(now: datetime) -> datetime:
    """This week's digest instant (REMINDER_DIGEST_WEEKDAY at REMINDER_DIGEST_HOUR, office zone)."""
    today = office_today(now)
    day = today - timedelta(days=(today.weekday() - settings.REMINDER_DIGEST_WEEKDAY) % 7)
    return morning_of(day).replace(hour=settings.REMINDER_DIGEST_HOUR)


def due_reminders(*, now: datetime, since: datetime | None = None) -> list[ReminderSpec]:
    moment = digest_moment(now)
    if moment > now or (since is not None and moment <= since):
        return []
    year, week, _ = moment.isocalendar()
    threshold = f"{year}-W{week:02d}"
    User = get_user_model()
    ct = content_type_id(User)
    people = User.objects.filter(is_active=True, groups__name__in=[STAFF, MANAGER]).values_list("id", flat=True).distinct()
    specs = [ReminderSpec(ct, uid, "weekly_digest", threshold, uid, moment, grace=timedelta(hours=12)) for uid in people]
    specs += [ReminderSpec(ct, 0, "manager_summary", threshold, uid, moment, grace=timedelta(hours=12)) for uid in manager_ids()]
    return specs


def _case_buckets(queryset, today):
    buckets = {"overdue": [], "due_3": [], "due_7": [], "later": []}
    for ref, due_on, type_label in queryset:
        days = (due_on - today).days
        key = "overdue" if days < 0 else "due_3" if days <= 3 else "due_7" if days <= 7 else "later"
        buckets[key].append({"reference": ref, "due_on": due_on, "type": type_label, "days_left": days})
    return buckets


@register_kind("weekly_digest", "manager_summary")
def digest_context(reminder):
    from breach_app.models import Incident, Obligation
    from requests_app.models import RequestType, RightsRequest

    today = office_today(reminder.due_at)
    cases = RightsRequest.objects.open().order_by("due_on")
    obligations = Obligation.objects.filter(Obligation.live_q()).exclude(incident__status__in=("closed", "withdrawn"))
    if reminder.kind == "weekly_digest":
        cases = cases.filter(assignee_id=reminder.recipient_id)
        obligations = obligations.filter(incident__owner_id=reminder.recipient_id)
    case_rows = [
        (ref, due, RequestType(t).label if t in RequestType.values else t)
        for ref, due, t in cases.values_list("reference", "due_on", "request_type")[:200]
    ]
    obligation_rows = list(
        obligations.order_by("deadline").values_list("incident__reference", "code", "deadline")[:100]
    )
    base = settings.SITE_URL.rstrip("/")
    context = {
        "week": reminder.threshold,
        "cases": _case_buckets(case_rows, today),
        "case_count": cases.count(),
        "obligations": [{"incident": i, "code": c, "deadline": d} for i, c, d in obligation_rows],
        "cases_url": base + reverse("admin:requests_app_rightsrequest_changelist"),
        "incidents_url": base + reverse("admin:breach_app_incident_changelist"),
    }
    if reminder.kind == "manager_summary":
        context["overdue_total"] = RightsRequest.objects.overdue(today=today).count()
        context["open_incidents"] = Incident.objects.open().count()
    return context
