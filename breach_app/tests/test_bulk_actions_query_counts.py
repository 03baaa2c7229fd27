"""The obligation and draft list actions at scale: the decisions not to notify are written as a set
(ten times the obligations cost the same queries), each obligation still gets its history row,
audit-log entry and timeline entry, a stale or refused one is named and left alone; approving
drafts is written as a set too; the confirmation pages cost the same whatever the selection."""

import copy
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Min
from django.test.utils import CaptureQueriesContext

from breach_app import notices, services
from breach_app.models import Incident, NoticeDraft, Obligation, TimelineEntry
from privacy_office.models import AuditLogEntry

from .factories import make_incident

pytestmark = pytest.mark.django_db

OBLIGATIONS = "/admin/breach_app/obligation/"
DRAFTS = "/admin/breach_app/noticedraft/"
SERIAL = itertools.count()


@pytest.fixture
def incident(staff_user):
    return make_incident(by=staff_user)


def copies(incident, n, **values):
    """``n`` obligations of ``incident`` as copies of its first one (each through the engine would
    make the test minutes long; the action is what is measured)."""
    model = incident.obligations.order_by("pk").first()
    rows = []
    for _ in range(n):
        row = copy.copy(model)
        row.pk = None
        row.code = f"T-{next(SERIAL)}"
        for name, value in values.items():
            setattr(row, name, value)
        rows.append(row)
    return Obligation.objects.bulk_create(rows)


def post(client, url, action, rows, *, apply=True, **data):
    """The action's POST as the list sends it (``apply``: as its confirmation page sends it back,
    with the versions shown); (queries, the page or the messages shown after the redirect)."""
    selection = {"action": action, "_selected_action": [row.pk for row in rows]}
    if apply:
        selection.update({f"_loaded_version_{row.pk}": row.version for row in rows}, apply="1")
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, {**selection, **data})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        return statements(ctx.captured_queries), "\n".join(str(m) for m in response.wsgi_request._messages)
    return statements(ctx.captured_queries), response.content.decode()


def statements(captured) -> int:
    """The queries, a bulk insert counted once: SQLite splits one into batches of at most 999
    parameters (50 history rows are two), PostgreSQL sends it as one statement."""
    count, previous = 0, None
    for query in captured:
        sql = query["sql"]
        insert_into = sql.split("(", 1)[0] if sql.startswith("INSERT INTO") else None
        if insert_into is not None and insert_into == previous:
            continue
        previous = insert_into
        count += 1
    return count


def test_deciding_not_to_notify_50_obligations_costs_the_queries_of_5(incident, staff_client, staff_user):
    post(staff_client, OBLIGATIONS, "decide_not_to_notify", copies(incident, 2, applicability="needs_decision"),
         reason="warm-up", legal_basis="")  # content types and permissions read once
    few, _page = post(staff_client, OBLIGATIONS, "decide_not_to_notify",
                      copies(incident, 5, applicability="needs_decision"), reason="Encrypted", legal_basis="")
    many, page = post(staff_client, OBLIGATIONS, "decide_not_to_notify",
                      copies(incident, 50, applicability="needs_decision"), reason="Encrypted", legal_basis="")
    assert many == few
    assert "50 obligation(s) updated." in page
    # The page of the selection costs the same too.
    assert (post(staff_client, OBLIGATIONS, "decide_not_to_notify", copies(incident, 5), apply=False)[0]
            == post(staff_client, OBLIGATIONS, "decide_not_to_notify", copies(incident, 50), apply=False)[0])


def test_each_obligation_decided_in_bulk_keeps_history_audit_timeline_and_the_incident_clock(
        incident, staff_client, staff_user):
    decided = copies(incident, 2, applicability="needs_decision")
    proposed = copies(incident, 1, applicability="required")
    Incident.objects.filter(pk=incident.pk).update(next_deadline=None)
    post(staff_client, OBLIGATIONS, "decide_not_to_notify", decided + proposed, reason="Data was encrypted",
         legal_basis="Art. 34(3)(a) GDPR")
    content_type = ContentType.objects.get_for_model(Obligation)
    for row in decided:
        fresh = Obligation.objects.get(pk=row.pk)
        assert (fresh.status, fresh.decided_by, fresh.decision_reason, fresh.version) == (
            "not_notified", staff_user, "Data was encrypted", row.version + 1)
        record = fresh.history.order_by("-history_id").first()
        assert (record.history_user, record.history_change_reason, record.version) == (
            staff_user, "decided not to notify", fresh.version)
        entry = AuditLogEntry.objects.get(content_type=content_type, object_id=str(row.pk), history_id=record.pk)
        assert entry.user_name == "staff"
        assert {"field": "status", "old": row.status, "new": "not_notified"} in entry.changes
        assert {c["field"] for c in entry.changes} == {"status", "decided_by", "decided_at", "decision_reason"}
    # A required duty is only proposed: the clock runs on until someone else confirms it.
    fresh = Obligation.objects.get(pk=proposed[0].pk)
    assert fresh.status == proposed[0].status and fresh.waiver_proposed and fresh.waiver_proposed_by == staff_user
    assert fresh.waiver_legal_basis == "Art. 34(3)(a) GDPR"
    texts = list(TimelineEntry.objects.filter(incident=incident, kind=TimelineEntry.Kind.DECISION)
                 .order_by("pk").values_list("message", "params", "note"))
    assert ("Decided not to notify (%(code)s)", {"code": decided[0].code}, "Data was encrypted") in texts
    assert ("Proposed not to notify %(code)s (legal basis: %(basis)s); awaiting confirmation",
            {"code": proposed[0].code, "basis": "Art. 34(3)(a) GDPR"}, "Data was encrypted") in texts
    # The nearest deadline is that of the live obligations (the decided ones no longer count).
    incident.refresh_from_db()
    nearest = Obligation.objects.filter(Obligation.live_q(), incident=incident).aggregate(n=Min("deadline"))["n"]
    assert incident.next_deadline == nearest


