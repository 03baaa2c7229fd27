"""The case itself: registration, edits, assignment, the status state machine, clarification
pauses and the extension. Every write on a rights request that has rules goes through a public
function of this module or of its sub-domain siblings:

    clocks.py              the stored due dates, recomputed whenever an input changes
    identity_checks.py     asking for and recording proof of identity
    identity_documents.py  identity-document files: accepted types, upload, viewing, expiry
    case_tasks.py          the work handed to service owners and processors
    letters.py             response drafts and the texts they are made of (sending the extension
                           notice makes the extension take effect; the sent reply gives the
                           response time)
    erasure.py             erasing the requester's personal data after retention
    case_writes.py         the row lock, the timeline entry and the other pieces they share

Each service locks the case row, checks its rules (a broken rule raises ``ValidationError`` with a
translated sentence the admin shows as is; an ended case is refused until it is re-opened), writes, records who and why in the history
(``privacy_office.history.save_with_reason``) and adds a timeline entry. Any change to an input of
the legal clock ends in ``clocks.dsar_recompute_due``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason
from privacy_office.references import save_with_next_reference
from privacy_office.roles import approval_permission, holds_approval, missing_permission_message, require_approval
from privacy_office.states import check_move

from . import deadlines as dl
from .clocks import compute_due, dsar_recompute_due, validate_extension_in_time
from .identity import identity_requirement, opt_out_only
from .identity_documents import identity_documents_schedule_purge
from . import letters
from .letters import default_remedy_text
from .models import (
    ENDED_STATUSES, OPEN_STATUSES, ClockPause, DraftKind, RightsRequest, Status, TimelineEntry, validate_time_zone,
)
from .case_writes import case_today, lock_case, refuse_if_ended, refuse_if_erased, request_type_label, timeline_add

# Working a case (and so being its assignee) needs this permission: a read-only role never holds it.
WORK_CASES_PERMISSION = "requests_app.change_rightsrequest"

# UK GDPR Art. 12A (stop-the-clock for clarification) is in force from this date
# (deadlines.py, UK rules: "the service only records them after 5 Feb 2026").
UK_ART_12A_IN_FORCE = date(2026, 2, 5)

# Fields whose change moves the clock: an edit of one of them recomputes the due date.
CLOCK_INPUT_FIELDS = ("jurisdiction", "request_type", "extra_types", "received_at", "requester_time_zone",
                      "fee_paid_at")


# ------------------------------------------------------------------------------------------------
# the rules a case's details must meet (registration, edits, and the admin form before either)
# ------------------------------------------------------------------------------------------------


def normalise_email(value: str) -> str:
    """The stored and the searched form of an e-mail address (lower case, no spaces around)."""
    return (value or "").strip().lower()


def normalise_phone(value: str) -> str:
    """"+86 138-0013-8000" -> "+8613800138000": the stored and the searched form."""
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if value.startswith("00"):
        return "+" + digits[2:]
    return "+" + digits if value.startswith("+") and digits else digits


def validate_received_at(received_at: datetime, *, now: datetime | None = None) -> None:
    """Refuse a receipt time in the future."""
    if received_at > (now or timezone.now()):
        raise ValidationError(
            _("The request cannot have been received in the future (%(when)s).")
            % {"when": timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M")},
            code="received_in_future",
        )


def validate_fee_paid_at(fee_paid_at: datetime | None, *, received_at: datetime | None,
                         now: datetime | None = None) -> None:
    """Refuse a fee paid in the future or before the request was received."""
    if fee_paid_at is None:
        return
    if fee_paid_at > (now or timezone.now()):
        raise ValidationError(_("The fee cannot have been paid in the future."), code="fee_in_future")
    if received_at is not None and fee_paid_at < received_at:
        raise ValidationError(
            _("The fee cannot have been paid before the request was received (%(received)s).")
            % {"received": timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M")},
            code="fee_before_receipt",
        )


def receipt_local_date(*, received_at: datetime, jurisdiction: str, requester_time_zone: str = "") -> date | None:
    """The local receipt date the clock will use (``clocks.receipt``), or None if it cannot be read."""
    try:
        return dl.receipt_date(received_at, jurisdiction=jurisdiction,
                               requester_time_zone=requester_time_zone or None).received_on
    except ValueError:
        return None


def validate_request_types(*, jurisdiction: str, request_type: str, extra_types: Iterable[str] = (),
                           received_on: date | None = None) -> list[str]:
    """The further request types without repeats; refused when a type does not exist in the
    jurisdiction (``deadlines.request_types``: a US state's types depend on whether its privacy law
    is in force on ``received_on``)."""
    try:
        allowed = dl.request_types(jurisdiction, received_on=received_on)
    except ValueError:
        raise ValidationError(
            _("Unknown jurisdiction %(code)s.") % {"code": jurisdiction}, code="jurisdiction"
        ) from None
    extra = [t for t in dict.fromkeys(extra_types or ()) if t and t != request_type]
    for value in (request_type, *extra):
        if value not in allowed:
            raise ValidationError(
                _("The request type “%(type)s” does not exist in %(jurisdiction)s; it has: %(allowed)s.")
                % {
                    "type": request_type_label(value),
                    "jurisdiction": jurisdiction,
                    "allowed": ", ".join(request_type_label(t) for t in allowed),
                },
                code="request_type",
            )
    if (jurisdiction == dl.UK and dl.COMPLAINT in (request_type, *extra) and received_on is not None
            and received_on < dl.UK_COMPLAINTS_IN_FORCE):
        raise ValidationError(
            _("UK complaints to the controller (DPA 2018 s.164A) apply to complaints received from %(start)s; this "
              "one was received on %(received)s.")
            % {"start": dl.UK_COMPLAINTS_IN_FORCE, "received": received_on},
            code="request_type",
        )
    return extra


def dsar_check_details(*, case: RightsRequest, changes: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Check the details typed for ``case`` (an unsaved new case, or edits of a saved one).

    Returns ``changes`` in their stored form (e-mail and phone normalised, further types without
    repeats). Raises one ``ValidationError`` keyed by the field each broken rule concerns, so a
    form shows every refusal beside its field: a receipt in the future, a type the jurisdiction
    does not have, and a change that would take away an extension already given.
    """
    now = now or timezone.now()
    checked = dict(changes)
    errors: dict[str, ValidationError] = {}
    if "requester_email" in checked:
        checked["requester_email"] = normalise_email(checked["requester_email"])
    if "requester_phone" in checked:
        checked["requester_phone"] = normalise_phone(checked["requester_phone"])
    if "requester_time_zone" in checked:
        checked["requester_time_zone"] = (checked["requester_time_zone"] or "").strip()
        try:
            validate_time_zone(checked["requester_time_zone"])
        except ValidationError as exc:
            errors["requester_time_zone"] = exc
    received_at = checked.get("received_at", case.received_at)
    if checked.get("received_at") is not None:
        try:
            validate_received_at(checked["received_at"], now=now)
        except ValidationError as exc:
            errors["received_at"] = exc
    if "fee_paid_at" in checked or ("received_at" in checked and case.fee_paid_at):
        try:
            validate_fee_paid_at(checked.get("fee_paid_at", case.fee_paid_at), received_at=received_at, now=now)
        except ValidationError as exc:
            errors["fee_paid_at"] = exc
    jurisdiction = checked.get("jurisdiction", case.jurisdiction)
    request_type = checked.get("request_type", case.request_type)
    if jurisdiction and request_type:
        received_on = None
        if received_at is not None and "requester_time_zone" not in errors:
            received_on = receipt_local_date(
                received_at=received_at, jurisdiction=jurisdiction,
                requester_time_zone=checked.get("requester_time_zone", case.requester_time_zone),
            )
        try:
            checked["extra_types"] = validate_request_types(
                jurisdiction=jurisdiction, request_type=request_type,
                extra_types=checked.get("extra_types", case.extra_types), received_on=received_on,
            )
        except ValidationError as exc:
            errors["request_type"] = exc
    if not errors and case.pk and set(changes) & set(CLOCK_INPUT_FIELDS):
        # The clock as it would be after the edit: what the engine refuses lands on the form, not
        # on a half-done save (and an extension already given cannot be taken away).
        probe = copy.copy(case)
        for name, value in checked.items():
            setattr(probe, name, value)
        try:
            probe_clock = compute_due(probe, today=case_today(probe, now))
        except ValidationError as exc:
            errors[NON_FIELD_ERRORS] = exc
        else:
            if case.extended and probe_clock["extension_deadline"] is None:
                errors["jurisdiction"] = ValidationError(
                    _("This case was extended, but the new jurisdiction/type has no extension; it cannot be changed."),
                    code="extension",
                )
    if errors:
        raise ValidationError(errors)
    return checked


