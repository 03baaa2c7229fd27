"""Real parts for the browser tests: Debian's Chromium driven by Playwright (driver only, no
downloaded browser), pytest-django's ``live_server`` (a threaded server on loopback that also
serves the static files) on the test database with the demo loaded into it, and pages that fail
the test on any JavaScript error, console error or server error."""

from __future__ import annotations

import io
import os
import shutil
import uuid
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.db import connections

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}
# Playwright waits this long (ms) for an element or a navigation before failing the step.
TIMEOUT_MS = 15_000

# The README's screenshots are written to this folder when it is set (WALK_SCREENSHOTS=docs/screenshots):
# the day's walk and the public form take them at the moments the README shows.
SCREENSHOTS = os.environ.get("WALK_SCREENSHOTS")


def keep_screenshot(page, name: str, *, full_page: bool = False) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, name), full_page=full_page)


DEMO_LOGINS = {
    "staff": "staff-demo-2026",
    "manager": "manager-demo-2026",
    "auditor": "auditor-demo-2026",
}


def launch_chromium(playwright):
    """Debian's Chromium; a clear failure (never a skip) when it is not installed."""
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path is None:
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium; bin/test installs "
            "it when run as root). Set E2E_CHROMIUM to use another Chromium binary. Never `playwright install`.",
            pytrace=False,
        )
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)


@pytest.fixture
def chromium():
    """A headless Chromium for one test.

    Playwright's sync API runs an event loop in the test thread, so Django's "no database from
    async code" guard would refuse the test's own queries; it is lifted for these tests only and
    put back afterwards (the live server's threads never had a loop)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:  # pragma: no cover - requirements.txt pins it
        pytest.fail("playwright (the Python driver) is not installed: pip install -r requirements.txt", pytrace=False)
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                yield browser
            finally:
                browser.close()
                # Django's connections are context-local (asgiref): inside Playwright's loop the
                # test thread got connections of its own. Close them here, or PostgreSQL refuses
                # to drop the test database ("being accessed by other users").
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(live_server, settings):
    """The demo (inventory, cases, incidents, one login per role) in the live server's database.

    The dashboard's cached counts get a key prefix of their own: with Redis (CI) the cache is
    shared with every other run, whose counts must not show up on this run's dashboard."""
    from django.core.management import call_command

    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"e2e-{uuid.uuid4().hex[:12]}"} for name, config in settings.CACHES.items()
    }
    call_command("setup_demo", stdout=io.StringIO())
    return live_server


@dataclass
class Problems:
    """What went wrong in any page of the test: reported (and failing the test) at teardown."""

    items: list[str] = field(default_factory=list)
    # Pages the test opens to see them refused (the 403 page): the browser logs their status as
    # a console error, which is the point there and nowhere else.
    refusals: set[str] = field(default_factory=set)

    def watch(self, page, who: str) -> None:
        def on_console(message):
            refused = "status of 403" in message.text and message.location.get("url") in self.refusals
            if message.type == "error" and not refused:
                self.items.append(f"[{who}] console error at {page.url}: {message.text} {message.location}")

        def on_page_error(error):
            self.items.append(f"[{who}] JavaScript error at {page.url}: {error}")

        def on_response(response):
            if response.status >= 500:
                self.items.append(f"[{who}] HTTP {response.status} for {response.request.method} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("response", on_response)


class Browsers:
    """One browser context (own cookies, own session) per person, logged in through the real form."""

    def __init__(self, chromium, base_url: str, problems: Problems):
        self.chromium = chromium
        self.base_url = base_url
        self.problems = problems
        self.contexts = []

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def expect_refusal(self, path: str) -> None:
        """``path`` is opened to be refused: its 403 is not a problem of the page."""
        self.problems.refusals.add(self.url(path))

    def new_page(self, who: str, *, locale: str = "en-US", timezone_id: str | None = None):
        """A page of a new context: the browser's own time zone is ``timezone_id`` (default the
        office's), as the person's computer would be set."""
        context = self.chromium.new_context(
            base_url=self.base_url, locale=locale, timezone_id=timezone_id or django_settings.TIME_ZONE,
            viewport=VIEWPORT,
            accept_downloads=True,
        )
        # The server runs on the test's pinned clock (root conftest); the page's clock starts at the
        # same instant, so "Today" in a date picker is the server's today.
        from django.utils import timezone

        context.clock.install(time=timezone.now())
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        self.problems.watch(page, who)
        return page

    def login(self, username: str, *, locale: str = "en-US", language: str | None = None,
              timezone_id: str | None = None):
        """Signs in through the form. Pages speak the person's profile language (not the browser's);
        ``language`` switches it with the header's list, as the person would (saved to the profile)."""
        from playwright.sync_api import expect

        page = self.new_page(username, locale=locale, timezone_id=timezone_id)
        page.goto("/admin/")
        expect(page.locator("#id_username")).to_be_visible()  # redirected to the login form
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_LOGINS[username])
        page.locator("#login-form [type=submit]").click()
        page.wait_for_url("**/admin/")
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=username)
        expect(page.locator("#logout-form")).to_have_count(1)
        expect(page.locator("#user-tools strong")).to_have_text(user.get_short_name() or username)
        if language and page.locator("html").get_attribute("lang") != language:
            with page.expect_navigation():
                page.locator("#language-switch select").select_option(language)
            expect(page.locator("html")).to_have_attribute("lang", language)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsers(chromium, demo):
    problems = Problems()
    opened = Browsers(chromium, demo.url, problems)
    yield opened
    opened.close()
    if problems.items:
        pytest.fail("The pages reported errors:\n" + "\n".join(problems.items), pytrace=False)
