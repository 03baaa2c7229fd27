"""Compliance audits (PIPL Arts 54, 64; 审计办法 in force 1 May 2025) and the duties the number of
people handled brings (PIPL Art. 52; 条例 Art. 28): writes with ``by=``, the audit programme, and the
evidence the product itself holds for an audited period (read-only queries on the other apps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason
from privacy_office.references import save_with_next_reference

from . import crossborder
from . import governance_rules as rules
from .models import ComplianceAudit, Controller, ImpactAssessment, PeopleCount


def audit_clocks(audit: ComplianceAudit) -> None:
    """The rectification report after an ordered audit: 15 working days after rectification (§3.4, U)."""
    audit.rectification_report_due_on = None
    if audit.kind == ComplianceAudit.Kind.ORDERED and audit.rectified_on:
        audit.rectification_report_due_on = rules.rectification_report_due(audit.rectified_on).due_on


# What may still be recorded once the report is made: the rectification that follows it (§3.4) and
# the report date itself stays as it was. Everything else is what the report was made on.
AFTER_REPORT_FIELDS = ("rectified_on", "rectification_reported_on", "rectification_report_due_on")


def audit_frozen_changes(audit: ComplianceAudit) -> list[str]:
    """The fields an edit changes on an audit whose report was already made (as stored): empty when
    the audit is new, has no stored report date, or only its rectification is being recorded."""
    if audit.pk is None:
        return []
    stored = ComplianceAudit.objects.filter(pk=audit.pk).first()
    if stored is None or stored.report_on is None:
        return []
    return [f.attname for f in ComplianceAudit._meta.concrete_fields
            if f.attname not in (*AFTER_REPORT_FIELDS, "version") and getattr(stored, f.attname) != getattr(audit, f.attname)]


def audit_check_not_frozen(audit: ComplianceAudit) -> None:
    """An audit whose report is made is frozen (it is what was reported): only its rectification can
    still be recorded. Refused in the user's language, naming the fields."""
    changed = audit_frozen_changes(audit)
    if changed:
        names = ", ".join(str(ComplianceAudit._meta.get_field(name.removesuffix("_id")).verbose_name)
                          for name in changed)
        raise ValidationError(
            _("The report of %(reference)s was made on %(date)s: the audit cannot be changed any more (%(fields)s). "
              "Only the rectification can still be recorded.")
            % {"reference": audit.reference, "date": ComplianceAudit.objects.get(pk=audit.pk).report_on.isoformat(),
               "fields": names},
            code="audit_frozen")


def audit_save(*, audit: ComplianceAudit, by, reason: str = "") -> ComplianceAudit:
    """Save an audit with its clocks; a new one gets the next AUD- reference. Once its report is
    made, only the rectification can change (``audit_check_not_frozen``)."""
    audit_check_not_frozen(audit)
    audit_clocks(audit)
    if audit.pk is None:
        save_with_next_reference(audit, prefix=f"AUD-{audit.period_end.year}-", digits=4, by=by,
                                 reason=reason or gettext_noop("compliance audit recorded"))
    else:
        save_with_reason(audit, by=by, reason=reason or gettext_noop("compliance audit updated"))
    return audit


# --- the programme: what the number of people handled requires ----------------------------------

@dataclass(frozen=True)
class Programme:
    controller: Controller
    count: PeopleCount | None
    frequency: rules.AuditFrequency | None
    next_audit: rules.Clock | None
    duties: list  # still open
    met: list = ()  # codes of duties already done (the officer reported)


def reached_on(controller: Controller, threshold: int) -> date | None:
    """The first counted day the handler's count was at or over ``threshold`` (day 0 of its clocks)."""
    return (PeopleCount.objects.filter(controller=controller, people__gte=threshold)
            .order_by("counted_on").values_list("counted_on", flat=True).first())


def audit_programme(*, controller: Controller) -> Programme:
    count = PeopleCount.objects.filter(controller=controller).order_by("-counted_on").first()
    if count is None:
        return Programme(controller, None, None, None, [])
    last_report = (ComplianceAudit.objects.filter(controller=controller, kind=ComplianceAudit.Kind.PERIODIC,
                                                  report_on__isnull=False)
                   .order_by("-report_on").values_list("report_on", flat=True).first())
    tier = (rules.PEOPLE_AUDIT_TWO_YEARS if count.people >= rules.PEOPLE_AUDIT_TWO_YEARS
            else rules.PEOPLE_PIPO if count.people >= rules.PEOPLE_PIPO else 0)
    next_audit = rules.next_audit_due(people=count.people, last_report_on=last_report,
                                      cycle_start=reached_on(controller, tier) if tier else None)
    change_open = controller.pipo_changed_on and not (
        controller.pipo_change_reported_on and controller.pipo_change_reported_on >= controller.pipo_changed_on)
    duties = rules.threshold_duties(
        people=count.people, reached_pipo_on=reached_on(controller, rules.PEOPLE_PIPO),
        reached_large_on=reached_on(controller, rules.PEOPLE_LARGE_HANDLER), minors=count.minors,
        pipo_changed_on=controller.pipo_changed_on if change_open else None,
    )
    met = {"pipo_report"} if controller.pipo_reported_on else set()
    return Programme(controller, count, rules.audit_frequency(count.people), next_audit,
                     [d for d in duties if d.code not in met], sorted(met))