# ------------------------------------------------------------------------------------------------
# registration and edits
# ------------------------------------------------------------------------------------------------


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
    requester_time_zone: str = "",
    fee_paid_at: datetime | None = None,
    by=None,
    now: datetime | None = None,
) -> RightsRequest:
    """Register a new request: reference, local receipt date and the legal clock.

    ``requester_time_zone`` (optional, IANA): where the requester's local date at receipt is
    earlier than the office's, it is the receipt date (``deadlines.receipt_date``)."""
    now = now or timezone.now()
    if not (requester_name or "").strip():
        raise ValidationError(_("Enter the requester's name."), code="requester_name")
    if received_at is None:
        raise ValidationError(_("Enter when the request was received."), code="received_at")
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    validate_received_at(received_at, now=now)
    requester_time_zone = (requester_time_zone or "").strip()
    validate_time_zone(requester_time_zone)
    validate_fee_paid_at(fee_paid_at, received_at=received_at, now=now)
    extra = validate_request_types(
        jurisdiction=jurisdiction, request_type=request_type, extra_types=extra_types,
        received_on=receipt_local_date(received_at=received_at, jurisdiction=jurisdiction,
                                       requester_time_zone=requester_time_zone),
    )
    validate_assignee(assignee)
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
        requester_time_zone=requester_time_zone,
        fee_paid_at=fee_paid_at,
        assignee=assignee,
        description=description,
    )
    dsar_recompute_due(case=case, now=now, save=False)
    year = timezone.localtime(now).year
    save_with_next_reference(case, prefix=f"DSAR-{year}-", digits=6, by=by, reason=gettext_noop("registered"))
    with transaction.atomic():
        if services:
            case.services.set(services)
        timeline_add(
            case=case, kind=TimelineEntry.Kind.REGISTERED,
            message=gettext_noop("Registered (%(channel)s), received %(received)s; due %(due)s under %(rule)s."),
            params={"channel": case.channel, "received": str(case.received_on), "due": str(case.due_on),
                    "rule": case.due_rule},
            by=by, at=now,
        )
        if assignee is not None:
            record_assignment(case=case, previous=None, by=by, now=now)
    return case


