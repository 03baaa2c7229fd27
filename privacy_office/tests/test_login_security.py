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


def _stored_session(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def test_an_idle_session_ends_and_activity_keeps_it_alive(staff_user):
    from datetime import timedelta

    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.utils import timezone

    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    client = Client()
    assert attempt(client, "correct-horse-battery").status_code == 302
    assert client.get("/admin/").status_code == 200
    first_expiry = _stored_session(client).expire_date
    # Activity after the refresh interval moves the expiry on (one write, not one per page).
    session = client.session
    session["_idle_touched"] = 0
    session.save()
    assert client.get("/admin/").status_code == 200
    assert _stored_session(client).expire_date >= first_expiry
    # An hour without activity: the session is gone and the admin asks for the password again.
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.delete(KEY_PREFIX + key)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_pages_do_not_write_the_session_on_every_request(staff_client, django_assert_max_num_queries):
    staff_client.get("/admin/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        staff_client.get("/admin/privacy_office/reminder/")
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]


def test_uploaded_files_have_no_public_url():
    from django.core.files.storage import storages

    for alias in ("default", "private"):
        with pytest.raises(ValueError):
            storages[alias].url("identity/passport.pdf")


# --- Behind a proxy (or pretending to be) -----------------------------------------------------
def attempt_from(client, password, **meta):
    return client.post(
        reverse("admin:login"), {"username": "staff", "password": password, "next": "/admin/"}, **meta,
    )


def test_rotating_x_forwarded_for_does_not_escape_the_lockout(staff_user, settings):
    # No trusted proxy (the default): the header is the client's own word and is ignored.
    assert settings.TRUSTED_PROXY_COUNT == 0
    client = Client()
    responses = [
        attempt_from(client, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert responses[-1].status_code == 429
    assert attempt_from(client, "correct-horse-battery", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_x_forwarded_proto_from_a_client_does_not_make_the_request_secure(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None
    response = Client().get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
    # Still treated as plain http: redirected to https, and no cookie would be marked secure by it.
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_locked(staff_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        # Whatever the attacker writes on the left, the proxy appends the real address.
        response = attempt_from(attacker, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7", **proxy)
    assert response.status_code == 429
    from axes.models import AccessAttempt

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]
    # The same account from a colleague's address, through the same proxy, still signs in.
    colleague = Client()
    response = attempt_from(colleague, "correct-horse-battery", HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert response.status_code == 302
