"""Records that hold up in an audit (incidents, obligations and notices), each reproduced through the admin with
the people involved: approval binds to the text read, a duty is removed only by two people, what
happened when cannot be back-dated, and closed or sent means frozen."""

import re
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from breach_app import notices, services
from breach_app.models import Incident, NoticeDraft, TimelineEntry

from .factories import UTC, codes, make_incident

pytestmark = pytest.mark.django_db

DRAFTS = "/admin/breach_app/noticedraft/"
OBLIGATIONS = "/admin/breach_app/obligation/"


def draft_url(draft, what="change"):
    return f"{DRAFTS}{draft.pk}/{what}/"


def shown_on_page(client, draft) -> dict:
    """What the draft page hands back with the Approve button: the version and hash of the text shown."""
    page = client.get(draft_url(draft)).content.decode()
    form = re.search(r'noticedraft/\d+/approve/".*?</form>', page, re.S).group(0)
    return dict(re.findall(r'name="(_loaded_version|_text_sha256)" value="([^"]*)"', form))


def edit_text(client, draft, body):
    draft.refresh_from_db()
    response = client.post(draft_url(draft), {"body": body, "_loaded_version": str(draft.version)})
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    return draft


@pytest.fixture
def incident(staff_user):
    return make_incident(by=staff_user)


@pytest.fixture
def draft(incident, staff_user):
    return services.notice_draft_generate(obligation=codes(incident)["CN-CAC-INCIDENT"], by=staff_user,
                                          language="en")


# --------------------------------------------------------------------------- approval binds to the text read


def test_a_text_replaced_after_the_manager_opened_it_is_not_approved_and_the_difference_is_shown(
        draft, staff_client, manager_client):
    shown = shown_on_page(manager_client, draft)
    assert shown["_text_sha256"] == notices.text_sha256(draft.body)
    edit_text(staff_client, draft, draft.body + "\nPlease confirm your password at http://aqara-support.example\n")

    response = manager_client.post(draft_url(draft, "approve"), shown, follow=True)
    page = response.content.decode()
    draft.refresh_from_db()
    assert draft.approved_at is None
    assert "The text changed after you opened it" in page
    assert "+Please confirm your password at http://aqara-support.example" in page  # the difference shown

    # Read again, approved: the approval names the exact version and hash of the text read.
    shown = shown_on_page(manager_client, draft)
    manager_client.post(draft_url(draft, "approve"), shown)
    draft.refresh_from_db()
    assert draft.approved_at is not None
    assert draft.approved_version == int(shown["_loaded_version"])
    assert draft.approved_sha256 == notices.text_sha256(draft.body)


def test_the_service_refuses_an_approval_of_another_version_or_text(draft, manager_user, staff_user):
    read = NoticeDraft.objects.get(pk=draft.pk)
    services.notice_draft_update(draft=draft, by=staff_user, body=draft.body + "\nextra line")
    with pytest.raises(ValidationError, match="The text changed after you opened it"):
        services.notice_draft_approve(draft=read, by=manager_user)
    current = NoticeDraft.objects.get(pk=draft.pk)
    with pytest.raises(ValidationError):
        services.notice_draft_approve(draft=current, by=manager_user, version=current.version,
                                      text_sha256=notices.text_sha256("another text"))
    assert not NoticeDraft.objects.get(pk=draft.pk).is_approved


def test_bulk_approval_shows_every_text_first_and_approves_nothing_if_one_text_changed(
        incident, staff_user, staff_client, manager_client):
    services.incident_generate_drafts(incident=incident, by=staff_user)
    # Two initial regulator drafts with every fact present (the databases list obligations in
    # different orders; a final report or a draft flagging missing facts is not approvable yet).
    ready = [d for d in NoticeDraft.objects.filter(obligation__incident=incident, phase=NoticeDraft.Phase.INITIAL)
             .order_by("obligation__code", "language") if not notices.markers_in(d.body)]
    first, second = ready[0], ready[1]
    selected = {"action": "approve", "_selected_action": [first.pk, second.pk]}
    page = manager_client.post(DRAFTS, selected).content.decode()
    assert not NoticeDraft.objects.filter(approved_at__isnull=False).exists()  # nothing approved unseen
    assert first.body.splitlines()[0] in page and "_text_sha256_" in page
    posted = dict(re.findall(r'name="(_loaded_version_\d+|_text_sha256_\d+)" value="([^"]*)"', page))

    edit_text(staff_client, second, second.body + "\nA line the manager never saw")
    page = manager_client.post(DRAFTS, {**selected, **posted, "apply": "1"}, follow=True).content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    # All or nothing: the unchanged text is not approved either, and the changed one is named with its difference.
    assert first.approved_at is None and second.approved_at is None
    assert "Nothing was approved: 1 of the 2 selected drafts cannot be approved as shown." in page
    assert f"{second}: The text changed after you opened it" in page.replace("&#x27;", "'")
    assert "+A line the manager never saw" in page

    # Read again and approved: both, each bound to the text now shown.
    page = manager_client.post(DRAFTS, selected).content.decode()
    posted = dict(re.findall(r'name="(_loaded_version_\d+|_text_sha256_\d+)" value="([^"]*)"', page))
    manager_client.post(DRAFTS, {**selected, **posted, "apply": "1"})
    second.refresh_from_db()
    assert second.approved_at is not None and second.approved_sha256 == notices.text_sha256(second.body)


