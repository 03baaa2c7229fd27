"""Login hardening: lockout after repeated failures; sessions expire; files are never public."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def attempt(client, password):
    return client.post(reverse("admin:login"), {"username": "staff", "password": password, "next": "/admin/"})


def test_repeated_failed_logins_lock_the_account_from_that_address(staff_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200
    locked = attempt(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Even the right password is refused while locked.
    assert attempt(client, "correct-horse-battery").status_code == 429
    assert not Client().get("/admin/").wsgi_request.user.is_authenticated


def test_correct_password_signs_in_before_the_limit(staff_user):
    client = Client()
    attempt(client, "wrong")
    response = attempt(client, "correct-horse-battery")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_sessions_expire():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_uploaded_files_have_no_public_url():
    from django.core.files.storage import storages

    for alias in ("default", "private"):
        with pytest.raises(ValueError):
            storages[alias].url("identity/passport.pdf")
