"""Approving a selection of notice drafts as a set: all or nothing, every refusal named
in the reader's language, the approval permission checked per kind, an already approved draft
skipped and said, and the same history, audit-log and timeline rows as approving one at a time."""

import copy
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Min
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_noop

from breach_app import notices, services
from breach_app.models import NoticeDraft, Obligation, TimelineEntry
from privacy_office import roles
from privacy_office.history import save_with_reason
from privacy_office.models import AuditLogEntry

from .factories import make_incident

pytestmark = pytest.mark.django_db

DRAFTS = "/admin/breach_app/noticedraft/"
SERIAL = itertools.count()


@pytest.fixture
def incident(staff_user):
    incident = make_incident(by=staff_user)
    services.incident_generate_drafts(incident=incident, by=staff_user)
    return incident


def ready(incident, n, *, kind=None, status="pending"):
    """``n`` approvable drafts, each on its own obligation (``status``), copies of a generated
    initial draft with every fact."""
    model = next(d for d in NoticeDraft.objects.filter(obligation__incident=incident, phase="initial").order_by("pk")
                 if not notices.markers_in(d.body))
    first = incident.obligations.order_by("pk").first()
    drafts = []
    for _ in range(n):
        obligation = copy.copy(first)
        obligation.pk, obligation.code, obligation.status, obligation.version = None, f"T-{next(SERIAL)}", status, 1
        obligation.save()
        draft = copy.copy(model)
        draft.pk, draft.obligation, draft.version = None, obligation, 1
        draft.kind = kind or model.kind
        draft.save()
        drafts.append(draft)
    return drafts


def shown(drafts):
    return {d.pk: (d.version, notices.text_sha256(d.body)) for d in drafts}


def approve_posted(client, drafts, **headers):
    """The list action as the confirmation page posts it back; the page after the redirect."""
    data = {"action": "approve", "_selected_action": [d.pk for d in drafts], "apply": "1",
            **{f"_loaded_version_{d.pk}": d.version for d in drafts},
            **{f"_text_sha256_{d.pk}": notices.text_sha256(d.body) for d in drafts}}
    return client.post(DRAFTS, data, follow=True, **headers).content.decode().replace("&#x27;", "'")


def test_one_changed_text_approves_nothing_and_shows_its_difference(incident, manager_user, staff_user):
    drafts = ready(incident, 3)
    read = shown(drafts)
    services.notice_draft_update(draft=drafts[1], by=staff_user, body=drafts[1].body + "\nA line nobody read")
    history_before = NoticeDraft.history.count()
    timeline_before = TimelineEntry.objects.count()

    result = services.notice_drafts_approve(shown=read, by=manager_user)

    assert result.approved == [] and list(result.refused) == [drafts[1].pk]
    refusal = result.refused[drafts[1].pk]
    assert refusal.code == "text_changed"
    assert "+A line nobody read" in refusal.params["diff"]
    assert not NoticeDraft.objects.filter(pk__in=[d.pk for d in drafts], approved_at__isnull=False).exists()
    assert set(Obligation.objects.filter(drafts__in=drafts).values_list("status", flat=True)) == {"pending"}
    assert (NoticeDraft.history.count(), TimelineEntry.objects.count()) == (history_before, timeline_before)


