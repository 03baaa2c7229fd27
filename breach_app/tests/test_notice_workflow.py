"""Obligation and draft workflow: illegal moves refused, approval by managers only, sent text frozen."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from breach_app import services
from breach_app.models import Incident, NoticeDraft, Obligation, TimelineEntry

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(staff_user):
    return make_incident(by=staff_user)


@pytest.fixture
def draft(incident, staff_user):
    return services.notice_draft_generate(obligation=codes(incident)["CN-CAC-INCIDENT"], by=staff_user,
                                          language="en")


def test_an_illegal_obligation_transition_is_refused_with_a_message(incident, staff_user):
    obligation = codes(incident)["CN-CAC-INCIDENT"]
    with pytest.raises(ValidationError) as exc:
        services.obligation_transition(obligation=obligation, by=staff_user, to_status="approved")
    assert exc.value.messages == [
        "CN-CAC-INCIDENT cannot move from “pending” to “approved”. Allowed next steps: drafted, decided not to notify."
    ]
    obligation.refresh_from_db()
    assert obligation.status == "pending"


def test_sent_is_final(incident, draft, staff_user, manager_user):
    services.notice_draft_approve(draft=draft, by=manager_user)
    obligation = services.obligation_mark_sent(obligation=draft.obligation, by=staff_user, channel="portal",
                                               reference="CAC-1")
    assert obligation.status == "sent"
    with pytest.raises(ValidationError, match="cannot move from “sent” to “decided not to notify”"):
        services.obligation_decide_not_to_notify(obligation=obligation, by=staff_user, reason="changed mind")


def test_illegal_incident_status_move_is_refused(incident, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.incident_change_status(incident=incident, by=staff_user, to_status="monitoring")
    assert "cannot move from “open” to “monitoring”" in exc.value.messages[0]
    services.incident_change_status(incident=incident, by=staff_user, to_status="assessing")
    assert Incident.objects.get(pk=incident.pk).status == "assessing"


def test_incident_cannot_close_while_required_notifications_are_open(incident, staff_user):
    services.incident_change_status(incident=incident, by=staff_user, to_status="assessing")
    with pytest.raises(ValidationError, match="CN-CAC-INCIDENT"):
        services.incident_change_status(incident=incident, by=staff_user, to_status="closed")


def test_staff_cannot_approve_a_manager_can(draft, staff_user, manager_user):
    with pytest.raises(PermissionDenied, match="You need the permission “Can approve notice drafts for sending”"):
        services.notice_draft_approve(draft=draft, by=staff_user)
    draft.refresh_from_db()
    assert draft.approved_at is None

    services.notice_draft_approve(draft=draft, by=manager_user)
    draft.refresh_from_db()
    assert draft.approved_by == manager_user
    assert draft.obligation.status == "approved"
    assert any(entry.text.startswith("Draft approved") for entry in TimelineEntry.objects.filter(kind="decision"))


def test_a_draft_still_flagging_missing_facts_cannot_be_approved(staff_user, manager_user):
    incident = make_incident(by=staff_user, likely_consequences="")
    draft = services.notice_draft_generate(obligation=codes(incident)["CN-CAC-INCIDENT"], by=staff_user,
                                           language="en")
    with pytest.raises(ValidationError, match=r"\[MISSING: impact\]"):
        services.notice_draft_approve(draft=draft, by=manager_user)


def test_an_unapproved_draft_cannot_be_marked_sent(draft, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.notice_draft_mark_sent(draft=draft, by=staff_user, channel="portal")
    assert exc.value.messages == [
        "Only an approved draft can be marked sent: someone with the permission “Can approve notice drafts for "
        "sending” must approve it first."]
    with pytest.raises(ValidationError, match="no approved draft"):
        services.obligation_mark_sent(obligation=draft.obligation, by=staff_user, channel="portal")
    draft.refresh_from_db()
    assert draft.sent_at is None and draft.obligation.status == "drafted"


def test_sent_text_is_frozen(draft, staff_user, manager_user):
    services.notice_draft_approve(draft=draft, by=manager_user)
    services.notice_draft_mark_sent(draft=draft, by=staff_user, channel="portal", reference="GD-1")
    draft.refresh_from_db()
    assert draft.sent_text == draft.body
    obligation = draft.obligation
    assert (obligation.status, obligation.channel, obligation.regulator_reference) == ("sent", "portal", "GD-1")

    with pytest.raises(ValidationError, match="frozen"):
        services.notice_draft_update(draft=draft, by=staff_user, body="something else")
    # Regenerating after new facts leaves what was sent alone.
    services.incident_update(incident=obligation.incident, by=staff_user, cause="A different cause")
    services.notice_draft_generate(obligation=obligation, by=staff_user, language="en")
    draft.refresh_from_db()
    assert "A different cause" not in draft.sent_text
    assert draft.sent_text == draft.body


def test_editing_an_approved_draft_withdraws_the_approval(draft, staff_user, manager_user):
    services.notice_draft_approve(draft=draft, by=manager_user)
    services.notice_draft_update(draft=draft, by=staff_user, body=draft.body + "\nOne more line.")
    draft.refresh_from_db()
    assert draft.approved_at is None
    assert draft.obligation.status == "drafted"


def test_decide_not_to_notify_records_who_and_why(incident, staff_user, manager_user):
    obligation = codes(incident)["CN-IND"]
    assert obligation.applicability == "required"
    with pytest.raises(ValidationError, match="Say why"):
        services.obligation_decide_not_to_notify(obligation=obligation, by=staff_user, reason="  ")
    with pytest.raises(ValidationError, match="legal basis"):
        services.obligation_decide_not_to_notify(obligation=obligation, by=staff_user, reason="harm avoided")
    services.obligation_decide_not_to_notify(obligation=obligation, by=staff_user,
                                             reason="Measures effectively avoid harm",
                                             legal_basis="PIPL Art. 57(2)")
    obligation.refresh_from_db()
    assert obligation.status != "not_notified" and obligation.waiver_proposed_by == staff_user
    services.obligation_confirm_not_to_notify(obligation=obligation, by=manager_user)
    obligation.refresh_from_db()
    assert obligation.status == "not_notified"
    assert obligation.decided_by == manager_user and obligation.decided_at is not None
    assert TimelineEntry.objects.filter(incident=incident, kind="decision",
                                        note__contains="PIPL Art. 57(2)").exists()


def test_the_database_refuses_a_sent_draft_without_approval(draft):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeDraft.objects.filter(pk=draft.pk).update(sent_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Obligation.objects.filter(pk=draft.obligation_id).update(status="not_notified")


def test_history_rows_carry_the_user_and_reason(draft, staff_user, manager_user):
    services.notice_draft_approve(draft=draft, by=manager_user)
    record = draft.history.order_by("-history_date", "-history_id").first()
    assert record.history_user == manager_user
    assert record.history_change_reason == "approved for sending"
    incident = draft.obligation.incident
    assert incident.history.earliest("history_date").history_user == staff_user
