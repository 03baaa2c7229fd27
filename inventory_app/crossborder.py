"""Cross-border provision of personal information: volumes, the mechanism the law requires, filings and
their clocks, and what is not covered (PIPL Arts 38–40; 令16 of 22 Mar 2024; GDPR Ch. V outbound).

Writes are keyword-only services with ``by=``; ``handler_position`` and ``uncovered_transfers`` are
the reads the admin and the dashboard show. The rules are ``governance_rules`` (pure, cited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason

from . import governance_rules as rules
from .models import Controller, ImpactAssessment, ProcessingActivity, Transfer, TransferFiling, TransferVolume


# --- writes -------------------------------------------------------------------------------------

def volume_check(*, period_start: date, period_end: date, people: int, sensitive_people: int) -> None:
    """Refuse, in the user's language, a period that runs backwards or spans two years, or a sensitive
    count above the total."""
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."), code="period_order")
    if period_end.year != period_start.year:
        raise ValidationError(_("A period lies within one calendar year: the count starts again on 1 January."),
                              code="period_year")
    if sensitive_people > people:
        raise ValidationError(_("People with sensitive PI are also counted in “people”: the total cannot be smaller."),
                              code="sensitive_counted")


def transfer_volume_record(*, controller: Controller, destination_country: str, period_start: date, period_end: date,
                           people: int, sensitive_people: int = 0, recipient=None, necessity: str = "",
                           note: str = "", by) -> TransferVolume:
    """Record one period's count for a destination (and recipient)."""
    volume_check(period_start=period_start, period_end=period_end, people=people, sensitive_people=sensitive_people)
    volume = TransferVolume(
        controller=controller, destination_country=destination_country.upper(), recipient=recipient,
        period_start=period_start, period_end=period_end, people=people, sensitive_people=sensitive_people,
        necessity=necessity, note=note,
    )
    volume.full_clean()
    save_with_reason(volume, by=by, reason=gettext_noop("cross-border volume recorded"))
    return volume


def filing_clocks(filing: TransferFiling) -> None:
    """Compute and set the filing's stored clocks from ``governance_rules``."""
    filing.filing_due_on = filing.expires_on = filing.renewal_opens_on = None
    filing.provisional = False
    if filing.kind == TransferFiling.Kind.SCC:
        clock = rules.scc_filing_due(filing.effective_on)
        filing.filing_due_on, filing.provisional = clock.due_on, clock.provisional
    elif filing.kind == TransferFiling.Kind.SECURITY_ASSESSMENT:
        clock = rules.security_assessment_renewal(filing.effective_on)
        filing.expires_on, filing.renewal_opens_on, filing.provisional = clock.due_on, clock.opens_on, clock.provisional
    elif filing.kind == TransferFiling.Kind.CERTIFICATION:
        filing.expires_on = rules.certification_expiry(filing.effective_on)


def transfer_filing_save(*, filing: TransferFiling, by, reason: str = "") -> TransferFiling:
    """Save a mechanism with its clocks recomputed (an edit of the effective date moves them)."""
    filing_clocks(filing)
    filing.full_clean()
    save_with_reason(filing, by=by, reason=reason or gettext_noop("cross-border mechanism recorded"))
    return filing


# --- reads --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Position:
    controller: Controller
    as_of: date
    people: int
    sensitive_people: int
    decision: rules.TransferDecision
    crossings: list
    covered: bool
    covering: list
    destinations: list  # (country, recipient name, people, sensitive)


def year_volumes(controller: Controller, as_of: date):
    """This calendar year's periods up to ``as_of`` (令16: cumulative from 1 January of the current year)."""
    return TransferVolume.objects.filter(
        controller=controller, period_start__gte=date(as_of.year, 1, 1), period_start__lte=as_of,
    )


def mechanism_in_force(controller: Controller, kind: str, as_of: date):
    """Filings of ``kind`` in effect on ``as_of`` (an SCC until replaced; the others until expiry)."""
    return TransferFiling.objects.filter(controller=controller, kind=kind, effective_on__lte=as_of).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=as_of))


def handler_position(*, controller: Controller, as_of: date) -> Position:
    """The handler's year so far: counts, the mechanism required, when the next threshold is crossed
    at the current rate, and whether a mechanism in force covers it."""
    volumes = year_volumes(controller, as_of)
    exempt = volumes.exclude(necessity="")
    counted = volumes.filter(necessity="")
    # Reference §2 choices: whether exempt exports count toward the totals is unconfirmed (U); the
    # safe reading counts them. Exempt-only flows are decided as exempt.
    totals = volumes.aggregate(people=Sum("people"), sensitive=Sum("sensitive_people"))
    people, sensitive = totals["people"] or 0, totals["sensitive"] or 0
    necessity = exempt.values_list("necessity", flat=True).first() if exempt.exists() and not counted.exists() else ""
    decision = rules.transfer_mechanism_required(
        people=people, sensitive_people=sensitive, cii_operator=controller.cii_operator,
        important_data=controller.important_data, necessity=necessity or "",
    )
    covering = []
    if decision.mechanism == rules.Mechanism.SECURITY_ASSESSMENT:
        covering = list(mechanism_in_force(controller, TransferFiling.Kind.SECURITY_ASSESSMENT, as_of))
    elif decision.mechanism == rules.Mechanism.SCC_OR_CERTIFICATION:
        covering = list(mechanism_in_force(controller, TransferFiling.Kind.SCC, as_of)) + list(
            mechanism_in_force(controller, TransferFiling.Kind.CERTIFICATION, as_of))
    covered = decision.mechanism == rules.Mechanism.EXEMPT or bool(covering)
    destinations = [
        (row["destination_country"], row["recipient__name"] or "—", row["people"], row["sensitive"])
        for row in volumes.values("destination_country", "recipient__name")
        .annotate(people=Sum("people"), sensitive=Sum("sensitive_people")).order_by("destination_country", "recipient__name")
    ]
    return Position(controller, as_of, people, sensitive, decision,
                    rules.threshold_crossings(as_of=as_of, people=people, sensitive_people=sensitive),
                    covered, covering, destinations)


def handlers_uncovered(*, as_of: date) -> list[Position]:
    """Handlers whose exports this year need a mechanism they do not have in force (or a decision)."""
    controllers = Controller.objects.filter(
        Exists(TransferVolume.objects.filter(controller=OuterRef("pk"), period_start__year=as_of.year))
    ).order_by("code")
    return [p for p in (handler_position(controller=c, as_of=as_of) for c in controllers) if not p.covered]


def transfers_without_separate_consent():
    """PIPL Art. 39 (§2.16, V): every export needs separate consent (the reference's safe reading:
    wherever it can be asked); activities with a cross-border transfer that do not record it."""
    return ProcessingActivity.objects.with_cross_border().filter(separate_consent_required=False)


def transfers_without_assessment():
    """PIPL Art. 55(4): activities providing PI abroad with no current (approved, not outdated) assessment."""
    current = ImpactAssessment.objects.current().filter(activities=OuterRef("pk"))
    return ProcessingActivity.objects.with_cross_border().exclude(Exists(current))


def eu_transfers_incomplete(*, today: date):
    """GDPR Ch. V outbound: an SCC transfer without its module or transfer impact assessment, or one
    whose review date has passed."""
    return Transfer.objects.filter(
        Q(mechanism=Transfer.Mechanism.SCC) & (Q(scc_module="") | Q(tia_done_on__isnull=True))
        | Q(review_on__lt=today)
    )
