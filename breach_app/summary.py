"""What the top of an incident's page shows, read in one place: the incident at a glance, its
obligations by urgency with their clocks and drafts, and its affected populations.

A selector (reads only). The page's cost stays fixed whatever the incident holds: the obligations
shown are capped (``OBLIGATIONS_SHOWN``, one query), their drafts are counted in one query, and
the populations come from the admin's prefetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import display
from .models import AffectedPopulation, Incident, NoticeDraft, Obligation

# The most urgent fifteen (a CN + EU incident has about ten duties; one in every US state, sixty):
# the page stays under 1,200 elements, and an incident with more links to its full list.
OBLIGATIONS_SHOWN = 15


@dataclass
class ObligationLine:
    obligation: Obligation
    name_html: str
    citation: str  # in the reader's language, as the name's tooltip (the obligation's page has the reasons)
    deadline_text: str
    clock_html: str
    drafts_text: str
    drafts_level: str  # an urgency level (privacy_office.urgency) for the drafts' state
    quiet: bool  # not required or obsolete: listed last, greyed


@dataclass
class PopulationLine:
    population: AffectedPopulation
    name: str  # the place in the reader's language
    people_text: str  # "~1,000–2,000 people"
    records_text: str  # "" when the number of records is not known


@dataclass
class IncidentSummary:
    incident: Incident
    discovered_text: str
    grade_text: str
    obligations: list[ObligationLine] = field(default_factory=list)
    more_obligations: bool = False
    populations: list[PopulationLine] = field(default_factory=list)


def drafts_state(counts: dict | None) -> tuple[str, str]:
    """The drafts of one obligation as a word and an urgency level: none, drafted, approved (some
    or all), sent."""
    if not counts or not counts["total"]:
        return _("no draft"), "muted"
    if counts["sent"]:
        return _("sent"), "ok"
    if counts["approved"] == counts["total"]:
        return _("approved"), "ok"
    if counts["approved"]:
        return _("approved %(approved)s of %(total)s") % counts, "warn"
    return _("drafted"), "warn"


@lru_cache(maxsize=1024)
def citation_text(citation: str, language: str | None) -> str:
    """A citation in the reader's ``language`` (the active one): the clocks write a few hundred
    distinct citations, and translating one phrase by phrase costs a third of a millisecond."""
    return display.statement_text(citation)


def deadline_text(obligation: Obligation) -> str:
    """The deadline in the reader's zone, or what the duty says instead ("immediately"…)."""
    if obligation.deadline is not None:
        return localize(timezone.localtime(obligation.deadline))
    return str(obligation.get_deadline_kind_display())


def grade_text(incident: Incident) -> str:
    """Risk level, and for people in mainland China the 指南 grade their number reaches (the grade
    the CAC clock and the notices read; deadlines.cn_people_grade)."""
    from . import deadlines

    text = str(incident.get_risk_level_display())
    cn = next((p for p in incident.populations.all() if p.jurisdiction == "CN"), None)
    grade = deadlines.cn_people_grade(cn.people_min) if cn is not None else None
    if grade:
        # The grade is the guide's own word (较大, 重大, 特别重大): English in the en catalogue.
        text = _("%(risk)s; CN grade by people affected: %(grade)s") % {"risk": text, "grade": _(grade)}
    return text


def incident_summary(incident: Incident, *, now: datetime | None = None,
                     shown: int = OBLIGATIONS_SHOWN) -> IncidentSummary:
    """The incident at a glance for its page: three queries whatever it holds (the populations
    are prefetched by the admin's queryset; without the prefetch, one more)."""
    now = now or timezone.now()
    rows = list(incident.obligations.order_by(*Obligation.URGENCY_ORDER)[: shown + 1])
    more, rows = len(rows) > shown, rows[:shown]
    counts = {
        row["obligation_id"]: row for row in NoticeDraft.objects.filter(obligation__in=[o.pk for o in rows])
        .order_by().values("obligation_id")
        .annotate(total=Count("id"), approved=Count("approved_at"), sent=Count("sent_at"))
    }
    lines = []
    for obligation in rows:
        obligation.incident = incident  # EU-SA names its authorities from the incident: no query per row
        text, level = drafts_state(counts.get(obligation.pk))
        lines.append(ObligationLine(
            obligation=obligation, name_html=display.obligation_name_html(obligation),
            citation=citation_text(obligation.citation, get_language()),
            deadline_text=deadline_text(obligation), clock_html=display.obligation_clock_html(obligation, now),
            drafts_text=text, drafts_level=level,
            quiet=obligation.applicability in ("not_required", "obsolete"),
        ))
    populations = sorted(incident.populations.all(), key=lambda p: (-p.people_min, p.jurisdiction, p.pk))
    return IncidentSummary(
        incident=incident, discovered_text=localize(timezone.localtime(incident.discovered_at)),
        grade_text=grade_text(incident), obligations=lines, more_obligations=more,
        populations=population_lines(populations),
    )


def population_lines(populations) -> list[PopulationLine]:
    """The places and numbers as the page lists them. The names come from one lookup of the
    jurisdictions' choices: ``get_jurisdiction_display`` hashes every lazy name (about 120) for
    each row."""
    names = dict(AffectedPopulation._meta.get_field("jurisdiction").flatchoices)
    return [PopulationLine(
        population=p, name=str(names.get(p.jurisdiction, p.jurisdiction)),
        people_text=_("%(people)s people") % {"people": p.people_text},
        records_text="" if p.records is None else _("%(records)s records") % {"records": localize(p.records)},
    ) for p in populations]
