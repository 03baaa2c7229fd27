"""The incident page as an officer works from it, in Chromium: the incident at a glance on top, then
the timeline, then the facts opening on demand; the page stays under 1,200 elements on the demo's
richest incident, in Chinese (staff) and in English (manager).

Screenshots (1400 x 900, the first screen and the whole page) go to the test's temporary folder,
or with ``INCIDENT_SCREENSHOTS=<folder>`` into that folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from breach_app.models import Incident
from breach_app.summary import OBLIGATIONS_SHOWN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_ELEMENTS = 1200


def richest_incident() -> Incident:
    return (Incident.objects.annotate(n=Count("obligations", distinct=True) + Count("populations", distinct=True)
                                      + Count("timeline", distinct=True))
            .order_by("-n", "pk").first())


def test_the_incident_page_leads_with_the_glance_and_stays_small(browsers, tmp_path):
    incident = richest_incident()
    out = Path(os.environ.get("INCIDENT_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for who, language in (("staff", "zh-hans"), ("manager", "en")):
        page = browsers.login(who, language=language)
        page.goto(f"/admin/breach_app/incident/{incident.pk}/change/")
        with translation.override(language):
            expect(page.locator(".incident-glance caption")).to_have_text(gettext("notification obligations and clocks"))
            expect(page.locator(".incident-actions button", has_text=gettext("Generate drafts"))).to_be_visible()
        expect(page.locator(".incident-glance-title")).to_contain_text(incident.reference)
        # The most urgent ones (summary.OBLIGATIONS_SHOWN); more are one click away, and it says so.
        total = incident.obligations.count()
        expect(page.locator("#incident-obligations tbody tr[data-code]")).to_have_count(min(total, OBLIGATIONS_SHOWN))
        if total > OBLIGATIONS_SHOWN:
            with translation.override(language):
                expect(page.locator(".incident-links")).to_contain_text(
                    ngettext("Only the %(n)s most urgent obligation is shown.",
                             "Only the %(n)s most urgent obligations are shown.", OBLIGATIONS_SHOWN)
                    % {"n": OBLIGATIONS_SHOWN})

        # A real button (the admin's button style), not text in a list of links.
        button = page.locator(".incident-actions button").first
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")

        # Glance, then timeline, then the facts; the facts are closed until opened.
        top = [page.locator(selector).first.bounding_box()["y"]
               for selector in (".incident-glance", "#timeline-group", "fieldset.collapse")]
        assert top == sorted(top), top
        exposed = page.locator("fieldset.collapse:has(#id_narratives-0-description)")
        assert exposed.count() == 1 and not page.locator("#id_narratives-0-description").is_visible()

        elements = page.evaluate("document.getElementsByTagName('*').length")
        page.screenshot(path=out / f"incident-{language}.png")
        page.screenshot(path=out / f"incident-{language}-full.png", full_page=True)
        assert elements < MOST_ELEMENTS, f"{elements} elements on {incident.reference} for {who}"

        page.locator("fieldset.collapse:has(#id_narratives-0-description) summary").first.click()
        expect(page.locator("#id_narratives-0-description")).to_be_visible()