def dsar_update(*, case: RightsRequest, by, reason: str = "", now: datetime | None = None, **changes) -> RightsRequest:
    """Edit case details (contact, types, jurisdiction, receipt, services ...): the one write path for
    an edited case, the admin's change form included.

    The changes are checked by ``dsar_check_details``; the clock is recomputed when one of its
    inputs changed; the history row carries ``reason`` (the reason typed in the admin, else "details
    edited") and the timeline lists the fields that changed. An edit without changes still saves
    (a history row with the reason) but adds nothing to the timeline. A new assignee goes through
    the assignment rules (``dsar_assign``). An ended case is refused (re-open it first).
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(case)
        refuse_if_erased(case)
        refuse_if_ended(case)
        services = changes.pop("services", None)
        assign = "assignee" in changes
        assignee = changes.pop("assignee", None)
        changed = sorted([*changes, *(["services"] if services is not None else [])])
        checked = dsar_check_details(case=case, changes=changes, now=now)
        for name, value in checked.items():
            setattr(case, name, value)
        if set(changes) & set(CLOCK_INPUT_FIELDS):
            dsar_recompute_due(case=case, by=by, now=now, save=False)
        save_with_reason(case, by=by, reason=reason or gettext_noop("details edited"))
        if services is not None:
            case.services.set(services)
        if changed:
            timeline_add(
                case=case, kind=TimelineEntry.Kind.EDIT, message=gettext_noop("Details edited: %(fields)s; due %(due)s."),
                params={"fields": ", ".join(changed), "due": str(case.due_on)}, by=by, at=now,
            )
        if assign:
            dsar_assign(cases=[case], assignee=assignee, by=by, now=now)
    return case


# ------------------------------------------------------------------------------------------------
# assignment: the assignee sees the case's identity documents (identity_documents.can_view_identity_document),
# so giving a case to someone is a grant of access, and is ruled and recorded as one
# ------------------------------------------------------------------------------------------------


def can_be_assignee(user) -> bool:
    """Whether ``user`` may be given cases: an active staff member who may work them. A read-only
    role (the Auditor) never is, so an assignment never gives it the identity documents."""
    return bool(user and user.is_active and user.is_staff and user.has_perm(WORK_CASES_PERMISSION))


def assignable_users():
    """The people who may be given cases (``can_be_assignee``), for the assignee choices."""
    app_label, codename = WORK_CASES_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model().objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
        .distinct().order_by("username")
    )


def validate_assignee(assignee) -> None:
    """Refuse an assignee who may not work cases (``can_be_assignee``); None (unassigned) passes."""
    if assignee is not None and not can_be_assignee(assignee):
        raise ValidationError(
            _("%(user)s cannot be given cases: only someone who may work rights requests can be an assignee (an "
              "assignee sees the case's identity documents).") % {"user": assignee.get_username()},
            code="assignee",
        )


def may_reassign(*, user, case: RightsRequest) -> bool:
    """Whether ``user`` may change who holds ``case``: anyone who may work cases, for an unassigned
    case or one they hold; a case held by a colleague only with the permission to see every case's
    identity documents (taking it over would otherwise be a way round that permission)."""
    if not (user and user.has_perm(WORK_CASES_PERMISSION)):
        return False
    if case.assignee_id is None or case.assignee_id == user.pk:
        return True
    return holds_approval(user, "view_any_identity_document")


def record_assignment(*, case: RightsRequest, previous, by, now: datetime | None = None) -> None:
    """The timeline entry of an assignment (the history row is the save's own)."""
    timeline_add(
        case=case, kind=TimelineEntry.Kind.ASSIGNED,
        message=gettext_noop("Assigned to %(user)s (was: %(previous)s)."),
        params={"user": case.assignee.get_username() if case.assignee_id else "—",
                "previous": previous.get_username() if previous else "—"},
        by=by, at=now,
    )


def dsar_assign(*, cases: Iterable[RightsRequest], assignee, by, now: datetime | None = None) -> int:
    """Give cases to ``assignee`` (None to unassign). Returns how many changed.

    Refused, for all the cases, when the assignee may not work cases (``can_be_assignee``), when a
    case is held by a colleague and ``by`` may not move it (``may_reassign``), or when a case has
    ended or was erased; the refusal names every such case, so none is skipped unseen. Each change
    is in the history ("assigned", who acted), the audit log and the timeline (who, from whom).

    Set-based, for bulk actions on a thousand cases: one locking read, one UPDATE, and the history,
    audit-log and timeline rows each written with one bulk INSERT (a thousand cases cost the same
    handful of queries as ten, instead of seven per case)."""
    validate_assignee(assignee)
    target = assignee.pk if assignee else None
    ids = sorted({case.pk for case in cases})
    if not ids:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        # Locked in id order (as every other writer of several cases), read fresh with the holder's name.
        locked = list(RightsRequest.objects.select_for_update(of=("self",)).filter(pk__in=ids)
                      .select_related("assignee").order_by("pk"))
        moving = [case for case in locked if case.assignee_id != target]
        frozen = [case for case in moving if case.erased_at is not None or case.has_ended]
        if frozen:
            raise ValidationError(
                _("Nothing was assigned: these cases have ended or their personal data was erased, so they can no "
                  "longer be changed (a correction needs the case re-opened first): %(references)s.")
                % {"references": ", ".join(case.reference for case in frozen)},
                code="ended",
            )
        held = [case for case in moving if not may_reassign(user=by, case=case)]
        if held:
            raise PermissionDenied(
                _("%(reference)s is assigned to %(user)s. Moving it gives access to its identity documents: %(need)s")
                % {"reference": ", ".join(case.reference for case in held),
                   "user": ", ".join(sorted({case.assignee.get_username() for case in held})),
                   "need": missing_permission_message(approval_permission("view_any_identity_document"))}
            )
        if not moving:
            return 0
        previous = {case.pk: case.assignee for case in moving}
        RightsRequest.objects.filter(pk__in=[case.pk for case in moving]).update(
            assignee=target, version=F("version") + 1)
        for case in moving:
            case.assignee = assignee
            case.version += 1
        record_bulk_assignment(cases=moving, previous=previous, by=by, now=now)
    return len(moving)


def record_bulk_assignment(*, cases: list[RightsRequest], previous: Mapping, by, now: datetime) -> None:
    """The history, audit-log and timeline rows of cases just assigned by one UPDATE (the rows a save
    writes one by one, each written here in one INSERT). ``previous``: case id -> former assignee."""
    from privacy_office.audit import entry_for, raw_value
    from privacy_office.models import AuditLogEntry

    reason = gettext_noop("assigned")
    records = RightsRequest.history.bulk_history_create(
        cases, update=True, default_user=by if getattr(by, "pk", None) else None, default_change_reason=reason,
        default_date=now)
    AuditLogEntry.objects.bulk_create([
        entry_for(record, changes=[{
            "field": "assignee",
            "old": raw_value(previous[record.id].pk if previous[record.id] else None),
            "new": raw_value(record.assignee_id),
        }])
        for record in records
    ])
    new_name = lambda case: case.assignee.get_username() if case.assignee_id else "—"  # noqa: E731
    TimelineEntry.objects.bulk_create([
        TimelineEntry(
            request=case, kind=TimelineEntry.Kind.ASSIGNED,
            message=gettext_noop("Assigned to %(user)s (was: %(previous)s)."),
            params={"user": new_name(case),
                    "previous": previous[case.pk].get_username() if previous[case.pk] else "—"},
            by=by, at=now,
        )
        for case in cases
    ])


# ------------------------------------------------------------------------------------------------
# status transitions
# ------------------------------------------------------------------------------------------------


def _refuse_with_open_tasks(case: RightsRequest, action: str) -> None:
    count = case.tasks.filter(done=False).count()
    if not count:
        return
    if action == "responded":
        message = _("The case cannot be marked responded while %(count)d task(s) are still open; finish them first.")
    else:
        message = _("The case cannot be closed while %(count)d task(s) are still open; finish them first.")
    raise ValidationError(message % {"count": count}, code="open_tasks")


def identity_needed(case: RightsRequest) -> bool:
    """Whether the case's types and requester need proof of identity before work starts."""
    return identity_requirement(
        jurisdiction=case.jurisdiction, request_types=case.all_types, relationship=case.relationship
    ).needed


def refuse_identity_demand(case: RightsRequest) -> None:
    """Refuse to ask for proof of identity on an opt-out or limit request: the law forbids making
    it a verifiable request (11 CCR §7026(d), §7027(e); Oregon and Minnesota alike, us-states.md
    Table 1). The case is acted on without verification."""
    if opt_out_only(case.all_types):
        raise ValidationError(
            _("This is a request to opt out (of the sale or sharing of personal information, targeted advertising "
              "or profiling) or to limit the use of sensitive personal information: proof of identity may not be "
              "asked for (11 CCR §7026(d), §7027(e)). Act on it without verification and tell the third parties "
              "concerned."),
            code="identity_forbidden",
        )


def dsar_transition(*, case: RightsRequest, to_status: str, by, now: datetime | None = None, note: str = "") -> RightsRequest:
    """Move the case along the allowed path (RightsRequest.TRANSITIONS); anything else is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(case)
        current = case.status
        check_move(case, to_status=to_status, label=case.reference)
        if to_status == Status.AWAITING_IDENTITY:
            refuse_identity_demand(case)
        if to_status == Status.IN_PROGRESS and current in (Status.RECEIVED, Status.AWAITING_IDENTITY):
            if identity_needed(case) and case.verified_on is None:
                raise ValidationError(
                    _("Verify the requester's identity before work starts (record a positive identity check)."),
                    code="identity_unverified",
                )
        if to_status == Status.RESPONDED:
            _refuse_with_open_tasks(case, "responded")
        if to_status == Status.CLOSED:
            _refuse_with_open_tasks(case, "closed")
        if to_status == Status.REJECTED and not case.rejection_pending:
            raise ValidationError(
                _("A refusal is first proposed (with reasons and remedies) and then confirmed by a second person."),
                code="rejection_unconfirmed",
            )
        if to_status == Status.REJECTED and not (case.rejection_reasons.strip() and case.remedy_text.strip()):
            raise ValidationError(
                _("A refusal needs the reasons and the requester's remedies (GDPR Art. 12(4), PIPL Art. 50)."),
                code="rejection_reasons",
            )
        reply = None
        if to_status == Status.RESPONDED:
            reply = letters.sent_reply(case)
            if reply is None:
                raise ValidationError(
                    _("No reply has been sent on this case. Mark the reply sent first (open its draft: “Save and mark "
                      "as sent”): the case's response time is the time the reply was sent."),
                    code="no_reply",
                )
        fields = ["status"]
        case.status = to_status
        if reply is not None:
            # The time the reply went out, not this later click (it cannot be back- or forward-dated).
            case.responded_at, case.reply = reply.sent_at, reply
            fields += ["responded_at", "reply"]
        if to_status in ENDED_STATUSES:
            case.closed_at = now
            fields.append("closed_at")
        if to_status not in OPEN_STATUSES or current == Status.AWAITING_CLARIFICATION:
            # Leaving the clarification wait (answered, or the case ended) restarts / ends the pause.
            dsar_end_open_pause(case=case, on=case_today(case, now), by=by, reasons=(ClockPause.Reason.CLARIFICATION,))
        if to_status not in OPEN_STATUSES:
            dsar_end_open_pause(case=case, on=case_today(case, now), by=by)
        save_with_reason(case, by=by, reason=gettext_noop("status changed"), update_fields=fields + ["clock_paused"])
        if to_status in ENDED_STATUSES:
            identity_documents_schedule_purge(case=case)
        timeline_add(
            case=case, kind=TimelineEntry.Kind.STATUS,
            message=gettext_noop("Status: %(from_status)s → %(to_status)s."),
            params={"from_status": current, "to_status": to_status}, by=by, at=now, note=note,
        )
        if reply is not None:
            timeline_add(
                case=case, kind=TimelineEntry.Kind.DRAFT,
                message=gettext_noop("Response time: the reply (%(kind)s) was sent %(sent)s."),
                params={"kind": reply.kind, "sent": timezone.localtime(reply.sent_at).strftime("%Y-%m-%d %H:%M")},
                by=by, at=now,
            )
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


def path_to_responded(status: str) -> list[str]:
    """The statuses a case in ``status`` passes through to "responded" along the shortest allowed
    path (RightsRequest.TRANSITIONS, through open statuses only), "responded" last; [] when there is
    none (the case has been answered or has ended)."""
    paths = {status: []}
    queue = [status]
    while queue:
        current = queue.pop(0)
        for following in RightsRequest.TRANSITIONS[current]:
            if following in paths or (following != Status.RESPONDED and following not in OPEN_STATUSES):
                continue
            paths[following] = [*paths[current], following]
            if following == Status.RESPONDED:
                return paths[following]
            queue.append(following)
    return []


def refuse_reply_with_open_tasks(case: RightsRequest) -> None:
    """Sending the reply marks the case responded, which is refused while a task is open (the answer
    would leave work undone): the reply is refused first, naming the tasks, so nothing half-happens."""
    titles = [task.title_text for task in case.tasks.filter(done=False).order_by("due_on", "id")
              .only("title", "title_message", "title_params")[:6]]
    if not titles:
        return
    named = "; ".join(f"“{title}”" for title in titles[:5]) + ("; …" if len(titles) > 5 else "")
    raise ValidationError(
        _("The reply cannot be sent while tasks are still open: %(tasks)s. Sending the reply marks the case "
          "responded; finish the tasks first.") % {"tasks": named},
        code="open_tasks",
    )


def dsar_move_on_reply(*, case: RightsRequest, by, now: datetime) -> RightsRequest:
    """The reply (letters.REPLY_KINDS) was sent at ``now``: the case moves to "responded" through the
    status machine, one allowed step at a time (each with its own rules and timeline entry: identity
    verified before work starts, no open task), its response time the reply's sent time. Called by
    ``letters.draft_mark_sent`` inside its transaction, so a refused step un-sends the reply. An
    answered or ended case stays as it is; closing stays a separate, deliberate action."""
    for to_status in path_to_responded(case.status):
        dsar_transition(case=case, to_status=to_status, by=by, now=now)
    return case


def dsar_close(*, case: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    """Close an answered case. Refused with open tasks."""
    return dsar_transition(case=case, to_status=Status.CLOSED, by=by, now=now)


def dsar_withdraw(*, case: RightsRequest, by, note: str = "", now: datetime | None = None) -> RightsRequest:
    return dsar_transition(case=case, to_status=Status.WITHDRAWN, by=by, now=now, note=note)


# ------------------------------------------------------------------------------------------------
# refusal: it removes the duty to answer, so one person proposes it and a second one confirms it
# ------------------------------------------------------------------------------------------------


def dsar_propose_rejection(*, case: RightsRequest, by, reasons: str, remedies: str = "",
                           now: datetime | None = None) -> RightsRequest:
    """Propose refusing the request, with the reasons and the requester's remedies (GDPR Art. 12(4),
    PIPL Art. 50). Nothing is refused yet: the case stays as it is until a second person confirms
    (``dsar_confirm_rejection``) or declines (``dsar_decline_rejection``) the proposal."""
    now = now or timezone.now()
    if not (reasons or "").strip():
        raise ValidationError(_("Give the reasons for refusing the request."), code="rejection_reasons")
    with transaction.atomic():
        lock_case(case)
        refuse_if_erased(case)
        refuse_if_ended(case)
        if case.rejection_pending:
            raise ValidationError(
                _("A refusal of this case is already waiting for confirmation; it must be confirmed or declined first."),
                code="rejection_pending",
            )
        if Status.REJECTED not in RightsRequest.TRANSITIONS[case.status]:
            check_move(case, to_status=Status.REJECTED, label=case.reference)
        case.rejection_reasons = reasons.strip()
        case.remedy_text = (remedies or "").strip() or default_remedy_text(case)
        case.rejection_proposed_by, case.rejection_proposed_at = by, now
        save_with_reason(
            case, by=by, reason=gettext_noop("refusal proposed"),
            update_fields=["rejection_reasons", "remedy_text", "rejection_proposed_by", "rejection_proposed_at"],
        )
        timeline_add(
            case=case, kind=TimelineEntry.Kind.REFUSAL,
            message=gettext_noop("Refusal proposed; it takes effect when a second person confirms it."),
            by=by, at=now, note=case.rejection_reasons,
        )
    return case


def dsar_confirm_rejection(*, case: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    """Confirm the proposed refusal: the case is refused with the proposed reasons and remedies.
    Needs the approval "reject_request" and a person other than the one who proposed it."""
    require_approval(user=by, kind="reject_request")
    with transaction.atomic():
        lock_case(case)
        if not case.rejection_pending:
            raise ValidationError(_("No refusal of this case is waiting for confirmation."), code="no_rejection")
        if case.rejection_proposed_by_id == getattr(by, "pk", None):
            raise ValidationError(
                _("You proposed this refusal; a second person must confirm it."), code="same_person",
            )
        timeline_add(
            case=case, kind=TimelineEntry.Kind.REFUSAL,
            message=gettext_noop("Refusal proposed by %(user)s confirmed."),
            params={"user": case.rejection_proposed_by.get_username()}, by=by, at=now,
        )
        return dsar_transition(case=case, to_status=Status.REJECTED, by=by, now=now, note=case.rejection_reasons)


def dsar_decline_rejection(*, case: RightsRequest, by, note: str = "", now: datetime | None = None) -> RightsRequest:
    """Decline the proposed refusal: the case goes on being worked; the proposal stays in the history."""
    require_approval(user=by, kind="reject_request")
    with transaction.atomic():
        lock_case(case)
        if not case.rejection_pending:
            raise ValidationError(_("No refusal of this case is waiting for confirmation."), code="no_rejection")
        proposer = case.rejection_proposed_by
        case.rejection_reasons, case.remedy_text = "", ""
        case.rejection_proposed_by, case.rejection_proposed_at = None, None
        save_with_reason(
            case, by=by, reason=gettext_noop("refusal declined"),
            update_fields=["rejection_reasons", "remedy_text", "rejection_proposed_by", "rejection_proposed_at"],
        )
        timeline_add(
            case=case, kind=TimelineEntry.Kind.REFUSAL,
            message=gettext_noop("Refusal proposed by %(user)s declined; the case goes on."),
            params={"user": proposer.get_username() if proposer else "—"}, by=by, at=now, note=note,
        )
    return case


# ------------------------------------------------------------------------------------------------
# re-opening an ended case: the one way to correct it after closure
# ------------------------------------------------------------------------------------------------


def status_before_end(case: RightsRequest) -> str:
    """The status a re-opened case returns to: a closed case to "responded" (its reply was sent),
    any other ended case to the status it ended from (its timeline), else "in progress"."""
    if case.status == Status.CLOSED:
        return Status.RESPONDED
    entry = (case.timeline.filter(kind=TimelineEntry.Kind.STATUS, params__to_status=case.status)
             .order_by("-at", "-id").first())
    previous = entry.params.get("from_status") if entry else None
    return previous if previous in OPEN_STATUSES else Status.IN_PROGRESS


def dsar_reopen(*, case: RightsRequest, by, reason: str, now: datetime | None = None) -> RightsRequest:
    """Re-open an ended case so that it can be corrected, with a reason; recorded in the history
    (with the reason) and the timeline. Needs the approval "reopen_case". A refused case loses its
    refusal (a new one is proposed and confirmed again); a duplicate its link."""
    now = now or timezone.now()
    require_approval(user=by, kind="reopen_case")
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for re-opening the case."), code="reason")
    with transaction.atomic():
        lock_case(case)
        refuse_if_erased(case)
        if not case.has_ended:
            raise ValidationError(_("Only an ended case can be re-opened; this one is %(status)s.")
                                  % {"status": case.get_status_display()}, code="not_ended")
        current, target = case.status, status_before_end(case)
        case.status, case.closed_at = target, None
        fields = ["status", "closed_at"]
        if current == Status.REJECTED:
            case.rejection_reasons, case.remedy_text = "", ""
            case.rejection_proposed_by, case.rejection_proposed_at = None, None
            fields += ["rejection_reasons", "remedy_text", "rejection_proposed_by", "rejection_proposed_at"]
        if current == Status.DUPLICATE:
            case.duplicate_of = None
            fields.append("duplicate_of")
        save_with_reason(case, by=by, reason=reason.strip(), update_fields=fields)
        identity_documents_schedule_purge(case=case)
        timeline_add(
            case=case, kind=TimelineEntry.Kind.REOPENED,
            message=gettext_noop("Re-opened: %(from_status)s → %(to_status)s."),
            params={"from_status": current, "to_status": target}, by=by, at=now, note=reason.strip(),
        )
    return case


def dsar_mark_duplicate(*, case: RightsRequest, duplicate_of: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    if duplicate_of is None or duplicate_of.pk == case.pk:
        raise ValidationError(_("Choose the other case this one duplicates."), code="duplicate_of")
    with transaction.atomic():
        lock_case(case)
        case.duplicate_of = duplicate_of
        save_with_reason(case, by=by, reason=gettext_noop("duplicate recorded"), update_fields=["duplicate_of"])
        return dsar_transition(case=case, to_status=Status.DUPLICATE, by=by, now=now, note=duplicate_of.reference)


# ------------------------------------------------------------------------------------------------
# clock pauses
# ------------------------------------------------------------------------------------------------


def dsar_end_open_pause(*, case: RightsRequest, on: date, by, reasons: Iterable[str] | None = None) -> ClockPause | None:
    """End the case's open clock pause on ``on`` (only if its reason is one of ``reasons``, when
    given); the caller saves ``case.clock_paused`` with its own write and recomputes the clock."""
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None or (reasons is not None and pause.reason not in tuple(reasons)):
        return None
    pause.ended_on = max(on, pause.started_on)
    save_with_reason(pause, by=by, reason=gettext_noop("clock restarted"))
    case.clock_paused = False
    timeline_add(
        case=case, kind=TimelineEntry.Kind.CLOCK,
        message=gettext_noop("Clock restarted on %(on)s after %(days)d day(s)."),
        params={"on": str(pause.ended_on), "days": (pause.ended_on - pause.started_on).days}, by=by,
    )
    return pause


def dsar_pause_clock(*, case: RightsRequest, by, note: str = "", started_on: date | None = None,
                     now: datetime | None = None) -> ClockPause:
    """Stop the clock while the requester clarifies the request.

    Only UK GDPR Art. 12A (from 5 Feb 2026) lets the clock stop for clarification, and only for
    access (Art. 15) requests (cf. DPA 2018 s.54(3C)); elsewhere, and for a UK case with any other
    type, the service refuses rather than store a pause that changes nothing (``clock_paused``
    would hide a running clock from the overdue list)."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(case)
        started_on = started_on or case_today(case, now)
        if case.jurisdiction != dl.UK:
            raise ValidationError(
                _("The clock cannot be stopped in %(jurisdiction)s: only UK GDPR Art. 12A stops it while the "
                  "requester clarifies. Ask for clarification without stopping the clock.")
                % {"jurisdiction": case.jurisdiction},
                code="no_pause",
            )
        if not clock_stops_for_clarification(case):
            raise ValidationError(
                _("The clock of this request cannot be stopped: UK GDPR Art. 12A stops it for access requests only "
                  "(this case is: %(types)s). Ask for clarification without stopping the clock.")
                % {"types": ", ".join(request_type_label(t) for t in case.all_types)},
                code="no_pause",
            )
        if started_on < UK_ART_12A_IN_FORCE:
            raise ValidationError(_("UK GDPR Art. 12A (stop the clock) applies from 5 February 2026."), code="no_pause")
        if started_on < case.received_on:
            raise ValidationError(_("The clock cannot stop before the request was received."), code="pause_start")
        if started_on > case_today(case, now):
            raise ValidationError(_("The clock cannot be stopped from a future date."), code="pause_start")
        if not case.is_open:
            raise ValidationError(_("The case has been answered or ended; its clock no longer runs."), code="closed")
        if case.pauses.filter(ended_on__isnull=True).exists():
            raise ValidationError(_("The clock is already stopped."), code="already_paused")
        pause = ClockPause(request=case, reason=ClockPause.Reason.CLARIFICATION, note=note, started_on=started_on)
        save_with_reason(pause, by=by, reason=gettext_noop("clock stopped"))
        case.clock_paused = True
        save_with_reason(case, by=by, reason=gettext_noop("clock stopped"), update_fields=["clock_paused"])
        timeline_add(
            case=case, kind=TimelineEntry.Kind.CLOCK,
            message=gettext_noop("Clock stopped on %(on)s (UK GDPR Art. 12A)."), params={"on": str(started_on)},
            by=by, at=now, note=note,
        )
        dsar_recompute_due(case=case, by=by, now=now)
    return pause