OFFICER_FIELDS = ("dpo_name", "dpo_email")


def officer_change_date(*, controller: Controller, changed_fields, today: date) -> date | None:
    """A change of the reported officer's name or e-mail is a material change (§4 choices) to report
    within 30 working days: the day it was recorded, unless the person gave another."""
    if controller.pipo_reported_on and set(changed_fields) & set(OFFICER_FIELDS) and "pipo_changed_on" not in changed_fields:
        return today
    return None


# --- evidence for an audited period --------------------------------------------------------------

@dataclass(frozen=True)
class Evidence:
    requests_total: int
    requests_on_time: int
    requests_late: int
    requests_open_overdue: int
    notices_on_time: int
    notices_late: int
    notices_open_overdue: int
    assessments_current: int
    assessments_outdated: int
    handlers_uncovered: int
    audit_reviews: int


def _instant(day: date, end: bool = False) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=timezone.get_current_timezone())


def assessments_as_of(*, controller: Controller, at: datetime) -> tuple[int, int]:
    """(current, outdated) assessments of ``controller`` as they stood at ``at``, from their stored
    dates: approved by then, not yet superseded (the reassessment replacing it approved later), and
    current if not found outdated by then. An assessment outdated after ``at`` was current at ``at``."""
    replaced = ImpactAssessment.objects.filter(supersedes=OuterRef("pk"), approved_at__lte=at)
    standing = ImpactAssessment.objects.filter(controller=controller, approved_at__lte=at).exclude(Exists(replaced))
    current = standing.filter(Q(outdated_at__isnull=True) | Q(outdated_at__gt=at)).count()
    return current, standing.filter(outdated_at__lte=at).count()


def audit_evidence(*, audit: ComplianceAudit, now: datetime | None = None) -> Evidence:
    """Counts computed now from the product's own records for the audited period: rights requests
    received in it answered on time (office date of the reply on or before the due date) or late,
    notification obligations due in it sent on time or late, the assessments as they stood at the
    period's end (or now, for a period not yet over),
    handlers exporting without the required mechanism at the period's end, and audit-log reviews
    recorded in it."""
    now = now or timezone.now()
    start, end = audit.period_start, audit.period_end
    today = timezone.localdate(now)
    evidence = {}
    if apps.is_installed("requests_app"):
        RightsRequest = apps.get_model("requests_app", "RightsRequest")
        cases = RightsRequest.objects.filter(received_on__gte=start, received_on__lte=end)
        answered = cases.filter(responded_at__isnull=False)
        evidence.update(
            requests_total=cases.count(),
            requests_on_time=answered.filter(responded_at__date__lte=F("due_on")).count(),
            requests_late=answered.filter(responded_at__date__gt=F("due_on")).count(),
            requests_open_overdue=cases.filter(responded_at__isnull=True, closed_at__isnull=True,
                                               due_on__lt=today).count(),
        )
    if apps.is_installed("breach_app"):
        Obligation = apps.get_model("breach_app", "Obligation")
        due = Obligation.objects.filter(deadline__gte=_instant(start), deadline__lte=_instant(end, end=True),
                                        applicability__in=["required", "needs_decision"])
        evidence.update(
            notices_on_time=due.filter(sent_at__isnull=False, sent_at__lte=F("deadline")).count(),
            notices_late=due.filter(sent_at__gt=F("deadline")).count(),
            notices_open_overdue=due.filter(Obligation.live_q(), deadline__lt=now).count(),
        )
    AuditReview = apps.get_model("privacy_office", "AuditReview")
    current, outdated = assessments_as_of(controller=audit.controller, at=min(_instant(end, end=True), now))
    evidence.update(
        assessments_current=current,
        assessments_outdated=outdated,
        handlers_uncovered=sum(1 for p in crossborder.handlers_uncovered(as_of=min(end, today))
                               if p.controller.pk == audit.controller_id),
        audit_reviews=AuditReview.objects.filter(
            Q(reviewed_at__gte=_instant(start)) & Q(reviewed_at__lte=_instant(end, end=True))).count(),
    )
    for name in Evidence.__dataclass_fields__:
        evidence.setdefault(name, 0)
    return Evidence(**evidence)
