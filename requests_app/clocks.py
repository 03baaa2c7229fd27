"""The stored clock of a rights request: its due dates computed from the pure rules in
``deadlines.py`` and written on the row (indexed), recomputed whenever an input changes.

Kept apart from ``services.py`` because registration, edits, pauses, the extension and identity
verification (``identity_checks.py``) all end here, and the admin form asks the same question
before anything is saved.
"""

from __future__ import annotations

import copy
import logging
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason
from privacy_office.jurisdictions import local_date

from . import deadlines as dl
from .models import ClockPause, ResponseDraft, RightsRequest, TimelineEntry
from .case_writes import case_today, timeline_add


# The fields ``compute_due`` sets: the receipt date, the due dates and what bound them.
CLOCK_FIELDS = (
    "received_on", "due_on", "due_rule", "due_kind", "due_unverified", "due_provisional", "original_due_on",
    "extension_deadline", "acknowledgement_due_on",
)
DUE_RULE_MAX_LENGTH = RightsRequest._meta.get_field("due_rule").max_length
# Cases read per query when every open case is recomputed (each is locked and written on its own).
RECOMPUTE_CHUNK = 200

logger = logging.getLogger(__name__)


def receipt(case: RightsRequest) -> dl.Receipt:
    """The case's local receipt date and which reading gave it: the earlier of the requester's and
    the office's local date when the requester's time zone is known (legal-rules.md 2026-11)."""
    try:
        return dl.receipt_date(case.received_at, jurisdiction=case.jurisdiction,
                               requester_time_zone=case.requester_time_zone or None)
    except ValueError as exc:
        raise ValidationError(str(exc), code="clock") from exc


def _local(instant: datetime | None, jurisdiction: str) -> date | None:
    return local_date(instant, jurisdiction) if instant is not None else None


def rule_text(binding: dl.DueDate, *, reading: str = "") -> str:
    """The stored rule: the binding obligation's citation, marked "[unverified]" when it rests on a
    reference row marked U, "[immediately]" / "[without undue delay]" when the date is the receipt
    day or an outer limit, followed by the engine's notes (readings taken, waits, reasons) and,
    when the requester's time zone was given, which local date was taken as the receipt date."""
    markers = []
    if binding.unverified:
        markers.append("[unverified]")
    if binding.kind == dl.IMMEDIATELY:
        markers.append("[immediately: due on the day of receipt]")
    elif binding.kind == dl.WITHOUT_UNDUE_DELAY:
        markers.append("[without undue delay: the date is an outer limit]")
    text = " ".join([*markers, binding.rule])
    notes = [*binding.notes, *([reading] if reading else [])]
    if notes:
        text += " — " + "; ".join(notes)
    if len(text) > DUE_RULE_MAX_LENGTH:
        text = text[: DUE_RULE_MAX_LENGTH - 1] + "…"
    return text


def compute_due(case: RightsRequest, *, today: date | None = None) -> dict:
    """The clock fields for ``case`` from its current inputs (no write).

    The receipt date comes from ``deadlines.receipt_date`` (the requester's time zone, when known,
    can make it earlier). A case with several request types is due on the EARLIEST of their dates
    (reference, "General principles"); an extension applies to the types that have one. UK: the
    identity proof asked for and its arrival, and a fee paid, move the relevant time (UK GDPR
    Art. 12A); clarification pauses stop the clock of access requests only (the engine decides). An
    open clarification pause is counted up to ``today`` (the date if it were answered today); the
    overdue list skips paused cases (``clock_paused``) so a moving date never flags a case that is
    waiting on the requester."""
    got = receipt(case)
    received_on = got.received_on
    results, originals, extension_deadlines, acks = [], [], [], []
    try:
        for request_type, base, result in _due_by_type(case, received_on, today or case_today(case)):
            originals.append(base)
            if base.extension_deadline is not None:
                extension_deadlines.append(base.extension_deadline)
            results.append(result)
            ack = dl.acknowledgement_due(
                jurisdiction=case.jurisdiction, request_type=request_type, received_on=received_on
            )
            if ack is not None:
                acks.append(ack.due_on)
    except ValueError as exc:  # deadlines.py validates its inputs; show its sentence
        raise ValidationError(str(exc), code="clock") from exc
    binding = min(results, key=lambda r: r.due_on)
    return {
        "received_on": received_on,
        "due_on": binding.due_on,
        "due_rule": rule_text(binding, reading=got.reading if case.requester_time_zone else ""),
        "due_kind": binding.kind,
        "due_unverified": binding.unverified,
        "due_provisional": any(r.provisional for r in (*results, *originals)),
        "original_due_on": min(r.due_on for r in originals),
        "extension_deadline": min(extension_deadlines) if extension_deadlines else None,
        "acknowledgement_due_on": min(acks) if acks else None,
    }


