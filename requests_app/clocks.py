"""The stored clock of a rights request: its due dates computed from the pure rules in
``deadlines.py`` and written on the row (indexed), recomputed whenever an input changes.

Kept apart from ``services.py`` because registration, edits, pauses, the extension and identity
verification (``identity_checks.py``) all end here, and the admin form asks the same question
before anything is saved.
"""

from __future__ import annotations

import copy
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason

from . import deadlines as dl
from .models import ClockPause, ResponseDraft, RightsRequest, TimelineEntry
from .case_writes import case_today, timeline_add


def compute_due(case: RightsRequest, *, today: date | None = None) -> dict:
    """The clock fields for ``case`` from its current inputs (no write).

    A case with several request types is due on the EARLIEST of their dates (reference, "General
    principles"); an extension applies to the types that have one. An open clarification pause is
    counted up to ``today`` (the date if it were answered today); the overdue list skips paused
    cases (``clock_paused``) so a moving date never flags a case that is waiting on the requester."""
    today = today or case_today(case)
    pauses = [
        (p.started_on, p.ended_on or max(today, p.started_on))
        for p in (case.pauses.all() if case.pk else ())
        if p.reason == ClockPause.Reason.CLARIFICATION
    ]
    results, originals, extension_deadlines, acks = [], [], [], []
    try:
        for request_type in case.all_types:
            base = dl.response_due(
                jurisdiction=case.jurisdiction, request_type=request_type, received_on=case.received_on,
                verified_on=case.verified_on, pauses=pauses,
            )
            originals.append(base)
            if base.extension_deadline is not None:
                extension_deadlines.append(base.extension_deadline)
            if case.extended and base.extension_deadline is not None:
                results.append(
                    dl.response_due(
                        jurisdiction=case.jurisdiction, request_type=request_type, received_on=case.received_on,
                        verified_on=case.verified_on, pauses=pauses, extended=True,
                    )
                )
            else:
                results.append(base)
            ack = dl.acknowledgement_due(
                jurisdiction=case.jurisdiction, request_type=request_type, received_on=case.received_on
            )
            if ack is not None:
                acks.append(ack.due_on)
    except ValueError as exc:  # deadlines.py validates its inputs; show its sentence
        raise ValidationError(str(exc), code="clock") from exc
    binding = min(results, key=lambda r: r.due_on)
    return {
        "due_on": binding.due_on,
        "due_rule": binding.rule[:300],
        "due_provisional": any(r.provisional for r in (*results, *originals)),
        "original_due_on": min(r.due_on for r in originals),
        "extension_deadline": min(extension_deadlines) if extension_deadlines else None,
        "acknowledgement_due_on": min(acks) if acks else None,
    }


def dsar_recompute_due(*, case: RightsRequest, by=None, now: datetime | None = None, save: bool = True) -> RightsRequest:
    """Recompute and store the due date; adds a timeline entry when it moved.

    With ``save=False`` the fields are only set on ``case``: the caller saves them with its own write."""
    fields = compute_due(case, today=case_today(case, now))
    old_due = case.due_on
    moved = [name for name, value in fields.items() if getattr(case, name) != value]
    for name, value in fields.items():
        setattr(case, name, value)
    # Nothing moved, nothing written: a history row that changes nothing reads as "—" in the audit log.
    if save and case.pk and moved:
        save_with_reason(case, by=by, reason=gettext_noop("due date recomputed"), update_fields=moved)
        if old_due != case.due_on:
            timeline_add(
                case=case, kind=TimelineEntry.Kind.CLOCK,
                message=gettext_noop("Due date recomputed: %(old)s → %(new)s (%(rule)s)."),
                params={"old": str(old_due), "new": str(case.due_on), "rule": case.due_rule}, by=by, at=now,
            )
    return case


def validate_extension_in_time(case: RightsRequest, *, now: datetime | None = None) -> None:
    """Refuse an extension (or its notice) after the original deadline: the notice must reach the
    requester within the first period (GDPR Art. 12(3), 11 CCR §7021(b), 152-FZ Art. 20(1))."""
    if case.extension_deadline is not None and case_today(case, now) > case.extension_deadline:
        raise ValidationError(
            _("Too late to extend: the notice had to be sent by the original deadline, %(deadline)s.")
            % {"deadline": case.extension_deadline},
            code="extension_late",
        )


def extended_preview(case: RightsRequest, *, now: datetime | None = None) -> RightsRequest:
    """An unsaved copy of ``case`` as it will be once its extension takes effect (the new due date),
    for the notice that announces it: the extension itself waits for that notice to be sent."""
    probe = copy.copy(case)
    probe.extended = True
    for name, value in compute_due(probe, today=case_today(case, now)).items():
        setattr(probe, name, value)
    return probe


def dsar_extension_take_effect(*, case: RightsRequest, notice: ResponseDraft, by) -> RightsRequest:
    """The extension notice ``notice`` was sent: the decided extension takes effect. The case
    records the notice's own sent time as "notice sent" and links the notice; the due date moves.
    Called by ``letters.draft_mark_sent`` with the case locked. Refused when no extension was
    decided (its reasons) or the notice went out after the original deadline."""
    if case.extended:
        return case  # a further copy of the notice (another language): the first one counted
    if not case.is_open:
        raise ValidationError(_("The case has been answered or ended; it cannot be extended."), code="closed")
    if not case.extension_reasons.strip():
        raise ValidationError(
            _("No extension was decided on this case: use “Extend the deadline” (with the reasons) first."),
            code="extension_undecided",
        )
    if case.extension_deadline is None:
        raise ValidationError(_("No extension exists for this request."), code="no_extension")
    validate_extension_in_time(case, now=notice.sent_at)
    case.extended = True
    case.extension_notice, case.extension_notice_sent_at = notice, notice.sent_at
    dsar_recompute_due(case=case, by=by, now=notice.sent_at, save=False)
    save_with_reason(case, by=by, reason=gettext_noop("extended"))
    timeline_add(
        case=case, kind=TimelineEntry.Kind.EXTENSION,
        message=gettext_noop("Extended; now due %(due)s (%(rule)s)."),
        params={"due": str(case.due_on), "rule": case.due_rule}, by=by, at=notice.sent_at, note=case.extension_reasons,
    )
    return case
