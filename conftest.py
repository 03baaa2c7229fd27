"""Root fixtures shared by every app's tests."""

import itertools
import os
from datetime import datetime

import pytest
import time_machine
from privacy_office.roles import AUDITOR, MANAGER, STAFF

# Every test runs on a pinned clock, so no outcome depends on the day the suite runs. The default
# is an ordinary working Wednesday; .ci/run also runs the suite pinned to the hard days (month ends,
# a leap day, the eve of the Spring Festival, Christmas Eve, the EU and US daylight-saving changes)
# by setting PRIVACY_OFFICE_TEST_NOW to an ISO 8601 instant with its offset.
TEST_NOW = datetime.fromisoformat(os.environ.get("PRIVACY_OFFICE_TEST_NOW", "2026-11-18T10:00:00+08:00"))
if TEST_NOW.tzinfo is None:
    raise pytest.UsageError("PRIVACY_OFFICE_TEST_NOW needs an offset, e.g. 2026-11-18T10:00:00+08:00")

_cache_prefixes = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing(request):
    # PBKDF2 at Django's 1,000,000 iterations costs half a second per test user; what the tests
    # check is who may sign in and what, not the hash's strength (production keeps Django's hasher).
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    previous = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()
    yield
    settings.PASSWORD_HASHERS = previous
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def _pinned_clock(request):
    # The integration tests start real Celery worker and beat processes, which read the real clock;
    # their test process must agree with them, so only they run unpinned.
    if request.node.get_closest_marker("integration"):
        yield None
        return
    # tick=True: time moves on from the pinned instant, so "created before" and timeouts still work.
    with time_machine.travel(TEST_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _own_cache_keys(request):
    """Each test gets cache keys of its own and removes only those.

    The suite may share a Redis database with a broker or another run (CI points it at a database
    of its own too); clearing the whole cache would wipe what is not ours."""
    settings = _django_settings(request)
    if settings is None:
        yield
        return
    prefix = f"test-{os.getpid()}-{next(_cache_prefixes)}"
    settings.CACHES = {name: {**conf, "KEY_PREFIX": prefix} for name, conf in settings.CACHES.items()}
    yield
    from django.core.cache import caches

    for conf in settings.CACHES.values():
        if conf["BACKEND"].endswith("RedisCache"):
            import redis

            client = redis.Redis.from_url(conf["LOCATION"])
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.unlink(*keys)
            client.close()
    for cache in caches.all(initialized_only=True):
        if type(cache).__name__ == "LocMemCache":
            cache.clear()  # process memory: nobody else's


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