def test_a_stale_or_refused_obligation_is_named_and_the_others_are_decided(incident, staff_client, staff_user):
    good, stale, sent = copies(incident, 3, applicability="needs_decision")
    Obligation.objects.filter(pk=stale.pk).update(version=stale.version + 1)
    Obligation.objects.filter(pk=sent.pk).update(status="sent", sent_at=incident.discovered_at)
    _queries, page = post(staff_client, OBLIGATIONS, "decide_not_to_notify", [good, stale, sent], reason="Encrypted",
                          legal_basis="")
    assert "1 obligation(s) updated." in page
    assert "Someone else saved this record after you opened it" in page
    assert f"{sent.code} cannot move from" in page
    assert list(Obligation.objects.filter(pk__in=[good.pk, stale.pk, sent.pk]).order_by("pk")
                .values_list("status", flat=True)) == ["not_notified", good.status, "sent"]


def test_confirming_or_turning_down_50_proposals_costs_the_queries_of_5(
        incident, staff_user, manager_client, manager_user, staff_client):
    proposal = dict(applicability="required", waiver_proposed_by=staff_user, waiver_reason="Encrypted",
                    waiver_legal_basis="Art. 34(3)(a)")
    for action, data in (("confirm_not_to_notify", {}), ("turn_down_not_to_notify", {"reason": "No"})):
        post(manager_client, OBLIGATIONS, action, copies(incident, 2, waiver_proposed_at=incident.discovered_at,
                                                         **proposal), **data)
        few, _page = post(manager_client, OBLIGATIONS, action,
                          copies(incident, 5, waiver_proposed_at=incident.discovered_at, **proposal), **data)
        rows = copies(incident, 50, waiver_proposed_at=incident.discovered_at, **proposal)
        many, page = post(manager_client, OBLIGATIONS, action, rows, **data)
        assert many == few, action
        assert "50 obligation(s) updated." in page
    confirmed = Obligation.objects.filter(decided_by=manager_user)
    assert confirmed.count() == 57
    assert confirmed.first().decision_reason == "Encrypted\nLegal basis: Art. 34(3)(a)"
    turned_down = Obligation.objects.get(pk=rows[0].pk)
    assert not turned_down.waiver_proposed and turned_down.status == rows[0].status
    # The proposer cannot confirm their own proposal, nor can staff without the permission.
    own = copies(incident, 1, waiver_proposed_at=incident.discovered_at, **proposal)
    _queries, page = post(staff_client, OBLIGATIONS, "confirm_not_to_notify", own)
    assert "You need the permission" in page
    assert Obligation.objects.get(pk=own[0].pk).status != "not_notified"


def ready_drafts(incident, staff_user, n):
    """``n`` approvable drafts, each on its own obligation, copies of a generated one with every fact."""
    services.incident_generate_drafts(incident=incident, by=staff_user)
    model = next(d for d in NoticeDraft.objects.filter(obligation__incident=incident, phase="initial").order_by("pk")
                 if not notices.markers_in(d.body))
    drafts = []
    for obligation in copies(incident, n, status="pending"):
        draft = copy.copy(model)
        draft.pk, draft.obligation = None, obligation
        drafts.append(draft)
    return NoticeDraft.objects.bulk_create(drafts)


def test_approving_50_drafts_costs_the_queries_of_5(incident, staff_user, manager_client):
    def approve(n):
        drafts = ready_drafts(incident, staff_user, n)
        shown = {f"_text_sha256_{d.pk}": notices.text_sha256(d.body) for d in drafts}
        page_queries, _page = post(manager_client, DRAFTS, "approve", drafts, apply=False)
        queries, page = post(manager_client, DRAFTS, "approve", drafts, **shown)
        assert f"{n} draft(s) approved." in page
        return page_queries, queries

    approve(2)  # warm-up: content types and permissions read once
    (page5, five), (page50, fifty) = approve(5), approve(50)
    # Approved as a set (services.notice_drafts_approve): the apply and the page showing the texts
    # cost the same whatever the selection.
    assert fifty == five
    assert page5 == page50
    assert NoticeDraft.objects.filter(approved_by__isnull=False).count() == 57
    assert set(Obligation.objects.filter(drafts__approved_by__isnull=False).values_list("status", flat=True)) == {
        "approved"}


def test_the_mark_sent_page_checks_every_selected_obligation_in_a_fixed_number_of_queries(
        incident, staff_client, staff_user):
    def page_queries(n):
        rows = copies(incident, n, status="approved")
        NoticeDraft.objects.bulk_create(NoticeDraft(obligation=o, language="en", kind="regulator_report", body="x",
                                                    approved_at=incident.discovered_at, approved_by=staff_user)
                                     for o in rows[1:])
        queries, page = post(staff_client, OBLIGATIONS, "mark_sent", rows, apply=False)
        assert "Mark sent" in page
        return queries

    page_queries(2)
    assert page_queries(5) == page_queries(50)
    # When none of the selection has an approved draft, the page says why for each.
    pending = copies(incident, 2, status="pending")
    _queries, page = post(staff_client, OBLIGATIONS, "mark_sent", pending, apply=False)
    assert "Nothing can be marked sent yet" in page and page.count("has no approved draft") == 2
