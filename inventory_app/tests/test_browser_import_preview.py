"""Browser look at the import preview: staff (Chinese) and the manager (English) upload a changed
field spreadsheet and see only what changes, in a table that fits a 1,400 px screen.

Uses the e2e fixtures (Debian's Chromium, live server with the demo loaded). Set
``IMPORT_PREVIEW_SCREENSHOTS`` to a folder to keep the screenshots."""

from __future__ import annotations

import csv
import io
import os

import pytest
from playwright.sync_api import expect

from inventory_app.models import DataLocation
from tests.e2e.conftest import browsers, chromium, demo  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def changed_locations_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "name_zh", "name_en", "country", "description"])
    for number, location in enumerate(DataLocation.objects.order_by("code")):
        name_en = f"{location.name_en} (renamed)" if number == 0 else location.name_en
        writer.writerow([location.code, location.name_zh, name_en, location.country, location.description])
    writer.writerow(["sg-new-dc", "新加坡新数据中心", "Singapore new data centre", "SG", "A long description " * 12])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("who,language", [("staff", "zh-hans"), ("manager", "en")])
def test_the_import_preview_shows_what_changes_within_1400_px(browsers, who, language):  # noqa: F811
    page = browsers.login(who, locale="zh-CN" if language == "zh-hans" else "en-US", language=language)
    page.goto("/admin/inventory_app/datalocation/import/")
    expect(page.locator(".import-template a")).to_have_count(2)
    page.set_input_files("#id_import_file", files=[{"name": "locations.csv", "mimeType": "text/csv",
                                                    "buffer": changed_locations_csv()}])
    page.select_option("#id_format", "0")
    with page.expect_navigation():
        page.locator("#content form input[type=submit]").first.click()
    table = page.locator("table.import-changes")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)  # one changed, one new; the unchanged are counted
    expect(table.locator("tbody tr").first).to_contain_text("(renamed)")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1400, width
    folder = os.environ.get("IMPORT_PREVIEW_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"import-preview-{language}.png"), full_page=True)
