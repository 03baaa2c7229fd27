"""The incident and obligation pages cost a fixed number of queries whatever the number of
obligations, drafts, timeline entries and affected populations (an incident touching every US
state has over a hundred obligations and hundreds of timeline entries)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from breach_app.admin import TimelineEntryInline
from breach_app.summary import OBLIGATIONS_SHOWN
from breach_app.models import AffectedPopulation, Jurisdiction, NoticeDraft, Obligation, TimelineEntry

from .factories import make_incident

pytestmark = pytest.mark.django_db


def add_related(incident, *, n, by):
    """``n`` more obligations (each with a zh-hans and an en draft, approved by ``by``), timeline
    entries and affected populations, written in bulk (the page is what is measured, not the services)."""
    now = timezone.now()
    used = set(incident.populations.values_list("jurisdiction", flat=True))
    free = [code for code, _label in Jurisdiction.choices if code not in used][:n]
    AffectedPopulation.objects.bulk_create(
        AffectedPopulation(incident=incident, jurisdiction=code, people_min=10) for code in free)
    start = incident.obligations.count()
    codes = [f"X-{start + i}" for i in range(n)]
    obligations = Obligation.objects.bulk_create(
        Obligation(incident=incident, code=codes[i], jurisdiction="EU", recipient="regulator",
                   applicability="required", deadline=now + timedelta(hours=i + 1), deadline_kind="instant",
                   citation="test") for i in range(n))
    NoticeDraft.objects.bulk_create(
        NoticeDraft(obligation=o, language=language, kind="regulator_report", body="text", approved_by=by,
                    approved_at=now) for o in obligations for language in ("zh-hans", "en"))
    TimelineEntry.objects.bulk_create(
        TimelineEntry(incident=incident, at=now - timedelta(minutes=i), kind="fact", note=f"note {i}", by=by)
        for i in range(n))
    return codes


def page_queries(client, url):
    client.get(url)  # warm: session refresh, permission and content-type caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_incident_page_queries_do_not_grow_with_related_rows(staff_client, staff_user):
    incident = make_incident(by=staff_user)
    url = f"/admin/breach_app/incident/{incident.pk}/change/"
    add_related(incident, n=3, by=staff_user)
    few, _page = page_queries(staff_client, url)
    more = add_related(incident, n=40, by=staff_user)
    many, page = page_queries(staff_client, url)
    assert many == few, f"{few} queries with a few related rows, {many} with forty more of each"
    assert f'>{more[0]} <small class="quiet">' in page and "note 0" in page  # nearest deadline, newest entry


def test_long_incident_inlines_are_capped_with_a_link_to_the_full_list(staff_client, staff_user):
    incident = make_incident(by=staff_user)
    codes = add_related(incident, n=OBLIGATIONS_SHOWN + 5, by=staff_user)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(incident=incident, at=timezone.now() - timedelta(days=1, minutes=i), kind="fact",
                      note=f"older {i}", by=staff_user) for i in range(TimelineEntryInline.shown_max))
    _queries, page = page_queries(staff_client, f"/admin/breach_app/incident/{incident.pk}/change/")
    # The obligations nearest their deadline are shown; the later ones are one click away, filtered.
    obligations = f"/admin/breach_app/obligation/?incident__id__exact={incident.pk}"
    assert obligations in page
    assert f'>{codes[0]} <small class="quiet">' in page and f'>{codes[-1]} <small class="quiet">' not in page
    # The newest timeline entries are shown; the full timeline is the filtered timeline list.
    timeline = f"/admin/breach_app/timelineentry/?incident__id__exact={incident.pk}"
    assert timeline in page
    assert "note 0" in page and f"older {TimelineEntryInline.shown_max - 1}" not in page
    # The linked lists hold every row.
    listed = staff_client.get(obligations + "&p=2").content.decode()
    assert f">{codes[-1]}<" in listed
    listed = staff_client.get(timeline).content.decode()  # oldest first
    assert f"older {TimelineEntryInline.shown_max - 1}" in listed


def test_obligation_page_queries_do_not_grow_with_drafts(staff_client, staff_user):
    incident = make_incident(by=staff_user)
    obligation = incident.obligations.order_by("code").first()
    url = f"/admin/breach_app/obligation/{obligation.pk}/change/"
    NoticeDraft.objects.bulk_create(
        NoticeDraft(obligation=obligation, language="en", kind="regulator_report", phase=phase, body="t",
                    approved_by=staff_user, approved_at=timezone.now()) for phase in ("initial",))
    few, _page = page_queries(staff_client, url)
    NoticeDraft.objects.bulk_create(
        NoticeDraft(obligation=obligation, language="zh-hans", kind="regulator_report", phase=phase, body="t",
                    approved_by=staff_user, approved_at=timezone.now()) for phase in ("initial", "follow_up", "final"))
    many, _page = page_queries(staff_client, url)
    assert many == few, f"{few} queries with one draft, {many} with four"