def _due_by_type(case: RightsRequest, received_on: date, today: date):
    """(request type, un-extended DueDate, DueDate in force) for each of the case's request types."""
    pauses = [
        (p.started_on, p.ended_on or max(today, p.started_on))
        for p in (case.pauses.all() if case.pk else ())
        if p.reason == ClockPause.Reason.CLARIFICATION
    ]
    facts = {
        "jurisdiction": case.jurisdiction, "received_on": received_on, "verified_on": case.verified_on,
        "pauses": pauses,
        "identity_requested_on": _local(case.identity_requested_at, case.jurisdiction),
        "identity_received_on": _local(case.identity_received_at, case.jurisdiction),
        "fee_paid_on": _local(case.fee_paid_at, case.jurisdiction),
    }
    for request_type in case.all_types:
        base = dl.response_due(request_type=request_type, **facts)
        if case.extended and base.extension_deadline is not None:
            yield request_type, base, dl.response_due(request_type=request_type, extended=True, **facts)
        else:
            yield request_type, base, base


def due_candidates(case: RightsRequest, *, today: date | None = None) -> list[tuple[str, dl.DueDate]]:
    """(request type, DueDate in force) for each of the case's request types: every obligation the
    engine considered (``DueDate.candidates``) and the one that bound it, for the case page to show
    why its date is what it is. Refused inputs raise ``ValidationError`` as ``compute_due`` does."""
    try:
        return [(request_type, result) for request_type, _base, result
                in _due_by_type(case, receipt(case).received_on, today or case_today(case))]
    except ValueError as exc:
        raise ValidationError(str(exc), code="clock") from exc


def dsar_recompute_due(*, case: RightsRequest, by=None, now: datetime | None = None, save: bool = True,
                       rules_update: str = "") -> RightsRequest:
    """Recompute and store the due date; adds a timeline entry when it moved.

    With ``save=False`` the fields are only set on ``case``: the caller saves them with its own write.
    ``rules_update``: the reason a rules update gives (``recompute_open_cases``; a message id marked
    with ``gettext_noop``, or words as typed): it is the history row's reason, and the timeline says
    the date moved because of a rules update."""
    fields = compute_due(case, today=case_today(case, now))
    old_due = case.due_on
    moved = [name for name, value in fields.items() if getattr(case, name) != value]
    for name, value in fields.items():
        setattr(case, name, value)
    # Nothing moved, nothing written: a history row that changes nothing reads as "—" in the audit log.
    if save and case.pk and moved:
        if rules_update:
            reason = rules_update
            message = gettext_noop("Due date recomputed after a rules update: %(old)s → %(new)s (%(rule)s).")
        else:
            reason = gettext_noop("due date recomputed")
            message = gettext_noop("Due date recomputed: %(old)s → %(new)s (%(rule)s).")
        save_with_reason(case, by=by, reason=reason, update_fields=moved)
        if old_due != case.due_on or rules_update:
            timeline_add(
                case=case, kind=TimelineEntry.Kind.CLOCK, message=message,
                params={"old": str(old_due), "new": str(case.due_on), "rule": case.due_rule}, by=by, at=now,
            )
    return case


def recompute_open_cases(*, by=None, reason: str, now: datetime | None = None
                         ) -> list[tuple[RightsRequest, date, date | None, str]]:
    """Recompute the clock of every open case after the legal rules changed (legal-rules.md 2026-11:
    "when a rule changes, every open case ... is recomputed and the change recorded").

    Cases are read in chunks of ``RECOMPUTE_CHUNK`` ids and each one is locked
    (``select_for_update``) and written in a transaction of its own, so a long run never holds many
    rows and a colleague's save waits for one case at most. Each case whose clock moved gets a history
    row with ``reason`` (a message id marked with ``gettext_noop``, translated when read, or words as
    typed) and a timeline entry "Due date recomputed after a rules update: old → new (rule)", the
    rule being the one that now binds it.

    Returns one ``(case, old_due, new_due, rule)`` per case whose clock changed (``old_due ==
    new_due`` when only the rule, its marks or another clock date moved). A case the new rules
    refuse to compute keeps its stored date and is returned with ``new_due=None`` and the refusal
    as ``rule``, so the caller can report it."""
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for recomputing the clocks (which rules changed)."), code="reason")
    now = now or timezone.now()
    changes: list[tuple[RightsRequest, date, date | None, str]] = []
    last_pk = 0
    while True:
        ids = list(RightsRequest.objects.open().filter(pk__gt=last_pk).order_by("pk")
                   .values_list("pk", flat=True)[:RECOMPUTE_CHUNK])
        if not ids:
            return changes
        last_pk = ids[-1]
        for pk in ids:
            with transaction.atomic():
                case = RightsRequest.objects.select_for_update().filter(pk=pk).first()
                if case is None or not case.is_open:
                    continue  # answered or ended since the ids were read
                before = {name: getattr(case, name) for name in CLOCK_FIELDS}
                try:
                    with transaction.atomic():
                        dsar_recompute_due(case=case, by=by, now=now, rules_update=reason.strip())
                except ValidationError as exc:
                    logger.error("Rights request %s: clock not recomputed under the new rules (%s).", pk,
                                 exc.code or "clock")
                    changes.append((case, before["due_on"], None, " ".join(exc.messages)))
                    continue
                if any(getattr(case, name) != value for name, value in before.items()):
                    changes.append((case, before["due_on"], case.due_on, case.due_rule))


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
