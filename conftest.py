"""Root fixtures shared by every app's tests (HOUSE_STYLE rule 13)."""

import pytest
from privacy_office.roles import AUDITOR, MANAGER, STAFF


def _django_settings(request):
    # None when pytest runs without the Django plugin (pure deadline tests: -p no:django).
    if not request.config.pluginmanager.hasplugin("django"):
        return None
    return request.getfixturevalue("settings")


@pytest.fixture(autouse=True)
def _english_by_default(request):
    # Assertions read English unless a test asks for Chinese explicitly.
    settings = _django_settings(request)
    if settings is not None:
        settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _private_storage(request, tmp_path):
    # Uploaded files of a test go to its own temporary private folder.
    settings = _django_settings(request)
    if settings is None:
        return
    location = {"location": str(tmp_path / "private")}
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": location},
        "private": {**settings.STORAGES["private"], "OPTIONS": location},
    }


def make_user(username: str, role: str | None = None, **extra):
    # Imported here so the pure deadline tests can run without Django settings (-p no:django).
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

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
def staff_client(staff_user):
    from django.test import Client

    client = Client()  # one browser per person: two roles in one test must not share a session
    client.force_login(staff_user)
    return client


@pytest.fixture
def manager_client(manager_user):
    from django.test import Client

    client = Client()  # one browser per person: two roles in one test must not share a session
    client.force_login(manager_user)
    return client


@pytest.fixture
def auditor_client(auditor_user):
    from django.test import Client

    client = Client()  # one browser per person: two roles in one test must not share a session
    client.force_login(auditor_user)
    return client
