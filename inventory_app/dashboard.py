"""The inventory's card on the admin home (``privacy_office.dashboard``)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy_office.dashboard import Card, CardItem, cached_count

from .models import ImpactAssessment, ProcessingActivity


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
    ])]