def clock_stops_for_clarification(case: RightsRequest) -> bool:
    """Whether asking this case's requester to clarify stops its clock: UK GDPR Art. 12A, access
    (Art. 15) requests only - every type of the case must be access, since the due date is the
    earliest of its types and another type's clock keeps running."""
    return case.jurisdiction == dl.UK and all(t == dl.ACCESS for t in case.all_types)


def dsar_request_clarification(*, case: RightsRequest, by, note: str = "", now: datetime | None = None) -> RightsRequest:
    """Ask the requester to clarify; for a UK access request this also stops the clock (Art. 12A)."""
    dsar_transition(case=case, to_status=Status.AWAITING_CLARIFICATION, by=by, now=now, note=note)
    if clock_stops_for_clarification(case) and case_today(case, now) >= UK_ART_12A_IN_FORCE:
        dsar_pause_clock(case=case, by=by, note=note, now=now)
    return case


def dsar_receive_clarification(*, case: RightsRequest, by, now: datetime | None = None) -> RightsRequest:
    """The requester answered: the clock restarts (dsar_transition ends the pause and recomputes)."""
    return dsar_transition(case=case, to_status=Status.IN_PROGRESS, by=by, now=now)


# ------------------------------------------------------------------------------------------------
# extension
# ------------------------------------------------------------------------------------------------


