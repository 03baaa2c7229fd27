"""Asking for and recording proof of identity on a case; what proof is enough is decided by the
pure rules in ``identity.py``.

Waiting for identity (``dsar_request_identity``), per jurisdiction - from deadlines.py and the
reference, not re-decided here:
* UK: the clock starts at the latest of receipt and receipt of the requested ID (ICO guidance),
  so asking for ID stops it: the case is marked ``clock_paused`` and the due date is counted from
  the verification date once the ID arrives (deadlines.py, the UK clock start).
* US-CA: 45 days from receipt "regardless of verification time" - the clock keeps running.
* CN: the 15-working-day cap runs from receipt; Aqara's own 15 days after verification can only
  make it earlier - the clock keeps running.
* EU, SG, KR, RU, BR: the reference starts the statutory clock at receipt and names no pause for
  identity - the clock keeps running (verification only feeds Aqara's policy-003 month).
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
from .case_writes import case_today, lock_case, timeline_add
from .services import dsar_end_open_pause, dsar_transition


def dsar_request_identity(*, case: RightsRequest, by, now: datetime | None = None) -> IdentityCheck:
    """Ask the requester for proof of identity. UK: the clock waits for it (see the module docstring)."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(case)
        if case.verified_on is not None:
            raise ValidationError(_("The requester's identity has already been verified."), code="verified")
        if case.status != Status.AWAITING_IDENTITY:
            dsar_transition(case=case, to_status=Status.AWAITING_IDENTITY, by=by, now=now)
        case.identity_requested_at = now
        fields = ["identity_requested_at"]
        if case.jurisdiction == dl.UK and not case.pauses.filter(ended_on__isnull=True).exists():
            # Shown on the case as a wait; not passed to deadlines.py as a pause - the UK clock
            # start (verified_on) already accounts for it.
            save_with_reason(
                ClockPause(request=case, reason=ClockPause.Reason.IDENTITY, started_on=case_today(case, now)), by=by,
                reason=gettext_noop("waiting for identity"),
            )
            case.clock_paused = True
            fields.append("clock_paused")
        save_with_reason(case, by=by, reason=gettext_noop("identity requested"), update_fields=fields)
        check = IdentityCheck(request=case, requested_at=now)
        save_with_reason(check, by=by, reason=gettext_noop("identity requested"))
        timeline_add(
            case=case, kind=TimelineEntry.Kind.IDENTITY, message=gettext_noop("Proof of identity requested."), by=by,
            at=now,
        )
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
        lock_case(case)
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
        check.authority_confirmed = authority_confirmed or method == IdentityMethod.AUTHORITY_PROOF
        check.outcome = IdentityCheck.Outcome.VERIFIED if verified else IdentityCheck.Outcome.FAILED
        check.decided_by = by
        check.decided_at = decided_at
        check.note = note
        save_with_reason(check, by=by, reason=gettext_noop("identity decided"))
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
            dsar_recompute_due(case=case, by=by, now=now)
            if case.status in (Status.RECEIVED, Status.AWAITING_IDENTITY):
                dsar_transition(case=case, to_status=Status.IN_PROGRESS, by=by, now=now)
    return check
