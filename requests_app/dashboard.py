"""Rights-request counts for the admin home (privacy_office.dashboard): cheap, indexed, cached."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy_office.dashboard import Card, CardItem, cached_count

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
        CardItem(
            label=_("Awaiting identity"), value=by_status.get(Status.AWAITING_IDENTITY, 0),
            url=f"{url}?status__exact={Status.AWAITING_IDENTITY}",
        ),
        CardItem(label=_("My open cases"), value=mine, url=f"{url}?queue=mine"),
    ]
    return [Card(title=_("Rights requests"), items=items)]
