"""A timeline entry's own page reads in the reader's language, not as a message id with JSON."""

from django.utils import translation
from django.utils.html import escape

from privacy_office.models import StaffProfile
from requests_app.models import TimelineEntry

from .factories import make_case


def test_timeline_entry_page_shows_the_message_in_chinese(staff_client, staff_user):
    StaffProfile.objects.update_or_create(user=staff_user, defaults={"language": "zh-hans"})
    staff_client.force_login(staff_user)  # the session takes the language at sign-in
    case = make_case(by=staff_user)
    entry = TimelineEntry.objects.filter(request=case).order_by("id").first()
    page = staff_client.get(f"/admin/requests_app/timelineentry/{entry.pk}/change/").content.decode()
    assert "%(" not in page  # no message id with its placeholders
    with translation.override("zh-hans"):
        shown = entry.text
    assert shown and shown != entry.message and escape(shown) in page
