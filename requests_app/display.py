"""How a case's clock reads on screen: what its due date means, in the reader's language (the
stored rule itself is the citation, in English, as the reference gives it)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from privacy_office import jurisdictions as registry
from privacy_office.urgency import WARN, badge

from . import deadlines as dl
from .models import DueKind, RightsRequest, Status


def clock_explanation(case: RightsRequest) -> list[str]:
    """Sentences saying what the stored due date means: a last day, "immediately", "without undue
    delay" (with its outer limit), a rule marked unverified, the UK wait for identity proof, the
    receipt date read across time zones, a US state without a privacy law. No query: stored fields only."""
    if case is None or not case.due_on:
        return []
    lines: list[str] = []
    due = str(case.due_on)
    if case.due_kind == DueKind.IMMEDIATELY:
        lines.append(_("Immediately: due on the day of receipt, %(date)s.") % {"date": due})
    elif case.due_kind == DueKind.WITHOUT_UNDUE_DELAY and case.acknowledgement_due_on == case.due_on:
        lines.append(_("Acknowledge by %(date)s; respond and give the outcome without undue delay (DPA 2018 "
                       "s.164A).") % {"date": due})
    elif case.due_kind == DueKind.WITHOUT_UNDUE_DELAY:
        lines.append(_("Without undue delay; %(date)s is the outer limit.") % {"date": due})
    else:
        lines.append(_("Due %(date)s: the last day the rule allows.") % {"date": due})
    if case.due_unverified:
        lines.append(_("Unverified: the rule that sets this date is marked unverified in the reference; check it "
                       "before relying on the date."))
    if (case.jurisdiction == dl.UK and case.identity_requested_at is not None
            and case.identity_received_at is None and case.verified_on is None):
        lines.append(_("UK: the clock waits for the proof of identity asked for on %(on)s; until it arrives the "
                       "date is counted from receipt.")
                     % {"on": str(registry.local_date(case.identity_requested_at, case.jurisdiction))})
    # Waiting for the requester stops no clock but the UK's (Art. 12A; identity_checks.py): an
    # officer used to "on hold" in other tools must read that the date does not move.
    if case.status == Status.AWAITING_IDENTITY and not case.clock_paused and case.jurisdiction != dl.UK:
        lines.append(_("Waiting for proof of identity: the clock keeps running (%(jurisdiction)s law has no pause "
                       "for it); the due date does not move.") % {"jurisdiction": case.get_jurisdiction_display()})
    if case.status == Status.AWAITING_CLARIFICATION and not case.clock_paused:
        lines.append(_("Waiting for the requester's clarification: the clock keeps running (only UK GDPR Art. 12A "
                       "stops it, for access requests); the due date does not move."))
    if case.requester_time_zone and case.received_at:
        office = registry.get(case.jurisdiction)
        theirs = case.received_at.astimezone(ZoneInfo(case.requester_time_zone)).date()
        ours = case.received_at.astimezone(office.zone).date()
        lines.append(_("Received %(date)s: the earlier of the requester's local date (%(zone)s: %(theirs)s) and the "
                       "office's (%(office_zone)s: %(ours)s).")
                     % {"date": str(case.received_on), "zone": case.requester_time_zone, "theirs": str(theirs),
                        "office_zone": office.time_zone, "ours": str(ours)})
    if (case.jurisdiction in dl.US_RESIDENT_JURISDICTIONS and case.received_on
            and dl.state_privacy_law_in_force(case.jurisdiction, case.received_on) is None):
        lines.append(_("%(state)s has no comprehensive privacy law in force for this request: only Aqara's own "
                       "one-month commitment applies, counted from receipt.")
                     % {"state": case.get_jurisdiction_display()})
    return lines


def clock_explanation_html(case: RightsRequest) -> str:
    """The sentences one per line; an unverified rule in the warning colour."""
    lines = clock_explanation(case)
    if not lines:
        return "—"
    unverified = _("Unverified: the rule that sets this date is marked unverified in the reference; check it "
                   "before relying on the date.")
    return format_html_join(
        "", "<div>{}</div>",
        ((badge(WARN, line) if line == unverified else format_html("{}", line),) for line in lines),
    )
