"""Every write on a rights request that has rules: the admin, the tasks and the tests all go through these functions.

Each service locks the case row, checks its rules (a broken rule raises ``ValidationError`` with a
translated sentence the admin shows as is), writes, records the acting user in the history and
adds a timeline entry. Any change to an input of the legal clock ends in ``dsar_recompute_due``.

Waiting for identity (``dsar_request_identity``), per jurisdiction - from deadlines.py and the
reference, not re-decided here:
* UK: the clock starts at the latest of receipt and receipt of the requested ID (ICO guidance),
  so asking for ID stops it: the case is marked ``clock_paused`` and the due date is counted from
  the verification date once the ID arrives (deadlines._uk_clock_start).
* US-CA: 45 days from receipt "regardless of verification time" - the clock keeps running.
* CN: the 15-working-day cap runs from receipt; Aqara's own 15 days after verification can only
  make it earlier - the clock keeps running.
* EU, SG, KR, RU, BR: the reference starts the statutory clock at receipt and names no pause for
  identity - the clock keeps running (verification only feeds Aqara's policy-003 month).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import deadlines as dl
from .identity import identity_requirement, identity_shortfalls
from .identity_documents import identity_document_check
from .models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    ClockPause,
    DocumentAccessLog,
    DraftKind,
    IdentityCheck,
    IdentityDocument,
    RequestType,
    ResponseDraft,
    RightsRequest,
    Status,
    Task,
    TimelineEntry,
    local_date,
)

# UK GDPR Art. 12A (stop-the-clock for clarification) is in force from this date
# (deadlines._uk: "the service only records them after 5 Feb 2026").
UK_ART_12A_IN_FORCE = date(2026, 2, 5)


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def normalise_phone(value: str) -> str:
    """"+86 138-0013-8000" -> "+8613800138000": the stored and the searched form."""
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if value.startswith("00"):
        return "+" + digits[2:]
    return "+" + digits if value.startswith("+") and digits else digits


def _log(case: RightsRequest, entry_kind: str, message: str, /, *, by=None, at: datetime | None = None, note: str = "",
         **params):
    TimelineEntry.objects.create(
        request=case, kind=entry_kind, message=message, params=params, note=note or "", by=by, at=at or timezone.now()
    )


def _save(obj, *, by, reason: str, update_fields: Sequence[str] | None = None):
    # simple-history reads these two attributes: the acting user and the reason shown in the audit log.
    obj._history_user = by
    obj._change_reason = reason
    if update_fields is not None:
        obj.save(update_fields=list(update_fields))
    else:
        obj.save()


def _lock(case: RightsRequest) -> RightsRequest:
    """Row lock + fresh values: two people acting on the same case are serialised."""
    RightsRequest.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db()
    return case


def _type_label(value: str) -> str:
    return str(RequestType(value).label) if value in RequestType.values else value


def _check_types(jurisdiction: str, request_type: str, extra_types: Iterable[str]) -> list[str]:
    if jurisdiction not in dl.TYPES_BY_JURISDICTION:
        raise ValidationError(
            _("Unknown jurisdiction %(code)s.") % {"code": jurisdiction}, code="jurisdiction"
        )
    allowed = dl.TYPES_BY_JURISDICTION[jurisdiction]
    extra = [t for t in dict.fromkeys(extra_types or ()) if t and t != request_type]
    for value in (request_type, *extra):
        if value not in allowed:
            raise ValidationError(
                _("The request type “%(type)s” does not exist in %(jurisdiction)s; it has: %(allowed)s.")
                % {
                    "type": _type_label(value),
                    "jurisdiction": jurisdiction,
                    "allowed": ", ".join(_type_label(t) for t in allowed),
                },
                code="request_type",
            )
    return extra


def _today(case: RightsRequest, now: datetime | None = None) -> date:
    return local_date(case.jurisdiction, now or timezone.now())


def _refuse_if_erased(case: RightsRequest) -> None:
    if case.erased_at is not None:
        raise ValidationError(_("The requester's personal data was erased from this case; it can no longer be "
                                "changed."), code="erased")


def _open_tasks_error(case: RightsRequest, action: str):
    count = case.tasks.filter(done=False).count()
    if not count:
        return
    if action == "responded":
        message = _("The case cannot be marked responded while %(count)d task(s) are still open; finish them first.")
    else:
        message = _("The case cannot be closed while %(count)d task(s) are still open; finish them first.")
    raise ValidationError(message % {"count": count}, code="open_tasks")


# ------------------------------------------------------------------------------------------------
# the clock
# ------------------------------------------------------------------------------------------------


def compute_due(case: RightsRequest, *, today: date | None = None) -> dict:
    """The clock fields for ``case`` from its current inputs (no write).

    A case with several request types is due on the EARLIEST of their dates (reference, "General
    principles"); an extension applies to the types that have one. An open clarification pause is
    counted up to ``today`` (the date if it were answered today); the overdue list skips paused
    cases (``clock_paused``) so a moving date never flags a case that is waiting on the requester."""
    today = today or _today(case)
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
    """Recompute and store the due date; adds a timeline entry when it moved."""
    fields = compute_due(case, today=_today(case, now))
    old_due = case.due_on
    for name, value in fields.items():
        setattr(case, name, value)
    if save and case.pk:
        _save(case, by=by, reason=gettext_noop("due date recomputed"), update_fields=list(fields))
        if old_due != case.due_on:
            _log(
                case, TimelineEntry.Kind.CLOCK, gettext_noop("Due date recomputed: %(old)s → %(new)s (%(rule)s)."),
                by=by, at=now, old=str(old_due), new=str(case.due_on), rule=case.due_rule,
            )
    return case


# ------------------------------------------------------------------------------------------------
# registration and edits
# ------------------------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    prefix = f"DSAR-{year}-"
    # A range on the unique index (not LIKE) so it is an index-only lookup in any collation.
    last = (
        RightsRequest.objects.filter(reference__gte=prefix, reference__lt=f"DSAR-{year + 1}-")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def dsar_register(
    *,
    requester_name: str,
    jurisdiction: str,
    request_type: str,
    received_at: datetime,
    channel: str = "email",
    requester_email: str = "",
    requester_phone: str = "",
    account_id: str = "",
    relationship: str = "self",
    data_subject_name: str = "",
    extra_types: Iterable[str] = (),
    services: Iterable = (),
    assignee=None,
    description: str = "",
    by=None,
    now: datetime | None = None,
) -> RightsRequest:
    """Register a new request: reference, local receipt date and the legal clock."""
    now = now or timezone.now()
    if not (requester_name or "").strip():
        raise ValidationError(_("Enter the requester's name."), code="requester_name")
    if received_at is None:
        raise ValidationError(_("Enter when the request was received."), code="received_at")
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now:
        raise ValidationError(
            _("The request cannot have been received in the future (%(when)s).")
            % {"when": timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M")},
            code="received_in_future",
        )
    extra = _check_types(jurisdiction, request_type, extra_types)
    case = RightsRequest(
        requester_name=requester_name.strip(),
        requester_email=normalise_email(requester_email),
        requester_phone=normalise_phone(requester_phone),
        account_id=(account_id or "").strip(),
        relationship=relationship,
        data_subject_name=data_subject_name,
        jurisdiction=jurisdiction,
        request_type=request_type,
        extra_types=extra,
        channel=channel,
        received_at=received_at,
        received_on=local_date(jurisdiction, received_at),
        assignee=assignee,
        description=description,
    )
    dsar_recompute_due(case=case, now=now, save=False)
    year = timezone.localtime(now).year
    for _attempt in range(5):
        case.reference = _next_reference(year)
        try:
            with transaction.atomic():
                _save(case, by=by, reason=gettext_noop("registered"))
            break
        except IntegrityError:
            # Two registrations took the same number; the unique index refused one. Try the next.
            case.pk = None
            case._state.adding = True
    else:  # pragma: no cover - five collisions in a row
        raise ValidationError(_("Could not allocate a case reference; try again."))
    with transaction.atomic():
        if services:
            case.services.set(services)
        _log(
            case, TimelineEntry.Kind.REGISTERED,
            gettext_noop("Registered (%(channel)s), received %(received)s; due %(due)s under %(rule)s."),
            by=by, at=now, channel=case.channel, received=str(case.received_on), due=str(case.due_on), rule=case.due_rule,
        )
    return case


# Fields whose change moves the clock; the admin calls dsar_after_edit when one of them changes.
CLOCK_INPUT_FIELDS = ("jurisdiction", "request_type", "extra_types", "received_at")


def dsar_after_edit(*, case: RightsRequest, changed: Iterable[str], by=None, now: datetime | None = None) -> RightsRequest:
    """Validate and recompute after a direct edit of the case (admin form). Raises on bad input."""
    changed = set(changed)
    now = now or timezone.now()
    if "received_at" in changed:
        if case.received_at > now:
            raise ValidationError(_("The request cannot have been received in the future (%(when)s).")
                                  % {"when": timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M")},
                                  code="received_in_future")
        case.received_on = local_date(case.jurisdiction, case.received_at)
    case.extra_types = _check_types(case.jurisdiction, case.request_type, case.extra_types)
    if changed & set(CLOCK_INPUT_FIELDS):
        if case.extended:
            recomputed = compute_due(case, today=_today(case, now))
            if recomputed["extension_deadline"] is None:
                raise ValidationError(
                    _("This case was extended, but the new jurisdiction/type has no extension; it cannot be changed."),
                    code="extension",
                )
        case.received_on = local_date(case.jurisdiction, case.received_at)
        dsar_recompute_due(case=case, by=by, now=now, save=False)
    return case


def dsar_update(*, case: RightsRequest, by, now: datetime | None = None, **changes) -> RightsRequest:
    """Edit case details (types, jurisdiction, contact ...) and recompute the clock if needed."""
    with transaction.atomic():
        _lock(case)
        _refuse_if_erased(case)
        if "requester_email" in changes:
            changes["requester_email"] = normalise_email(changes["requester_email"])
        if "requester_phone" in changes:
            changes["requester_phone"] = normalise_phone(changes["requester_phone"])
        services = changes.pop("services", None)
        for name, value in changes.items():
            setattr(case, name, value)
        dsar_after_edit(case=case, changed=changes, by=by, now=now)
        _save(case, by=by, reason=gettext_noop("details edited"))
        if services is not None:
            case.services.set(services)
        _log(case, TimelineEntry.Kind.EDIT, gettext_noop("Details edited: %(fields)s; due %(due)s."), by=by, at=now,
             fields=", ".join(sorted(changes)), due=str(case.due_on))
    return case


def dsar_assign(*, cases: Iterable[RightsRequest], assignee, by, now: datetime | None = None) -> int:
    """Give cases to ``assignee`` (None to unassign). Returns how many changed."""
    count = 0
    with transaction.atomic():
        for case in cases:
            _lock(case)
            if case.assignee_id == (assignee.pk if assignee else None):
                continue
            case.assignee = assignee
            _save(case, by=by, reason=gettext_noop("assigned"), update_fields=["assignee"])
            _log(case, TimelineEntry.Kind.ASSIGNED, gettext_noop("Assigned to %(user)s."), by=by, at=now,
                 user=(assignee.get_username() if assignee else "—"))
            count += 1
    return count


# ------------------------------------------------------------------------------------------------
# status transitions
# ------------------------------------------------------------------------------------------------


def identity_needed(case: RightsRequest) -> bool:
    return identity_requirement(
        jurisdiction=case.jurisdiction, request_types=case.all_types, relationship=case.relationship
    ).needed


def dsar_transition(*, case: RightsRequest, to_status: str, by, now: datetime | None = None, note: str = "") -> RightsRequest:
    """Move the case along the allowed path (models.TRANSITIONS); anything else is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(case)
        current = case.status
        if to_status not in Status.values:
            raise ValidationError(_("Unknown status %(status)s.") % {"status": to_status}, code="status")
        if to_status not in TRANSITIONS[current]:
            allowed = ", ".join(str(Status(s).label) for s in TRANSITIONS[current]) or _("none (the case has ended)")
            raise ValidationError(
                _("A case that is “%(current)s” cannot be moved to “%(target)s”. Allowed next steps: %(allowed)s.")
                % {"current": Status(current).label, "target": Status(to_status).label, "allowed": allowed},
                code="illegal_transition",
            )
        if to_status == Status.IN_PROGRESS and current in (Status.RECEIVED, Status.AWAITING_IDENTITY):
            if identity_needed(case) and case.verified_on is None:
                raise ValidationError(
                    _("Verify the requester's identity before work starts (record a positive identity check)."),
                    code="identity_unverified",
                )
        if to_status == Status.RESPONDED:
            _open_tasks_error(case, "responded")
        if to_status == Status.CLOSED:
            _open_tasks_error(case, "closed")
        if to_status == Status.REJECTED and not (case.rejection_reasons.strip() and case.remedy_text.strip()):
            raise ValidationError(
                _("A refusal needs the reasons and the requester's remedies (GDPR Art. 12(4), PIPL Art. 50)."),
                code="rejection_reasons",
            )
        fields = ["status"]
        case.status = to_status
        if to_status == Status.RESPONDED:
            case.responded_at = now
            fields.append("responded_at")
        if to_status in ENDED_STATUSES:
            case.closed_at = now
            fields.append("closed_at")
        if to_status not in OPEN_STATUSES or current == Status.AWAITING_CLARIFICATION:
            # Leaving the clarification wait (answered, or the case ended) restarts / ends the pause.
            _end_open_pause(case, on=_today(case, now), by=by, reasons=(ClockPause.Reason.CLARIFICATION,))
        if to_status not in OPEN_STATUSES:
            _end_open_pause(case, on=_today(case, now), by=by)
        _save(case, by=by, reason=gettext_noop("status changed"), update_fields=fields + ["clock_paused"])
        _log(case, TimelineEntry.Kind.STATUS, gettext_noop("Status: %(from_status)s → %(to_status)s."), by=by, at=now,
             note=note, from_status=current, to_status=to_status)
        if current == Status.AWAITING_CLARIFICATION:
            dsar_recompute_due(case=case, by=by, now=now)
    return case


def dsar_start_work(*, case: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    return dsar_transition(case=case, to_status=Status.IN_PROGRESS, by=by, now=now)


def dsar_mark_response_drafted(*, case: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    return dsar_transition(case=case, to_status=Status.RESPONSE_DRAFTED, by=by, now=now)


def dsar_mark_responded(*, case: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    """The answer went out. Refused while a task is open: the answer would leave work undone."""
    return dsar_transition(case=case, to_status=Status.RESPONDED, by=by, now=now)


def dsar_close(*, case: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    """Close an answered case. Refused with open tasks."""
    return dsar_transition(case=case, to_status=Status.CLOSED, by=by, now=now)


def dsar_withdraw(*, case: RightsRequest, by, note: str = "", now: datetime | None = None) -> RightsRequest:
    return dsar_transition(case=case, to_status=Status.WITHDRAWN, by=by, now=now, note=note)


def default_remedy_text(case: RightsRequest) -> str:
    """GDPR Art. 12(4): complaint to a supervisory authority and judicial remedy; PIPL Art. 50: sue."""
    if case.jurisdiction == dl.CN:
        return _("You may complain to the competent cyberspace administration authority, and under PIPL Art. 50 "
                 "you may bring a lawsuit in a people's court.")
    return _("You may lodge a complaint with a data protection supervisory authority and seek a judicial remedy "
             "(GDPR Art. 12(4) and the equivalent rules of your jurisdiction).")


def dsar_reject(*, case: RightsRequest, by, reasons: str, remedies: str = "", now: datetime | None = None) -> RightsRequest:
    """Refuse the request, with the reasons and the requester's remedies."""
    if not (reasons or "").strip():
        raise ValidationError(_("Give the reasons for refusing the request."), code="rejection_reasons")
    with transaction.atomic():
        _lock(case)
        case.rejection_reasons = reasons.strip()
        case.remedy_text = (remedies or "").strip() or default_remedy_text(case)
        _save(case, by=by, reason=gettext_noop("refusal reasons recorded"), update_fields=["rejection_reasons", "remedy_text"])
        return dsar_transition(case=case, to_status=Status.REJECTED, by=by, now=now, note=reasons)


def dsar_mark_duplicate(*, case: RightsRequest, duplicate_of: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    if duplicate_of is None or duplicate_of.pk == case.pk:
        raise ValidationError(_("Choose the other case this one duplicates."), code="duplicate_of")
    with transaction.atomic():
        _lock(case)
        case.duplicate_of = duplicate_of
        _save(case, by=by, reason=gettext_noop("duplicate recorded"), update_fields=["duplicate_of"])
        return dsar_transition(case=case, to_status=Status.DUPLICATE, by=by, now=now, note=duplicate_of.reference)


# ------------------------------------------------------------------------------------------------
# clock pauses
# ------------------------------------------------------------------------------------------------


def _end_open_pause(case: RightsRequest, *, on: date, by, reasons: Iterable[str] | None = None) -> ClockPause | None:
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None or (reasons is not None and pause.reason not in tuple(reasons)):
        return None
    pause.ended_on = max(on, pause.started_on)
    _save(pause, by=by, reason=gettext_noop("clock restarted"))
    case.clock_paused = False
    _log(case, TimelineEntry.Kind.CLOCK, gettext_noop("Clock restarted on %(on)s after %(days)d day(s)."), by=by,
         on=str(pause.ended_on), days=(pause.ended_on - pause.started_on).days)
    return pause


def dsar_pause_clock(*, case: RightsRequest, by, note: str = "", started_on: date | None = None,
                     now: datetime | None = None) -> ClockPause:
    """Stop the clock while the requester clarifies the request.

    Only UK GDPR Art. 12A (from 5 Feb 2026) lets the clock stop for clarification; elsewhere the
    reference names no pause, so the service refuses rather than store a pause that changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(case)
        started_on = started_on or _today(case, now)
        if case.jurisdiction != dl.UK:
            raise ValidationError(
                _("The clock cannot be stopped in %(jurisdiction)s: only UK GDPR Art. 12A stops it while the "
                  "requester clarifies. Ask for clarification without stopping the clock.")
                % {"jurisdiction": case.jurisdiction},
                code="no_pause",
            )
        if started_on < UK_ART_12A_IN_FORCE:
            raise ValidationError(_("UK GDPR Art. 12A (stop the clock) applies from 5 February 2026."), code="no_pause")
        if started_on < case.received_on:
            raise ValidationError(_("The clock cannot stop before the request was received."), code="pause_start")
        if started_on > _today(case, now):
            raise ValidationError(_("The clock cannot be stopped from a future date."), code="pause_start")
        if not case.is_open:
            raise ValidationError(_("The case has been answered or ended; its clock no longer runs."), code="closed")
        if case.pauses.filter(ended_on__isnull=True).exists():
            raise ValidationError(_("The clock is already stopped."), code="already_paused")
        pause = ClockPause(request=case, reason=ClockPause.Reason.CLARIFICATION, note=note, started_on=started_on)
        _save(pause, by=by, reason=gettext_noop("clock stopped"))
        case.clock_paused = True
        _save(case, by=by, reason=gettext_noop("clock stopped"), update_fields=["clock_paused"])
        _log(case, TimelineEntry.Kind.CLOCK, gettext_noop("Clock stopped on %(on)s (UK GDPR Art. 12A)."), by=by, at=now,
             note=note, on=str(started_on))
        dsar_recompute_due(case=case, by=by, now=now)
    return pause


def dsar_resume_clock(*, case: RightsRequest, by, ended_on: date | None = None, now: datetime | None = None) -> ClockPause:
    """Restart a stopped clock (clarification received) and recompute the due date."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(case)
        pause = case.pauses.filter(ended_on__isnull=True, reason=ClockPause.Reason.CLARIFICATION).first()
        if pause is None:
            raise ValidationError(_("The clock is not stopped for clarification."), code="not_paused")
        ended_on = ended_on or _today(case, now)
        if ended_on < pause.started_on:
            raise ValidationError(_("The clock cannot restart before it stopped."), code="pause_end")
        _end_open_pause(case, on=ended_on, by=by)
        _save(case, by=by, reason=gettext_noop("clock restarted"), update_fields=["clock_paused"])
        dsar_recompute_due(case=case, by=by, now=now)
    return pause


def dsar_request_clarification(*, case: RightsRequest, by, note: str = "", now: datetime | None = None) -> RightsRequest:
    """Ask the requester to clarify; in the UK this also stops the clock (Art. 12A)."""
    dsar_transition(case=case, to_status=Status.AWAITING_CLARIFICATION, by=by, now=now, note=note)
    if case.jurisdiction == dl.UK and _today(case, now) >= UK_ART_12A_IN_FORCE:
        dsar_pause_clock(case=case, by=by, note=note, now=now)
    return case


def dsar_receive_clarification(*, case: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    """The requester answered: the clock restarts (dsar_transition ends the pause and recomputes)."""
    return dsar_transition(case=case, to_status=Status.IN_PROGRESS, by=by, now=now)


# ------------------------------------------------------------------------------------------------
# extension
# ------------------------------------------------------------------------------------------------


def dsar_extend(*, case: RightsRequest, by, reasons: str, now: datetime | None = None) -> RightsRequest:
    """Apply the lawful extension (EU/UK +2 months, US-CA +45 days, RU +5 working days).

    Refused: a second time, where the law gives none, without reasons, or after the original
    deadline (the notice must reach the requester within the first period: GDPR Art. 12(3),
    11 CCR §7021(b), 152-FZ Art. 20(1))."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(case)
        if case.extended:
            raise ValidationError(_("This case has already been extended; the law allows one extension only."),
                                  code="extended_twice")
        if not case.is_open:
            raise ValidationError(_("The case has been answered or ended; it cannot be extended."), code="closed")
        if not (reasons or "").strip():
            raise ValidationError(_("Give the reasons for the extension; the requester must be told them."),
                                  code="extension_reasons")
        if case.extension_deadline is None:
            raise ValidationError(
                _("No extension exists for this request in %(jurisdiction)s (%(types)s).")
                % {"jurisdiction": case.jurisdiction, "types": ", ".join(_type_label(t) for t in case.all_types)},
                code="no_extension",
            )
        today = _today(case, now)
        if today > case.extension_deadline:
            raise ValidationError(
                _("Too late to extend: the notice had to be sent by the original deadline, %(deadline)s.")
                % {"deadline": case.extension_deadline},
                code="extension_late",
            )
        case.extended = True
        case.extension_reasons = reasons.strip()
        case.extension_notice_sent_at = now
        dsar_recompute_due(case=case, by=by, now=now, save=False)
        _save(case, by=by, reason=gettext_noop("extended"))
        _log(case, TimelineEntry.Kind.EXTENSION, gettext_noop("Extended; now due %(due)s (%(rule)s)."), by=by, at=now,
             note=reasons, due=str(case.due_on), rule=case.due_rule)
    return case


# ------------------------------------------------------------------------------------------------
# identity
# ------------------------------------------------------------------------------------------------


def dsar_request_identity(*, case: RightsRequest, by, now: datetime | None = None) -> IdentityCheck:
    """Ask the requester for proof of identity. UK: the clock waits for it (see module docstring)."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(case)
        if case.verified_on is not None:
            raise ValidationError(_("The requester's identity has already been verified."), code="verified")
        if case.status != Status.AWAITING_IDENTITY:
            dsar_transition(case=case, to_status=Status.AWAITING_IDENTITY, by=by, now=now)
        case.identity_requested_at = now
        fields = ["identity_requested_at"]
        if case.jurisdiction == dl.UK and not case.pauses.filter(ended_on__isnull=True).exists():
            # Shown on the case as a wait; not passed to deadlines.py as a pause - the UK clock
            # start (verified_on) already accounts for it.
            _save(ClockPause(request=case, reason=ClockPause.Reason.IDENTITY, started_on=_today(case, now)),
                  by=by, reason=gettext_noop("waiting for identity"))
            case.clock_paused = True
            fields.append("clock_paused")
        _save(case, by=by, reason=gettext_noop("identity requested"), update_fields=fields)
        check = IdentityCheck(request=case, requested_at=now)
        _save(check, by=by, reason=gettext_noop("identity requested"))
        _log(case, TimelineEntry.Kind.IDENTITY, gettext_noop("Proof of identity requested."), by=by, at=now)
    return check


def dsar_record_identity_check(
    *,
    case: RightsRequest,
    by,
    method: str,
    data_points: Sequence[str] = (),
    signed_declaration: bool = False,
    authority_confirmed: bool = False,
    specific_pieces: bool = False,
    corrected_fields: Sequence[str] = (),
    verified: bool = True,
    note: str = "",
    decided_at: datetime | None = None,
    now: datetime | None = None,
) -> IdentityCheck:
    """Record an identity decision. A positive one must meet identity.identity_requirement (refused
    with what is missing otherwise); it sets ``verified_on``, ends the identity wait, starts work
    and recomputes the clock."""
    now = now or timezone.now()
    decided_at = decided_at or now
    with transaction.atomic():
        _lock(case)
        if decided_at > now:
            raise ValidationError(_("The identity decision cannot be dated in the future."), code="future")
        if decided_at < case.received_at:
            raise ValidationError(
                _("Identity cannot be verified before the request was received (%(received)s).")
                % {"received": timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M")},
                code="verified_before_receipt",
            )
        if not case.is_open:
            raise ValidationError(_("The case has been answered or ended."), code="closed")
        if verified:
            requirement = identity_requirement(
                jurisdiction=case.jurisdiction, request_types=case.all_types, relationship=case.relationship,
                specific_pieces=specific_pieces, corrected_fields=corrected_fields,
            )
            missing = identity_shortfalls(
                requirement=requirement, method=method, data_points=data_points,
                signed_declaration=signed_declaration, authority_confirmed=authority_confirmed,
            )
            if missing:
                raise ValidationError(
                    [_("The identity proof is not sufficient for this request:")] + missing, code="identity_insufficient"
                )
        check = case.identity_checks.filter(outcome=IdentityCheck.Outcome.PENDING).order_by("-id").first()
        check = check or IdentityCheck(request=case)
        check.method = method
        check.data_points = [p.strip() for p in data_points if p.strip()]
        check.signed_declaration = signed_declaration
        check.authority_confirmed = authority_confirmed or method == "authority_proof"
        check.outcome = IdentityCheck.Outcome.VERIFIED if verified else IdentityCheck.Outcome.FAILED
        check.decided_by = by
        check.decided_at = decided_at
        check.note = note
        _save(check, by=by, reason=gettext_noop("identity decided"))
        _log(case, TimelineEntry.Kind.IDENTITY, gettext_noop("Identity check (%(method)s): %(outcome)s."), by=by, at=now,
             note=note, method=check.method, outcome=check.outcome)
        if verified:
            case.verified_on = local_date(case.jurisdiction, decided_at)
            _end_open_pause(case, on=case.verified_on, by=by, reasons=(ClockPause.Reason.IDENTITY,))
            _save(case, by=by, reason=gettext_noop("identity verified"), update_fields=["verified_on", "clock_paused"])
            dsar_recompute_due(case=case, by=by, now=now)
            if case.status in (Status.RECEIVED, Status.AWAITING_IDENTITY):
                dsar_transition(case=case, to_status=Status.IN_PROGRESS, by=by, now=now)
    return check


def dsar_upload_identity_document(*, case: RightsRequest, file, by, now: datetime | None = None) -> IdentityDocument:
    """Store an identity document in private storage (no URL); it is deleted later by
    identity_documents_delete_expired."""
    now = now or timezone.now()
    if file is None:
        raise ValidationError(_("Choose a file to upload."), code="file")
    # Size and type by content; the stored type is the recognised one, never the browser's claim.
    content_type = identity_document_check(file)
    with transaction.atomic():
        _lock(case)
        name = getattr(file, "name", "document") or "document"
        document = IdentityDocument(
            request=case, original_name=name.rsplit("/", 1)[-1][:255],
            content_type=content_type, size=getattr(file, "size", 0) or 0,
            uploaded_by=by, uploaded_at=now,
        )
        document.file.save(document.original_name, File(file), save=False)
        _save(document, by=by, reason=gettext_noop("identity document uploaded"))
        _log(case, TimelineEntry.Kind.DOCUMENT, gettext_noop("Identity document uploaded (%(size)d bytes)."), by=by, at=now,
             size=document.size)
    return document


def can_view_identity_document(*, user, case: RightsRequest) -> bool:
    """Only the staff member working the case (its assignee) and managers."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.has_perm("requests_app.approve_view_any_identity_document"):
        return True
    return case.assignee_id == user.pk and user.has_perm("requests_app.view_identitydocument")


def identity_document_open(*, document: IdentityDocument, user, ip_address: str | None = None,
                           now: datetime | None = None):
    """Open the file for ``user`` after checking the rule; every successful view is logged."""
    from django.core.exceptions import PermissionDenied

    if not can_view_identity_document(user=user, case=document.request):
        raise PermissionDenied(_("Only the staff member working this case and managers may view its identity documents."))
    if document.deleted_at is not None or not document.file:
        raise ValidationError(_("This document's file was deleted on %(when)s.")
                              % {"when": document.deleted_at or "—"}, code="deleted")
    handle = document.file.open("rb")
    DocumentAccessLog.objects.create(document=document, user=user, at=now or timezone.now(), ip_address=ip_address)
    return handle


def identity_documents_delete_expired(*, now: datetime | None = None) -> int:
    """Delete identity-document files N days (settings.IDENTITY_DOCUMENT_RETENTION_DAYS) after the
    case's verification or closure, whichever comes first; the row stays as the record that the
    document existed and was deleted. Returns how many files were deleted."""
    now = now or timezone.now()
    days = settings.IDENTITY_DOCUMENT_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    # verified_on is a local date; compare it one day generously late (never early).
    cutoff_date = timezone.localdate(cutoff) - timedelta(days=1)
    from django.db.models import Q

    due = (
        IdentityDocument.objects.filter(deleted_at__isnull=True)
        .filter(Q(request__closed_at__lte=cutoff) | Q(request__verified_on__lte=cutoff_date))
        .select_related("request")
    )
    deleted = 0
    for document in due.iterator(chunk_size=500):
        with transaction.atomic():
            if document.file:
                document.file.delete(save=False)
            document.file = ""
            document.deleted_at = now
            document.deletion_reason = f"retention period of {days} days after verification or closure ended"
            _save(document, by=None, reason=gettext_noop("identity document deleted after retention period"))
            _log(document.request, TimelineEntry.Kind.DOCUMENT,
                 gettext_noop("Identity document file deleted after the %(days)d-day retention period; the record is kept."),
                 at=now, days=days)
        deleted += 1
    return deleted


# ------------------------------------------------------------------------------------------------
# tasks
# ------------------------------------------------------------------------------------------------


def task_create(*, case: RightsRequest, title: str, by, owner=None, service=None, processor=None,
                due_on: date | None = None, now: datetime | None = None) -> Task:
    if not (title or "").strip():
        raise ValidationError(_("Give the task a title."), code="title")
    if due_on and due_on < case.received_on:
        raise ValidationError(_("A task cannot be due before the request was received."), code="due_on")
    task = Task(request=case, title=title.strip(), owner=owner, service=service, processor=processor, due_on=due_on)
    _save(task, by=by, reason=gettext_noop("task created"))
    _log(case, TimelineEntry.Kind.TASK, gettext_noop("Task created: %(title)s."), by=by, at=now, title=task.title)
    return task


def task_set_done(*, task: Task, by, done: bool = True, now: datetime | None = None) -> Task:
    now = now or timezone.now()
    if not done and not task.request.is_open:
        raise ValidationError(_("The case has ended; its tasks cannot be reopened."), code="closed")
    task.done = done
    task.done_at = now if done else None
    _save(task, by=by, reason=gettext_noop("task done") if done else gettext_noop("task reopened"))
    _log(task.request, TimelineEntry.Kind.TASK,
         gettext_noop("Task done: %(title)s.") if done else gettext_noop("Task reopened: %(title)s."), by=by, at=now, title=task.title)
    return task


def tasks_create_for_services(*, case: RightsRequest, by, now: datetime | None = None) -> list[Task]:
    """One task per service concerned and per processor those services' activities use (from the
    inventory), due a few days before the case; existing open tasks for the same target are kept."""
    from inventory_app.models import ProcessingActivity, Recipient

    due_on = max(case.received_on, case.due_on - timedelta(days=3))
    created = []
    services = list(case.services.all())
    existing_services = set(case.tasks.filter(done=False, service__isnull=False).values_list("service_id", flat=True))
    existing_processors = set(case.tasks.filter(done=False, processor__isnull=False).values_list("processor_id", flat=True))
    kinds = ", ".join(_type_label(t) for t in case.all_types)
    for service in services:
        if service.pk not in existing_services:
            created.append(task_create(case=case, by=by, now=now, service=service, due_on=due_on,
                                       title=_("%(service)s: carry out %(types)s") % {"service": service, "types": kinds}))
    processors = (
        Recipient.objects.filter(
            kind=Recipient.Kind.PROCESSOR,
            activities__in=ProcessingActivity.objects.filter(services__in=services),
        ).distinct().order_by("code")
    )
    for processor in processors:
        if processor.pk not in existing_processors:
            created.append(task_create(case=case, by=by, now=now, processor=processor, due_on=due_on,
                                       title=_("Processor %(name)s: carry out %(types)s") % {"name": processor, "types": kinds}))
    return created


# ------------------------------------------------------------------------------------------------
# response drafts
# ------------------------------------------------------------------------------------------------


def inventory_disclosure(*, services: Iterable, language: str) -> dict:
    """What the access response must list, from the inventory, for the requester's services:
    purposes, data categories, recipients, retention, sources and cross-border transfers."""
    from inventory_app.models import ActivityField, DataField, ProcessingActivity, Transfer

    zh = language.startswith("zh")
    activities = list(
        ProcessingActivity.objects.filter(services__in=list(services)).distinct()
        .prefetch_related("recipients", "storage_locations")
        .order_by("position", "code")
    )
    purposes, retention, recipients, seen_recipients = [], [], [], set()
    for activity in activities:
        name = (activity.name_zh if zh else activity.name_en) or activity.name_zh or activity.name_en
        purpose = (activity.purpose_zh if zh else activity.purpose_en) or activity.purpose_zh or activity.purpose_en
        purposes.append({"name": name, "purpose": purpose})
        if activity.retention:
            retention.append({"name": name, "retention": activity.retention})
        for recipient in activity.recipients.all():
            if recipient.pk not in seen_recipients:
                seen_recipients.add(recipient.pk)
                recipients.append({
                    "name": (recipient.name if zh else recipient.name_en) or recipient.name,
                    "kind": recipient.get_kind_display(),
                    "purpose": recipient.purpose,
                    "country": recipient.country,
                })
    categories = {}
    for use in ActivityField.objects.filter(activity__in=activities).select_related("field").order_by("field__category", "field__code"):
        field = use.field
        label = str(DataField.Category(field.category).label) if field.category in DataField.Category.values else field.category
        entry = categories.setdefault(label, [])
        field_name = (field.name_zh if zh else field.name_en) or field.name_zh or field.name_en
        if field_name not in entry:
            entry.append(field_name)
    transfers = [
        {"country": t.destination_country, "mechanism": t.get_mechanism_display(),
         "recipient": str(t.recipient) if t.recipient_id else ""}
        for t in Transfer.objects.filter(activity__in=activities).select_related("recipient").order_by("destination_country")
    ]
    sign_in = [r["name"] for r in recipients if r["kind"] == str(_("third-party sign-in"))]
    # The inventory has no "source" column: data comes from the requester through the service,
    # except what third-party sign-in providers pass on (listed as recipients of kind sign_in).
    sources = [_("Collected from you when you use %(services)s.") % {"services": ", ".join(str(s) for s in services) or "—"}]
    if sign_in:
        sources.append(_("Provided by the third-party sign-in service you chose: %(names)s.") % {"names": ", ".join(sign_in)})
    return {
        "purposes": purposes,
        "categories": [{"category": k, "fields": v} for k, v in categories.items()],
        "recipients": recipients,
        "retention": retention,
        "sources": sources,
        "transfers": transfers,
    }


def draft_render(*, case: RightsRequest, kind: str, language: str, reasons: str = "") -> tuple[str, str]:
    """(subject, body) from templates/requests_app/responses/<kind>.<lang>.txt."""
    if kind not in DraftKind.values:
        raise ValidationError(_("Unknown draft kind %(kind)s.") % {"kind": kind}, code="kind")
    lang = "zh-hans" if language.startswith("zh") else "en"
    with translation.override(lang):
        context = {
            "case": case,
            "types": [_type_label(t) for t in case.all_types],
            "services": list(case.services.all()),
            "reasons": reasons or case.extension_reasons or case.rejection_reasons,
            "remedies": case.remedy_text or default_remedy_text(case),
            "jurisdiction": case.get_jurisdiction_display(),
            "is_cn": case.jurisdiction == dl.CN,
        }
        if kind == DraftKind.ACCESS_RESPONSE:
            context["inventory"] = inventory_disclosure(services=context["services"], language=lang)
        text = render_to_string(f"requests_app/responses/{kind}.{lang}.txt", context).strip()
    subject, _sep, body = text.partition("\n")
    return subject.removeprefix("Subject:").removeprefix("主题：").strip(), body.strip() + "\n"


def draft_generate(*, case: RightsRequest, kind: str, language: str, by, reasons: str = "",
                   now: datetime | None = None) -> ResponseDraft:
    """A new editable draft from the template."""
    now = now or timezone.now()
    _refuse_if_erased(case)
    if kind == DraftKind.EXTENSION_NOTICE and not case.extended:
        if case.extension_deadline is None:
            raise ValidationError(_("No extension exists for this request."), code="no_extension")
        if _today(case, now) > case.extension_deadline:
            raise ValidationError(
                _("Too late to extend: the notice had to be sent by the original deadline, %(deadline)s.")
                % {"deadline": case.extension_deadline}, code="extension_late")
    if kind == DraftKind.REFUSAL and not (reasons or case.rejection_reasons):
        raise ValidationError(_("Give the reasons for refusing the request."), code="rejection_reasons")
    subject, body = draft_render(case=case, kind=kind, language=language, reasons=reasons)
    draft = ResponseDraft(request=case, kind=kind, language="zh-hans" if language.startswith("zh") else "en",
                          subject=subject[:300], body=body)
    _save(draft, by=by, reason=gettext_noop("draft generated"))
    _log(case, TimelineEntry.Kind.DRAFT, gettext_noop("Draft generated: %(kind)s (%(language)s)."), by=by, at=now,
         kind=kind, language=draft.language)
    return draft


def draft_edit(*, draft: ResponseDraft, by, subject: str | None = None, body: str | None = None) -> ResponseDraft:
    if draft.sent_at is not None:
        raise ValidationError(_("This draft was sent on %(when)s; the sent version is frozen. Generate a new draft.")
                              % {"when": timezone.localtime(draft.sent_at).strftime("%Y-%m-%d %H:%M")}, code="sent")
    if subject is not None:
        draft.subject = subject
    if body is not None:
        draft.body = body
    _save(draft, by=by, reason=gettext_noop("draft edited"))
    return draft


def draft_mark_sent(*, draft: ResponseDraft, by, now: datetime | None = None) -> ResponseDraft:
    """Freeze the text as sent. An acknowledgement marks the case acknowledged."""
    now = now or timezone.now()
    with transaction.atomic():
        draft = ResponseDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.sent_at is not None:
            raise ValidationError(_("This draft has already been sent."), code="sent")
        if not draft.body.strip():
            raise ValidationError(_("The draft is empty."), code="empty")
        draft.sent_subject, draft.sent_body, draft.sent_at, draft.sent_by = draft.subject, draft.body, now, by
        _save(draft, by=by, reason=gettext_noop("sent"))
        case = _lock(draft.request)
        if draft.kind == DraftKind.ACKNOWLEDGEMENT and case.acknowledged_at is None:
            case.acknowledged_at = now
            _save(case, by=by, reason=gettext_noop("acknowledged"), update_fields=["acknowledged_at"])
        _log(case, TimelineEntry.Kind.DRAFT, gettext_noop("Sent to the requester: %(kind)s (%(language)s)."), by=by, at=now,
             kind=draft.kind, language=draft.language)
    return draft


# ------------------------------------------------------------------------------------------------
# erasure after retention (the tombstone)
# ------------------------------------------------------------------------------------------------

# What an erased case keeps: reference, jurisdiction, types, channel, dates, status and outcome,
# who handled it, its clock and its timeline's events. What goes: everything that names or describes
# the requester, on the case and its children, in their history rows and in the audit log's diffs.
# "—" stands where a constraint needs text (a refusal's reasons, a sent draft's frozen body).
ERASED = "—"
ERASED_FIELDS: dict[type, dict[str, object]] = {
    RightsRequest: {
        "requester_name": "", "requester_email": "", "requester_phone": "", "account_id": "",
        "data_subject_name": "", "description": "", "extension_reasons": ERASED, "rejection_reasons": ERASED,
        "remedy_text": ERASED,
    },
    ResponseDraft: {"subject": ERASED, "body": ERASED, "sent_subject": ERASED, "sent_body": ERASED},
    Task: {"title": ERASED},
    IdentityCheck: {"data_points": [], "note": ""},
    ClockPause: {"note": ""},
    IdentityDocument: {"original_name": ERASED, "file": ""},
}
# Text that only exists when filled in: "—" where it was, "" where it was not (the constraints).
_ONLY_IF_SET = {"extension_reasons", "rejection_reasons", "remedy_text", "sent_subject", "sent_body"}


def dsar_erasure_blocker(*, case: RightsRequest, now: datetime | None = None) -> str | None:
    """Why the case's personal data may not be erased yet (a sentence), or None when it may."""
    now = now or timezone.now()
    if case.erased_at is not None:
        return _("Its personal data was already erased on %(when)s.") % {
            "when": timezone.localtime(case.erased_at).strftime("%Y-%m-%d")}
    if case.status not in ENDED_STATUSES or case.closed_at is None:
        return _("The case has not ended (it is “%(status)s”).") % {"status": case.get_status_display()}
    kept_until = case.closed_at + timedelta(days=settings.CASE_RETENTION_DAYS)
    if now < kept_until:
        return _("It is kept until %(date)s: %(days)d days after it ended (CASE_RETENTION_DAYS).") % {
            "date": timezone.localtime(kept_until).strftime("%Y-%m-%d"), "days": settings.CASE_RETENTION_DAYS}
    return None


def _erase_row(obj, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        if name in _ONLY_IF_SET and not getattr(obj, name):
            continue
        setattr(obj, name, value)


def _purge_history_and_audit(model, ids: list[int]) -> None:
    """The erased fields also go from the model's history rows and from the audit log's diffs
    (otherwise the history would keep what the case no longer holds)."""
    from django.contrib.contenttypes.models import ContentType

    from privacy_office.models import AuditLogEntry

    if not ids:
        return
    fields = ERASED_FIELDS[model]
    model.history.filter(id__in=ids).update(**fields)
    entries = list(AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[str(i) for i in ids]))
    for entry in entries:
        entry.changes = [{**c, "old": ERASED, "new": ERASED} if c.get("field") in fields else c
                         for c in entry.changes or []]
        if model in (Task, IdentityDocument):  # their name in the log is the erased title / file name
            entry.object_repr = ERASED
    AuditLogEntry.objects.bulk_update(entries, ["changes", "object_repr"], batch_size=500)


def dsar_erase_personal_data(*, case: RightsRequest, by, reason: str, now: datetime | None = None) -> RightsRequest:
    """Erase the requester's personal data from an ended case after the retention period
    (settings.CASE_RETENTION_DAYS), leaving a tombstone: the case row with its reference,
    jurisdiction, types, dates and outcome, who erased it, when and why.

    Blanked: the requester's name, e-mail, phone, account id, the data subject's name, the request
    text and the free-text reasons on the case; drafts' text; task titles; identity checks' data
    points and notes; pause notes; timeline notes; identity documents' names, and their files are
    deleted. The same fields are blanked in every history row and audit-log diff of those records.
    The only deletion besides the identity-document purge: regulated records are never deleted, only erased after retention."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for erasing the personal data (it stays on the case)."),
                              code="reason_required")
    if by is None:
        raise ValidationError(_("Only a signed-in Privacy manager can erase personal data."), code="by")
    files: list[str] = []
    with transaction.atomic():
        _lock(case)
        blocker = dsar_erasure_blocker(case=case, now=now)
        if blocker:
            raise ValidationError(
                _("The personal data of %(reference)s cannot be erased: %(why)s") % {"reference": case.reference,
                                                                                    "why": blocker},
                code="not_erasable")
        erased_reason = gettext_noop("personal data erased after the retention period")
        children = {
            ResponseDraft: list(case.drafts.all()), Task: list(case.tasks.all()),
            IdentityCheck: list(case.identity_checks.all()), ClockPause: list(case.pauses.all()),
            IdentityDocument: list(case.identity_documents.all()),
        }
        for model, rows in children.items():
            for row in rows:
                if model is IdentityDocument:
                    if row.file:
                        files.append(row.file.name)
                    row.deleted_at = row.deleted_at or now
                    row.deletion_reason = "personal data erased after the retention period"
                _erase_row(row, ERASED_FIELDS[model])
                _save(row, by=by, reason=erased_reason)
        _erase_row(case, ERASED_FIELDS[RightsRequest])
        case.erased_at, case.erased_by, case.erasure_reason = now, by, reason
        _save(case, by=by, reason=reason)
        for model, rows in children.items():
            _purge_history_and_audit(model, [row.pk for row in rows])
        _purge_history_and_audit(RightsRequest, [case.pk])
        for entry in case.timeline.all():
            params = dict(entry.params or {})
            if "title" in params:  # a task's title
                params["title"] = ERASED
            if entry.note or params != entry.params:
                entry.note, entry.params = "", params
                entry.save(update_fields=["note", "params"])
        _log(case, TimelineEntry.Kind.ERASURE,
             gettext_noop("Personal data erased %(days)d days after the case ended; the case is kept without it."),
             by=by, at=now, note=reason, days=(now - case.closed_at).days)
        # Files go once the erasure is committed: a rolled-back erasure keeps them.
        storage = IdentityDocument._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return case
