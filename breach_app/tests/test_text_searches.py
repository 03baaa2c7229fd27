"""The incident-timeline and notice-draft lists find a word of a note or a draft's text, an
obligation's code or an incident's reference (in part or typed whole), as the admin's search did,
now through the trigram and id indexes instead of a join filtered with OR."""

from datetime import timedelta

import pytest
from django.utils import timezone

from breach_app.models import NoticeDraft, TimelineEntry

from .factories import make_incident

pytestmark = pytest.mark.django_db


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_timeline_list_finds_a_note_word_and_an_incident_reference(staff_client, staff_user):
    first = make_incident(by=staff_user, title="Router firmware leak")
    second = make_incident(by=staff_user, title="Camera cloud leak")
    now = timezone.now()
    TimelineEntry.objects.bulk_create([
        TimelineEntry(incident=first, at=now - timedelta(hours=2), kind="fact", note="Gateway log shows exfiltration", by=staff_user),
        TimelineEntry(incident=second, at=now - timedelta(hours=1), kind="fact", note="Vendor called back", by=staff_user),
    ])
    url = "/admin/breach_app/timelineentry/?q="
    page = listed(staff_client, url + "exfiltration")
    assert "Gateway log shows exfiltration" in page and "Vendor called back" not in page
    # Every word must match somewhere: the note or the incident's reference.
    assert "Gateway log" not in listed(staff_client, url + "gateway%20vendor")
    page = listed(staff_client, url + second.reference)  # typed whole: the unique index
    assert "Vendor called back" in page and "Gateway log" not in page
    page = listed(staff_client, url + second.reference[-4:])  # part of it
    assert "Vendor called back" in page


def test_the_draft_list_finds_a_word_of_the_text_an_obligation_code_and_an_incident_reference(staff_client, staff_user):
    incident = make_incident(by=staff_user)
    other = make_incident(by=staff_user, title="Second incident")
    obligation = incident.obligations.order_by("code").first()
    elsewhere = other.obligations.exclude(code=obligation.code).order_by("code").first()
    NoticeDraft.objects.bulk_create([
        NoticeDraft(obligation=obligation, language="en", kind="regulator_report", body="Passwords were salted"),
        NoticeDraft(obligation=elsewhere, language="en", kind="regulator_report", body="Nothing was encrypted"),
    ])
    url = "/admin/breach_app/noticedraft/?q="

    def found(term):
        changelist = staff_client.get(url + term).context["cl"]
        return set(changelist.queryset.values_list("body", flat=True))

    assert found("salted") == {"Passwords were salted"}
    assert found(incident.reference) == {"Passwords were salted"}
    assert found(other.reference[-4:]) == {"Nothing was encrypted"}
    assert found(elsewhere.code) >= {"Nothing was encrypted"}
    assert found("salted%20encrypted") == set()  # every word must match
