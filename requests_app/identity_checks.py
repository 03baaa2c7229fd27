"""Asking for and recording proof of identity on a case; what proof is enough is decided by the
pure rules in ``identity.py``.

Waiting for identity (``dsar_request_identity``), per jurisdiction - from deadlines.py and the
reference, not re-decided here:
* UK: the clock starts at the "relevant time", the latest of receipt, the ARRIVAL of identity
  proof that was asked for, and a fee paid (UK GDPR Art. 12A) - not the day staff decide. Asking
  for proof stops the clock (the case is marked ``clock_paused``, a pause row shows the wait); its
  arrival (``dsar_record_identity_received``, or "proof received at" on the identity check)
  restarts it from that day. A case where proof was never asked for starts at receipt.
* US-CA: 45 days from receipt "regardless of verification time" - the clock keeps running.
* CN: the 15-working-day cap runs from receipt; Aqara's own 15 days after verification can only
  make it earlier - the clock keeps running.
* EU, SG, KR, RU, BR, JP and the US states: the reference starts the statutory clock at receipt
  and names no pause for identity - the clock keeps running (verification only feeds Aqara's
  policy-003 month). Oregon lets compliance wait for missing authentication information; the
  engine does not apply it (the earlier reading, requests_app/us_states.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason
from privacy_office.jurisdictions import local_date

from . import deadlines as dl
from .clocks import dsar_recompute_due
from .identity import identity_requirement, identity_shortfalls
from .models import ClockPause, IdentityCheck, IdentityMethod, RightsRequest, Status, TimelineEntry
from .case_writes import case_today, lock_case, refuse_if_ended, refuse_if_erased, timeline_add
from .identity_documents import identity_documents_schedule_purge
from .services import dsar_end_open_pause, dsar_transition, refuse_identity_demand


def dsar_request_identity(*, case: RightsRequest, by, now: datetime | None = None) -> IdentityCheck:
    """Ask the requester for proof of identity. UK: the clock waits for it (see the module docstring).

    Choice (the earlier reading, legal-rules.md 2026-11): once asked-for proof has arrived, asking
    for more (the proof did not suffice) does not make the UK clock wait again; it runs on from the
    first arrival. The new request is on its own identity-check row."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(case)
        refuse_identity_demand(case)
        if case.verified_on is not None:
            raise ValidationError(_("The requester's identity has already been verified."), code="verified")
        if case.status != Status.AWAITING_IDENTITY:
            dsar_transition(case=case, to_status=Status.AWAITING_IDENTITY, by=by, now=now)
        check = IdentityCheck(request=case, requested_at=now)
        save_with_reason(check, by=by, reason=gettext_noop("identity requested"))
        timeline_add(
            case=case, kind=TimelineEntry.Kind.IDENTITY, message=gettext_noop("Proof of identity requested."), by=by,
            at=now,
        )
        if case.identity_received_at is not None:
            return check
        case.identity_requested_at = now
        fields = ["identity_requested_at"]
        if case.jurisdiction == dl.UK and not case.pauses.filter(ended_on__isnull=True).exists():
            # Shown on the case as a wait; not passed to deadlines.py as a pause - the UK relevant
            # time (the day the proof arrives) already accounts for it.
            save_with_reason(
                ClockPause(request=case, reason=ClockPause.Reason.IDENTITY, started_on=case_today(case, now)), by=by,
                reason=gettext_noop("waiting for identity"),
            )
            case.clock_paused = True
            fields.append("clock_paused")
        save_with_reason(case, by=by, reason=gettext_noop("identity requested"), update_fields=fields)
        dsar_recompute_due(case=case, by=by, now=now)
    return check


def validate_proof_received_at(case: RightsRequest, received_at: datetime, *, now: datetime,
                               decided_at: datetime | None = None) -> None:
    """Refuse an arrival time of identity proof that cannot be: proof never asked for (only asked-for
    proof moves the UK clock, Art. 12A), in the future, before the request or the request for
    proof, or after the identity decision."""
    def when(instant):
        return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M")

    if case.identity_requested_at is None:
        raise ValidationError(
            _("Proof of identity was not asked for on this case, so its arrival does not move the clock; leave "
              "“proof received at” empty."),
            code="identity_not_requested",
        )
    if received_at > now:
        raise ValidationError(_("The proof of identity cannot have arrived in the future."), code="future")
    if received_at < case.received_at:
        raise ValidationError(
            _("The proof of identity cannot have arrived before the request was received (%(received)s).")
            % {"received": when(case.received_at)},
            code="proof_before_receipt",
        )
    if received_at < case.identity_requested_at:
        raise ValidationError(
            _("The proof of identity cannot have arrived before it was asked for (%(requested)s).")
            % {"requested": when(case.identity_requested_at)},
            code="proof_before_request",
        )
    if decided_at is not None and received_at > decided_at:
        raise ValidationError(
            _("The proof of identity cannot have arrived after the identity decision (%(decided)s).")
            % {"decided": when(decided_at)},
            code="proof_after_decision",
        )


def default_proof_received_at(case: RightsRequest, *, decided_at: datetime) -> datetime:
    """When asked-for proof arrived, if staff do not say: the first identity document uploaded since
    it was asked for (staff upload what arrives), else the decision itself (it cannot have come later)."""
    first = (case.identity_documents.filter(uploaded_at__gte=case.identity_requested_at, uploaded_at__lte=decided_at)
             .order_by("uploaded_at", "id").values_list("uploaded_at", flat=True).first())
    return first or decided_at


