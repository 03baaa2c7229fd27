"""The stored due date follows every input: verification, pauses, extension, type edits."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app import identity_checks, services
from requests_app.models import ClockPause, Status

from .factories import at, extend, make_case

pytestmark = pytest.mark.django_db


def verify(case, when, by=None, **kwargs):
    kwargs.setdefault("method", "data_points")
    kwargs.setdefault("data_points", ["email", "account id"])
    return identity_checks.dsar_record_identity_check(case=case, by=by, decided_at=when, now=when, **kwargs)


def test_cn_verification_brings_in_aqaras_15_days(staff_user):
    # Received Mon 2026-03-02 (10:00 Shanghai): cap 15 working days -> Mon 2026-03-23.
    case = make_case(jurisdiction="CN", received_at=at(2026, 3, 2, 2), now=at(2026, 3, 2, 3))
    assert case.due_on == date(2026, 3, 23)
    # Verified Wed 2026-03-04: seed 000 §七.9, 15 days after verification -> Thu 2026-03-19.
    verify(case, at(2026, 3, 4, 2), by=staff_user)
    case.refresh_from_db()
    assert case.verified_on == date(2026, 3, 4)
    assert case.due_on == date(2026, 3, 19)
    assert case.due_rule == "Aqara policy 000 §7.9: 15 days after identity verified"
    assert case.status == Status.IN_PROGRESS


def test_uk_clock_waits_for_requested_identity(staff_user):
    # Received Mon 2026-03-02 -> Thu 2026-04-02 while identity is not yet verified.
    case = make_case(jurisdiction="UK", received_at=at(2026, 3, 2), now=at(2026, 3, 2, 12))
    assert case.due_on == date(2026, 4, 2)
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    case.refresh_from_db()
    assert case.status == Status.AWAITING_IDENTITY
    assert case.clock_paused is True
    assert case.identity_requested_at == at(2026, 3, 3)
    assert case.pauses.get().reason == ClockPause.Reason.IDENTITY
    assert "has not arrived" in case.due_rule  # shown from receipt until the proof arrives
    # The ID arrives Tue 2026-03-10 (recorded as such); staff decide only on Tue 03-24. The clock
    # starts on the arrival (UK GDPR Art. 12A): Tue 03-10 + 1 month -> Fri 2026-04-10 (Aqara 003
    # from the decision, Fri 04-24, is later).
    verify(case, at(2026, 3, 24), by=staff_user, proof_received_at=at(2026, 3, 10))
    case.refresh_from_db()
    assert case.clock_paused is False
    assert case.identity_received_at == at(2026, 3, 10)
    assert case.verified_on == date(2026, 3, 24)
    assert case.due_on == date(2026, 4, 10)
    assert case.pauses.get().ended_on == date(2026, 3, 10)


def test_eu_identity_request_does_not_stop_the_clock(staff_user):
    case = make_case(jurisdiction="EU")
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    case.refresh_from_db()
    assert case.clock_paused is False
    assert not case.pauses.exists()
    assert case.due_on == date(2026, 4, 2)


def test_uk_clarification_pause_and_resume_move_the_due_date(staff_user):
    case = make_case(jurisdiction="UK")
    verify(case, at(2026, 3, 2, 12), by=staff_user)
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 2)
    services.dsar_request_clarification(case=case, by=staff_user, note="Which account?", now=at(2026, 3, 10))
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CLARIFICATION
    assert case.clock_paused is True
    # Answer arrives Tue 2026-03-17: 03-10..03-17, both end days, = 8 days not counted (UK GDPR
    # Art. 12A) -> Fri 2026-04-10.
    services.dsar_receive_clarification(case=case, by=staff_user, now=at(2026, 3, 17))
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.clock_paused is False
    assert case.due_on == date(2026, 4, 10)
    assert "UK GDPR Art. 12A" in case.due_rule


def test_pause_and_resume_through_the_clarification_services(staff_user):
    case = make_case(jurisdiction="UK")
    verify(case, at(2026, 3, 2, 12), by=staff_user)
    services.dsar_request_clarification(case=case, by=staff_user, now=at(2026, 3, 10))
    with pytest.raises(ValidationError, match="already stopped"):
        services.dsar_pause_clock(case=case, by=staff_user, now=at(2026, 3, 11))
    services.dsar_receive_clarification(case=case, by=staff_user, now=at(2026, 3, 17))
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 10)  # 03-10..03-17 inclusive = 8 days (Art. 12A)
    with pytest.raises(ValidationError, match="cannot move from"):
        services.dsar_receive_clarification(case=case, by=staff_user, now=at(2026, 3, 18))


def test_pause_refused_where_the_law_has_no_stop_the_clock(staff_user):
    case = make_case(jurisdiction="EU")
    with pytest.raises(ValidationError, match="only UK GDPR Art. 12A"):
        services.dsar_pause_clock(case=case, by=staff_user, now=at(2026, 3, 10))


def test_extension_moves_the_due_date(staff_user):
    # EU received Mon 2026-03-02: 1 month -> Thu 04-02; extended +2 months -> Tue 2026-06-02.
    case = make_case(jurisdiction="EU")
    extend(case, by=staff_user, reasons="Many requests at once", now=at(2026, 3, 20))
    assert case.extended is True
    assert case.due_on == date(2026, 6, 2)
    assert case.original_due_on == date(2026, 4, 2)
    assert case.extension_notice_sent_at == at(2026, 3, 20)
    assert "extended" in case.due_rule


def test_type_edit_through_the_service_recomputes(staff_user):
    # US-CA access received Mon 2 March -> Wed 04-15; as an opt-out: 15 business days -> Mon 03-23.
    case = make_case(jurisdiction="US-CA", received_at=at(2026, 3, 2, 18), now=at(2026, 3, 2, 19))
    assert case.due_on == date(2026, 4, 15)
    services.dsar_update(case=case, by=staff_user, request_type="ccpa_opt_out", now=at(2026, 3, 3))
    case.refresh_from_db()
    assert case.due_on == date(2026, 3, 23)
    assert case.acknowledgement_due_on is None  # no acknowledgement owed for an opt-out
    with pytest.raises(ValidationError, match="does not exist in US-CA"):
        services.dsar_update(case=case, by=staff_user, request_type="restriction", now=at(2026, 3, 3))


def test_jurisdiction_edit_recomputes(staff_user):
    case = make_case(jurisdiction="EU")
    services.dsar_update(case=case, by=staff_user, jurisdiction="KR", now=at(2026, 3, 3))
    case.refresh_from_db()
    # PIPA Art. 35: 10 days from Mon 2 March -> Thu 2026-03-12.
    assert case.due_on == date(2026, 3, 12)
    assert case.due_rule == "PIPA Art. 35 and its Enforcement Decree"


def test_verification_before_receipt_is_refused(staff_user):
    case = make_case(jurisdiction="CN", received_at=at(2026, 3, 2, 2), now=at(2026, 3, 3))
    with pytest.raises(ValidationError, match="before the request was received"):
        identity_checks.dsar_record_identity_check(
            case=case, by=staff_user, method="data_points", data_points=["email", "phone"],
            decided_at=at(2026, 3, 1), now=at(2026, 3, 3),
        )


def test_a_recompute_that_moves_nothing_writes_no_history_row_and_one_that_does_shows_old_and_new(staff_user):
    from privacy_office.models import AuditLogEntry
    from requests_app.clocks import dsar_recompute_due

    case = make_case(jurisdiction="EU", received_at=at(2026, 3, 2, 2), now=at(2026, 3, 2, 3))
    rows = case.history.count()
    dsar_recompute_due(case=case, by=staff_user, now=at(2026, 3, 3))
    assert case.history.count() == rows  # nothing moved: no "due date recomputed" row reading "—"

    case.received_at = at(2026, 3, 9, 2)  # as a corrected receipt would
    case.received_on = date(2026, 3, 9)
    dsar_recompute_due(case=case, by=staff_user, now=at(2026, 3, 10))
    entry = AuditLogEntry.objects.filter(object_id=str(case.pk), reason="due date recomputed").get()
    due = next(change for change in entry.changes if change["field"] == "due_on")
    assert (due["old"], due["new"]) == ("2026-04-02", "2026-04-09")