# --------------------------------------------------------------------------- regeneration keeps a manual edit


def test_regenerating_keeps_a_manual_edit_and_offers_the_new_text_beside_it(
        incident, draft, staff_client, staff_user):
    edited = edit_text(staff_client, draft, draft.body.replace("Misconfigured access policy.",
                                                               "Access policy changed by a contractor."))
    services.incident_update(incident=incident, by=staff_user, measures_taken="Bucket closed; all keys rotated twice.")
    staff_client.post(f"/admin/breach_app/incident/{incident.pk}/generate-drafts/",
                      {"_loaded_version": str(Incident.objects.get(pk=incident.pk).version)})

    draft.refresh_from_db()
    assert draft.body == edited.body  # the edit is kept
    assert "all keys rotated twice" in draft.proposed_body
    page = staff_client.get(draft_url(draft)).content.decode()
    assert "Newly generated text offered beside your edit" in page
    assert "+" in page and "all keys rotated twice" in page

    response = staff_client.post(draft_url(draft, "adopt-generated"), {"_loaded_version": str(draft.version)})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert "all keys rotated twice" in draft.body and not draft.proposed_body


def test_keeping_the_edit_sets_the_new_text_aside(incident, draft, staff_client, staff_user):
    edited = edit_text(staff_client, draft, draft.body + "\nOur own closing line.")
    services.incident_update(incident=incident, by=staff_user, remedies="Two years of identity protection.")
    services.notice_draft_generate(obligation=draft.obligation, by=staff_user, language="en")
    draft.refresh_from_db()
    staff_client.post(draft_url(draft, "keep-edit"), {"_loaded_version": str(draft.version)})
    draft.refresh_from_db()
    assert draft.body == edited.body and not draft.proposed_body


# --------------------------------------------------------------------------- a duty is removed by two people


def test_staff_alone_cannot_turn_a_required_notification_into_not_notified(
        staff_user, staff_client, manager_client):
    incident = make_incident(by=staff_user, populations={"SG": {"people_min": 800}}, significant_harm=True,
                             sg_assessed_at=datetime(2026, 6, 5, 10, 0, tzinfo=UTC))
    pdpc = codes(incident)["SG-PDPC"]
    assert pdpc.applicability == "required"
    staff_client.post(OBLIGATIONS, {"action": "decide_not_to_notify", "_selected_action": [pdpc.pk], "apply": "1",
                                    "reason": "Only 800 people", "legal_basis": "PDPA s.26B",
                                    f"_loaded_version_{pdpc.pk}": str(pdpc.version)})
    pdpc.refresh_from_db()
    assert pdpc.status != "not_notified" and pdpc.is_live  # a proposal: the clock runs on
    assert pdpc.waiver_proposed_by == staff_user and pdpc.waiver_legal_basis == "PDPA s.26B"

    # The proposer cannot confirm it (no permission, and not the same person).
    staff_client.post(OBLIGATIONS, {"action": "confirm_not_to_notify", "_selected_action": [pdpc.pk], "apply": "1",
                                    f"_loaded_version_{pdpc.pk}": str(pdpc.version)})
    pdpc.refresh_from_db()
    assert pdpc.status != "not_notified"
    # Closing the incident is refused while it is open.
    with pytest.raises(ValidationError, match="cannot be closed while required notifications are still open"):
        services.incident_change_status(incident=incident, by=staff_user, to_status="closed")

    page = manager_client.get(f"{OBLIGATIONS}{pdpc.pk}/change/").content.decode()
    assert "proposed on" in page and "Confirm the decision not to notify" in page
    manager_client.post(OBLIGATIONS, {"action": "confirm_not_to_notify", "_selected_action": [pdpc.pk],
                                      "apply": "1", f"_loaded_version_{pdpc.pk}": str(pdpc.version)})
    pdpc.refresh_from_db()
    assert pdpc.status == "not_notified" and pdpc.decided_by.username == "manager"
    assert "PDPA s.26B" in pdpc.decision_reason