def test_every_refused_draft_is_named_in_the_readers_language(incident, manager_client, staff_user):
    good, sent, outdated, missing = ready(incident, 4)
    NoticeDraft.objects.filter(pk=sent.pk).update(approved_at=timezone.now(), approved_by=staff_user,
                                                  sent_at=timezone.now())
    NoticeDraft.objects.filter(pk=outdated.pk).update(outdated=True)
    NoticeDraft.objects.filter(pk=missing.pk).update(body=missing.body + "\n[MISSING: impact]")
    for draft in (sent, outdated, missing):
        draft.refresh_from_db()

    page = approve_posted(manager_client, [good, sent, outdated, missing])
    assert "Nothing was approved: 3 of the 4 selected drafts cannot be approved as shown." in page
    assert f"{sent}: This notice was already sent." in page
    assert f"{outdated}: The exposed data of the incident changed" in page
    assert f"{missing}: The draft still flags missing facts: [MISSING: impact]" in page
    assert str(good) + ":" not in page
    assert not NoticeDraft.objects.filter(pk=good.pk, approved_at__isnull=False).exists()

    outdated.refresh_from_db()
    page = approve_posted(manager_client, [good, outdated], HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "未批准任何草稿：所选 2 份草稿中有 1 份无法按所显示的文本批准。" in page


def test_the_approval_permission_is_checked_per_kind(incident, manager_user, staff_user, monkeypatch):
    # A kind whose approval is another permission, which the manager does not hold.
    monkeypatch.setitem(roles.APPROVALS, "user_notice", "breach_app.approve_waive_notification")
    manager_user.user_permissions.clear()
    manager_user.groups.clear()
    from django.contrib.auth.models import Permission

    manager_user.user_permissions.add(Permission.objects.get(codename="approve_noticedraft"))
    manager_user = type(manager_user).objects.get(pk=manager_user.pk)  # no cached permissions
    report, = ready(incident, 1, kind="regulator_report")
    notice, = ready(incident, 1, kind="user_notice")

    result = services.notice_drafts_approve(shown=shown([report, notice]), by=manager_user)
    assert list(result.refused) == [notice.pk] and isinstance(result.refused[notice.pk], PermissionDenied)
    assert str(result.refused[notice.pk]).startswith("You need the permission")
    assert not NoticeDraft.objects.filter(approved_at__isnull=False, pk__in=[report.pk, notice.pk]).exists()

    approved = services.notice_drafts_approve(shown=shown([report]), by=manager_user).approved
    assert [d.pk for d in approved] == [report.pk]
    with pytest.raises(PermissionDenied):
        services.notice_draft_approve(draft=notice, by=staff_user)


def test_an_already_approved_draft_is_skipped_and_said(incident, manager_client, manager_user):
    earlier, fresh = ready(incident, 2)
    earlier = services.notice_draft_approve(draft=earlier, by=manager_user)
    records = earlier.history.count()

    page = approve_posted(manager_client, [earlier, fresh])
    assert f"Already approved, left as they were: {earlier}" in page
    assert "1 draft(s) approved." in page
    assert earlier.history.count() == records
    assert NoticeDraft.objects.get(pk=fresh.pk).approved_by == manager_user


def one_by_one(draft, *, by):
    """The approval as ``notice_draft_approve`` wrote it before it went through the set (a save
    and a transition at a time): the reference the set's rows are compared with."""
    draft = NoticeDraft.objects.select_related("obligation__incident").get(pk=draft.pk)
    version, sha = draft.version, notices.text_sha256(draft.body)
    draft.approved_by, draft.approved_at = by, timezone.now()
    draft.approved_version, draft.approved_sha256 = version, sha
    save_with_reason(draft, by=by, reason=gettext_noop("approved for sending"))
    obligation = draft.obligation
    services.obligation_transition(obligation=obligation, by=by, to_status=Obligation.Status.DRAFTED)
    services.obligation_transition(obligation=obligation, by=by, to_status=Obligation.Status.APPROVED,
                                   reason=gettext_noop("draft approved"))
    services.timeline_add(incident=obligation.incident, by=by, kind=TimelineEntry.Kind.DECISION,
                          message=gettext_noop("Draft approved: %(code)s · %(kind)s · %(phase)s · %(language)s "
                                               "(version %(version)s, SHA-256 %(sha256)s)"),
                          params={"code": obligation.code, "kind": draft.kind, "phase": draft.phase,
                                  "language": draft.language, "version": version, "sha256": sha})
    return draft


def written(draft):
    """What an approval left behind for ``draft``, without ids and times."""
    ignore = {"history_id", "history_date", "approved_at", "id", "obligation_id", "history_user_id"}
    draft_type, obligation_type = (ContentType.objects.get_for_model(m) for m in (NoticeDraft, Obligation))

    def rows(records):
        return [{k: v for k, v in r.__dict__.items() if not k.startswith("_") and k not in ignore}
                | {"user": r.history_user} for r in records]

    def audit(content_type, pk):
        return [(e.user_name, e.action, e.reason, [c for c in e.changes if c["field"] != "approved_at"])
                for e in AuditLogEntry.objects.filter(content_type=content_type, object_id=str(pk)).order_by("pk")]

    code = draft.obligation.code
    obligation_rows = rows(draft.obligation.history.order_by("history_id"))
    for row in obligation_rows:
        row.pop("code")
    timeline = [(e.kind, e.message, {k: v for k, v in e.params.items() if k != "code"}, e.by)
                for e in TimelineEntry.objects.filter(params__code=code).order_by("pk")]
    return (rows(draft.history.order_by("history_id")), obligation_rows, audit(draft_type, draft.pk),
            [(n, a, r, [c for c in ch if c["field"] != "code"]) for n, a, r, ch in audit(obligation_type,
                                                                                         draft.obligation_id)],
            timeline)


def test_history_audit_and_timeline_rows_equal_those_of_the_one_by_one_path(incident, manager_user):
    alone, *in_a_set = ready(incident, 3)
    one_by_one(alone, by=manager_user)
    result = services.notice_drafts_approve(shown=shown(in_a_set), by=manager_user)
    assert len(result.approved) == 2

    reference = written(NoticeDraft.objects.get(pk=alone.pk))
    draft_history, obligation_history, _draft_audit, _obligation_audit, timeline = reference
    assert [r["history_change_reason"] for r in draft_history][-1:] == ["approved for sending"]
    assert [(r["status"], r["history_change_reason"]) for r in obligation_history][-2:] == [
        ("drafted", "status changed"), ("approved", "draft approved")]
    assert [t[1] for t in timeline] == ["Draft approved: %(code)s · %(kind)s · %(phase)s · %(language)s "
                                        "(version %(version)s, SHA-256 %(sha256)s)"]
    for draft in in_a_set:
        fresh = NoticeDraft.objects.get(pk=draft.pk)
        assert (fresh.approved_version, fresh.approved_sha256, fresh.version) == (
            draft.version, notices.text_sha256(draft.body), draft.version + 1)
        assert written(fresh) == reference


def test_two_drafts_of_one_obligation_move_it_once(incident, manager_user, staff_user):
    draft, = ready(incident, 1)
    other = copy.copy(NoticeDraft.objects.get(pk=draft.pk))
    other.pk, other.language = None, "zh-hans" if draft.language == "en" else "en"
    other.save()
    approved = services.notice_drafts_approve(shown=shown([draft, other]), by=manager_user).approved
    assert {d.pk for d in approved} == {draft.pk, other.pk}
    obligation = Obligation.objects.get(pk=draft.obligation_id)
    assert obligation.status == "approved" and obligation.version == 3
    assert list(obligation.history.order_by("history_id").values_list("history_change_reason", flat=True))[-2:] == [
        "status changed", "draft approved"]
    assert approved[0].obligation.status == "approved"  # the instances returned say where it is now
    assert TimelineEntry.objects.filter(params__code=obligation.code).count() == 2
    incident.refresh_from_db()
    nearest = Obligation.objects.filter(Obligation.live_q(), incident=incident).aggregate(n=Min("deadline"))["n"]
    assert incident.next_deadline == nearest


def test_the_confirmation_page_shows_every_text_folded_when_there_are_many(incident, manager_client):
    def page(drafts):
        return manager_client.post(DRAFTS, {"action": "approve", "_selected_action": [d.pk for d in drafts]}
                                   ).content.decode()

    few, many = ready(incident, 2), ready(incident, 6)
    assert page(few).count("<details class=\"module breach-text-to-approve\" open>") == 2
    html = page(many)
    assert html.count("<details class=\"module breach-text-to-approve\">") == 6
    for draft in many:
        assert f'name="_text_sha256_{draft.pk}" value="{notices.text_sha256(draft.body)}"' in html
        assert f'name="_loaded_version_{draft.pk}" value="{draft.version}"' in html
    assert "6 texts: read each one before approving" in html


def test_drafts_of_a_closed_incident_are_refused(incident, manager_user):
    from breach_app.models import Incident

    drafts = ready(incident, 2)
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.CLOSED)
    result = services.notice_drafts_approve(shown=shown(drafts), by=manager_user)
    assert result.approved == [] and sorted(result.refused) == sorted(d.pk for d in drafts)
    assert all(f"{incident.reference} is closed" in str(exc.messages[0]) for exc in result.refused.values())
