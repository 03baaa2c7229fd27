"""The audit log shows the legal clock: every change of a due date, a deadline, a status or a sent
time, old → new, with labels in the reader's language and times in the office's zone."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import formats, timezone, translation

from breach_app import services as breach
from breach_app.models import Obligation
from breach_app.tests.factories import codes, make_incident
from privacy_office.models import AuditLogEntry
from requests_app import identity_checks, letters, services as dsar
from requests_app.models import RightsRequest, Status
from requests_app.tests.factories import at, make_case

pytestmark = pytest.mark.django_db

AUDIT_LOG = reverse("admin:privacy_office_auditlogentry_changelist")


def entries(model, obj, **filters):
    ct = ContentType.objects.get_for_model(model)
    return AuditLogEntry.objects.filter(content_type=ct, object_id=str(obj.pk), action="~", **filters).order_by("id")


def changes_of(model, obj, field):
    return [c for entry in entries(model, obj) for c in entry.changes if c["field"] == field]


def verify(case, when, by):
    return identity_checks.dsar_record_identity_check(case=case, by=by, decided_at=when, now=when,
                                                      method="data_points", data_points=["email", "account id"])


def started_case(by, **overrides):
    """A case received Mon 2 November 2026 whose requester was verified the next day (work started)."""
    case = make_case(received_at=at(2026, 11, 2), now=at(2026, 11, 2, 12), **overrides)
    verify(case, at(2026, 11, 3), by)
    case = RightsRequest.objects.get(pk=case.pk)
    if case.status != Status.IN_PROGRESS:
        case = dsar.dsar_start_work(case=case, by=by, now=at(2026, 11, 3, 1))
    return case


def reply_sent(case, by, when):
    """The access response sent at ``when``: it marks the case responded, with its sent time."""
    draft = letters.draft_generate(case=case, kind="access_response", language="en", by=by, now=when)
    letters.draft_mark_sent(draft=draft, by=by, now=when)


def test_a_recomputed_due_date_shows_old_and_new(staff_user, manager_client):
    # The hand-worked CN example of requests_app's clock tests: received Mon 2026-03-02, due
    # Mon 2026-03-23; verified Wed 2026-03-04, due 15 days later, Thu 2026-03-19.
    case = make_case(jurisdiction="CN", received_at=at(2026, 3, 2, 2), now=at(2026, 3, 2, 3))
    verify(case, at(2026, 3, 4, 2), staff_user)
    case.refresh_from_db()
    assert case.due_on == date(2026, 3, 19)
    assert {"field": "due_on", "old": "2026-03-23", "new": "2026-03-19"} in changes_of(RightsRequest, case, "due_on")
    page = manager_client.get(AUDIT_LOG, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<b>due on</b>: “March 23, 2026” → “March 19, 2026”" in page


def test_status_and_responded_and_closed_times_show_old_and_new(staff_user, manager_client):
    case = started_case(staff_user)
    dsar.dsar_mark_response_drafted(case=RightsRequest.objects.get(pk=case.pk), by=staff_user, now=at(2026, 11, 4))
    reply_sent(case, staff_user, at(2026, 11, 5, 3, 30))  # sending the reply marks the case responded
    case = dsar.dsar_close(case=RightsRequest.objects.get(pk=case.pk), by=staff_user, now=at(2026, 11, 6))
    assert {"field": "status", "old": "response_drafted", "new": "responded"} in changes_of(RightsRequest, case, "status")
    responded = changes_of(RightsRequest, case, "responded_at")
    assert [(c["old"], c["new"][:19]) for c in responded] == [("", "2026-11-05 03:30:00")]
    assert [c["new"][:19] for c in changes_of(RightsRequest, case, "closed_at")] == ["2026-11-06 10:00:00"]

    # Read in English: labels, choice labels, the time in Shanghai (UTC+8) as the admin writes it.
    page = manager_client.get(AUDIT_LOG, {"content_type": ContentType.objects.get_for_model(RightsRequest).pk},
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<b>status</b>: “response drafted” → “responded”" in page
    assert "<b>responded at</b>: “—” → “Nov. 5, 2026, 11:30 a.m.”" in page
    assert "response_drafted" not in page and "responded_at" not in page and "+00:00" not in page
    # ... and in Chinese.
    page = manager_client.get(AUDIT_LOG, {"content_type": ContentType.objects.get_for_model(RightsRequest).pk},
                              HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026年11月5日 11:30" in page
    assert "responded_at" not in page and "response_drafted" not in page


def test_a_changed_incident_deadline_and_a_sent_time_show_old_and_new(staff_user, manager_user, manager_client):
    incident = make_incident(by=staff_user)
    obligation = codes(incident)["CN-CAC-INCIDENT"]
    old_deadline = obligation.deadline
    # Discovered an hour earlier than first recorded: the clock starts earlier.
    breach.incident_update(incident=incident, by=staff_user, discovered_at=incident.discovered_at - timedelta(hours=1),
                           reason="log review showed an earlier discovery")
    obligation.refresh_from_db()
    assert obligation.deadline == old_deadline - timedelta(hours=1)
    deadline_changes = changes_of(Obligation, obligation, "deadline")
    assert [(c["old"], c["new"]) for c in deadline_changes] == [(str(old_deadline), str(obligation.deadline))]

    draft = breach.notice_draft_generate(obligation=obligation, by=staff_user, language="en")
    breach.notice_draft_approve(draft=draft, by=manager_user)
    obligation = breach.obligation_mark_sent(obligation=obligation, by=staff_user, channel="portal", reference="CAC-1")
    assert {"field": "status", "old": "approved", "new": "sent"} in changes_of(Obligation, obligation, "status")
    sent = changes_of(Obligation, obligation, "sent_at")
    assert len(sent) == 1 and sent[0]["old"] == "" and sent[0]["new"]

    ct = ContentType.objects.get_for_model(Obligation)
    translation.activate("en")
    page = manager_client.get(AUDIT_LOG, {"content_type": ct.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = timezone.localtime(old_deadline)  # the office's zone, as the admin writes times
    assert f"<b>deadline</b>: “{formats.localize(shown)}” → “{formats.localize(shown - timedelta(hours=1))}”" in page
    assert "<b>sent at</b>: “—” → “" in page
    assert "“approved” → “sent”" in page
    assert "+00:00" not in page


def test_the_history_page_shows_the_clock_readably(staff_user, manager_client):
    case = started_case(staff_user)
    dsar.dsar_mark_response_drafted(case=RightsRequest.objects.get(pk=case.pk), by=staff_user, now=at(2026, 11, 4))
    reply_sent(case, staff_user, at(2026, 11, 5, 3, 30))  # sending the reply marks the case responded
    url = reverse("admin:requests_app_rightsrequest_history", args=[case.pk])
    page = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<b>status</b>: “response drafted” → “responded”" in page
    assert "<b>responded at</b>: “—” → “Nov. 5, 2026, 11:30 a.m.”" in page
    assert "responded_at" not in page and "+00:00" not in page
    chinese = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026年11月5日 11:30" in chinese and "responded_at" not in chinese


def test_foreign_keys_show_by_name_and_long_text_folds(staff_user, manager_user, manager_client):
    case = make_case(jurisdiction="EU", received_at=at(2026, 11, 2), now=at(2026, 11, 2, 12))
    dsar.dsar_assign(cases=[case], assignee=manager_user, by=staff_user)
    long_text = "The requester wants every record. " * 12
    dsar.dsar_update(case=RightsRequest.objects.get(pk=case.pk), by=staff_user, description=long_text)
    page = manager_client.get(AUDIT_LOG, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "→ “manager”" in page  # the assignee by name, not by id
    assert '<details class="audit-long"><summary>' in page
    # In Python, not with a JSON "contains" lookup: SQLite (the README's default) has none.
    [entry] = [e for e in entries(RightsRequest, case) if any(c["field"] == "assignee" for c in e.changes)]
    assert entry.changes[0]["new"] == str(manager_user.pk)  # stored raw: the reader's language chosen when read
    detail = manager_client.get(reverse("admin:privacy_office_auditlogentry_change", args=[entry.pk]),
                                HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<b>assignee</b>: “—” → “manager”" in detail


def test_the_export_reads_like_the_page(staff_user, manager_client):
    started_case(staff_user)
    url = reverse("admin:privacy_office_auditlogentry_export")
    form = manager_client.get(url).context["form"]
    fields = {name: "on" for name in form.fields if name.startswith("auditlogentryresource_")}
    response = manager_client.post(url, {"format": "0", "resource": "0", **fields}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any("status: received → in progress" in row["changes"] for row in rows), [r["changes"] for r in rows]
