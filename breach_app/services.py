"""Every write on incidents that has rules: the admin, the tasks and the tests all go through these functions.

Obligations are recomputed from the incident's facts here, whenever a fact changes; each keeps its
own workflow status (pending -> drafted -> approved -> sent, or decided not to notify).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min, Q, TextField, Value
from django.db.models.functions import SHA256, Concat
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop  # what the system writes: stored in English, shown translated

from privacy_office.history import save_with_reason, set_change_reason
from privacy_office.references import save_with_next_reference
from privacy_office.roles import approval_label, require_approval
from privacy_office.scripts_check import detect_language
from privacy_office.states import check_move

from . import deadlines, notices
from .models import (
    NARRATIVE_FIELDS,
    AffectedPopulation,
    ExposedDataField,
    Incident,
    IncidentNarrative,
    NoticeDraft,
    Obligation,
    TimelineEntry,
)
from . import notice_documents

# A time typed as "now" is a few minutes old by the time the form is saved, and clocks drift: within
# this margin a claimed time counts as now and needs no reason for being entered late.
LATE_ENTRY_MARGIN = timedelta(minutes=10)

# Removing a required notification, and re-opening a closed incident, need these (roles.APPROVALS).

# A proposed withdrawal (who, when, why): set only by ``incident_withdraw`` and settled by a second person.
PROPOSAL_FIELDS = ("withdrawal_proposed_by", "withdrawal_proposed_at", "withdrawal_reason")

# Incident fields a staff member may set through ``incident_create``/``incident_update``.
FACT_FIELDS = tuple(
    f.name for f in Incident._meta.get_fields()
    if getattr(f, "concrete", False) and not f.many_to_many and not f.auto_created
    and f.name not in {"id", "reference", "status", "version", "created_at", *PROPOSAL_FIELDS}
)


# --------------------------------------------------------------------------- facts


# A fact the clocks take that is the sent time of one of the incident's own obligations: derived
# from that row, never typed twice. Marking the obligation sent recomputes the clocks it starts.
BR_FIRST_NOTICE = "BR-ANPD"  # Res. CD/ANPD 15/2024 Art. 6: complementary information in 20 business days
CRA_INCIDENT_NOTIFICATION = "EU-CRA-INC-72H"  # CRA Art. 14(4)(c): final report one month after it
# Each US state's resident notice (<state>-IND) starts the clock of that state's regulator notice
# where the row says "N days after the resident notice" (us-states.md Table 2, e.g. IA, LA).
RESIDENT_NOTICE_CODES = frozenset(f"{code}-IND" for code in deadlines.BREACH_LAWS)
CLOCK_STARTING_CODES = frozenset({BR_FIRST_NOTICE, CRA_INCIDENT_NOTIFICATION, *RESIDENT_NOTICE_CODES})


def _sent_at(incident: Incident, code: str) -> datetime | None:
    if incident.pk is None:
        return None
    return (incident.obligations.filter(code=code, status=Obligation.Status.SENT)
            .values_list("sent_at", flat=True).first())


def _resident_notices_sent(incident: Incident) -> dict[str, datetime]:
    sent = {} if incident.pk is None else dict(
        incident.obligations.filter(code__in=RESIDENT_NOTICE_CODES, status=Obligation.Status.SENT)
        .values_list("jurisdiction", "sent_at"))
    # The California notice time may also be typed on the incident (a notice sent outside the office).
    if incident.resident_notice_sent_at is not None:
        sent.setdefault("US-CA", incident.resident_notice_sent_at)
    return sent


def incident_facts(incident: Incident) -> deadlines.IncidentFacts:
    """The incident as the pure breach clocks see it."""
    sensitive = notices.exposed_sensitive(incident)
    return deadlines.IncidentFacts(
        discovered_at=incident.discovered_at,
        aware_at=incident.aware_at,
        affected={p.jurisdiction: p.as_affected() for p in incident.populations.all()},
        risk=incident.risk_level,
        sensitive_data=sensitive,
        unique_identifier_data=incident.unique_identifier_data,
        external_illegal_access=incident.external_illegal_access,
        encrypted=incident.encrypted,
        cii_operator=incident.cii_operator,
        unencrypted_pi_acquired=incident.unencrypted_pi_acquired,
        sg_assessed_at=incident.sg_assessed_at,
        significant_harm=incident.significant_harm,
        handling_ended_at=incident.handling_ended_at,
        later_measures_remove_high_risk=incident.later_measures_remove_high_risk,
        individual_notice_disproportionate=incident.individual_notice_disproportionate,
        direct_economic_loss_cny=incident.direct_economic_loss_cny,
        system_outage_at_grade=incident.system_outage_at_grade,
        important_data_at_grade=incident.important_data_at_grade,
        social_impact_at_grade=incident.social_impact_at_grade,
        aqara_role=incident.aqara_role,
        controllers=tuple(incident.customer_list),
        jp_financial_damage_risk=incident.jp_financial_damage_risk,
        jp_wrongful_purpose=incident.jp_wrongful_purpose,
        anpd_first_notice_sent_at=_sent_at(incident, BR_FIRST_NOTICE),
        resident_notices_sent_at=_resident_notices_sent(incident),
    )


def incident_product_facts(incident: Incident) -> deadlines.ProductSecurityFacts:
    """The incident as the EU CRA Art. 14 clocks see it (a product vulnerability or incident).

    Choice: awareness not recorded -> the clocks start at discovery (the earlier instant, so the
    earlier deadline: legal-rules.md 2026-11)."""
    return deadlines.ProductSecurityFacts(
        aware_at=incident.aware_at or incident.discovered_at,
        actively_exploited=incident.actively_exploited,
        severe_incident=incident.severe_incident,
        fix_available_at=incident.fix_available_at,
        notification_submitted_at=_sent_at(incident, CRA_INCIDENT_NOTIFICATION),
    )


def incident_computed_obligations(incident: Incident) -> list[deadlines.Obligation]:
    """What the clocks say the incident's duties are, by its kind: the breach laws for personal
    data, the CRA Art. 14 reports for a product vulnerability or incident, both for "both"."""
    computed: list[deadlines.Obligation] = []
    if incident.kind in Incident.PERSONAL_DATA_KINDS:
        computed += deadlines.notification_obligations(incident_facts(incident))
    if incident.kind in Incident.PRODUCT_KINDS:
        computed += deadlines.product_security_obligations(incident_product_facts(incident))
    return computed


def _set_populations(incident: Incident, populations: Mapping[str, Mapping | None], *, by) -> list[str]:
    """Upsert (or, with None, delete) the affected population of each jurisdiction given."""
    changed = []
    for jurisdiction, values in populations.items():
        existing = incident.populations.filter(jurisdiction=jurisdiction).first()
        if values is None:
            if existing:
                set_change_reason(existing, by=by, reason=gettext_noop("affected population removed"))
                existing.delete()
                changed.append(jurisdiction)
            continue
        row = existing or AffectedPopulation(incident=incident, jurisdiction=jurisdiction)
        before = (row.people_min, row.people_max, row.records, row.estimate) if existing else None
        row.people_min = values.get("people_min", 0)
        # No "people_max" key: an exact count; an explicit None: no known upper bound.
        row.people_max = values["people_max"] if "people_max" in values else row.people_min
        row.records = values.get("records")
        row.estimate = values.get("estimate", False)
        if before != (row.people_min, row.people_max, row.records, row.estimate):
            row.full_clean(exclude=["incident"])
            save_with_reason(row, by=by, reason=gettext_noop("affected population changed"))
            changed.append(jurisdiction)
    return changed


def check_claimed_time(*, at: datetime, late_reason: str = "", now: datetime | None = None) -> None:
    """Refuse a claimed time ("it happened at") in the future, or one before now without a reason
    for entering it late: what happened, when, cannot be back-dated unseen. The record keeps both
    the claimed time and when it was entered."""
    now = now or timezone.now()
    if at > now + LATE_ENTRY_MARGIN:
        raise ValidationError(
            _("%(when)s is in the future: record what happened once it has happened.")
            % {"when": localize(timezone.localtime(at))}, code="future")
    if at < now - LATE_ENTRY_MARGIN and not (late_reason or "").strip():
        raise ValidationError(
            _("%(when)s is in the past: say why it is recorded only now (the record shows both the time you give "
              "and when it was entered).") % {"when": localize(timezone.localtime(at))}, code="late_reason_required")


def timeline_add(*, incident: Incident, by, kind: str = TimelineEntry.Kind.FACT, message: str = "",
                 params: Mapping | None = None, note: str = "", at: datetime | None = None,
                 late_reason: str = "") -> TimelineEntry:
    """Append an entry to the incident's timeline (append-only: never edited, never versioned).

    ``message`` is what the system records, a ``gettext_noop`` message id with its ``params``
    (shown in each reader's language); ``note`` is a person's own words, kept as typed. ``at`` is
    when it happened (default now): not in the future, and before now only with ``late_reason``;
    when it was entered is kept as ``recorded_at``.
    """
    if not message and not (note or "").strip():
        raise ValidationError(_("A timeline entry needs a text."), code="empty")
    now = timezone.now()
    if at is not None:
        check_claimed_time(at=at, late_reason=late_reason, now=now)
    return TimelineEntry.objects.create(
        incident=incident, kind=kind, message=message, params=dict(params or {}), note=note,
        by=by if getattr(by, "pk", None) else None, at=at or now, recorded_at=now,
        late_reason=(late_reason or "").strip(),
    )


def incident_check_not_frozen(incident: Incident) -> None:
    """A closed incident is frozen: corrections go through ``incident_reopen`` (with a reason)."""
    if incident.status == Incident.Status.CLOSED:
        raise ValidationError(
            _("%(reference)s is closed: it cannot be changed. Someone with the permission “%(permission)s” can "
              "re-open it, with a reason.") % {"reference": incident.reference,
                                              "permission": approval_label("reopen_incident")},
            code="closed")


def timeline_incident_recorded(*, incident: Incident, by) -> TimelineEntry:
    return timeline_add(incident=incident, by=by, kind=TimelineEntry.Kind.FACT,
                        message=gettext_noop("Incident recorded: %(title)s"), params={"title": incident.title})


# --------------------------------------------------------------------------- facts per language, exposed data


def narratives_by_language(narratives: Mapping[str, Mapping[str, str]] | None,
                           loose: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """language -> {fact: text}: the ``narratives`` given per language, plus facts passed one by one
    (``description="..."``), each filed under the language its text is written in (Chinese
    characters: zh-hans, else en), never copied into another language."""
    merged: dict[str, dict[str, str]] = {lang: dict(values) for lang, values in (narratives or {}).items()}
    for name, text in loose.items():
        merged.setdefault(detect_language(text), {})[name] = text
    unknown = {name for values in merged.values() for name in values} - set(NARRATIVE_FIELDS)
    if unknown:
        raise TypeError(f"unknown narrative facts: {sorted(unknown)}")
    return merged


def incident_set_narratives(*, incident: Incident, by, narratives: Mapping[str, Mapping[str, str]],
                            reason: str = "") -> list[str]:
    """Write the narrative facts of each language given (a language not given is left as it is).
    Returns the changed facts as ``narrative:<language>`` names for the timeline."""
    changed, categories_changed = [], False
    for language, values in narratives.items():
        row = IncidentNarrative.objects.select_for_update().filter(incident=incident, language=language).first()
        if row is None:
            if not any((text or "").strip() for text in values.values()):
                continue
            row = IncidentNarrative(incident=incident, language=language)
        names = [name for name, text in values.items() if getattr(row, name) != (text or "")]
        if not names and row.pk is not None:
            continue
        for name in names:
            setattr(row, name, values[name] or "")
        row.full_clean(exclude=["incident"])
        save_with_reason(row, by=by, reason=reason or gettext_noop("facts changed"))
        changed.append(f"narrative:{language}")
        categories_changed = categories_changed or "extra_data_categories" in names
    if categories_changed:
        incident_mark_drafts_outdated(incident=incident, by=by)
    return changed


def exposure_candidates(incident: Incident):
    """The inventory fields staff choose the exposed data from: those of the incident's processing
    activities, directly or through its services, and those already chosen."""
    from inventory_app.models import DataField

    if incident.pk is None:
        return DataField.objects.none()
    return DataField.objects.filter(
        Q(uses__activity__incidents=incident) | Q(uses__activity__services__incidents=incident)
        | Q(exposures__incident=incident)
    ).distinct().order_by("category", "code")


def incident_set_exposed_data(*, incident: Incident, by, fields: Iterable, reason: str = "") -> bool:
    """Record exactly which inventory fields were exposed (a decision per field: nothing is included
    because a service or activity holds it). Drafts already written are flagged out of date. Called
    through ``incident_create``/``incident_update``, which recompute the clocks (sensitive personal
    information changes some of them)."""
    wanted = {field.pk if hasattr(field, "pk") else int(field) for field in fields}
    allowed = set(exposure_candidates(incident).values_list("pk", flat=True))
    outside = wanted - allowed
    if outside:
        raise ValidationError(
            _("Only data fields of the incident's processing activities or services can be chosen as exposed; "
              "add the activity first, or list the data as a category not in the inventory."),
            code="not_a_candidate")
    current = set(incident.exposed_fields.values_list("field_id", flat=True))
    if wanted == current:
        return False
    for row in incident.exposed_fields.filter(field_id__in=current - wanted):
        set_change_reason(row, by=by, reason=reason or gettext_noop("exposed data changed"))
        row.delete()
    for field_id in sorted(wanted - current):
        save_with_reason(ExposedDataField(incident=incident, field_id=field_id), by=by,
                         reason=reason or gettext_noop("exposed data changed"))
    incident_mark_drafts_outdated(incident=incident, by=by)
    return True


def incident_mark_drafts_outdated(*, incident: Incident, by) -> int:
    """Flag the unsent drafts of the incident: they list the exposed data as it was. An approved one
    loses its approval (what it says is no longer what was decided) and needs regenerating."""
    count = 0
    for draft in NoticeDraft.objects.select_for_update().filter(
            obligation__incident=incident, sent_at__isnull=True).select_related("obligation"):
        withdrawn = draft.is_approved
        if draft.outdated and not withdrawn:
            continue
        draft.outdated = True
        if withdrawn:
            draft.approved_by, draft.approved_at = None, None
            draft.approved_version, draft.approved_sha256 = None, ""
        save_with_reason(draft, by=by, reason=gettext_noop("out of date: the exposed data changed"))
        obligation = draft.obligation
        if withdrawn and obligation.status == Obligation.Status.APPROVED and not obligation.drafts.filter(
                approved_at__isnull=False, sent_at__isnull=True).exists():
            obligation_transition(obligation=obligation, by=by, to_status=Obligation.Status.DRAFTED,
                                  reason=gettext_noop("exposed data changed: approval withdrawn"))
        count += 1
    return count


@transaction.atomic
def incident_create(*, by, title: str, discovered_at: datetime,
                    populations: Mapping[str, Mapping] | None = None,
                    activities: Iterable = (), services: Iterable = (), reason: str = "",
                    narratives: Mapping[str, Mapping[str, str]] | None = None,
                    exposed_fields: Iterable = (), **facts) -> Incident:
    """Record an incident (every incident is kept, GDPR Art. 33(5)) and compute its obligations.

    The one way an incident is created, the admin's add page included: the reference is allocated
    here, with a retry when someone else took the same number at the same moment.
    ``narratives`` holds the narrative facts per language; a narrative fact passed on its own is filed
    under the language it is written in."""
    loose = {name: facts.pop(name) for name in list(facts) if name in NARRATIVE_FIELDS}
    narratives = narratives_by_language(narratives, loose)
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown incident fields: {sorted(unknown)}")
    incident = Incident(title=title, discovered_at=discovered_at, owner=facts.pop("owner", by), **facts)
    incident.full_clean(exclude=["reference"])
    # INC-<year>-<nnnn>, numbered per year of recording.
    save_with_next_reference(incident, prefix=f"INC-{timezone.localtime().year}-", digits=4, by=by,
                             reason=reason or gettext_noop("incident recorded"))
    if populations:
        _set_populations(incident, populations, by=by)
    if activities:
        incident.affected_activities.set(activities)
    if services:
        incident.affected_services.set(services)
    if narratives:
        incident_set_narratives(incident=incident, by=by, narratives=narratives, reason=reason)
    if exposed_fields:
        incident_set_exposed_data(incident=incident, by=by, fields=exposed_fields, reason=reason)
    timeline_incident_recorded(incident=incident, by=by)
    incident_recompute_obligations(incident=incident, by=by)
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, by, populations: Mapping[str, Mapping | None] | None = None,
                    activities: Iterable | None = None, services: Iterable | None = None,
                    narratives: Mapping[str, Mapping[str, str]] | None = None,
                    exposed_fields: Iterable | None = None, reason: str = "", **changes) -> Incident:
    """Change facts; the obligations are recomputed and the change goes on the timeline.
    ``exposed_fields`` (None: unchanged) replaces the selection of exposed inventory fields."""
    loose = {name: changes.pop(name) for name in list(changes) if name in NARRATIVE_FIELDS}
    narratives = narratives_by_language(narratives, loose)
    unknown = set(changes) - set(FACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown incident fields: {sorted(unknown)}")
    incident_check_not_frozen(Incident.objects.select_for_update().get(pk=incident.pk))
    changed = [name for name, value in changes.items() if getattr(incident, name) != value]
    for name in changed:
        setattr(incident, name, changes[name])
    if changed:
        incident.full_clean(exclude=["reference"])
        save_with_reason(incident, by=by, reason=reason or gettext_noop("facts changed"))
    if populations:
        changed += [f"population:{j}" for j in _set_populations(incident, populations, by=by)]
    if activities is not None:
        incident.affected_activities.set(activities)
        changed.append("affected_activities")
    if services is not None:
        incident.affected_services.set(services)
        changed.append("affected_services")
    if narratives:
        changed += incident_set_narratives(incident=incident, by=by, narratives=narratives, reason=reason)
    if exposed_fields is not None and incident_set_exposed_data(
            incident=incident, by=by, fields=exposed_fields, reason=reason):
        changed.append("exposed_fields")
    if changed:
        # The timeline shows the changed fields' labels in each reader's language, and the reason as typed.
        timeline_add(incident=incident, by=by, message=gettext_noop("Facts changed: %(fields)s"),
                     params={"fields": changed}, note=reason)
    incident_recompute_obligations(incident=incident, by=by)
    return incident


RECOMPUTED = gettext_noop("recomputed from the incident's facts")
NO_LONGER_APPLIES = gettext_noop("The incident's facts no longer give rise to this obligation.")
# What the timeline says when a recomputation moves an obligation (old -> new, and the rule).
RECOMPUTED_DEADLINE = gettext_noop("%(code)s recomputed: deadline %(from_deadline)s → %(to_deadline)s (%(rule)s)")
RECOMPUTED_APPLICABILITY = gettext_noop(
    "%(code)s recomputed: applies %(from_applicability)s → %(to_applicability)s (%(rule)s)")
RECOMPUTED_BOTH = gettext_noop("%(code)s recomputed: applies %(from_applicability)s → %(to_applicability)s; "
                               "deadline %(from_deadline)s → %(to_deadline)s (%(rule)s)")


@dataclass(frozen=True)
class ObligationChange:
    """A recomputation moved an obligation's deadline or applicability (what the timeline says)."""

    incident: Incident
    code: str
    from_applicability: str  # "" for an obligation that did not exist before
    to_applicability: str
    from_deadline: datetime | None
    to_deadline: datetime | None
    from_deadline_kind: str
    to_deadline_kind: str
    rule: str  # the citation of the rule that moved it


def _deadline_param(kind: str, deadline: datetime | None) -> str:
    """A deadline as a timeline parameter: the instant (ISO, shown in local time) or the kind."""
    if kind == Obligation.DeadlineKind.INSTANT and deadline is not None:
        return deadline.isoformat()
    return kind or ""


@transaction.atomic
def incident_recompute_obligations(*, incident: Incident, by=None, now: datetime | None = None,
                                   reason: str = "") -> list[Obligation]:
    """Store one row per obligation the clocks give for the incident's kind and facts.

    The legal part (applies? deadline, citation, content) is replaced; the workflow part (status,
    sent, decision) is kept. An obligation the facts no longer produce is marked obsolete, never
    deleted: what was sent or decided stays on record. Every move of a deadline or of whether an
    obligation applies goes on the incident's timeline with old -> new and the rule; the history
    row says why (``reason``, default: the facts changed)."""
    return _recompute(incident, by=by, now=now, reason=reason)[0]


def _recompute(incident: Incident, *, by, now: datetime | None, reason: str = "",
               ) -> tuple[list[Obligation], list[ObligationChange]]:
    now = now or timezone.now()
    history_reason = reason or RECOMPUTED
    computed = incident_computed_obligations(incident)
    existing = {o.code: o for o in incident.obligations.select_for_update()}
    first_computation = not existing
    rows, changes = [], []

    def note_change(row, before, rule):
        after = (row.applicability, row.deadline, row.deadline_kind)
        # A deadline moved, or whether it applies; a kind of clock changed only counts when there
        # is no instant to read ("without undue delay" -> "clock not started").
        moved = before[0] != after[0] or before[1] != after[1] or (after[1] is None and before[2] != after[2])
        if first_computation or not moved:
            return
        changes.append(ObligationChange(
            incident=incident, code=row.code, from_applicability=before[0], to_applicability=after[0],
            from_deadline=before[1], to_deadline=after[1], from_deadline_kind=before[2],
            to_deadline_kind=after[2], rule=rule))

    for item in computed:
        row = existing.pop(item.code, None) or Obligation(incident=incident, code=item.code)
        before = (row.applicability, row.deadline, row.deadline_kind) if row.pk else ("", None, "")
        legal = {
            "jurisdiction": item.jurisdiction, "recipient": item.recipient, "applicability": item.status,
            "reason": item.reason, "deadline": item.deadline, "deadline_kind": item.deadline_kind,
            "clock_start": item.clock_start, "citation": item.citation[:300],
            "required_content": list(item.required_content), "unverified": item.unverified,
        }
        if row.pk is None or any(getattr(row, k) != v for k, v in legal.items()):
            for key, value in legal.items():
                setattr(row, key, value)
            row.computed_at = now
            save_with_reason(row, by=by, reason=history_reason)
            note_change(row, before, row.citation)
        rows.append(row)
    for row in existing.values():
        if row.applicability != Obligation.Applicability.OBSOLETE:
            before = (row.applicability, row.deadline, row.deadline_kind)
            row.applicability = Obligation.Applicability.OBSOLETE
            row.reason = NO_LONGER_APPLIES
            row.computed_at = now
            save_with_reason(row, by=by, reason=history_reason)
            note_change(row, before, row.citation)
    for change in changes:
        moved_deadline = (change.from_deadline, change.from_deadline_kind) != (change.to_deadline,
                                                                                change.to_deadline_kind)
        if change.from_applicability == change.to_applicability:
            message = RECOMPUTED_DEADLINE
        elif moved_deadline:
            message = RECOMPUTED_BOTH
        else:
            message = RECOMPUTED_APPLICABILITY
        timeline_add(
            incident=incident, by=by, kind=TimelineEntry.Kind.FACT, message=message,
            params={"code": change.code, "from_applicability": change.from_applicability or "—",
                    "to_applicability": change.to_applicability,
                    "from_deadline": _deadline_param(change.from_deadline_kind, change.from_deadline) or "—",
                    "to_deadline": _deadline_param(change.to_deadline_kind, change.to_deadline),
                    "rule": change.rule},
            note=reason if reason != RECOMPUTED else "",
        )
    incident_refresh_next_deadline(incident=incident)
    return rows, changes


# Open incidents are recomputed in chunks, each incident in a transaction of its own (its
# obligations locked): a rules update over thousands of incidents never holds every row at once.
RECOMPUTE_CHUNK = 200


def recompute_open_incidents(*, by=None, reason: str, now: datetime | None = None) -> list[ObligationChange]:
    """Recompute every open incident's obligations (after a rules update, on deploy); each change
    goes on the incident's timeline with old -> new and the rule, and on the obligation's history
    with ``reason``. Returns the changes."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the clocks are recomputed (e.g. which rules changed)."),
                              code="reason_required")
    changes: list[ObligationChange] = []
    last_pk = 0
    while True:
        pks = list(Incident.objects.open().filter(pk__gt=last_pk).order_by("pk")
                   .values_list("pk", flat=True)[:RECOMPUTE_CHUNK])
        if not pks:
            return changes
        last_pk = pks[-1]
        for pk in pks:
            with transaction.atomic():
                incident = Incident.objects.select_for_update().filter(pk=pk).first()
                if incident is None or incident.status in (Incident.Status.CLOSED, Incident.Status.WITHDRAWN):
                    continue
                changes += _recompute(incident, by=by, now=now, reason=reason)[1]


def incident_refresh_next_deadline(*, incident: Incident) -> None:
    """Store the earliest deadline among the incident's live obligations (a derived value: not a
    fact, so no history row and no new version — the obligations' own history records why)."""
    nearest = incident.obligations.filter(Obligation.live_q()).aggregate(nearest=Min("deadline"))["nearest"]
    Incident.objects.filter(pk=incident.pk).update(next_deadline=nearest)
    incident.next_deadline = nearest


def incident_check_status_change(*, incident: Incident, to_status: str) -> None:
    if incident.status == Incident.Status.CLOSED:
        # Leaving "closed" is re-opening: an act of its own, with a permission and a reason.
        incident_check_not_frozen(incident)
    check_move(incident, to_status=to_status, label=incident.reference)
    if to_status == Incident.Status.CLOSED:
        open_codes = open_required_codes(incident)
        if open_codes:
            raise ValidationError(
                _("The incident cannot be closed while required notifications are still open: %(codes)s. "
                  "Send them, or propose a decision not to notify that someone with the permission "
                  "“%(permission)s” confirms.") % {"codes": ", ".join(open_codes),
                                                  "permission": approval_label("waive_notification")},
                code="open_obligations",
            )


@transaction.atomic
def incident_change_status(*, incident: Incident, by, to_status: str, note: str = "") -> Incident:
    if to_status == Incident.Status.WITHDRAWN:
        return incident_withdraw(incident=incident, by=by, reason=note)
    incident_check_status_change(incident=incident, to_status=to_status)
    _set_status(incident, by=by, to_status=to_status, note=note, reason=note or gettext_noop("status changed"))
    return incident



@transaction.atomic
def incident_reopen(*, incident: Incident, by, reason: str) -> Incident:
    """Re-open a closed incident, with a reason, by someone holding the permission; on the timeline.

    The one way a closed (frozen) incident changes again: corrections after closure go through it."""
    require_approval(user=by, kind="reopen_incident")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the incident is re-opened."), code="reason_required")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != Incident.Status.CLOSED:
        raise ValidationError(_("%(reference)s is not closed.") % {"reference": incident.reference},
                              code="not_closed")
    check_move(incident, to_status=Incident.Status.ASSESSING, label=incident.reference)
    before = incident.status
    incident.status = Incident.Status.ASSESSING
    save_with_reason(incident, by=by, reason=reason, update_fields=["status"])
    timeline_add(incident=incident, by=by, kind=TimelineEntry.Kind.DECISION,
                 message=gettext_noop("Re-opened: %(from)s → %(to)s"),
                 params={"from": before, "to": incident.status}, note=reason)
    return incident


def _set_status(incident: Incident, *, by, to_status: str, note: str, reason: str, also: Iterable[str] = ()) -> None:
    """Store the new status (and the fields named in ``also``) and put the move on the timeline,
    with the person's note as typed."""
    before = incident.status
    incident.status = to_status
    save_with_reason(incident, by=by, reason=reason, update_fields=["status", *also])
    timeline_add(incident=incident, by=by, kind=TimelineEntry.Kind.DECISION,
                 message=gettext_noop("Status: %(from)s → %(to)s"), params={"from": before, "to": to_status},
                 note=note)


def open_required_codes(incident: Incident) -> list[str]:
    """The codes of the incident's REQUIRED notifications neither sent nor decided yet (duties that stand)."""
    return list(incident.obligations.filter(applicability=Obligation.Applicability.REQUIRED)
                .exclude(status__in=Obligation.DONE).values_list("code", flat=True))


def incident_check_withdrawal(*, incident: Incident) -> None:
    """The rules for withdrawing as recorded in error: a status it may leave, and no notice sent."""
    incident_check_status_change(incident=incident, to_status=Incident.Status.WITHDRAWN)
    sent = list(incident.obligations.filter(status=Obligation.Status.SENT).values_list("code", flat=True))
    if sent:
        raise ValidationError(
            _("Notices were already sent for this incident (%(codes)s): it cannot be withdrawn as recorded in "
              "error. Close it instead.") % {"codes": ", ".join(sent)}, code="notified")


@transaction.atomic
def incident_withdraw(*, incident: Incident, by, reason: str) -> Incident:
    """Withdraw an incident recorded in error (not a breach, a duplicate, a test), with the reason.

    It stays in the register (GDPR Art. 33(5)) with its history and timeline; its open
    notification obligations are decided "not to notify" with the same reason, so no clock or
    reminder runs for it. Refused once a notice went out: a notified incident is closed, not
    withdrawn.

    While a REQUIRED notification is still open, withdrawing removes a legal duty, exactly as a
    decision not to notify it would: it is only proposed here, and takes effect when someone else
    holding the permission confirms it (``incident_confirm_withdrawal``); the clocks run until then.
    Returns the incident: ``status`` says whether it was withdrawn or ``withdrawal_pending``."""
    reason = (reason or "").strip()
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not reason:
        raise ValidationError(_("Say why the incident is withdrawn (it stays in the register with this reason)."),
                              code="reason_required")
    incident_check_withdrawal(incident=incident)
    if incident.withdrawal_pending:
        raise ValidationError(
            _("A withdrawal of %(reference)s is already proposed: it is confirmed or declined first.")
            % {"reference": incident.reference}, code="already_proposed")
    required = open_required_codes(incident)
    if required:
        incident.withdrawal_proposed_by = by
        incident.withdrawal_proposed_at = timezone.now()
        incident.withdrawal_reason = reason
        save_with_reason(incident, by=by, reason=gettext_noop("withdrawal proposed"), update_fields=PROPOSAL_FIELDS)
        timeline_add(incident=incident, by=by, kind=TimelineEntry.Kind.DECISION,
                     message=gettext_noop("Proposed to withdraw the incident (recorded in error) while required "
                                          "notifications are open: %(codes)s; awaiting confirmation"),
                     params={"codes": ", ".join(required)}, note=reason)
        return incident
    _withdraw(incident, by=by, reason=reason)
    return incident


def _withdraw(incident: Incident, *, by, reason: str) -> None:
    for obligation in list(incident.obligations.live()):
        obligation_decide_not_to_notify(obligation=obligation, by=by, reason=reason, incident_withdrawn=True)
    # A confirmed proposal is settled (the timeline and history keep who proposed it): cleared, so a
    # later re-opening does not bring it back as pending.
    incident.withdrawal_proposed_by, incident.withdrawal_proposed_at, incident.withdrawal_reason = None, None, ""
    _set_status(incident, by=by, to_status=Incident.Status.WITHDRAWN, note=reason, reason=reason,
                also=PROPOSAL_FIELDS)


@transaction.atomic
def incident_confirm_withdrawal(*, incident: Incident, by) -> Incident:
    """A second person, holding the permission, confirms a proposed withdrawal: the incident is
    withdrawn and its open obligations decided not to notify, with the proposer's reason."""
    require_approval(user=by, kind="waive_notification")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.withdrawal_pending:
        raise ValidationError(_("No withdrawal of %(reference)s is proposed.") % {"reference": incident.reference},
                              code="no_proposal")
    if incident.withdrawal_proposed_by_id == getattr(by, "pk", None):
        raise ValidationError(
            _("You proposed to withdraw %(reference)s: someone else must confirm it.")
            % {"reference": incident.reference}, code="same_person")
    # Checked again: a notice may have been sent, or the status moved, since it was proposed.
    incident_check_withdrawal(incident=incident)
    reason = incident.withdrawal_reason
    proposer = incident.withdrawal_proposed_by
    timeline_add(incident=incident, by=by, kind=TimelineEntry.Kind.DECISION,
                 message=gettext_noop("Withdrawal proposed by %(proposer)s confirmed"),
                 params={"proposer": str(proposer or "")}, note=reason)
    _withdraw(incident, by=by, reason=reason)
    return incident


@transaction.atomic
def incident_decline_withdrawal(*, incident: Incident, by, reason: str = "") -> Incident:
    """Decline (or, as its proposer, take back) a proposed withdrawal: the incident and its duties stand."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.withdrawal_pending:
        raise ValidationError(_("No withdrawal of %(reference)s is proposed.") % {"reference": incident.reference},
                              code="no_proposal")
    if incident.withdrawal_proposed_by_id != getattr(by, "pk", None):  # the proposer may take it back
        require_approval(user=by, kind="waive_notification")
    incident.withdrawal_proposed_by, incident.withdrawal_proposed_at, incident.withdrawal_reason = None, None, ""
    save_with_reason(incident, by=by, reason=gettext_noop("proposed withdrawal declined"),
                     update_fields=PROPOSAL_FIELDS)
    timeline_add(incident=incident, by=by, kind=TimelineEntry.Kind.DECISION,
                 message=gettext_noop("Proposed withdrawal declined: the incident and its notifications stand"),
                 note=(reason or "").strip())
    return incident


# --------------------------------------------------------------------------- obligations


def obligation_check_transition(*, obligation: Obligation, to_status: str) -> None:
    check_move(obligation, to_status=to_status, label=obligation.code)


def obligation_transition(*, obligation: Obligation, by, to_status: str, reason: str = "") -> Obligation:
    """Workflow moves without extra facts (pending ↔ drafted ↔ approved, reopen a decision).

    Sending and declining carry facts of their own: use ``obligation_mark_sent`` and
    ``obligation_decide_not_to_notify``.
    """
    if to_status in Obligation.DONE:
        raise ValidationError(_("Use “mark sent” or “decide not to notify”: they record when, how and why."),
                              code="needs_details")
    incident_check_not_frozen(obligation.incident)
    obligation_check_transition(obligation=obligation, to_status=to_status)
    if obligation.status == Obligation.Status.NOT_NOTIFIED:
        obligation.decided_by, obligation.decided_at, obligation.decision_reason = None, None, ""
    obligation.status = to_status
    save_with_reason(obligation, by=by, reason=reason or gettext_noop("status changed"))
    incident_refresh_next_deadline(incident=obligation.incident)
    return obligation



@transaction.atomic
def obligation_decide_not_to_notify(*, obligation: Obligation, by, reason: str, legal_basis: str = "",
                                    incident_withdrawn: bool = False) -> Obligation:
    """Record who decided not to notify, and why (kept in the Art. 33(5) register).

    For a REQUIRED notification this removes a legal duty, so it is only proposed here (reasons and
    the legal basis both needed); it takes effect when someone else holding the permission confirms
    it (``obligation_confirm_not_to_notify``), and the clock runs until then.

    ``incident_withdrawn``: the decision follows from withdrawing the incident as recorded in error
    (``incident_withdraw``); the reason is the withdrawal's, and the records say so."""
    reason = (reason or "").strip()
    legal_basis = (legal_basis or "").strip()
    obligation = Obligation.objects.select_for_update().select_related("incident").get(pk=obligation.pk)
    if not reason:
        raise ValidationError(_("Say why it was decided not to notify."), code="reason_required")
    incident_check_not_frozen(obligation.incident)
    obligation_check_transition(obligation=obligation, to_status=Obligation.Status.NOT_NOTIFIED)
    if obligation.applicability == Obligation.Applicability.REQUIRED and not incident_withdrawn:
        return _propose_not_to_notify(obligation, by=by, reason=reason, legal_basis=legal_basis)
    _decide_not_to_notify(obligation, by=by, reason=reason, incident_withdrawn=incident_withdrawn)
    return obligation


def _propose_not_to_notify(obligation: Obligation, *, by, reason: str, legal_basis: str) -> Obligation:
    if not legal_basis:
        raise ValidationError(_("Name the legal basis for not notifying a required notification."),
                              code="legal_basis_required")
    obligation.waiver_proposed_by = by
    obligation.waiver_proposed_at = timezone.now()
    obligation.waiver_reason = reason
    obligation.waiver_legal_basis = legal_basis
    save_with_reason(obligation, by=by, reason=gettext_noop("decision not to notify proposed"))
    timeline_add(incident=obligation.incident, by=by, kind=TimelineEntry.Kind.DECISION,
                 message=gettext_noop("Proposed not to notify %(code)s (legal basis: %(basis)s); awaiting confirmation"),
                 params={"code": obligation.code, "basis": legal_basis}, note=reason)
    return obligation


def obligation_check_confirmable(obligation: Obligation, *, by) -> None:
    """Refuse confirming a decision not to notify that nobody proposed, that ``by`` proposed (a
    second person confirms), on a frozen incident, or that the status rules do not allow."""
    if not obligation.waiver_proposed:
        raise ValidationError(_("%(code)s has no proposed decision not to notify.") % {"code": obligation.code},
                              code="no_proposal")
    if obligation.waiver_proposed_by_id == getattr(by, "pk", None):
        raise ValidationError(
            _("You proposed not to notify %(code)s: someone else must confirm it.") % {"code": obligation.code},
            code="same_person")
    incident_check_not_frozen(obligation.incident)
    obligation_check_transition(obligation=obligation, to_status=Obligation.Status.NOT_NOTIFIED)


@transaction.atomic
def obligation_confirm_not_to_notify(*, obligation: Obligation, by) -> Obligation:
    """A second person, holding the permission, confirms a proposed decision not to notify."""
    require_approval(user=by, kind="waive_notification")
    obligation = Obligation.objects.select_for_update().select_related("incident").get(pk=obligation.pk)
    obligation_check_confirmable(obligation, by=by)
    reason = f"{obligation.waiver_reason}\n{_('Legal basis')}: {obligation.waiver_legal_basis}"
    _decide_not_to_notify(obligation, by=by, reason=reason, incident_withdrawn=False)
    return obligation


@transaction.atomic
def obligation_reject_not_to_notify(*, obligation: Obligation, by, reason: str = "") -> Obligation:
    """Turn down (or, as its proposer, take back) a proposed decision not to notify: the duty stands."""
    obligation = Obligation.objects.select_for_update().select_related("incident").get(pk=obligation.pk)
    if not obligation.waiver_proposed:
        raise ValidationError(_("%(code)s has no proposed decision not to notify.") % {"code": obligation.code},
                              code="no_proposal")
    if obligation.waiver_proposed_by_id != getattr(by, "pk", None):  # the proposer may take it back
        require_approval(user=by, kind="waive_notification")
    obligation.waiver_proposed_by, obligation.waiver_proposed_at = None, None
    obligation.waiver_reason, obligation.waiver_legal_basis = "", ""
    save_with_reason(obligation, by=by, reason=gettext_noop("proposed decision not to notify turned down"))
    timeline_add(incident=obligation.incident, by=by, kind=TimelineEntry.Kind.DECISION,
                 message=gettext_noop("Proposal not to notify %(code)s turned down: the notification stays required"),
                 params={"code": obligation.code}, note=(reason or "").strip())
    return obligation


def _decide_not_to_notify(obligation: Obligation, *, by, reason: str, incident_withdrawn: bool) -> None:
    obligation.status = Obligation.Status.NOT_NOTIFIED
    obligation.decided_by = by
    obligation.decided_at = timezone.now()
    obligation.decision_reason = reason
    if incident_withdrawn:
        history_reason = gettext_noop("incident withdrawn: decided not to notify")
        message = gettext_noop("Decided not to notify (%(code)s): incident withdrawn")
    else:
        history_reason = gettext_noop("decided not to notify")
        message = gettext_noop("Decided not to notify (%(code)s)")
    save_with_reason(obligation, by=by, reason=history_reason)
    incident_refresh_next_deadline(incident=obligation.incident)
    timeline_add(incident=obligation.incident, by=by, kind=TimelineEntry.Kind.DECISION, message=message,
                 params={"code": obligation.code}, note=reason)


# --------------------------------------------------------------------------- decisions on a set of obligations
#
# The list actions "decide not to notify", "confirm" and "turn down" apply one decision to up to
# BULK_ACTION_MAX_ROWS obligations. Each obligation is checked by the same rules as the one-row
# services above (closed incident, allowed move, two people for a required duty), in memory over
# rows locked by one query; the accepted ones are written as a set: one UPDATE, and their history,
# audit-log and timeline rows each in one INSERT, and the incidents' nearest deadlines in one
# UPDATE. A thousand obligations cost the queries of ten, instead of about twelve per obligation.


def obligations_locked(*, ids: Iterable[int]) -> list[Obligation]:
    """The obligations ``ids`` with their incidents, locked (in id order, as every writer of several
    rows locks them, so two bulk actions cannot deadlock) until the transaction ends."""
    return list(Obligation.objects.select_for_update(of=("self",)).select_related("incident")
                .filter(pk__in=sorted(set(ids))).order_by("pk"))


def _write_obligation_set(rows: list[tuple[Obligation, Obligation]], *, values: Mapping, by, reason: str,
                          now: datetime, timeline, refresh_deadlines: bool) -> None:
    """Write ``rows`` ((before, after) pairs of the same obligation, ``after`` holding the new values)
    as one UPDATE setting ``values`` (the same for every row: a per-row CASE of a bulk_update costs
    the database a thousand comparisons a row at a thousand rows), each with the history row a save
    would write (``reason``, ``by``), its audit-log entry and the timeline entry ``timeline(after)``
    returns as (message, params, note), if ``timeline`` is given."""
    if not rows:
        return
    changed = [after for _before, after in rows]
    # The rows are locked and their versions were checked: version + 1 is each ``after.version``.
    Obligation.objects.filter(pk__in=[a.pk for a in changed]).update(**values, version=F("version") + 1)
    _history_set(Obligation, rows, by=by, reason=reason, now=now)
    actor = by if getattr(by, "pk", None) else None
    if timeline is not None:
        TimelineEntry.objects.bulk_create([
            TimelineEntry(incident_id=after.incident_id, kind=TimelineEntry.Kind.DECISION, message=message,
                          params=dict(params), note=note, by=actor, at=now, recorded_at=now)
            for after in changed for message, params, note in [timeline(after)]
        ])
    if refresh_deadlines:
        incidents_refresh_next_deadline(ids={after.incident_id for after in changed})


def _history_set(model, rows: list[tuple], *, by, reason: str, now: datetime) -> None:
    """The history rows ``save_with_reason(after, by=by, reason=reason)`` would write for each
    (before, after) pair of ``model`` rows already updated in bulk, in one INSERT, and their
    audit-log entries in another."""
    from privacy_office.audit import changes_between, entry_for
    from privacy_office.models import AuditLogEntry

    actor = by if getattr(by, "pk", None) else None
    before = {b.pk: b for b, _after in rows}
    after = {a.pk: a for _before, a in rows}
    records = model.history.bulk_history_create(
        list(after.values()), update=True, default_user=actor, default_change_reason=reason, default_date=now)
    # bulk_history_create sends no signal: the audit log is written here, diffed against the row as read.
    AuditLogEntry.objects.bulk_create([
        entry_for(record, changes=changes_between(record, before[record.id]), instance=after[record.id])
        for record in records])


def incidents_refresh_next_deadline(*, ids: Iterable[int]) -> None:
    """``incident_refresh_next_deadline`` for several incidents in one UPDATE."""
    from django.db.models import OuterRef, Subquery

    nearest = (Obligation.objects.filter(Obligation.live_q(), incident=OuterRef("pk")).order_by()
               .values("incident").annotate(nearest=Min("deadline")).values("nearest"))
    Incident.objects.filter(pk__in=list(ids)).update(next_deadline=Subquery(nearest))


def _refusal(obligation: Obligation, check) -> ValidationError | None:
    try:
        check()
    except ValidationError as exc:
        return exc
    return None


def obligations_decide_not_to_notify(*, obligations: list[Obligation], by, reason: str,
                                     legal_basis: str = "") -> tuple[int, dict[int, Exception]]:
    """``obligation_decide_not_to_notify`` for a set of obligations read by ``obligations_locked``
    (call inside its transaction): a required one is proposed (legal basis needed), any other is
    decided. Returns how many were written and, per obligation id, why one was refused."""
    reason = (reason or "").strip()
    legal_basis = (legal_basis or "").strip()
    if not reason:
        raise ValidationError(_("Say why it was decided not to notify."), code="reason_required")
    now = timezone.now()
    refused: dict[int, Exception] = {}
    decided, proposed = [], []
    for obligation in obligations:
        def check(o=obligation):
            incident_check_not_frozen(o.incident)
            obligation_check_transition(obligation=o, to_status=Obligation.Status.NOT_NOTIFIED)
            if o.applicability == Obligation.Applicability.REQUIRED and not legal_basis:
                raise ValidationError(_("Name the legal basis for not notifying a required notification."),
                                      code="legal_basis_required")
        error = _refusal(obligation, check)
        if error is not None:
            refused[obligation.pk] = error
            continue
        before, after = _copy(obligation), obligation
        after.version += 1
        if obligation.applicability == Obligation.Applicability.REQUIRED:
            after.waiver_proposed_by, after.waiver_proposed_at = by, now
            after.waiver_reason, after.waiver_legal_basis = reason, legal_basis
            proposed.append((before, after))
        else:
            after.status, after.decided_by, after.decided_at, after.decision_reason = (
                Obligation.Status.NOT_NOTIFIED, by, now, reason)
            decided.append((before, after))
    _write_obligation_set(
        proposed, by=by, reason=gettext_noop("decision not to notify proposed"), now=now, refresh_deadlines=False,
        values=dict(waiver_proposed_by=by, waiver_proposed_at=now, waiver_reason=reason,
                    waiver_legal_basis=legal_basis),
        timeline=lambda o: (gettext_noop("Proposed not to notify %(code)s (legal basis: %(basis)s); awaiting "
                                         "confirmation"), {"code": o.code, "basis": legal_basis}, reason))
    _write_obligation_set(
        decided, by=by, reason=gettext_noop("decided not to notify"), now=now, refresh_deadlines=True,
        values=dict(status=Obligation.Status.NOT_NOTIFIED, decided_by=by, decided_at=now, decision_reason=reason),
        timeline=lambda o: (gettext_noop("Decided not to notify (%(code)s)"), {"code": o.code}, reason))
    return len(proposed) + len(decided), refused


def obligations_confirm_not_to_notify(*, obligations: list[Obligation], by) -> tuple[int, dict[int, Exception]]:
    """``obligation_confirm_not_to_notify`` for a set read by ``obligations_locked``: each
    proposal is confirmed by someone other than its proposer, holding the permission."""
    require_approval(user=by, kind="waive_notification")
    now = timezone.now()
    basis = f"\n{_('Legal basis')}: "  # as obligation_confirm_not_to_notify writes it
    refused: dict[int, Exception] = {}
    decided = []
    for obligation in obligations:
        error = _refusal(obligation, lambda o=obligation: obligation_check_confirmable(o, by=by))
        if error is not None:
            refused[obligation.pk] = error
            continue
        before, after = _copy(obligation), obligation
        after.version += 1
        after.status, after.decided_by, after.decided_at = Obligation.Status.NOT_NOTIFIED, by, now
        after.decision_reason = f"{obligation.waiver_reason}{basis}{obligation.waiver_legal_basis}"
        decided.append((before, after))
    _write_obligation_set(
        decided, by=by, reason=gettext_noop("decided not to notify"), now=now, refresh_deadlines=True,
        values=dict(status=Obligation.Status.NOT_NOTIFIED, decided_by=by, decided_at=now, decision_reason=Concat(
            F("waiver_reason"), Value(basis), F("waiver_legal_basis"), output_field=TextField())),
        timeline=lambda o: (gettext_noop("Decided not to notify (%(code)s)"), {"code": o.code}, o.decision_reason))
    return len(decided), refused


def obligations_reject_not_to_notify(*, obligations: list[Obligation], by,
                                     reason: str = "") -> tuple[int, dict[int, Exception]]:
    """``obligation_reject_not_to_notify`` for a set read by ``obligations_locked``: the proposer
    may take their own proposal back; anyone else needs the permission."""
    from django.core.exceptions import PermissionDenied

    from privacy_office.roles import approval_permission, holds_approval, missing_permission_message

    note = (reason or "").strip()
    may_turn_down = holds_approval(by, "waive_notification")
    now = timezone.now()
    refused: dict[int, Exception] = {}
    turned_down = []
    for obligation in obligations:
        if not obligation.waiver_proposed:
            refused[obligation.pk] = ValidationError(
                _("%(code)s has no proposed decision not to notify.") % {"code": obligation.code}, code="no_proposal")
            continue
        if obligation.waiver_proposed_by_id != getattr(by, "pk", None) and not may_turn_down:
            refused[obligation.pk] = PermissionDenied(missing_permission_message(
                approval_permission("waive_notification")))
            continue
        before, after = _copy(obligation), obligation
        after.version += 1
        after.waiver_proposed_by, after.waiver_proposed_at = None, None
        after.waiver_reason, after.waiver_legal_basis = "", ""
        turned_down.append((before, after))
    _write_obligation_set(
        turned_down, by=by, reason=gettext_noop("proposed decision not to notify turned down"), now=now,
        refresh_deadlines=False,
        values=dict(waiver_proposed_by=None, waiver_proposed_at=None, waiver_reason="", waiver_legal_basis=""),
        timeline=lambda o: (gettext_noop("Proposal not to notify %(code)s turned down: the notification stays "
                                         "required"), {"code": o.code}, note))
    return len(turned_down), refused


def _copy(obligation: Obligation) -> Obligation:
    """The obligation as read, to diff the written row against (fields only; no query)."""
    import copy

    return copy.copy(obligation)


def obligation_check_sendable(*, obligation: Obligation) -> list[NoticeDraft]:
    """The approved drafts not sent yet that marking ``obligation`` sent would send; refused (with
    what to do) when it has none, so the page can say so before anyone fills in the form."""
    if obligation.status != Obligation.Status.APPROVED:
        kind = notices.notice_kind(obligation)
        raise ValidationError(
            _("%(code)s has no approved draft: someone with the permission “%(permission)s” must approve it "
              "before it is marked sent.") % {"code": obligation.code, "permission": approval_label(kind)},
            code="not_approved")
    drafts = list(obligation.drafts.filter(approved_at__isnull=False, sent_at__isnull=True))
    if not drafts:
        raise ValidationError(_("%(code)s has no approved draft left to send.") % {"code": obligation.code},
                              code="not_approved")
    return drafts


def obligations_check_sendable(*, obligations: list[Obligation]) -> dict[int, ValidationError]:
    """``obligation_check_sendable`` for a list page's selection, in one query: per obligation id,
    why it cannot be marked sent (those missing from the answer can)."""
    approved = [o.pk for o in obligations if o.status == Obligation.Status.APPROVED]
    with_drafts = set(NoticeDraft.objects.filter(obligation__in=approved, approved_at__isnull=False,
                                                 sent_at__isnull=True).values_list("obligation_id", flat=True))
    refused = {}
    for obligation in obligations:
        if obligation.pk in with_drafts:
            continue
        try:
            obligation_check_sendable(obligation=obligation)  # raises, saying why (no query when not approved)
        except ValidationError as exc:
            refused[obligation.pk] = exc
    return refused


@transaction.atomic
def obligation_mark_sent(*, obligation: Obligation, by, channel: str, reference: str = "",
                         sent_at: datetime | None = None, late_reason: str = "") -> Obligation:
    """Mark an approved obligation sent: its approved drafts are sent too, their text frozen."""
    obligation = Obligation.objects.select_for_update().select_related("incident").get(pk=obligation.pk)
    incident_check_not_frozen(obligation.incident)
    drafts = obligation_check_sendable(obligation=obligation)
    for draft in drafts:
        notice_draft_mark_sent(draft=draft, by=by, channel=channel, reference=reference, sent_at=sent_at,
                               late_reason=late_reason)
    obligation.refresh_from_db()
    return obligation


def _obligation_sent(obligation: Obligation, *, by, channel: str, reference: str, sent_at: datetime,
                     late_reason: str) -> None:
    if obligation.status == Obligation.Status.SENT:
        return
    obligation_check_transition(obligation=obligation, to_status=Obligation.Status.SENT)
    obligation.status = Obligation.Status.SENT
    obligation.sent_at = sent_at
    obligation.channel = channel
    obligation.regulator_reference = reference
    save_with_reason(obligation, by=by, reason=gettext_noop("marked sent"))
    incident = obligation.incident
    incident_refresh_next_deadline(incident=incident)
    params = {"code": obligation.code, "channel": channel or "—"}
    if reference:
        message = gettext_noop("Sent %(code)s via %(channel)s (%(reference)s)")
        params["reference"] = reference
    else:
        message = gettext_noop("Sent %(code)s via %(channel)s")
    timeline_add(incident=incident, by=by, kind=TimelineEntry.Kind.NOTIFICATION, at=sent_at, message=message,
                 params=params, late_reason=late_reason)
    # Civ. Code §1798.82(f): the Attorney General's 15 days run from the resident notice.
    if obligation.code == "US-CA-IND" and incident.resident_notice_sent_at is None:
        incident.resident_notice_sent_at = sent_at
        save_with_reason(incident, by=by, reason=gettext_noop("California resident notice sent"),
                         update_fields=["resident_notice_sent_at"])
        incident_recompute_obligations(incident=incident, by=by)
    elif obligation.code in CLOCK_STARTING_CODES:
        # Its sent time starts another clock (BR complementary information, CRA final report).
        incident_recompute_obligations(incident=incident, by=by)


# --------------------------------------------------------------------------- drafts


def _draft_phase(obligation: Obligation, phase: str | None) -> str:
    if phase:
        return phase
    # The final and the complementary reports of a multi-stage duty (CN summary, JP confirmed report,
    # CRA final reports; BR complementary information, RU investigation results).
    if obligation.code.endswith("-FINAL"):
        return NoticeDraft.Phase.FINAL
    if obligation.code in ("BR-ANPD-SUPP", "RU-RKN-72H"):
        return NoticeDraft.Phase.FOLLOW_UP
    return NoticeDraft.Phase.INITIAL


@transaction.atomic
def notice_draft_generate(*, obligation: Obligation, by, language: str, phase: str | None = None) -> NoticeDraft:
    """(Re)write the draft from the incident's current facts.

    An approved or sent draft is left as it is: regenerating must never silently change what a
    manager approved or what went out. A draft a person edited is kept too: the new machine text is
    offered beside it (``proposed_body``), and the person adopts it or keeps their edit
    (``notice_draft_adopt_generated`` / ``notice_draft_keep_edit``).
    """
    incident_check_not_frozen(obligation.incident)
    phase = _draft_phase(obligation, phase)
    rendered = notices.render_draft(obligation, language, phase)
    draft = NoticeDraft.objects.select_for_update().filter(
        obligation=obligation, language=language, phase=phase).first()
    if draft is not None and (draft.is_sent or draft.is_approved):
        return draft
    if draft is None:
        draft = NoticeDraft(obligation=obligation, language=language, phase=phase)
    elif draft.body == rendered.body:
        if draft.generated_body != rendered.body or draft.proposed_body or draft.outdated:
            draft.generated_body, draft.proposed_body, draft.proposed_at = rendered.body, "", None
            draft.outdated = False
            save_with_reason(draft, by=by, reason=gettext_noop("generated from the incident's facts"))
        return draft
    elif draft.is_edited:
        if rendered.body not in (draft.proposed_body, draft.generated_body):
            draft.proposed_body = rendered.body
            draft.proposed_at = timezone.now()
            save_with_reason(draft, by=by, reason=gettext_noop("new generated text offered beside the edited text"))
        return draft
    draft.kind = rendered.kind
    draft.body = rendered.body
    draft.generated_body = rendered.body
    draft.proposed_body, draft.proposed_at = "", None
    draft.outdated = False
    draft.missing_content = rendered.missing
    draft.generated_at = timezone.now()
    save_with_reason(draft, by=by, reason=gettext_noop("generated from the incident's facts"))
    if obligation.status == Obligation.Status.PENDING:
        obligation_transition(obligation=obligation, by=by, to_status=Obligation.Status.DRAFTED,
                              reason=gettext_noop("draft generated"))
    return draft


@transaction.atomic
def incident_generate_drafts(*, incident: Incident, by, phase: str | None = None,
                             languages: Iterable[str] | None = None) -> list[NoticeDraft]:
    """Drafts in every language of the office (``settings.LANGUAGES``) for every obligation that still needs one."""
    if languages is None:
        languages = [code for code, _name in settings.LANGUAGES]
    drafts = []
    for obligation in incident.obligations.live().select_related("incident"):
        for language in languages:
            drafts.append(notice_draft_generate(obligation=obligation, by=by, language=language, phase=phase))
    if drafts:
        timeline_add(incident=incident, by=by, kind=TimelineEntry.Kind.NOTE,
                     message=gettext_noop("Drafts generated for %(codes)s"),
                     params={"codes": ", ".join(sorted({d.obligation.code for d in drafts}))})
    return drafts


@transaction.atomic
def notice_draft_update(*, draft: NoticeDraft, by, body: str, reason: str = "") -> NoticeDraft:
    """Edit a draft's text. A sent draft is frozen; editing an approved one withdraws the approval."""
    draft = NoticeDraft.objects.select_for_update().select_related("obligation__incident").get(pk=draft.pk)
    if draft.is_sent:
        raise ValidationError(
            _("This notice was sent on %(date)s: its text is frozen and cannot be edited.")
            % {"date": localize(timezone.localtime(draft.sent_at))}, code="frozen")
    incident_check_not_frozen(draft.obligation.incident)
    if body == draft.body:
        return draft
    return _set_body(draft, by=by, body=body, reason=reason or gettext_noop("text edited"))


def _set_body(draft: NoticeDraft, *, by, body: str, reason: str) -> NoticeDraft:
    draft.body = body
    # A flagged fact stays "missing" while its marker is still in the text.
    draft.missing_content = [k for k in draft.missing_content if notices.missing_marker(k, draft.language) in body]
    withdrawn = draft.is_approved
    if withdrawn:
        draft.approved_by, draft.approved_at = None, None
        draft.approved_version, draft.approved_sha256 = None, ""
    save_with_reason(draft, by=by, reason=reason)
    obligation = draft.obligation
    if withdrawn and obligation.status == Obligation.Status.APPROVED and not obligation.drafts.filter(
            approved_at__isnull=False, sent_at__isnull=True).exists():
        obligation_transition(obligation=obligation, by=by, to_status=Obligation.Status.DRAFTED,
                              reason=gettext_noop("approved draft edited: approval withdrawn"))
    return draft


def _locked_unsent_draft(draft: NoticeDraft) -> NoticeDraft:
    draft = NoticeDraft.objects.select_for_update().select_related("obligation__incident").get(pk=draft.pk)
    if draft.is_sent:
        raise ValidationError(_("This notice was already sent."), code="frozen")
    incident_check_not_frozen(draft.obligation.incident)
    return draft


@transaction.atomic
def notice_draft_adopt_generated(*, draft: NoticeDraft, by) -> NoticeDraft:
    """Replace the edited text with the newly generated one offered beside it (the person's choice)."""
    draft = _locked_unsent_draft(draft)
    if not draft.proposed_body:
        raise ValidationError(_("No newly generated text is waiting for this draft."), code="no_proposal")
    proposed = draft.proposed_body
    draft.generated_body, draft.proposed_body, draft.proposed_at = proposed, "", None
    draft.outdated = False
    if proposed == draft.body:
        save_with_reason(draft, by=by, reason=gettext_noop("newly generated text adopted"))
        return draft
    return _set_body(draft, by=by, body=proposed, reason=gettext_noop("newly generated text adopted"))


@transaction.atomic
def notice_draft_keep_edit(*, draft: NoticeDraft, by) -> NoticeDraft:
    """Keep the edited text and set the newly generated one aside (it is not offered again)."""
    draft = _locked_unsent_draft(draft)
    if not draft.proposed_body:
        raise ValidationError(_("No newly generated text is waiting for this draft."), code="no_proposal")
    draft.generated_body, draft.proposed_body, draft.proposed_at = draft.proposed_body, "", None
    draft.outdated = False  # the person read the new text and kept theirs
    save_with_reason(draft, by=by, reason=gettext_noop("edited text kept; newly generated text set aside"))
    return draft


def notice_draft_shown_text(draft: NoticeDraft, version: int) -> str | None:
    """The draft's text as it stood at ``version`` (from its history), or None if not known."""
    record = draft.history.filter(version=version).order_by("-history_date", "-history_id").first()
    return record.body if record is not None else None


def notice_draft_approve(*, draft: NoticeDraft, by, version: int | None = None,
                         text_sha256: str | None = None) -> NoticeDraft:
    """Someone with the approval permission for the draft's kind approves the text for sending.

    The approval binds to the text the approver was shown: its ``version`` and ``text_sha256``
    (by default those of the ``draft`` instance passed in, i.e. as the caller loaded it). Any other
    version or text is refused, with the difference between what was shown and what is there now.
    One draft through ``notice_drafts_approve``: its refusal is raised.
    """
    version = draft.version if version is None else version
    text_sha256 = notices.text_sha256(draft.body) if text_sha256 is None else text_sha256
    result = notice_drafts_approve(shown={draft.pk: (version, text_sha256)}, by=by)
    if result.refused:
        raise result.refused[draft.pk]
    return (result.approved or result.skipped)[0]


@dataclass
class DraftApprovals:
    """What ``notice_drafts_approve`` did: the drafts it ``approved``, those it left because they
    were ``skipped`` (already approved), and, per draft id, why one was ``refused``. When anything
    was refused, nothing was approved."""

    approved: list[NoticeDraft]
    skipped: list[NoticeDraft]
    refused: dict[int, Exception]
    drafts: dict[int, NoticeDraft]  # every draft read, by id (to name a refused one)


class _TextSHA256(SHA256):
    """``notices.text_sha256`` computed by the database: PostgreSQL's own sha256() (Django's SHA256
    needs the pgcrypto extension there); SQLite runs Django's Python function."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')",
                           **extra_context)


def _draft_refusal(draft: NoticeDraft, *, by, version: int, text_sha256: str) -> Exception | None:
    """Why ``draft`` (locked, with its obligation and incident) cannot be approved as shown, or None
    (checked in this order: permission for its kind, sent, closed incident; an approved draft is
    then skipped by the caller; the version and text shown, out of date, missing facts)."""
    from django.core.exceptions import PermissionDenied

    try:
        require_approval(user=by, kind=draft.kind)
    except PermissionDenied as exc:
        return exc
    if draft.is_sent:
        return ValidationError(_("This notice was already sent."), code="frozen")
    error = _refusal(draft, lambda: incident_check_not_frozen(draft.obligation.incident))
    if error is not None or draft.is_approved:
        return error
    if draft.version != version or notices.text_sha256(draft.body) != text_sha256:
        # The difference is filled in by the caller (one history query for every such draft).
        return ValidationError(
            _("The text changed after you opened it (you read version %(shown)s, it is now version %(now)s), so "
              "nothing was approved. Read the text as it is now and approve again.")
            % {"shown": version, "now": draft.version},
            code="text_changed", params={"diff": ""})
    if draft.outdated:
        return ValidationError(
            _("The exposed data of the incident changed after this draft was generated: the draft does not list "
              "what was decided. Regenerate it (or adopt the newly generated text) before approving."),
            code="outdated")
    markers = notices.markers_in(draft.body)
    if markers:
        return ValidationError(
            _("The draft still flags missing facts: %(items)s. Add them to the incident and regenerate the draft, "
              "or edit the text, before approving.") % {"items": " ".join(dict.fromkeys(markers))},
            code="missing_facts")
    return None


def _show_differences(refused: dict[int, Exception], drafts: dict[int, NoticeDraft],
                      shown: Mapping[int, tuple[int, str]]) -> None:
    """Fill in, for each draft refused because its text changed, the difference between the text
    shown (read from the draft's history, in one query) and the text now, when the history holds
    the text shown."""
    from functools import reduce
    from operator import or_

    changed = [pk for pk, exc in refused.items() if getattr(exc, "code", None) == "text_changed"]
    if not changed:
        return
    texts = {}
    for record in (NoticeDraft.history.filter(reduce(or_, (Q(id=pk, version=shown[pk][0]) for pk in changed)))
                   .order_by("history_date", "history_id").only("id", "version", "body")):
        texts[record.id] = record.body  # the latest record of that version wins
    for pk in changed:
        text = texts.get(pk)
        if text is not None and notices.text_sha256(text) == shown[pk][1]:
            refused[pk].params["diff"] = notices.text_diff(
                text, drafts[pk].body, before_label=_("the text you read"), after_label=_("the text now"))


@transaction.atomic
def notice_drafts_approve(*, shown: Mapping[int, tuple[int, str]], by) -> DraftApprovals:
    """Approve the drafts ``shown`` ({draft id: (version, SHA-256 of the text shown)}) as a set, all
    or nothing: each is checked as ``notice_draft_approve`` always checked one (``_draft_refusal``);
    if any is refused, none is approved and every refusal is returned. An already approved draft
    is skipped (and returned as such).

    The drafts, with their obligations, are locked by one query (in obligation order, as
    ``obligations_locked`` locks obligations, so the two cannot deadlock); the approvals are then
    one UPDATE, the drafts' history and audit-log rows one INSERT each, each obligation's moves
    pending -> drafted -> approved an UPDATE, history and audit-log INSERT per step for the whole
    set (with the reasons one draft's approval writes), the timeline entries one INSERT and the
    incidents' nearest deadlines one UPDATE: the same queries for a thousand drafts as for one."""
    ids = sorted({int(pk) for pk in shown})
    drafts = {d.pk: d for d in NoticeDraft.objects.select_for_update(of=("self", "obligation"))
              .select_related("obligation__incident").filter(pk__in=ids).order_by("obligation_id", "pk")}
    refused: dict[int, Exception] = {}
    approvable, skipped = [], []
    for pk in ids:
        draft = drafts.get(pk)
        if draft is None:
            refused[pk] = ValidationError(_("This draft no longer exists."), code="missing")
            continue
        version, text_sha256 = shown[pk]
        error = _draft_refusal(draft, by=by, version=version, text_sha256=text_sha256)
        if error is not None:
            refused[pk] = error
        elif draft.is_approved:
            skipped.append(draft)
        else:
            approvable.append(draft)
    if refused:
        _show_differences(refused, drafts, shown)
        return DraftApprovals(approved=[], skipped=skipped, refused=refused, drafts=drafts)
    if not approvable:
        return DraftApprovals(approved=[], skipped=skipped, refused={}, drafts=drafts)

    # Each obligation moves on once, however many of its drafts are approved, by the status rules of
    # ``obligation_transition`` and with its reasons (pending -> drafted: "status changed").
    obligations: dict[int, Obligation] = {}
    for draft in approvable:
        obligations.setdefault(draft.obligation_id, draft.obligation)
    to_drafted, to_approved = [], []
    for obligation in obligations.values():
        current = obligation
        for from_status, to_status, moves in ((Obligation.Status.PENDING, Obligation.Status.DRAFTED, to_drafted),
                                              (Obligation.Status.DRAFTED, Obligation.Status.APPROVED, to_approved)):
            if current.status != from_status:
                continue
            error = _refusal(current, lambda o=current, to=to_status: obligation_check_transition(obligation=o,
                                                                                                   to_status=to))
            if error is not None:
                refused.update({d.pk: error for d in approvable if d.obligation_id == obligation.pk})
                break
            after = _copy(current)
            after.status, after.version = to_status, current.version + 1
            moves.append((current, after))
            current = after
        obligations[obligation.pk] = current
    if refused:
        return DraftApprovals(approved=[], skipped=skipped, refused=refused, drafts=drafts)

    now = timezone.now()
    rows = []
    for draft in approvable:
        before, after = _copy(draft), draft
        after.approved_by, after.approved_at = by, now
        after.approved_version, after.approved_sha256 = draft.version, notices.text_sha256(draft.body)
        after.version += 1
        rows.append((before, after))
    # The rows are locked and their version and text were checked above: the database writes the
    # same values (the version shown, the SHA-256 of the text shown) without a per-row CASE.
    NoticeDraft.objects.filter(pk__in=[d.pk for d in approvable]).update(
        approved_by=by, approved_at=now, approved_version=F("version"), approved_sha256=_TextSHA256("body"),
        version=F("version") + 1)
    _history_set(NoticeDraft, rows, by=by, reason=gettext_noop("approved for sending"), now=now)

    _write_obligation_set(to_drafted, values=dict(status=Obligation.Status.DRAFTED), by=by,
                          reason=gettext_noop("status changed"), now=now, timeline=None, refresh_deadlines=False)
    _write_obligation_set(to_approved, values=dict(status=Obligation.Status.APPROVED), by=by,
                          reason=gettext_noop("draft approved"), now=now, timeline=None, refresh_deadlines=False)
    for draft in approvable:
        draft.obligation = obligations[draft.obligation_id]

    actor = by if getattr(by, "pk", None) else None
    TimelineEntry.objects.bulk_create([
        TimelineEntry(incident_id=draft.obligation.incident_id, kind=TimelineEntry.Kind.DECISION,
                      message=gettext_noop("Draft approved: %(code)s · %(kind)s · %(phase)s · %(language)s "
                                           "(version %(version)s, SHA-256 %(sha256)s)"),
                      params={"code": draft.obligation.code, "kind": draft.kind, "phase": draft.phase,
                              "language": draft.language, "version": draft.approved_version,
                              "sha256": draft.approved_sha256},
                      by=actor, at=now, recorded_at=now)
        for draft in approvable])
    if to_drafted or to_approved:
        incidents_refresh_next_deadline(ids={o.incident_id for o in obligations.values()})
    return DraftApprovals(approved=approvable, skipped=skipped, refused={}, drafts=drafts)


def notice_check_sent_time(*, draft: NoticeDraft, sent_at: datetime, late_reason: str = "",
                           now: datetime | None = None) -> None:
    """A notice cannot have been sent before it was approved, before the incident was discovered,
    or in the future; a send entered well after it happened needs a reason."""
    now = now or timezone.now()
    incident = draft.obligation.incident
    if sent_at < incident.discovered_at:
        raise ValidationError(
            _("The sending time %(sent)s is before the incident was discovered (%(discovered)s).")
            % {"sent": localize(timezone.localtime(sent_at)),
               "discovered": localize(timezone.localtime(incident.discovered_at))},
            code="before_discovery")
    if draft.approved_at is not None and sent_at < draft.approved_at:
        raise ValidationError(
            _("The sending time %(sent)s is before the approval (%(approved)s): a notice cannot go out before it "
              "is approved.") % {"sent": localize(timezone.localtime(sent_at)),
                                 "approved": localize(timezone.localtime(draft.approved_at))},
            code="before_approval")
    check_claimed_time(at=sent_at, late_reason=late_reason, now=now)


@transaction.atomic
def notice_draft_mark_sent(*, draft: NoticeDraft, by, channel: str, reference: str = "",
                           sent_at: datetime | None = None, late_reason: str = "") -> NoticeDraft:
    """Record that the approved text went out: the text as sent is frozen.

    ``sent_at`` (default now) is checked by ``notice_check_sent_time``; when it was entered is
    kept as ``sent_recorded_at`` and a late entry's reason as ``sent_late_reason``."""
    draft = NoticeDraft.objects.select_for_update().select_related("obligation__incident").get(pk=draft.pk)
    if draft.is_sent:
        raise ValidationError(_("This notice was already marked sent."), code="frozen")
    incident_check_not_frozen(draft.obligation.incident)
    if not draft.is_approved:
        raise ValidationError(
            _("Only an approved draft can be marked sent: someone with the permission “%(permission)s” must approve "
              "it first.") % {"permission": approval_label(draft.kind)}, code="not_approved")
    if draft.approved_sha256 and notices.text_sha256(draft.body) != draft.approved_sha256:
        raise ValidationError(_("The text is not the one approved: it must be approved again."), code="not_approved")
    now = timezone.now()
    sent_at = sent_at or now
    late_reason = (late_reason or "").strip()
    notice_check_sent_time(draft=draft, sent_at=sent_at, late_reason=late_reason, now=now)
    draft.sent_at = sent_at
    draft.sent_recorded_at = now
    draft.sent_late_reason = late_reason
    draft.sent_text = draft.body
    save_with_reason(draft, by=by, reason=gettext_noop("marked sent"))
    # The .docx and PDF as sent are kept: downloads serve them forever, whatever changes later.
    notice_documents.notice_freeze(draft=draft, by=by)
    _obligation_sent(draft.obligation, by=by, channel=channel, reference=reference, sent_at=sent_at,
                     late_reason=late_reason)
    return draft