def record_proof_arrival(*, case: RightsRequest, received_at: datetime, by, now: datetime) -> None:
    """Set the arrival of the asked-for proof on the locked ``case``, end the identity wait on that day,
    save, add the timeline entry and recompute the clock (UK: it starts that day)."""
    case.identity_received_at = received_at
    on = local_date(received_at, case.jurisdiction)
    dsar_end_open_pause(case=case, on=on, by=by, reasons=(ClockPause.Reason.IDENTITY,))
    save_with_reason(case, by=by, reason=gettext_noop("identity proof received"),
                     update_fields=["identity_received_at", "clock_paused"])
    if case.jurisdiction == dl.UK:
        message = gettext_noop("Proof of identity received %(on)s; the UK clock starts that day (UK GDPR Art. 12A).")
    else:
        message = gettext_noop("Proof of identity received %(on)s.")
    timeline_add(case=case, kind=TimelineEntry.Kind.IDENTITY, message=message, params={"on": str(on)}, by=by, at=now)
    dsar_recompute_due(case=case, by=by, now=now)


def dsar_record_identity_received(*, case: RightsRequest, by, received_at: datetime | None = None,
                                  now: datetime | None = None) -> RightsRequest:
    """The proof of identity that was asked for arrived at ``received_at`` (default: now), before
    anyone has decided on it: the UK clock starts that day (UK GDPR Art. 12A), the identity wait ends
    and the chaser stops. Refused once recorded, when no proof was asked for, or at an impossible time."""
    now = now or timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    with transaction.atomic():
        lock_case(case)
        refuse_if_erased(case)
        refuse_if_ended(case)
        if case.identity_received_at is not None:
            raise ValidationError(
                _("The arrival of the proof of identity was already recorded (%(when)s).")
                % {"when": timezone.localtime(case.identity_received_at).strftime("%Y-%m-%d %H:%M")},
                code="already_received",
            )
        validate_proof_received_at(case, received_at, now=now)
        record_proof_arrival(case=case, received_at=received_at, by=by, now=now)
        check = case.identity_checks.filter(outcome=IdentityCheck.Outcome.PENDING).order_by("-id").first()
        if check is not None and check.proof_received_at is None:
            check.proof_received_at = received_at
            save_with_reason(check, by=by, reason=gettext_noop("identity proof received"))
    return case


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
    proof_received_at: datetime | None = None,
    now: datetime | None = None,
) -> IdentityCheck:
    """Record an identity decision. A positive one must meet identity.identity_requirement (refused
    with what is missing otherwise); it sets ``verified_on``, ends the identity wait, starts work
    and recomputes the clock.

    ``proof_received_at``: when the proof that was asked for arrived (UK: the clock starts that day,
    not on the decision). Not given, while the arrival is not yet recorded: the first identity
    document uploaded since it was asked for, else the decision time for a positive decision (a
    negative one records no arrival unless a document came). Refused when no proof was asked for, in
    the future, before the request or the request for proof, or after the decision."""
    now = now or timezone.now()
    decided_at = decided_at or now
    with transaction.atomic():
        lock_case(case)
        refuse_if_erased(case)
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
        arrival = None
        if proof_received_at is not None:
            if timezone.is_naive(proof_received_at):
                proof_received_at = timezone.make_aware(proof_received_at)
            if case.identity_received_at is not None and proof_received_at != case.identity_received_at:
                raise ValidationError(
                    _("The arrival of the proof of identity was already recorded (%(when)s).")
                    % {"when": timezone.localtime(case.identity_received_at).strftime("%Y-%m-%d %H:%M")},
                    code="already_received",
                )
            validate_proof_received_at(case, proof_received_at, now=now, decided_at=decided_at)
            arrival = proof_received_at if case.identity_received_at is None else None
        elif case.identity_requested_at is not None and case.identity_received_at is None:
            arrival = default_proof_received_at(case, decided_at=decided_at)
            if arrival == decided_at and not verified:
                arrival = None  # nothing shows that proof came: a refusal of identity is not an arrival
            elif arrival < case.identity_requested_at:
                arrival = None
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
        check.authority_confirmed = authority_confirmed or method == IdentityMethod.AUTHORITY_PROOF
        check.outcome = IdentityCheck.Outcome.VERIFIED if verified else IdentityCheck.Outcome.FAILED
        check.decided_by = by
        check.decided_at = decided_at
        check.note = note
        if arrival is not None or (check.proof_received_at is None and case.identity_received_at is not None):
            check.proof_received_at = arrival or case.identity_received_at
        save_with_reason(check, by=by, reason=gettext_noop("identity decided"))
        if arrival is not None:
            record_proof_arrival(case=case, received_at=arrival, by=by, now=now)
        timeline_add(
            case=case, kind=TimelineEntry.Kind.IDENTITY,
            message=gettext_noop("Identity check (%(method)s): %(outcome)s."),
            params={"method": check.method, "outcome": check.outcome}, by=by, at=now, note=note,
        )
        if verified:
            case.verified_on = local_date(decided_at, case.jurisdiction)
            dsar_end_open_pause(case=case, on=case.verified_on, by=by, reasons=(ClockPause.Reason.IDENTITY,))
            save_with_reason(
                case, by=by, reason=gettext_noop("identity verified"), update_fields=["verified_on", "clock_paused"],
            )
            identity_documents_schedule_purge(case=case)
            dsar_recompute_due(case=case, by=by, now=now)
            if case.status in (Status.RECEIVED, Status.AWAITING_IDENTITY):
                dsar_transition(case=case, to_status=Status.IN_PROGRESS, by=by, now=now)
    return check