def test_a_manager_cannot_confirm_their_own_proposal(incident, manager_user):
    obligation = codes(incident)["CN-IND"]
    services.obligation_decide_not_to_notify(obligation=obligation, by=manager_user, reason="r", legal_basis="b")
    with pytest.raises(ValidationError, match="someone else must confirm"):
        services.obligation_confirm_not_to_notify(obligation=obligation, by=manager_user)


def test_a_proposal_can_be_turned_down(incident, staff_user, manager_user):
    obligation = codes(incident)["CN-IND"]
    services.obligation_decide_not_to_notify(obligation=obligation, by=staff_user, reason="r", legal_basis="b")
    services.obligation_reject_not_to_notify(obligation=obligation, by=manager_user, reason="harm is likely")
    obligation.refresh_from_db()
    assert not obligation.waiver_proposed and obligation.status != "not_notified"


# --------------------------------------------------------------------------- what happened, when


def approved(draft, manager_user):
    return services.notice_draft_approve(draft=draft, by=manager_user)


@pytest.mark.parametrize("typed, error", [
    ("2020-01-01 10:00", "before the incident was discovered"),
    ("2031-06-01 10:00", "in the future"),
])
def test_a_notice_cannot_be_dated_before_its_approval_or_in_the_future(
        draft, manager_user, staff_client, typed, error):
    draft = approved(draft, manager_user)
    response = staff_client.post(draft_url(draft, "mark-sent"), {
        "channel": "portal", "sent_at": typed, f"_loaded_version_{draft.pk}": str(draft.version)})
    assert error in response.content.decode()
    draft.refresh_from_db()
    assert draft.sent_at is None


