"""The incident's timeline rows are read-only and written directly (TimelineEntryInline.read_only_cells):
each cell is the HTML Django's read-only cell shows, for a system record, a person's note with line
breaks and markup, an entry without a person, and in both languages."""

from datetime import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import AdminReadonlyField
from django.test import RequestFactory
from django.utils.translation import override

from breach_app.admin import TimelineEntryInline
from breach_app.models import Incident, TimelineEntry

from .test_admin_edit import recorded

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_read_only_cells_are_the_admins_read_only_cells(staff_client, staff_user, language):
    incident = recorded(staff_client)
    at = datetime.fromisoformat("2026-11-17T09:30:00+08:00")
    TimelineEntry.objects.create(incident=incident, kind="fact", at=at, note="Line one\nline <b>two</b> & more",
                                 late_reason="from the SOC ticket", by=staff_user)
    TimelineEntry.objects.create(incident=incident, kind="decision", at=at, note="", by=None)
    inline = TimelineEntryInline(Incident, admin.site)
    request = RequestFactory().get("/")
    request.user = staff_user
    formset = inline.get_formset(request, incident)(instance=incident, queryset=inline.get_queryset(request))
    with override(language):
        forms = [form for form in formset.forms if form.instance.pk]
        assert len(forms) >= 3  # the recorded incident's own entries and the two above
        for form in forms:
            django = [(name if isinstance(name, str) else name.__name__,
                       AdminReadonlyField(form, name, False, model_admin=inline).contents()) for name in inline.fields]
            assert inline.read_only_cells(form.instance) == django


def test_the_incident_page_shows_the_written_cells(staff_client, staff_user):
    incident = recorded(staff_client)
    TimelineEntry.objects.create(incident=incident, kind="fact", at=incident.discovered_at,
                                 note="Attacker <IP> blocked", by=staff_user)
    page = staff_client.get(f"/admin/breach_app/incident/{incident.pk}/change/").content.decode()
    assert '<td class="field-note">Attacker &lt;IP&gt; blocked</td>' in page
    assert f'<td class="field-by"><a href="/admin/auth/user/{staff_user.pk}/change/">' in page or \
        '<td class="field-by">' in page
    assert 'name="timeline-0-id"' in page
