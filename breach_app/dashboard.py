"""Incident cards for the admin home (see ``privacy_office.dashboard``), and the notification
duties of the incidents the signed-in person owns for "my work next"."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy_office.dashboard import Card, CardItem, MyWork, WorkItem, cached_count
from privacy_office.urgency import DANGER, MUTED, OK, WARN

from . import display
from .models import Incident, Obligation


def cards(request) -> list[Card]:
    if not request.user.has_perm("breach_app.view_incident"):
        return []
    now = timezone.now()
    incidents = reverse("admin:breach_app_incident_changelist")
    obligations = reverse("admin:breach_app_obligation_changelist")
    open_count = cached_count("breach_app:open_incidents", lambda: Incident.objects.open().count())
    overdue_count = Obligation.objects.live().overdue(now).count()
    # The most urgent regulator duty: an "immediately" one (PIPL Art. 57 立即: due since discovery)
    # before any running clock, then the nearest deadline still ahead (the overdue ones are counted below).
    regulator = Obligation.objects.live().filter(recipient=Obligation.Recipient.REGULATOR)
    nearest = (regulator.filter(Q(deadline_kind=Obligation.DeadlineKind.IMMEDIATELY) | Q(deadline__gte=now))
               .select_related("incident").order_by(*Obligation.URGENCY_ORDER).first())
    items = [
        CardItem(label=_("Open incidents"), value=open_count, url=f"{incidents}?open=yes",
                 tone=WARN if open_count else OK),
    ]
    if nearest is not None and nearest.deadline_kind == Obligation.DeadlineKind.IMMEDIATELY:
        immediate = regulator.filter(deadline_kind=Obligation.DeadlineKind.IMMEDIATELY).count()
        detail = f"{nearest.incident.reference} · {display.obligation_name(nearest)}"
        if immediate > 1:
            detail += " " + _("(+%(n)s more due immediately)") % {"n": immediate - 1}
        items.append(CardItem(
            label=_("Nearest regulator deadline"), value=_("immediately"),
            url=f"{obligations}?clock=live&recipient__exact=regulator", tone=DANGER, detail=detail,
        ))
    elif nearest is not None:
        level = display.urgency(nearest.deadline, now)
        items.append(CardItem(
            label=_("Nearest regulator deadline"),
            value=display.time_left_text(nearest.deadline - now),
            url=f"{obligations}?clock=live&recipient__exact=regulator",
            tone=level if level in (DANGER, WARN) else "",
            detail=f"{nearest.incident.reference} · {display.obligation_name(nearest)}",
        ))
    else:
        items.append(CardItem(label=_("Nearest regulator deadline"), value="—"))
    items.append(CardItem(
        label=_("Obligations overdue"), value=overdue_count, url=f"{obligations}?clock=overdue",
        tone=DANGER if overdue_count else OK,
    ))
    return [Card(title=_("Security incidents"), items=items)]


def my_work(request, *, limit: int) -> MyWork | None:
    """The live obligations of the open incidents the signed-in person owns (``Incident.owner``),
    in the obligation list's order (``Obligation.URGENCY_ORDER``: "immediately" first, then by
    deadline): one query, whatever their number."""
    if not request.user.has_perm("breach_app.view_incident"):
        return None
    now = timezone.now()
    obligations = (Obligation.objects.live().filter(incident__owner=request.user)
                   .exclude(incident__status__in=(Incident.Status.CLOSED, Incident.Status.WITHDRAWN))
                   .select_related("incident").order_by(*Obligation.URGENCY_ORDER)[:limit])
    items = []
    for obligation in obligations:
        kind = obligation.deadline_kind
        if kind == Obligation.DeadlineKind.IMMEDIATELY:
            left, tone = _("immediately"), DANGER
        elif kind == Obligation.DeadlineKind.INSTANT and obligation.deadline is not None:
            left, tone = display.time_left_text(obligation.deadline - now), display.urgency(obligation.deadline, now)
            tone = tone if tone in (DANGER, WARN) else OK
        elif kind == Obligation.DeadlineKind.WITHOUT_UNDUE_DELAY:
            left, tone = _("without undue delay"), WARN
        else:
            left, tone = _("clock not started"), MUTED
        items.append(WorkItem(
            reference=obligation.incident.reference, what=display.obligation_name(obligation),
            url=reverse("admin:breach_app_obligation_change", args=[obligation.pk]),
            rank=obligation.urgency, due=obligation.deadline,
            time_left=left, tone=tone,
        ))
    return MyWork(items=items, all_label=_("All my open incidents"),
                  all_url=f"{reverse('admin:breach_app_incident_changelist')}?open=yes&owner__id__exact={request.user.pk}")
