"""Each person's own language and time zone: a Chinese officer sees Chinese whatever the browser
says; a manager in Berlin reads and types times in Berlin time, with the zone named, and is not
told that the browser is hours away from the server. The times typed and sent are in November
(Berlin on winter time, UTC+1; Shanghai UTC+8); the page offsets follow the pinned instant."""

from datetime import datetime, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from privacy_office.models import Reminder, StaffProfile

pytestmark = pytest.mark.django_db
UTC = dt_timezone.utc


def offset(zone: str) -> str:
    """The zone's UTC offset in seconds at the pinned instant, as the admin writes it (it changes
    with daylight saving). In the hour that occurs twice when the clocks go back (e.g. 02:30 in
    Berlin on 31 Oct 2027) Django's `{% now "Z" %}` writes no offset, and the admin then gives no
    time-difference warning at all; that is the offset a page carries then."""
    local = timezone.now().astimezone(ZoneInfo(zone))
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return ""
    return str(int(local.utcoffset().total_seconds()))


def signed_in(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def test_a_chinese_officer_sees_chinese_whatever_the_browser_asks(staff_user):
    StaffProfile.objects.create(user=staff_user, language="zh-hans")
    page = signed_in(staff_user, HTTP_ACCEPT_LANGUAGE="en").get(reverse("admin:index"))
    assert page["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in page.content.decode()


def test_a_berlin_manager_reads_english_in_berlin_time_with_the_zone_named(manager_user):
    StaffProfile.objects.create(user=manager_user, language="en", time_zone="Europe/Berlin")
    page = signed_in(manager_user, HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("admin:index")).content.decode()
    assert '<html lang="en"' in page
    assert "Times in Europe/Berlin" in page
    # The admin's "you are N hours behind server time" compares the browser with this offset:
    # a browser in Berlin now agrees with the page.
    assert f'data-admin-utc-offset="{offset("Europe/Berlin")}"' in page


def test_without_a_profile_the_browser_language_and_the_office_zone_apply(staff_user, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    page = signed_in(staff_user, HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("admin:index")).content.decode()
    assert '<html lang="zh-hans"' in page
    assert f'data-admin-utc-offset="{offset("Asia/Shanghai")}"' in page
    assert "时区：Asia/Shanghai" in page


def test_a_time_typed_in_berlin_is_berlin_time(staff_user, settings):
    from requests_app.models import RightsRequest
    from requests_app.tests.test_admin_case_page import case_form, inline_management

    settings.TIME_ZONE = "Asia/Shanghai"
    StaffProfile.objects.create(user=staff_user, language="en", time_zone="Europe/Berlin")
    client = signed_in(staff_user)
    add_url = reverse("admin:requests_app_rightsrequest_add")
    data = {**case_form(jurisdiction="EU", received_at_0="2026-11-17", received_at_1="09:00:00"),
            **inline_management(client.get(add_url))}
    response = client.post(add_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    # 09:00 in Berlin (CET) is 08:00 UTC, not 09:00 in Shanghai (01:00 UTC).
    assert RightsRequest.objects.get().received_at == datetime(2026, 11, 17, 8, 0, tzinfo=UTC)


def test_the_header_language_list_saves_the_choice_to_the_profile(staff_user):
    client = signed_in(staff_user, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=staff_user).language == "zh-hans"
    # Later pages follow the profile, even from a browser that asks for English and has no cookie.
    client.cookies.clear()
    client.force_login(staff_user)
    page = client.get(reverse("admin:index"))
    assert page["Content-Language"] == "zh-hans"


def test_each_person_sets_their_own_zone_and_a_wrong_one_is_refused(staff_user):
    client = signed_in(staff_user, HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("admin:preferences")
    assert client.get(url).status_code == 200
    refused = client.post(url, {"language": "en", "time_zone": "Europe/Atlantis"})
    assert refused.status_code == 200 and "Europe/Atlantis" in refused.content.decode()
    assert not StaffProfile.objects.filter(user=staff_user).exists()
    saved = client.post(url, {"language": "en", "time_zone": "America/New_York"}, follow=True)
    assert "Your language and time zone are saved." in saved.content.decode()
    assert StaffProfile.objects.get(user=staff_user).time_zone == "America/New_York"
    assert f'data-admin-utc-offset="{offset("America/New_York")}"' in client.get(reverse("admin:index")).content.decode()


def test_the_office_zone_is_stored_as_the_default_not_copied(staff_user, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    client = signed_in(staff_user)
    client.post(reverse("admin:preferences"), {"language": "zh-hans", "time_zone": "Asia/Shanghai"})
    assert StaffProfile.objects.get(user=staff_user).time_zone == ""


def test_a_late_reminder_names_its_moment_in_the_recipients_zone(manager_user, reminder_mail):
    from django.contrib.contenttypes.models import ContentType

    from privacy_office.reminders import reminder_send
    from requests_app.services import dsar_register

    StaffProfile.objects.create(user=manager_user, language="en", time_zone="Europe/Berlin")
    case = dsar_register(requester_name="Erika Mustermann", requester_email="erika@example.de", jurisdiction="EU",
                         request_type="access", received_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
                         assignee=manager_user)
    reminder = Reminder.objects.create(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk, kind="dsar_due_before",
        threshold="7", recipient=manager_user, due_at=datetime(2026, 11, 16, 1, 0, tzinfo=UTC), late=True)
    assert reminder_send(reminder_id=reminder.pk, now=datetime(2026, 11, 18, 2, 0, tzinfo=UTC)) == "sent"
    # Due 01:00 UTC = 02:00 in Berlin (CET), named as such, not 09:00 Shanghai time.
    assert "2026-11-16 02:00 CET" in mail.outbox[-1].body
