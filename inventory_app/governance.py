"""Writes for governance records: impact assessments (PIPL Arts 55–56, GDPR Art. 35).

Keyword-only services, ``by=`` the acting user. An assessment is a draft until a second person
approves it; approval freezes it with a snapshot of the activities it covers. When a covered
activity, its fields, recipients, locations or transfers change afterwards, the assessment is
marked outdated with the differences and a reassessment is due (``governance_rules``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office import roles
from privacy_office.history import save_with_reason
from privacy_office.references import save_with_next_reference
from privacy_office.states import check_move

from . import governance_rules as rules
from .models import ActivityField, ImpactAssessment, ProcessingActivity, Transfer

# The approval of an assessment (privacy_office.roles.APPROVALS): a second person, a manager by default.
APPROVAL_KIND = "approve_impact_assessment"

# Scalar items of an activity in the snapshot (model field names), then the lists.
SNAPSHOT_FIELDS = (
    "name_zh", "name_en", "purpose_zh", "purpose_en", "data_subjects", "processing_method", "pipl_basis",
    "separate_consent_required", "gdpr_basis", "automated_decision", "retention", "security_measures",
)
SNAPSHOT_LISTS = ("fields", "recipients", "storage_locations", "transfers")


def holds_assessment_approval(user) -> bool:
    return roles.holds_approval(user, APPROVAL_KIND)


def require_assessment_approval(user) -> None:
    roles.require_approval(user=user, kind=APPROVAL_KIND)


# --- what an assessment covers -----------------------------------------------------------------

def _activities_with_content(pks):
    return (
        ProcessingActivity.objects.filter(pk__in=pks).order_by("code")
        .prefetch_related(
            Prefetch("fields", queryset=ActivityField.objects.select_related("field").order_by("field__code", "group_zh")),
            Prefetch("transfers", queryset=Transfer.objects.select_related("recipient").order_by("destination_country")),
            "recipients", "storage_locations",
        )
    )


def assessment_snapshot(*, activity_ids) -> dict:
    """What the covered activities say now, keyed by activity code: the inventory rows an assessment
    rests on (fields, recipients, locations, transfers, retention, security measures)."""
    snapshot = {}
    for activity in _activities_with_content(list(activity_ids)):
        row = {name: getattr(activity, name) for name in SNAPSHOT_FIELDS}
        row["fields"] = sorted({
            f"{use.field.code} · {use.field.name_zh}" + (" · sensitive" if use.field.sensitive else "")
            + ("" if use.required else " · optional")
            for use in activity.fields.all()
        })
        row["recipients"] = sorted(
            f"{r.code} · {r.name} · {r.kind}" + (f" · {r.country}" if r.country else "") for r in activity.recipients.all()
        )
        row["storage_locations"] = sorted(f"{loc.code} · {loc.country}" for loc in activity.storage_locations.all())
        row["transfers"] = sorted(
            f"{t.destination_country} · {t.mechanism}" + (f" · {t.recipient.code}" if t.recipient else "")
            for t in activity.transfers.all()
        )
        snapshot[activity.code] = row
    return snapshot


def snapshot_digest(snapshot: dict) -> str:
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_diff(old: dict, new: dict) -> list[dict]:
    """What changed between two snapshots: one entry per activity item, with old and new values.

    Lists give the entries removed (old) and added (new); an activity no longer in the inventory
    (or newly covered) is one entry with ``item`` "activity"."""
    diff = []
    for code in sorted(set(old) | set(new)):
        before, after = old.get(code), new.get(code)
        if before is None or after is None:
            diff.append({"activity": code, "item": "activity",
                         "old": code if before is not None else "", "new": code if after is not None else ""})
            continue
        for item in (*SNAPSHOT_FIELDS, *SNAPSHOT_LISTS):
            was, now = before.get(item), after.get(item)
            if was == now:
                continue
            if item in SNAPSHOT_LISTS:
                removed = [v for v in (was or []) if v not in (now or [])]
                added = [v for v in (now or []) if v not in (was or [])]
                diff.append({"activity": code, "item": item, "old": "\n".join(removed), "new": "\n".join(added)})
            else:
                diff.append({"activity": code, "item": item, "old": _plain(was), "new": _plain(now)})
    return diff


def _plain(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


# --- writes -------------------------------------------------------------------------------------

def assessment_create_from_activities(*, activities, by, title: str = "") -> ImpactAssessment:
    """A draft assessment of ``activities`` (one controller), pre-filled from the inventory."""
    activities = list(_activities_with_content([a.pk for a in activities]))
    if not activities:
        raise ValidationError(_("Choose at least one processing activity to assess."), code="no_activities")
    controllers = {a.controller_id for a in activities}
    if len(controllers) > 1:
        raise ValidationError(
            _("An impact assessment covers the activities of one controller; these belong to %(n)d.") % {"n": len(controllers)},
            code="controllers",
        )
    assessment = ImpactAssessment(
        title=(title or "; ".join(a.name_zh or a.name_en for a in activities))[:300],
        controller=activities[0].controller,
        prepared_by=by,
        created_at=timezone.now(),
        description="\n".join(
            f"{a.code}: {a.purpose_zh or a.purpose_en}".rstrip(": ") for a in activities
        ),
        measures="\n".join(f"{a.code}: {a.security_measures}" for a in activities if a.security_measures),
    )
    with transaction.atomic():
        save_with_next_reference(
            assessment, prefix=f"PIA-{timezone.localdate().year}-", digits=4, by=by,
            reason=gettext_noop("impact assessment started from the inventory"),
        )
        assessment.activities.set(activities)
    return assessment


def assessment_reassess(*, assessment: ImpactAssessment, by) -> ImpactAssessment:
    """A new draft for an approved or outdated assessment, its content and activities copied."""
    if assessment.status not in (ImpactAssessment.Status.APPROVED, ImpactAssessment.Status.OUTDATED):
        raise ValidationError(_("Only an approved or outdated assessment is reassessed."), code="not_frozen")
    if assessment.reassessments.filter(status=ImpactAssessment.Status.DRAFT).exists():
        raise ValidationError(_("A reassessment of %(ref)s is already being drafted.") % {"ref": assessment.reference},
                              code="draft_exists")
    new = assessment_create_from_activities(activities=list(assessment.activities.all()), by=by, title=assessment.title)
    for name in ("description", "lawfulness_necessity", "risks", "measures", "residual_risk", "officer_opinion"):
        setattr(new, name, getattr(assessment, name))
    new.supersedes = assessment
    save_with_reason(new, by=by, reason=gettext_noop("reassessment: content copied from the assessment it replaces"))
    return new


def assessment_approve(*, assessment: ImpactAssessment, by, now: datetime | None = None) -> ImpactAssessment:
    """Approve a draft (a second person holding the approval): freezes it with what it assessed."""
    now = now or timezone.now()
    require_assessment_approval(by)
    with transaction.atomic():
        assessment = ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)
        check_move(assessment, to_status=ImpactAssessment.Status.APPROVED, label=assessment.reference)
        if assessment.prepared_by_id == by.pk:
            raise PermissionDenied(_("The person who prepared an impact assessment cannot approve it: a second person approves."))
        missing = [
            str(ImpactAssessment._meta.get_field(name).verbose_name)
            for name in ("description", "lawfulness_necessity", "risks", "measures", "residual_risk", "officer_opinion")
            if not str(getattr(assessment, name)).strip()
        ]
        if missing:
            raise ValidationError(_("Complete before approval: %(items)s.") % {"items": "; ".join(missing)}, code="incomplete")
        activity_ids = list(assessment.activities.values_list("pk", flat=True))
        if not activity_ids:
            raise ValidationError(_("The assessment covers no processing activity."), code="no_activities")
        snapshot = assessment_snapshot(activity_ids=activity_ids)
        today = timezone.localdate(now)
        assessment.status = ImpactAssessment.Status.APPROVED
        assessment.approved_by, assessment.approved_at, assessment.report_on = by, now, today
        assessment.retained_until = rules.pia_retained_until(today)
        assessment.review_due_on = rules.pia_review_due(today).due_on
        assessment.snapshot, assessment.snapshot_sha256 = snapshot, snapshot_digest(snapshot)
        save_with_reason(assessment, by=by, reason=gettext_noop("impact assessment approved"))
        for activity in ProcessingActivity.objects.filter(pk__in=activity_ids).select_for_update():
            if activity.pia_completed_on != today:
                activity.pia_completed_on = today
                save_with_reason(activity, by=by, reason=gettext_noop("impact assessment approved"),
                                 update_fields=["pia_completed_on"])
        previous = assessment.supersedes
        if previous is not None and previous.status != ImpactAssessment.Status.SUPERSEDED:
            previous = ImpactAssessment.objects.select_for_update().get(pk=previous.pk)
            check_move(previous, to_status=ImpactAssessment.Status.SUPERSEDED, label=previous.reference)
            previous.status = ImpactAssessment.Status.SUPERSEDED
            save_with_reason(previous, by=by, reason=gettext_noop("superseded by an approved reassessment"))
    return assessment


def assessment_mark_outdated(*, assessment: ImpactAssessment, diff: list[dict], by=None,
                             now: datetime | None = None) -> ImpactAssessment:
    """An approved assessment no longer describes its activities: outdated, with the changes, and a
    reassessment due (``governance_rules.pia_reassessment_due``)."""
    now = now or timezone.now()
    check_move(assessment, to_status=ImpactAssessment.Status.OUTDATED, label=assessment.reference)
    assessment.status = ImpactAssessment.Status.OUTDATED
    assessment.outdated_at = now
    assessment.outdated_diff = diff
    assessment.reassessment_due_on = rules.pia_reassessment_due(timezone.localdate(now)).due_on
    save_with_reason(assessment, by=by, reason=gettext_noop("a processing activity it covers changed after approval"))
    return assessment


def assessments_check_current(*, activity_ids=None, by=None, now: datetime | None = None) -> list[ImpactAssessment]:
    """Compare each approved assessment (of ``activity_ids``, or all) with the inventory as it is now
    and mark those that no longer match outdated. Returns the ones marked."""
    marked = []
    rows = ImpactAssessment.objects.current()
    if activity_ids is not None:
        rows = rows.filter(activities__in=list(activity_ids)).distinct()
    for pk in rows.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            assessment = ImpactAssessment.objects.select_for_update().filter(
                pk=pk, status=ImpactAssessment.Status.APPROVED).first()
            if assessment is None:
                continue
            current = assessment_snapshot(activity_ids=assessment.activities.values_list("pk", flat=True))
            if snapshot_digest(current) == assessment.snapshot_sha256:
                continue
            marked.append(assessment_mark_outdated(
                assessment=assessment, diff=snapshot_diff(assessment.snapshot, current), by=by, now=now))
    return marked
