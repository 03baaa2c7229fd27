"""Password rules, through the admin's password-change page: long enough, not common, not numeric,
and not a name (the user's or the company's) padded with digits."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

OLD = "correct-horse-battery"  # conftest.make_user's


def change_password(client, new, **headers):
    return client.post(
        reverse("admin:password_change"),
        {"old_password": OLD, "new_password1": new, "new_password2": new},
        **headers,
    )


def refused(response) -> str:
    assert response.status_code == 200  # the form again, with the reason
    return response.content.decode()


@pytest.mark.parametrize(
    "password, reason",
    [
        ("staff2staff2", "is a name (yours or the company"),
        ("Aqara12345", "at least 12 characters"),
        ("Aqara12345678", "is a name (yours or the company"),
        ("AQARA-2026-aqara!", "is a name (yours or the company"),
        ("Li-Wei-19880314", "is a name (yours or the company"),  # the user's own first and last name
        ("short-pass", "at least 12 characters"),
        ("123456789012345", "entirely numeric"),
        ("password1234", "too common"),
    ],
)
def test_weak_passwords_are_refused(staff_client, staff_user, password, reason):
    page = refused(change_password(staff_client, password))
    assert reason in page
    staff_user.refresh_from_db()
    assert staff_user.check_password(OLD)


def test_a_passphrase_is_accepted(staff_client, staff_user):
    response = change_password(staff_client, "orbit-lantern-pebble-9")
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password("orbit-lantern-pebble-9")


def test_a_passphrase_that_mentions_the_company_among_other_words_is_accepted(staff_client):
    assert change_password(staff_client, "aqara-lantern-orbit-pebble").status_code == 302


def test_the_reason_is_given_in_chinese(staff_client):
    page = refused(change_password(staff_client, "staff2staff2", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "这个密码是名字" in page
