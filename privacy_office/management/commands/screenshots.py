"""Regenerates the README's screenshots from the demo data.

Serves the admin on a free loopback port from this process (Django's live-server thread, static
files included) against the current database, signs in through the login form as the demo
Privacy manager and saves 1400×900 PNGs taken with headless Chromium (Debian's ``chromium``,
driven by Playwright; no browser is downloaded)::

    python manage.py setup_demo && python manage.py screenshots --output docs/screenshots
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}


class Command(BaseCommand):
    help = ("Regenerate the README's screenshots (dashboard, a case, an incident's obligations, the audit log, "
            "the public request form).")

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"),
                            help="Folder the PNGs are written to (default: docs/screenshots).")
        parser.add_argument("--username", default="manager", help="Login to use (default: the demo manager).")
        parser.add_argument("--password", default="manager-demo-2026", help="Its password.")
        parser.add_argument("--chromium", default=os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"),
                            help="Chromium binary (default: Debian's /usr/bin/chromium).")

    def handle(self, *args, **options):
        chromium = shutil.which(options["chromium"])
        if chromium is None:
            raise CommandError(f"Chromium not found at {options['chromium']}: apt-get install chromium (or --chromium).")
        if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout:
            self.stderr.write("warning: no Chinese font installed, Chinese text will show as boxes "
                              "(apt-get install fonts-wqy-microhei).")
        shots = self._targets()  # every database read happens here, before the browser's event loop runs
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)

        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.test.testcases import LiveServerThread

        # The server only ever answers on loopback, over plain HTTP, for this command.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
        settings.SECURE_SSL_REDIRECT = False
        settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise CommandError(f"Could not start the server: {server.error}")
        base_url = f"http://127.0.0.1:{server.port}"
        try:
            written = self._shoot(chromium, base_url, shots, output, options["username"], options["password"])
        finally:
            server.terminate()
            server.join(timeout=10)
        for path in written:
            self.stdout.write(f"wrote {path}")

    def _targets(self) -> list[tuple[str, str, str | None]]:
        """(file name, path, element to scroll to the top, or "@full-page") for each screenshot."""
        from breach_app.demo import MAIN_TITLE
        from breach_app.models import Incident
        from requests_app.models import RightsRequest

        case = RightsRequest.objects.filter(account_id="demo-eu-1").first()
        incident = Incident.objects.filter(title=MAIN_TITLE).first()
        if case is None or incident is None:
            raise CommandError("The demo data is missing: run `python manage.py setup_demo` first.")
        from django.contrib.contenttypes.models import ContentType

        case_type = ContentType.objects.get_for_model(RightsRequest)
        return [
            ("dashboard.png", "/admin/", None),
            # The case at a glance: due date, the rule, the clock, the actions, the newest timeline.
            ("case-clock.png", f"/admin/requests_app/rightsrequest/{case.pk}/change/", None),
            # The incident at a glance: its obligations by urgency, with time left and the drafts' state.
            ("incident-obligations.png", f"/admin/breach_app/incident/{incident.pk}/change/", None),
            # The day's changes to rights requests: short rows with their field-level diffs.
            ("audit-log.png", f"/admin/privacy_office/auditlogentry/?content_type={case_type.pk}", None),
            # The public request form, outside the admin, in each language.
            ("public-form-zh.png", "/request/zh-hans/", "@full-page"),
            ("public-form-en.png", "/request/en/", "@full-page"),
        ]

    def _shoot(self, chromium, base_url, shots, output, username, password) -> list[Path]:
        from playwright.sync_api import sync_playwright

        written = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="en-US",
                                              timezone_id=settings.TIME_ZONE, color_scheme="light")
                # The admin's navigation sidebar collapsed: the pages get the whole width.
                context.add_init_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
                page = context.new_page()
                page.goto("/admin/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", password)
                page.locator("#login-form [type=submit]").click()
                page.wait_for_load_state()
                if page.locator("#logout-form").count() == 0:
                    raise CommandError(f"Could not sign in as {username} (run setup_demo, or pass --username/--password).")
                for name, path, anchor in shots:
                    response = page.goto(path)
                    if response is None or response.status != 200:
                        raise CommandError(f"{path} answered {response.status if response else 'nothing'}.")
                    full_page = anchor == "@full-page"  # the whole page, not the first 900 pixels
                    if anchor and not full_page:
                        selector, _at, block = anchor.partition("@")
                        page.locator(selector).first.evaluate(
                            "(element, block) => element.scrollIntoView({block})", block or "start")
                    target = output / name
                    page.screenshot(path=str(target), full_page=full_page)
                    written.append(target)
            finally:
                browser.close()
        return written
