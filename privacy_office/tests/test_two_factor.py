"""Two-factor sign-in through the admin: set up an authenticator, sign in with its codes or a
recovery code (once), and, where it is required, nothing but enrollment before it is set up."""

import re
from base64 import b32encode
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # conftest.make_user's
START = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TWO_FACTOR = "/admin/two-factor/"


def at(minutes: int):
    # A code is accepted once per 30-second step: each sign-in happens a minute after the last.
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def code_now(device: TOTPDevice) -> str:
    # What the authenticator app shows at this moment (RFC 6238), computed independently of the form.
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def sign_in(client, *, password=PASSWORD, code=None, username="staff"):
    data = {"username": username, "password": password, "next": "/admin/"}
    if code is not None:
        data["otp_token"] = code
    return client.post(reverse("admin:login"), data)


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def enroll(client) -> list[str]:
    """Sets up an authenticator through the page, as a person does; returns the recovery codes shown."""
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code, inline
    device = TOTPDevice.objects.get(user__username="staff", confirmed=False)
    secret = re.search(r'<code class="two-factor-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    assert secret == b32encode(device.bin_key).decode().rstrip("=")  # the key typed in by hand is the same
    response = client.post(TWO_FACTOR, {"action": "confirm", "code": code_now(device)})
    assert response.status_code == 200
    assert "Two-factor sign-in is set up." in response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    return codes


def enrolled_and_signed_out() -> Client:
    """A browser whose user (staff) set up two-factor sign-in at minute 0 and signed out."""
    client = Client()
    with at(0):
        sign_in(client)
        enroll(client)
        client.post(reverse("admin:logout"))
    return client


def test_enrolled_user_signs_in_with_a_code_or_a_recovery_code_once(staff_user):
    client = Client()
    with at(0):
        assert sign_in(client).status_code == 302  # no two-factor yet: the password is enough
        codes = enroll(client)
        client.post(reverse("admin:logout"))
    device = TOTPDevice.objects.get(user=staff_user, confirmed=True)

    with at(1):
        refused = sign_in(client)
        assert refused.status_code == 200
        assert "This account uses two-factor sign-in" in refused.content.decode()
        assert not signed_in(client)
    with at(2):
        wrong = sign_in(client, code="000000" if code_now(device) != "000000" else "111111")
        assert "That code is not valid" in wrong.content.decode()
        assert not signed_in(client)
    with at(3):
        assert sign_in(client, code=code_now(device)).status_code == 302
        assert signed_in(client)
        client.post(reverse("admin:logout"))
    with at(4):
        assert sign_in(client, code=codes[0]).status_code == 302
        assert signed_in(client)
        client.post(reverse("admin:logout"))
    with at(5):
        again = sign_in(client, code=codes[0])
        assert again.status_code == 200
        assert "That code is not valid" in again.content.decode()
        assert not signed_in(client)
    with at(6):
        # As people type them: upper case, in two groups.
        typed = f"{codes[1][:4].upper()} {codes[1][4:].upper()}"
        assert sign_in(client, code=typed).status_code == 302
        assert signed_in(client)


def test_a_wrong_password_with_a_right_code_is_refused(staff_user):
    client = enrolled_and_signed_out()
    device = TOTPDevice.objects.get(user=staff_user, confirmed=True)
    with at(1):
        assert sign_in(client, password="wrong-password-123", code=code_now(device)).status_code == 200
        assert not signed_in(client)


def test_guessing_codes_ends_in_the_lockout(staff_user, settings):
    client = enrolled_and_signed_out()
    for minute in range(1, settings.AXES_FAILURE_LIMIT + 1):
        with at(minute):
            response = sign_in(client, code="zzzzzzzz")  # not a recovery code
    assert response.status_code == 429
    device = TOTPDevice.objects.get(user=staff_user, confirmed=True)
    with at(30):
        assert sign_in(client, code=code_now(device)).status_code == 429  # even the right code, while locked


def test_new_recovery_codes_replace_the_old_ones(staff_user):
    client = Client()
    with at(0):
        sign_in(client)
        old = enroll(client)
        response = client.post(TWO_FACTOR, {"action": "codes"})
        new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
        assert len(new) == 10 and not set(new) & set(old)
        client.post(reverse("admin:logout"))
    with at(1):
        assert sign_in(client, code=old[0]).status_code == 200
    with at(3):
        assert sign_in(client, code=new[0]).status_code == 302


def test_replacing_the_authenticator_retires_the_old_one(staff_user):
    client = Client()
    with at(0):
        sign_in(client)
        enroll(client)
    old = TOTPDevice.objects.get(user=staff_user, confirmed=True)
    with at(1):
        page = client.get(TWO_FACTOR + "?setup=1").content.decode()
        assert "Set up an authenticator app" in page
        new = TOTPDevice.objects.get(user=staff_user, confirmed=False)
        assert client.post(TWO_FACTOR, {"action": "confirm", "code": code_now(new)}).status_code == 200
        client.post(reverse("admin:logout"))
    assert list(TOTPDevice.objects.filter(user=staff_user).values_list("pk", flat=True)) == [new.pk]
    with at(2):
        old_code, new_code = code_now(old), code_now(new)
        if old_code != new_code:
            assert sign_in(client, code=old_code).status_code == 200
    with at(4):
        assert sign_in(client, code=code_now(new)).status_code == 302

def test_the_user_menu_links_to_two_factor_sign_in(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert f'href="{TWO_FACTOR}"' in page


def test_a_session_that_gave_no_code_cannot_change_two_factor(staff_user):
    # Signed in before the authenticator was set up (in another browser): it cannot replace it.
    other_browser = Client()
    other_browser.force_login(staff_user)
    client = Client()
    with at(0):
        sign_in(client)
        enroll(client)
    response = other_browser.get(TWO_FACTOR + "?setup=1")
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert TOTPDevice.objects.filter(user=staff_user).count() == 1
    assert not signed_in(other_browser)


def test_the_enrollment_page_speaks_chinese(staff_client):
    page = staff_client.get(TWO_FACTOR, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "设置身份验证器应用" in page


def test_the_code_is_asked_for_in_chinese(staff_user):
    client = enrolled_and_signed_out()
    page = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "验证码" in page
    with at(1):
        refused = client.post(
            reverse("admin:login"), {"username": "staff", "password": PASSWORD, "next": "/admin/"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert "此账号已启用两步登录" in refused.content.decode()


# --- Required (production) -------------------------------------------------------------------
def admin_pages():
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return pages


def test_where_required_a_user_without_two_factor_reaches_only_enrollment(staff_client, settings):
    settings.OTP_REQUIRED = True
    for url in admin_pages():
        response = staff_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == TWO_FACTOR, url
    page = staff_client.get(TWO_FACTOR)
    assert page.status_code == 200
    assert "Every account signs in with two factors" in page.content.decode()
    with at(0):
        enroll(staff_client)
    # The session that confirmed the code is verified: the back-office opens.
    for url in ("/admin/", reverse("admin:password_change"), "/admin/requests_app/rightsrequest/"):
        assert staff_client.get(url).status_code == 200, url


def test_where_required_a_session_without_a_code_signs_in_again(staff_user, settings):
    settings.OTP_REQUIRED = True
    client = Client()
    with at(0):
        sign_in(client)  # no authenticator yet: signed in, sent to enrollment
        assert client.get("/admin/")["Location"] == TWO_FACTOR
        enroll(client)
    device = TOTPDevice.objects.get(user=staff_user, confirmed=True)
    old_session = Client()
    old_session.force_login(staff_user)  # a password-only session
    response = old_session.get("/admin/requests_app/rightsrequest/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert old_session.get("/admin/").status_code == 302
    with at(1):
        assert sign_in(old_session).status_code == 200  # the password alone is refused
        assert sign_in(old_session, code=code_now(device)).status_code == 302
        assert signed_in(old_session)

