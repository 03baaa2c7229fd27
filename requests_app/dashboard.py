"""Rights-request counts for the admin home (privacy_office.dashboard): cheap, indexed, cached;
and the signed-in person's own open cases for "my work next"."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from privacy_office import jurisdictions as registry
from privacy_office.dashboard import Card, CardItem, MyWork, WorkItem, cached_count
from privacy_office.urgency import DANGER, MUTED, OK, WARN

from .models import OPEN_STATUSES, RightsRequest, Status


def _open_by_status() -> dict[str, int]:
    rows = RightsRequest.objects.open().values_list("status").annotate(n=Count("id")).order_by()
    return dict(rows)


def cards(request) -> list[Card]:
    if not request.user.has_perm("requests_app.view_rightsrequest"):
        return []
    url = reverse("admin:requests_app_rightsrequest_changelist")
    today = timezone.localdate()
    by_status = cached_count(f"dsar:open_by_status:{today}", _open_by_status)
    items = [
        CardItem(
            label=str(Status(status).label), value=by_status.get(status, 0), url=f"{url}?status__exact={status}",
        )
        for status in OPEN_STATUSES
    ]
    due_soon = cached_count(f"dsar:due7:{today}", lambda: RightsRequest.objects.due_within(7, today=today).count())
    overdue = cached_count(f"dsar:overdue:{today}", lambda: RightsRequest.objects.overdue(today=today).count())
    mine = RightsRequest.objects.open().assigned_to(request.user).count()
    items += [
        CardItem(label=_("Due within 7 days"), value=due_soon, url=f"{url}?deadline=7", tone="warn" if due_soon else ""),
        CardItem(label=_("Overdue"), value=overdue, url=f"{url}?deadline=overdue", tone="danger" if overdue else "ok"),
        CardItem(label=_("My open cases"), value=mine, url=f"{url}?queue=mine"),
    ]
    return [Card(title=_("Rights requests"), items=items)]


def due_end(case: RightsRequest) -> datetime:
    """The instant the case's last day (``due_on``, a date in its jurisdiction's calendar) ends there."""
    return datetime.combine(case.due_on + timedelta(days=1), time.min, tzinfo=registry.get(case.jurisdiction).zone)


def days_left_text(case: RightsRequest, today) -> tuple[str, str]:
    """(text, urgency level) as the case list reads it: days left, or overdue, or the clock stopped."""
    if case.clock_paused:
        return _("clock stopped"), MUTED
    days = case.days_left(today)
    if days < 0:
        return ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}, DANGER
    # Up to 3 days left is as urgent as overdue; up to 7 a warning (the case list's levels).
    level = DANGER if days <= 3 else WARN if days <= 7 else OK
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}, level


def my_work(request, *, limit: int) -> MyWork | None:
    """The signed-in person's open cases, the nearest last day first: one indexed query
    (``dsar_assignee_due_idx``), whatever their number."""
    if not request.user.has_perm("requests_app.view_rightsrequest"):
        return None
    today = timezone.localdate()
    cases = (RightsRequest.objects.open().assigned_to(request.user).order_by("due_on", "id")
             .only("id", "reference", "request_type", "jurisdiction", "due_on", "clock_paused")[:limit])
    items = []
    for case in cases:
        left, tone = days_left_text(case, today)
        items.append(WorkItem(
            reference=case.reference, what=case.get_request_type_display(),
            url=reverse("admin:requests_app_rightsrequest_change", args=[case.pk]),
            rank=1, due=due_end(case), time_left=left, tone=tone,
        ))
    return MyWork(items=items, all_label=_("All my open cases"),
                  all_url=reverse("admin:requests_app_rightsrequest_changelist") + "?queue=mine")
