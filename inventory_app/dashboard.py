"""The inventory's card on the admin home (``privacy_office.dashboard``)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy_office.dashboard import Card, CardItem, cached_count

from . import audits, crossborder
from .models import ComplianceAudit, Controller, ImpactAssessment, ProcessingActivity, RemediationItem, TransferFiling


def cards(request) -> list[Card]:
    return inventory_card(request) + governance_card(request)


def inventory_card(request) -> list[Card]:
    if not request.user.has_perm("inventory_app.view_processingactivity"):
        return []
    changelist = reverse("admin:inventory_app_processingactivity_changelist")
    missing = cached_count("inventory:pia_missing", lambda: ProcessingActivity.objects.pia_missing().count())
    return [Card(title=_("Record of processing activities"), items=[
        CardItem(
            label=_("processing activities"),
            value=cached_count("inventory:activities", lambda: ProcessingActivity.objects.count()),
            url=changelist,
        ),
        CardItem(
            label=_("PIA required but missing"), value=missing, url=f"{changelist}?pia=missing",
            tone="warn" if missing else "ok",
        ),
        CardItem(
            label=_("with sensitive personal information"),
            value=cached_count("inventory:sensitive", lambda: ProcessingActivity.objects.with_sensitive_fields().count()),
            url=f"{changelist}?sensitive=yes",
        ),
    ])]


def governance_card(request) -> list[Card]:
    if not request.user.has_perm("inventory_app.view_impactassessment"):
        return []
    assessments = reverse("admin:inventory_app_impactassessment_changelist")
    today = timezone.localdate()
    outdated = cached_count("inventory:pia_outdated", lambda: ImpactAssessment.objects.outdated().count())
    overdue = cached_count("inventory:pia_reassessment_overdue",
                           lambda: ImpactAssessment.objects.reassessment_overdue(today).count())
    drafts = cached_count("inventory:pia_drafts",
                          lambda: ImpactAssessment.objects.filter(status=ImpactAssessment.Status.DRAFT).count())
    return [Card(title=_("Governance"), items=[
        CardItem(label=_("impact assessments outdated: reassessment due"), value=outdated,
                 url=f"{assessments}?status__exact=outdated", tone="danger" if overdue else ("warn" if outdated else "ok"),
                 detail=_("%(n)d overdue") % {"n": overdue} if overdue else ""),
        CardItem(label=_("impact assessments in draft"), value=drafts, url=f"{assessments}?status__exact=draft"),
        *crossborder_items(today),
        *audit_items(today),
    ])]


def audit_items(today) -> list[CardItem]:
    audits_url = reverse("admin:inventory_app_complianceaudit_changelist")
    overdue = cached_count("inventory:remediation_overdue", lambda: RemediationItem.objects.overdue(today).count())
    ordered = cached_count("inventory:audit_ordered_open", lambda: ComplianceAudit.objects.filter(
        kind=ComplianceAudit.Kind.ORDERED, report_on__isnull=True).count())

    def duties_due():
        due = 0
        for controller in Controller.objects.filter(people_counts__isnull=False).distinct():
            programme = audits.audit_programme(controller=controller)
            clocks = [programme.next_audit, *(d.clock for d in programme.duties)]
            due += sum(1 for clock in clocks if clock is not None and clock.due_on <= today)
        return due

    duties = cached_count("inventory:threshold_duties_due", duties_due)
    return [
        CardItem(label=_("audit remediation items overdue"), value=overdue, url=audits_url,
                 tone="danger" if overdue else "ok"),
        CardItem(label=_("audits ordered by a regulator, report not yet made"), value=ordered,
                 url=f"{audits_url}?kind__exact=ordered", tone="warn" if ordered else "ok"),
        CardItem(label=_("audit and officer clocks due or past (by people handled)"), value=duties,
                 url=reverse("admin:inventory_app_controller_changelist"), tone="warn" if duties else "ok"),
    ]


def crossborder_items(today) -> list[CardItem]:
    """Exports without the mechanism, separate consent or assessment the law requires, and filing clocks."""
    controllers = reverse("admin:inventory_app_controller_changelist")
    activities = reverse("admin:inventory_app_processingactivity_changelist")
    filings = reverse("admin:inventory_app_transferfiling_changelist")
    transfers = reverse("admin:inventory_app_transfer_changelist")
    uncovered = cached_count("inventory:xb_uncovered", lambda: len(crossborder.handlers_uncovered(as_of=today)))
    no_consent = cached_count("inventory:xb_no_consent", lambda: crossborder.transfers_without_separate_consent().count())
    no_pia = cached_count("inventory:xb_no_pia", lambda: crossborder.transfers_without_assessment().count())
    eu = cached_count("inventory:xb_eu", lambda: crossborder.eu_transfers_incomplete(today=today).count())
    overdue = cached_count("inventory:xb_filing_overdue", lambda: TransferFiling.objects.filter(
        filed_on__isnull=True, filing_due_on__lt=today).count())
    renewal = cached_count("inventory:xb_renewal", lambda: TransferFiling.objects.filter(
        kind=TransferFiling.Kind.SECURITY_ASSESSMENT, renewal_opens_on__lte=today, expires_on__gte=today).count())
    refile = cached_count("inventory:xb_refile", lambda: TransferFiling.objects.filter(refile_needed=True).count())

    def item(label, value, url, tone="danger"):
        return CardItem(label=label, value=value, url=url, tone=tone if value else "ok")

    return [
        item(_("handlers exporting without the required mechanism (PIPL Art. 38; 令16)"), uncovered, controllers),
        item(_("cross-border activities without separate consent (PIPL Art. 39)"), no_consent,
             f"{activities}?cross_border=yes", tone="warn"),
        item(_("cross-border activities without a current impact assessment (PIPL Art. 55(4))"), no_pia,
             f"{activities}?cross_border=yes", tone="warn"),
        item(_("standard contract filings overdue"), overdue, f"{filings}?kind__exact=scc"),
        item(_("security assessments in their renewal window"), renewal, f"{filings}?kind__exact=security_assessment",
             tone="warn"),
        item(_("mechanisms to re-file after a change of facts"), refile, f"{filings}?refile_needed__exact=1", tone="warn"),
        item(_("EU/UK transfers without SCC module or TIA, or past their review"), eu, transfers, tone="warn"),
    ]
