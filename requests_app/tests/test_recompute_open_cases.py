"""After a rules update every open case is recomputed; each change is recorded in its history
(with the update's reason) and its timeline (old → new and the rule that now binds it)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app import clocks
from requests_app.models import RightsRequest, Status, TimelineEntry

from .factories import at, make_case

pytestmark = pytest.mark.django_db

REASON = "legal rules updated: clocks recomputed"


def stale(case, **values):
    """What a case looks like when an earlier version of the rules computed its clock."""
    RightsRequest.objects.filter(pk=case.pk).update(**values)


def test_open_cases_move_closed_ones_and_unchanged_ones_do_not(staff_user, monkeypatch):
    monkeypatch.setattr(clocks, "RECOMPUTE_CHUNK", 2)  # several chunks with four cases
    # EU access received Mon 2026-03-02: one month -> Thu 2026-04-02 (GDPR Art. 12(3)).
    moved = make_case(jurisdiction="EU", received_at=at(2026, 3, 2))
    stale(moved, due_on=date(2026, 4, 9), due_rule="an earlier rule")
    # JP access received Mon 2026-03-02 19:00 Tokyo: 14 days -> Mon 03-16; only its unverified mark
    # was missing under the earlier rules.
    marked = make_case(jurisdiction="JP", received_at=at(2026, 3, 2, 10), requester_name="Sato")
    stale(marked, due_unverified=False)
    unchanged = make_case(jurisdiction="UK", requester_name="Oliver")
    closed = make_case(jurisdiction="EU", requester_name="Closed")
    stale(closed, status=Status.WITHDRAWN, closed_at=at(2026, 3, 3), due_on=date(2026, 4, 9))
    history_before = unchanged.history.count()

    changes = clocks.recompute_open_cases(by=staff_user, reason=REASON, now=at(2026, 3, 5))

    by_ref = {case.reference: (old, new, rule) for case, old, new, rule in changes}
    assert set(by_ref) == {moved.reference, marked.reference}
    assert by_ref[moved.reference] == (date(2026, 4, 9), date(2026, 4, 2), "GDPR Art. 12(3); Reg. 1182/71 Art. 3(4)")
    assert by_ref[marked.reference][:2] == (date(2026, 3, 16), date(2026, 3, 16))
    moved.refresh_from_db()
    assert (moved.due_on, moved.due_rule) == (date(2026, 4, 2), "GDPR Art. 12(3); Reg. 1182/71 Art. 3(4)")
    record = moved.history.first()
    assert (record.history_change_reason, record.history_user) == (REASON, staff_user)
    entry = moved.timeline.filter(kind=TimelineEntry.Kind.CLOCK).latest("id")
    assert (entry.params["old"], entry.params["new"]) == ("2026-04-09", "2026-04-02")
    assert entry.text == ("Due date recomputed after a rules update: 2026-04-09 → 2026-04-02 "
                          "(GDPR Art. 12(3); Reg. 1182/71 Art. 3(4)).")
    marked.refresh_from_db()
    assert marked.due_unverified is True
    assert unchanged.history.count() == history_before  # nothing moved, nothing written
    closed.refresh_from_db()
    assert closed.due_on == date(2026, 4, 9)
    assert not closed.timeline.filter(kind=TimelineEntry.Kind.CLOCK).exists()


def test_a_case_the_new_rules_refuse_keeps_its_date_and_is_reported(staff_user):
    refused = make_case(jurisdiction="EU")
    stale(refused, request_type="ccpa_opt_out")  # a type the EU does not have (as if a rule removed it)
    other = make_case(jurisdiction="EU", requester_name="Other")
    stale(other, due_on=date(2026, 4, 9))
    changes = clocks.recompute_open_cases(reason=REASON, now=at(2026, 3, 5))
    by_ref = {case.reference: (old, new, rule) for case, old, new, rule in changes}
    assert by_ref[refused.reference][:2] == (date(2026, 4, 2), None)
    assert "does not exist in jurisdiction 'EU'" in by_ref[refused.reference][2]
    assert by_ref[other.reference][:2] == (date(2026, 4, 9), date(2026, 4, 2))
    refused.refresh_from_db()
    assert refused.due_on == date(2026, 4, 2)


def test_a_recompute_needs_a_reason():
    with pytest.raises(ValidationError, match="Give the reason"):
        clocks.recompute_open_cases(reason=" ")
