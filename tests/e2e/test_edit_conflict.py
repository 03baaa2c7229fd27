"""Two people edit the same rights request in two browsers: the later save is refused with what the
colleague changed, the re-shown form holds the colleague's values where the later editor changed
nothing, and saving again applies both; a field both changed is asked about, never overwritten.

The staff member (Chinese in her profile) works in English, then in Chinese (switched with the header's
language select, which saves the choice to her profile);
the refusal page is saved as a screenshot in each language under var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from requests_app.models import OPEN_STATUSES, RightsRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZH = "zh-hans"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
REFUSAL = ("Someone else saved this record after you opened it, so your changes were not saved (nothing was "
           "overwritten). What changed in the meantime:")


def translated(text: str, language: str) -> str:
    with translation.override(language):
        return gettext(text)


def open_case(page, case: RightsRequest) -> None:
    page.goto(f"/admin/requests_app/rightsrequest/{case.pk}/change/")
    open_sections(page)
    expect(page.locator("#id_requester_phone")).to_be_editable()


def open_sections(page) -> None:
    """The case's details sit in sections that open on demand (under its summary): open them all."""
    closed = page.locator("fieldset.collapse details:not([open]) > summary")
    while closed.count():
        closed.first.click()


def fill(page, selector: str, value: str) -> None:
    open_sections(page)
    page.fill(selector, value)


def save(page) -> None:
    with page.expect_navigation():
        page.click("input[name=_save]")


def refusal_shown(page, language: str, name: str) -> None:
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#rightsrequest_form .errorlist.nonfield")).to_contain_text(
        translated(REFUSAL, language))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"edit-conflict-{name}-{language}.png"))


def test_two_people_edit_one_case_and_nothing_is_lost(browsers, demo):
    case = (RightsRequest.objects.filter(status__in=OPEN_STATUSES, erased_at=None)
            .exclude(requester_phone="").order_by("pk").first())
    assert case is not None, "the demo has an open case with a phone number"
    first_description = case.description

    manager = browsers.login("manager")
    staff = browsers.login("staff")
    # The demo officer's profile says Chinese; she works in English first (the header's list,
    # which also saves the choice to her profile).
    expect(staff.locator("html")).to_have_attribute("lang", ZH)
    with staff.expect_navigation():
        staff.locator("#language-switch select").select_option("en")
    expect(staff.locator("html")).to_have_attribute("lang", "en")

    # ---- different fields: the colleague's phone survives the staff member's second save -------
    open_case(manager, case)
    open_case(staff, case)
    fill(manager, "#id_requester_phone", "+8613800001111")
    save(manager)
    expect(manager.locator("ul.messagelist li.success")).to_be_visible()
    case.refresh_from_db()
    assert case.requester_phone == "+8613800001111"

    fill(staff, "#id_description", "Wants a copy of the app data. Called back on the new number.")
    save(staff)
    refusal_shown(staff, "en", "fields")
    nonfield = staff.locator("#rightsrequest_form .errorlist.nonfield")
    expect(nonfield).to_contain_text("manager")  # who
    expect(nonfield).to_contain_text("+8613800001111")  # what the colleague changed
    case.refresh_from_db()
    assert case.description == first_description  # nothing of the refused save was written
    # The form holds the colleague's phone (not the stale one the page was opened with) and my text.
    expect(staff.locator("#id_requester_phone")).to_have_value("+8613800001111")
    expect(staff.locator("#id_description")).to_have_value("Wants a copy of the app data. Called back on the new number.")
    expect(staff.locator("#edit-conflicts")).to_have_count(0)
    save(staff)
    expect(staff.locator("ul.messagelist li.success")).to_be_visible()
    case.refresh_from_db()
    assert case.requester_phone == "+8613800001111"
    assert case.description == "Wants a copy of the app data. Called back on the new number."

    # ---- the same field, in Chinese: marked, and decided by the staff member -------------------
    with staff.expect_navigation():
        staff.locator("#language-switch select").select_option(ZH)
    expect(staff.locator("html")).to_have_attribute("lang", ZH)
    open_case(manager, case)
    open_case(staff, case)
    fill(manager, "#id_account_id", "acc-manager")
    fill(manager, "#id_requester_phone", "+8613800002222")
    save(manager)
    expect(manager.locator("ul.messagelist li.success")).to_be_visible()

    fill(staff, "#id_account_id", "acc-staff")
    save(staff)
    refusal_shown(staff, ZH, "same-field")
    field_error = staff.locator(".field-account_id .errorlist")
    expect(field_error).to_contain_text("acc-staff")
    expect(field_error).to_contain_text("acc-manager")
    expect(staff.locator("#id_account_id")).to_have_value("acc-staff")
    expect(staff.locator("#id_requester_phone")).to_have_value("+8613800002222")
    choices = staff.locator("#edit-conflicts input[name=_keep__account_id]")
    expect(choices).to_have_count(2)
    case.refresh_from_db()
    assert case.account_id == "acc-manager"
    staff.check("#edit-conflicts input[name=_keep__account_id][value=mine]")
    save(staff)
    expect(staff.locator("ul.messagelist li.success")).to_be_visible()
    case.refresh_from_db()
    assert (case.account_id, case.requester_phone) == ("acc-staff", "+8613800002222")
    assert case.description == "Wants a copy of the app data. Called back on the new number."
