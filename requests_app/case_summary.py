"""What the top of a case page shows first: who asked, under which law, where the case stands, when
it is due and why, and whether its clock runs. One read-only selector; the template only lays it out.

Reads the row already loaded by the admin, its clock pauses (one query; the engine needs them to show
every obligation it weighed) and the newest timeline entries (one query, capped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from privacy_office import urgency

from . import clocks, display
from .rule_phrases import rule_display
from .case_writes import case_today, request_type_label
from .models import ClockPause, RightsRequest, TimelineEntry

# Entries shown under the summary, newest first; the whole timeline is one link away.
TIMELINE_SHOWN = 10


@dataclass(frozen=True)
class Obligation:
    due_on: date
    rule: str  # the citation, in the reader's language around the citation as the reference gives it
    binds: bool  # the earliest: the date the case is due on


@dataclass(frozen=True)
class TypeClock:
    request_type: str  # label, in the reader's language
    obligations: list[Obligation]
    notes: tuple[str, ...]  # readings taken and reasons, in the reader's language


@dataclass(frozen=True)
class CaseSummary:
    reference: str
    requester: str
    jurisdiction: str
    request_types: list[str]
    status: str
    status_value: str
    due_on: date | None
    time_left: str
    urgency: str  # a level of privacy_office.urgency
    due_rule: str
    clocks: list[TypeClock]
    clock_running: bool
    clock_state: str
    clock_reasons: list[str]
    timeline: list[TimelineEntry] = field(default_factory=list)
    timeline_more: bool = False
    timeline_shown: int = TIMELINE_SHOWN
    timeline_url: str = ""


def time_left(case: RightsRequest, today: date) -> tuple[str, str]:
    """(urgency level, words) for the days between ``today`` and the due date; the same thresholds
    as the case list: up to 3 days left is as urgent as overdue, up to 7 a warning."""
    days = (case.due_on - today).days
    if days < 0:
        return urgency.DANGER, ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}
    if days == 0:
        return urgency.DANGER, _("Due today")
    level = urgency.DANGER if days <= 3 else urgency.WARN if days <= 7 else urgency.OK
    return level, ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}


def _clock_state(case: RightsRequest, pauses: list[ClockPause], today: date) -> tuple[bool, str, list[str]]:
    """(running, state, reasons). The reasons are the clock explanation's sentences: they already say
    where the law has no pause, so "waiting for the requester" reads that the clock keeps running."""
    reasons = display.clock_explanation(case)
    if not case.is_open:
        return False, _("No clock running: the case is %(status)s.") % {"status": case.get_status_display()}, reasons
    if case.clock_paused:
        open_pause = next((p for p in reversed(pauses) if p.ended_on is None), None)
        if open_pause is None:
            return False, _("Clock stopped."), reasons
        state = _("Clock stopped since %(date)s: %(reason)s.") % {
            "date": str(open_pause.started_on), "reason": open_pause.get_reason_display()}
        return False, state, [*([open_pause.note] if open_pause.note else []), *reasons]
    return True, _("Clock running: %(days)s.") % {"days": time_left(case, today)[1]}, reasons


def case_summary(case: RightsRequest) -> CaseSummary:
    """The summary of ``case`` for its page (read-only)."""
    today = case_today(case)
    prefetch_related_objects([case], "pauses")  # read once: the state below and the engine both need them
    pauses = list(case.pauses.all())
    try:
        by_type = clocks.due_candidates(case, today=today)
    except ValidationError:
        by_type = []  # inputs the rules refuse: the stored date and rule still show
    type_clocks = []
    for request_type, due in by_type:
        binding = min(range(len(due.candidates)), key=lambda i: due.candidates[i][0]) if due.candidates else -1
        type_clocks.append(TypeClock(
            request_type=request_type_label(request_type),
            obligations=[Obligation(on, rule_display(rule), i == binding)
                         for i, (on, rule) in enumerate(due.candidates)],
            notes=tuple(rule_display(note) for note in due.notes),
        ))
    level, left = time_left(case, today) if case.due_on else (urgency.MUTED, "")
    if not case.is_open:
        level, left = urgency.MUTED, ""
    running, state, reasons = _clock_state(case, pauses, today)
    entries = list(case.timeline.select_related("by").order_by("-at", "-id")[:TIMELINE_SHOWN + 1])
    return CaseSummary(
        reference=case.reference,
        requester=case.requester_name,
        jurisdiction=case.get_jurisdiction_display(),
        request_types=[request_type_label(t) for t in case.all_types],
        status=case.get_status_display(),
        status_value=case.status,
        due_on=case.due_on,
        time_left=left,
        urgency=level,
        due_rule=rule_display(case.due_rule),
        clocks=type_clocks,
        clock_running=running,
        clock_state=state,
        clock_reasons=reasons,
        timeline=entries[:TIMELINE_SHOWN],
        timeline_more=len(entries) > TIMELINE_SHOWN,
        timeline_url=f"{reverse('admin:requests_app_timelineentry_changelist')}?request={case.pk}",
    )
