"""Recomputing the clocks (a fact changed, or the rules were updated): every move of a deadline or
of whether a duty applies is on the incident's timeline with old → new and the rule, and on the
obligation's history with the reason."""

from datetime import datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from breach_app import services
from breach_app.models import Obligation, TimelineEntry

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db

UTC = timezone.utc
# Fri 2026-06-05 09:00 UTC; GDPR Art. 33(1): 72 h from awareness -> Mon 2026-06-08 09:00 UTC.
DISCOVERED = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)
RULES_UPDATE = "Rules update 2026-11: CN grading and EU CRA"


def moves(incident, code):
    return list(TimelineEntry.objects.filter(incident=incident, params__code=code).order_by("at", "id"))


def test_a_later_awareness_moves_the_72_hours_and_the_timeline_says_old_and_new(staff_user):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"EU": {"people_min": 50}})
    assert codes(incident)["EU-SA"].deadline == datetime(2026, 6, 8, 9, 0, tzinfo=UTC)
    assert moves(incident, "EU-SA") == []  # the first computation is not a move

    # Aware only at 15:00 UTC: 72 h -> Mon 2026-06-08 15:00 UTC.
    services.incident_update(incident=incident, by=staff_user, aware_at=DISCOVERED + timedelta(hours=6))
    sa = codes(incident)["EU-SA"]
    assert sa.deadline == datetime(2026, 6, 8, 15, 0, tzinfo=UTC)
    [entry] = moves(incident, "EU-SA")
    assert entry.params["from_deadline"] == "2026-06-08T09:00:00+00:00"
    assert entry.params["to_deadline"] == "2026-06-08T15:00:00+00:00"
    assert entry.by == staff_user
    # Read in the office's time (Shanghai, UTC+8) and each reader's language.
    # Read in the office's time (Shanghai, UTC+8) and in each reader's language.
    assert entry.text == ("EU-SA recomputed: deadline June 8, 2026, 5 p.m. → June 8, 2026, 11 p.m. "
                          f"({sa.citation})")
    with translation.override("zh-hans"):
        assert "2026年6月8日 17:00 → 2026年6月8日 23:00" in entry.text and "截止" in entry.text
    assert sa.history.order_by("-history_date").first().history_change_reason == \
        "recomputed from the incident's facts"


def test_recompute_open_incidents_records_each_change_with_the_reason(staff_user):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"EU": {"people_min": 50}})
    untouched = make_incident(by=staff_user, title="Nothing moves", discovered_at=DISCOVERED,
                              populations={"CN": {"people_min": 1_000_001}})
    # Stored under an older rule: a deadline a day later, and UK-ICO not yet known to apply.
    sa = codes(incident)["EU-SA"]
    Obligation.objects.filter(pk=sa.pk).update(deadline=sa.deadline + timedelta(days=1))
    before = TimelineEntry.objects.count()

    changes = services.recompute_open_incidents(by=None, reason=RULES_UPDATE)

    assert [(c.incident.pk, c.code) for c in changes] == [(incident.pk, "EU-SA")]
    change = changes[0]
    assert change.from_deadline == datetime(2026, 6, 9, 9, 0, tzinfo=UTC)
    assert change.to_deadline == datetime(2026, 6, 8, 9, 0, tzinfo=UTC)
    assert "GDPR Art. 33(1)" in change.rule
    assert codes(incident)["EU-SA"].deadline == datetime(2026, 6, 8, 9, 0, tzinfo=UTC)
    [entry] = TimelineEntry.objects.order_by("id")[before:]
    assert entry.incident == incident and entry.note == RULES_UPDATE
    assert codes(incident)["EU-SA"].history.order_by("-history_date").first().history_change_reason == RULES_UPDATE
    assert not Obligation.history.filter(incident_id=untouched.pk, history_change_reason=RULES_UPDATE).exists()
    # A second run finds nothing to move and writes nothing.
    assert services.recompute_open_incidents(reason=RULES_UPDATE) == []
    assert TimelineEntry.objects.count() == before + 1


def test_closed_and_withdrawn_incidents_are_left_as_they_were(staff_user):
    incident = make_incident(by=staff_user, discovered_at=DISCOVERED, populations={"EU": {"people_min": 50}},
                             risk_level="none")
    services.incident_withdraw(incident=incident, by=staff_user, reason="Duplicate of INC-2026-0001")
    Obligation.objects.filter(incident=incident).update(deadline=None)
    assert services.recompute_open_incidents(reason=RULES_UPDATE) == []
    assert codes(incident)["EU-SA"].deadline is None


def test_a_reason_is_required(staff_user):
    with pytest.raises(ValidationError):
        services.recompute_open_incidents(reason="  ")