def dsar_extend(*, case: RightsRequest, by, reasons: str, language: str | None = None,
                now: datetime | None = None):
    """Decide the lawful extension (EU/UK +2 months, US-CA +45 days, RU +5 working days) and prepare
    its notice to the requester: returns the extension-notice draft (``language``, the office's by
    default). The extension takes effect - the due date moves, the case records "notice sent" and
    links the notice - only when that notice is marked sent (``letters.draft_mark_sent``), in time.

    Refused: a second time, where the law gives none, without reasons, or after the original
    deadline (the notice must reach the requester within the first period: GDPR Art. 12(3),
    11 CCR §7021(b), 152-FZ Art. 20(1))."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(case)
        refuse_if_erased(case)
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
                % {"jurisdiction": case.jurisdiction, "types": ", ".join(request_type_label(t) for t in case.all_types)},
                code="no_extension",
            )
        validate_extension_in_time(case, now=now)
        case.extension_reasons = reasons.strip()
        save_with_reason(case, by=by, reason=gettext_noop("extension decided"), update_fields=["extension_reasons"])
        timeline_add(
            case=case, kind=TimelineEntry.Kind.EXTENSION,
            message=gettext_noop("Extension decided; it takes effect when its notice is sent, by %(deadline)s."),
            params={"deadline": str(case.extension_deadline)}, by=by, at=now, note=case.extension_reasons,
        )
        return letters.draft_generate(
            case=case, kind=DraftKind.EXTENSION_NOTICE, language=language or settings.LANGUAGE_CODE,
            reasons=case.extension_reasons, by=by, now=now,
        )