def test_a_send_is_not_dated_before_its_approval_and_keeps_when_it_was_recorded(draft, manager_user, staff_client):
    draft = approved(draft, manager_user)
    two_hours_ago = timezone.localtime() - timedelta(hours=2)
    with pytest.raises(ValidationError, match="before the approval"):
        services.notice_draft_mark_sent(draft=draft, by=manager_user, channel="portal", sent_at=two_hours_ago,
                                        late_reason="x")
    data = {"channel": "portal", f"_loaded_version_{draft.pk}": str(draft.version)}  # sent now
    response = staff_client.post(draft_url(draft, "mark-sent"), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.sent_recorded_at is not None and draft.sent_at <= draft.sent_recorded_at


def test_a_past_send_without_a_reason_is_refused(incident, staff_user, manager_user):
    import time_machine

    with time_machine.travel(timezone.now() - timedelta(hours=5), tick=False):
        draft = services.notice_draft_generate(obligation=codes(incident)["CN-CAC-INCIDENT"], by=staff_user,
                                               language="en")
        draft = approved(draft, manager_user)
    sent = timezone.now() - timedelta(hours=3)
    with pytest.raises(ValidationError, match="say why it is recorded only now"):
        services.notice_draft_mark_sent(draft=draft, by=staff_user, channel="portal", sent_at=sent)
    services.notice_draft_mark_sent(draft=draft, by=staff_user, channel="portal", sent_at=sent,
                                    late_reason="sent from the portal during the outage")
    draft.refresh_from_db()
    assert draft.sent_at == sent and draft.sent_recorded_at > sent
    assert draft.sent_late_reason == "sent from the portal during the outage"
    entry = TimelineEntry.objects.get(incident=incident, kind="notification")
    assert entry.at == sent and entry.recorded_at > sent and entry.late_reason


def test_a_notice_cannot_be_dated_before_the_incident_was_discovered(staff_user, manager_user):
    incident = make_incident(by=staff_user, discovered_at=timezone.now() - timedelta(minutes=30))
    draft = services.notice_draft_generate(obligation=codes(incident)["CN-CAC-INCIDENT"], by=staff_user,
                                           language="en")
    draft = approved(draft, manager_user)
    with pytest.raises(ValidationError, match="before the incident was discovered"):
        services.notice_check_sent_time(draft=draft, sent_at=incident.discovered_at - timedelta(minutes=1))


def test_a_timeline_entry_cannot_be_in_the_future_nor_in_the_past_without_a_reason(incident, staff_client):
    from .test_admin_edit import change_form, cn_row

    def post(at, **extra):
        data = change_form(Incident.objects.get(pk=incident.pk), [cn_row(incident)])
        data.update({"timeline-TOTAL_FORMS": "1", "timeline-INITIAL_FORMS": "0",
        "narratives-TOTAL_FORMS": "0", "narratives-INITIAL_FORMS": "0",
                     "timeline-0-at_0": at.strftime("%Y-%m-%d"), "timeline-0-at_1": at.strftime("%H:%M:%S"),
                     "timeline-0-kind": "fact", "timeline-0-note": "Logs reviewed", **extra})
        return staff_client.post(f"/admin/breach_app/incident/{incident.pk}/change/", data)

    local = timezone.localtime()
    assert "is in the future" in post(local + timedelta(days=30)).content.decode()
    assert "say why it is recorded only now" in post(local - timedelta(days=3)).content.decode()
    assert not TimelineEntry.objects.filter(incident=incident, note="Logs reviewed").exists()
    assert post(local - timedelta(days=3), **{"timeline-0-late_reason": "from the paper log"}).status_code == 302
    with pytest.raises(ValidationError, match="in the future"):
        services.timeline_add(incident=incident, by=None, note="x", at=timezone.now() + timedelta(days=1))


def test_the_demo_has_no_notice_sent_before_its_approval(staff_user, manager_user):
    import io

    from breach_app.demo import load_demo

    load_demo(stdout=io.StringIO())
    sent = NoticeDraft.objects.filter(sent_at__isnull=False)
    assert sent.exists()
    for draft in sent:
        assert draft.sent_at >= draft.approved_at >= draft.obligation.incident.discovered_at


# --------------------------------------------------------------------------- closed and sent means frozen


def closed(incident, staff_user, manager_user):
    for obligation in incident.obligations.filter(applicability="required").exclude(status__in=("sent", "not_notified")):
        services.obligation_decide_not_to_notify(obligation=obligation, by=staff_user, reason="test", legal_basis="b")
        services.obligation_confirm_not_to_notify(obligation=obligation, by=manager_user)
    return services.incident_change_status(incident=Incident.objects.get(pk=incident.pk), by=staff_user,
                                           to_status="closed")


def test_a_closed_incident_cannot_be_edited_and_is_reopened_with_a_reason(
        incident, staff_user, manager_user, staff_client, manager_client):
    from .test_admin_edit import change_form, cn_row

    incident = closed(incident, staff_user, manager_user)
    url = f"/admin/breach_app/incident/{incident.pk}/change/"
    page = staff_client.get(url).content.decode()
    assert "This incident is closed" in page and 'name="title"' not in page
    data = change_form(incident, [cn_row(incident)], title="Rewritten after closure")
    assert staff_client.post(url, data).status_code == 403
    with pytest.raises(ValidationError, match="is closed"):
        services.incident_update(incident=incident, by=staff_user, title="Rewritten after closure")
    # The one-click status button no longer re-opens it.
    staff_client.post(f"/admin/breach_app/incident/{incident.pk}/status/assessing/",
                      {"_loaded_version": str(incident.version)})
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.title != "Rewritten after closure"

    reopen = f"/admin/breach_app/incident/{incident.pk}/reopen/"
    assert staff_client.get(reopen).status_code == 403
    with pytest.raises(PermissionDenied):
        services.incident_reopen(incident=incident, by=staff_user, reason="x")
    assert reopen in manager_client.get(url).content.decode()
    response = manager_client.post(reopen, {"reason": "", f"_loaded_version_{incident.pk}": str(incident.version)})
    assert response.status_code == 200  # a reason is required
    manager_client.post(reopen, {"reason": "Regulator asked for a correction",
                                 f"_loaded_version_{incident.pk}": str(incident.version)})
    incident.refresh_from_db()
    assert incident.status == "assessing"
    entry = TimelineEntry.objects.filter(incident=incident, message__startswith="Re-opened").get()
    assert entry.note == "Regulator asked for a correction" and entry.by == manager_user


def test_a_sent_notice_cannot_be_changed_by_any_service(draft, staff_user, manager_user):
    draft = approved(draft, manager_user)
    services.notice_draft_mark_sent(draft=draft, by=staff_user, channel="portal")
    with pytest.raises(ValidationError):
        services.notice_draft_update(draft=draft, by=staff_user, body="x")
    with pytest.raises(ValidationError):
        services.notice_draft_adopt_generated(draft=draft, by=staff_user)


# --------------------------------------------------------------------------- every custom action checks the version


def test_buttons_and_actions_without_the_loaded_version_change_nothing(incident, draft, staff_client, manager_client):
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/status/assessing/", follow=True)
    assert "did not say which version" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == "open"
    manager_client.post(draft_url(draft, "approve"), {"_text_sha256": notices.text_sha256(draft.body)})
    assert not NoticeDraft.objects.get(pk=draft.pk).is_approved
    obligation = codes(incident)["CN-IND"]
    staff_client.post(OBLIGATIONS, {"action": "decide_not_to_notify", "_selected_action": [obligation.pk],
                                    "apply": "1", "reason": "r", "legal_basis": "b"})
    obligation.refresh_from_db()
    assert not obligation.waiver_proposed
