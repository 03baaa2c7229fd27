"""recompute_clocks: after a rule change every open clock follows, and each move is explained."""

from datetime import date, datetime, timezone

import pytest
from django.core.management import call_command

from breach_app.models import Obligation
from breach_app.models import TimelineEntry as IncidentTimelineEntry
from breach_app.tests.factories import make_incident
from privacy_office.clock_rules import FINGERPRINT_NAME, current_fingerprint
from privacy_office.models import RulesFingerprint
from requests_app.models import RightsRequest, Status, TimelineEntry
from requests_app.tests.factories import at, make_case

pytestmark = pytest.mark.django_db
UTC = timezone.utc


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("recompute_clocks", *args, stdout=out)
    return out.getvalue()


def stale(case, incident):
    """What the stored dates look like when an earlier version of the rules computed them."""
    RightsRequest.objects.filter(pk=case.pk).update(due_on=date(2026, 4, 9), due_rule="an earlier rule")
    Obligation.objects.filter(incident=incident, code="EU-SA").update(
        deadline=datetime(2026, 6, 9, 9, 0, tzinfo=UTC))


def test_rule_change_moves_open_clocks_and_says_why(staff_user):
    # EU access request received Mon 2026-03-02: one month -> Thu 2026-04-02 (GDPR Art. 12(3)).
    case = make_case(jurisdiction="EU", received_at=at(2026, 3, 2))
    assert case.due_on == date(2026, 4, 2)
    # Discovered (and aware) Fri 2026-06-05 09:00 UTC: EU-SA 72 h -> Mon 2026-06-08 09:00 UTC.
    incident = make_incident(by=staff_user, populations={"EU": {"people_min": 50}},
                             discovered_at=datetime(2026, 6, 5, 9, 0, tzinfo=UTC),
                             aware_at=datetime(2026, 6, 5, 9, 0, tzinfo=UTC))
    assert incident.obligations.get(code="EU-SA").deadline == datetime(2026, 6, 8, 9, 0, tzinfo=UTC)
    run()  # stores the fingerprint the dates above were computed with
    assert RulesFingerprint.objects.get(name=FINGERPRINT_NAME).digest == current_fingerprint()

    stale(case, incident)
    # A deploy without rule changes recomputes nothing (and so repairs nothing: the dates were not
    # computed by these rules - here a test's hand - which is what the fingerprint vouches for).
    assert "nothing recomputed" in run("--if-rules-changed")
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 9)

    # The last deploy ran other rules: this one recomputes and records each move.
    RulesFingerprint.objects.filter(name=FINGERPRINT_NAME).update(digest="0" * 64)
    output = run("--if-rules-changed")
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 2)
    assert f"{case.reference}: due 2026-04-09 -> 2026-04-02" in output
    entry = TimelineEntry.objects.filter(request=case, kind=TimelineEntry.Kind.CLOCK).latest("id")
    assert entry.params["old"] == "2026-04-09" and entry.params["new"] == "2026-04-02"
    assert "Art. 12(3)" in entry.params["rule"]
    assert case.history.latest().history_change_reason == "legal rules updated: clocks recomputed"

    obligation = incident.obligations.get(code="EU-SA")
    assert obligation.deadline == datetime(2026, 6, 8, 9, 0, tzinfo=UTC)
    assert obligation.history.latest().history_change_reason == "legal rules updated: clocks recomputed"
    moved = IncidentTimelineEntry.objects.filter(incident=incident).latest("id")
    assert "2026-06-09" in str(moved.params) and "2026-06-08" in str(moved.params)
    assert RulesFingerprint.objects.get(name=FINGERPRINT_NAME).digest == current_fingerprint()


def test_closed_cases_keep_their_dates(staff_user):
    case = make_case(jurisdiction="EU", received_at=at(2026, 3, 2))
    RightsRequest.objects.filter(pk=case.pk).update(
        status=Status.CLOSED, closed_at=at(2026, 3, 20), due_on=date(2026, 4, 9))
    run()
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 9)
    assert not TimelineEntry.objects.filter(request=case, kind=TimelineEntry.Kind.CLOCK).exists()


def test_fingerprint_follows_the_rule_tables(monkeypatch):
    before = current_fingerprint()
    import holidays

    monkeypatch.setattr(holidays, "__version__", holidays.__version__ + ".post1")
    assert current_fingerprint() != before
