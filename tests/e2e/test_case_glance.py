"""The demo's richest case, as an officer first opens it: under 1,200 page elements, the summary on the
first screen (due date, clock, the actions as buttons), the details closed until asked for.
Screenshots at 1400x900 in both languages go to $CASE_GLANCE_SHOTS (default var/screenshots/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count
from playwright.sync_api import expect

from requests_app.models import RightsRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_ELEMENTS = 1200
SHOTS = Path(os.environ.get("CASE_GLANCE_SHOTS", Path(settings.BASE_DIR) / "var" / "screenshots"))


def richest_case() -> RightsRequest:
    """The open demo case with the most rows on its page (timeline, tasks, letters, pauses, checks)."""
    return (RightsRequest.objects.open()
            .annotate(rows=Count("timeline", distinct=True) + Count("tasks", distinct=True)
                      + Count("drafts", distinct=True) + Count("pauses", distinct=True)
                      + Count("identity_checks", distinct=True))
            .order_by("-rows", "pk").first())


@pytest.mark.parametrize("who,language", [("staff", "zh-hans"), ("manager", "en")])
def test_the_richest_case_opens_small_with_its_summary_on_the_first_screen(browsers, who, language):
    case = richest_case()
    assert case is not None and case.tasks.count() >= 5, "the demo has a case with many tasks"
    page = browsers.login(who)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"/admin/requests_app/rightsrequest/{case.pk}/change/")
    glance = page.locator(".case-glance")
    expect(glance).to_contain_text(case.reference)
    elements = page.evaluate("document.getElementsByTagName('*').length")
    assert elements < MAX_ELEMENTS, f"{elements} page elements on {case.reference}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"case-glance-{who}-{language}.png"))

    # The first screen holds the due date, the clock and real buttons; the details wait, closed.
    viewport = page.viewport_size["height"]
    for part in (".case-glance-due", ".case-glance-clock", ".case-actions a.button"):
        box = page.locator(part).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= viewport, part
    button = page.locator(".case-actions a.button").first
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    expect(page.locator("#case-timeline li").first).to_be_visible()
    expect(page.locator("fieldset.collapse details[open]")).to_have_count(0)
    expect(page.locator("#id_requester_name")).to_be_hidden()

    # Every rule weighed, on demand.
    page.locator(".case-glance-rules summary").click()
    expect(page.locator(".case-glance-rules tr.binds").first).to_be_visible()
    page.screenshot(path=str(SHOTS / f"case-glance-{who}-{language}-rules.png"))
