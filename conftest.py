"""Root fixtures shared by every app's tests (HOUSE_STYLE rule 13)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from privacy_office.roles import AUDITOR, MANAGER, STAFF


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Assertions read English unless a test asks for Chinese explicitly.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}},
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}},
    }


def make_user(username: str, role: str | None = None, **extra):
    User = get_user_model()
    user = User.objects.create_user(username=username, password="correct-horse-battery", email=f"{username}@aqara.example", is_staff=True, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def staff_user(db):
    return make_user("staff", STAFF, first_name="Li", last_name="Wei")


@pytest.fixture
def manager_user(db):
    return make_user("manager", MANAGER, first_name="Chen", last_name="Jing")


@pytest.fixture
def auditor_user(db):
    return make_user("auditor", AUDITOR)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def auditor_client(client, auditor_user):
    client.force_login(auditor_user)
    return client
