"""Statuses move only along the allowed path; the rules that guard the last steps hold."""

import pytest
from django.core.exceptions import ValidationError

from requests_app import case_tasks, identity_checks, services
from requests_app.models import Status, TimelineEntry

from .factories import at, make_case, refuse, send_reply, verified_case

pytestmark = pytest.mark.django_db


def test_illegal_transition_is_refused_with_a_clear_message(staff_user):
    case = make_case()
    with pytest.raises(ValidationError) as excinfo:
        services.dsar_transition(case=case, to_status=Status.CLOSED, by=staff_user)
    assert excinfo.value.messages == [
        f"{case.reference} cannot move from “received” to “closed”. Allowed next steps: awaiting identity, "
        "in progress, rejected, withdrawn, duplicate."
    ]
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_work_cannot_start_before_identity_is_verified(staff_user):
    case = make_case()
    with pytest.raises(ValidationError, match="Verify the requester's identity"):
        services.dsar_start_work(case=case, by=staff_user)


def test_opt_out_needs_no_identity_and_starts_at_once(staff_user):
    case = make_case(jurisdiction="US-CA", request_type="ccpa_opt_out")
    services.dsar_start_work(case=case, by=staff_user)
    assert case.status == Status.IN_PROGRESS


def test_full_path_to_closed_records_the_timeline(staff_user):
    case = verified_case(staff_user)
    task = case_tasks.task_create(case=case, title="Export data", by=staff_user)
    # Sending the reply marks the case responded, which an open task forbids: the reply is refused
    # first, naming the task, and nothing is sent or moved.
    with pytest.raises(ValidationError, match="tasks are still open: “Export data”"):
        send_reply(case, by=staff_user)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and not case.drafts.filter(sent_at__isnull=False).exists()
    case_tasks.task_set_done(task=task, by=staff_user)
    send_reply(case, by=staff_user)
    case.refresh_from_db()
    assert case.status == Status.RESPONDED and case.closed_at is None  # closing stays a deliberate step
    services.dsar_close(case=case, by=staff_user)
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closed_at and case.responded_at
    steps = [e.params.get("to_status") for e in case.timeline.filter(kind=TimelineEntry.Kind.STATUS)]
    assert steps == ["in_progress", "response_drafted", "responded", "closed"]
    with pytest.raises(ValidationError, match="Allowed next steps: none"):
        services.dsar_start_work(case=case, by=staff_user)


def test_close_is_refused_while_a_task_is_open(staff_user):
    case = verified_case(staff_user)
    send_reply(case, by=staff_user)
    case_tasks.task_create(case=case, title="Confirm deletion at the processor", by=staff_user)
    with pytest.raises(ValidationError, match="cannot be closed while 1 task"):
        services.dsar_close(case=case, by=staff_user)
    case.refresh_from_db()
    assert case.status == Status.RESPONDED


def test_refusal_needs_reasons_and_records_remedies(staff_user, manager_user):
    case = make_case(jurisdiction="CN")
    with pytest.raises(ValidationError, match="reasons"):
        services.dsar_propose_rejection(case=case, by=staff_user, reasons=" ")
    refuse(case, by=staff_user, confirmed_by=manager_user, reasons="Manifestly unfounded, repeated request.")
    case.refresh_from_db()
    assert case.status == Status.REJECTED
    assert "PIPL Art. 50" in case.remedy_text
    assert case.closed_at is not None


def test_duplicate_points_at_the_original(staff_user):
    original = make_case()
    copy = make_case(requester_email="again@example.com")
    services.dsar_mark_duplicate(case=copy, duplicate_of=original, by=staff_user)
    copy.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.duplicate_of == original
