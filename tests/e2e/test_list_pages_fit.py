"""Every list page of the four apps fits a 1,400 px wide window with the demo loaded.

An officer scans lists on a laptop: a results table wider than the window hides its right-hand
columns (status, deadline, owner) behind a horizontal scroll bar. For each changelist registered
by privacy_office, requests_app, inventory_app and breach_app, in Chinese (Privacy staff) and in
English (Privacy manager), the results table, ``#changelist`` and the page itself must not scroll
sideways. A failure names the list, the language and the columns past the right edge.

Screenshots of every list land in ``$LIST_SHOTS`` when that variable names a directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPS = ("privacy_office", "requests_app", "inventory_app", "breach_app")
PEOPLE = (("staff", "zh-hans"), ("manager", "en"))

# Widths of the page and of the containers a changelist scrolls in, and, for the table, where each
# column header ends: enough to name the columns that spill past the right edge.
MEASURE = """() => {
  const box = (el) => el ? {scroll: el.scrollWidth, client: el.clientWidth} : null;
  const results = document.querySelector('#changelist .results');
  const right = results ? results.getBoundingClientRect().left + results.clientWidth : window.innerWidth;
  const columns = [...document.querySelectorAll('#result_list thead th')].map((th) => {
    const rect = th.getBoundingClientRect();
    return {name: (th.className.match(/column-(\\S+)/) || [, th.textContent.trim()])[1],
            width: Math.round(rect.width), past: rect.right > right + 1};
  });
  return {
    page: {scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth},
    changelist: box(document.querySelector('#changelist')),
    results: box(results),
    rows: document.querySelectorAll('#result_list tbody tr').length,
    columns,
  };
}"""


def changelists():
    """(label, URL, model) of every changelist the four apps register, in a stable order."""
    found = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in APPS:
            name = f"{model._meta.app_label}.{model._meta.model_name}"
            found.append((name, reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), model))
    return sorted(found)


def overflow(measured) -> str | None:
    """What scrolls sideways, as a sentence, or None when the list fits."""
    spills = []
    for part in ("page", "changelist", "results"):
        box = measured[part]
        if box and box["scroll"] > box["client"]:
            spills.append(f"{part} {box['scroll']}px > {box['client']}px")
    if not spills:
        return None
    past = [c["name"] for c in measured["columns"] if c["past"]]
    widths = ", ".join(f"{c['name']}={c['width']}" for c in measured["columns"])
    return f"{'; '.join(spills)}; columns cut off: {past or '-'}; widths: {widths}"


def test_every_list_page_fits_1400_px(browsers):
    lists = changelists()
    assert len(lists) > 20, "the four apps register their lists"
    shots = Path(os.environ["LIST_SHOTS"]) if os.environ.get("LIST_SHOTS") else None
    User = get_user_model()
    problems, seen_rows = [], 0
    for username, language in PEOPLE:
        page = browsers.login(username, language=language)
        user = User.objects.get(username=username)
        visible = [(n, url) for n, url, model in lists
                   if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
                   or user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")]
        assert visible, f"{username} sees no list at all"
        for name, url in visible:
            response = page.goto(url)
            assert response.status == 200, f"{name} ({language}): HTTP {response.status}"
            assert page.locator("html").get_attribute("lang") == language
            measured = page.evaluate(MEASURE)
            seen_rows += measured["rows"]
            if shots:
                shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shots / f"{language}-{re.sub(r'[^a-z_.]', '', name)}.png"), full_page=True)
            problem = overflow(measured)
            if problem:
                problems.append(f"{name} ({language}, {measured['rows']} rows): {problem}")
    assert seen_rows > 100, "the demo fills the lists (an empty table would fit trivially)"
    print("\n".join(problems))
    assert not problems, "List pages wider than a 1,400 px window:\n" + "\n".join(problems)
