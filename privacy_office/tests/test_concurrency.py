"""Two people editing the same record: the second save is refused, showing what changed, and
saving the re-shown form again applies that person's changes on top of the colleague's, losing
nothing of the colleague's; both changing the same field is a decision, never a silent overwrite."""

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import formats, timezone

from inventory_app.models import Controller
from privacy_office.admin_base import VERSION_FIELD, check_loaded_version, describe_conflict
from requests_app.models import RightsRequest
from requests_app.tests.factories import make_case

# The controller admin's form as posted (an inventory record: versioned, editable, with history).
CONTROLLER_FORM = {"code": "lumi", "name_zh": "绿米联创", "name_en": "", "role": "", "address": "", "contact": "",
                   "dpo_name": "", "dpo_email": "", "serves": "cn"}

pytestmark = pytest.mark.django_db


class ChangeForm(HTMLParser):
    """What a browser submits from the admin's change form as the page shows it (inputs, checked
    boxes, selected options, text areas; no buttons)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select = None
        self.textarea = None
        self.feed(html)

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("id") or "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.add(name, attrs.get("value", "on"))
                return
            self.add(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.add(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data.removeprefix("\n") if not self.data[self.textarea][-1] else data

    def post(self, **changes) -> dict:
        """The form's data with ``changes`` typed in, ready for ``Client.post`` (Save button)."""
        data = {name: values if len(values) != 1 else values[0] for name, values in self.data.items()}
        return {**data, **changes, "_save": "Save"}


def open_case(client, case) -> ChangeForm:
    response = client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk]))
    assert response.status_code == 200
    return ChangeForm(response.content.decode())


def case_url(case) -> str:
    return reverse("admin:requests_app_rightsrequest_change", args=[case.pk])


@pytest.fixture
def colleague(db):
    from conftest import STAFF, make_user

    return make_user("staff2", STAFF, first_name="Wang", last_name="Fang")


@pytest.fixture
def colleague_client(colleague):
    client = Client()
    client.force_login(colleague)
    return client


def test_second_save_is_refused_and_shows_the_first_change(manager_user):
    from conftest import make_user

    other = make_user("manager2", "Privacy manager", first_name="Wang", last_name="Fang")
    controller = Controller.objects.create(code="lumi", name_zh="绿米联创", contact="draft")
    url = reverse("admin:inventory_app_controller_change", args=[controller.pk])
    first, second = Client(), Client()
    first.force_login(manager_user)
    second.force_login(other)
    # Both open the page and see the same version.
    loaded = first.get(url).context["loaded_version"]
    assert second.get(url).context["loaded_version"] == loaded
    common = {**CONTROLLER_FORM, "_loaded_version": loaded, "_save": "Save"}
    assert first.post(url, {**common, "contact": "first person's contact"}).status_code == 302
    response = second.post(url, {**common, "contact": "second person's contact"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record after you opened it" in page
    assert "first person&#x27;s contact" in page or "first person's contact" in page
    assert "manager" in page  # who changed it
    controller.refresh_from_db()
    assert controller.contact == "first person's contact"
    # The second person's input is still on the form; both changed the contact, so they choose.
    assert "second person&#x27;s contact" in page or "second person's contact" in page
    again = second.post(url, {**common, "_loaded_version": response.context["loaded_version"],
                              "contact": "second person's contact", "_edit_conflicts": "contact", "_keep__contact": "mine"})
    assert again.status_code == 302
    controller.refresh_from_db()
    assert controller.contact == "second person's contact"


def test_saving_again_after_a_refusal_keeps_the_colleagues_changes(staff_client, colleague_client):
    case = make_case(requester_phone="+49301111", account_id="acc-1", description="wants a copy")
    mine, theirs = open_case(staff_client, case), open_case(colleague_client, case)
    # The colleague changes the phone and the account id and saves first.
    response = colleague_client.post(case_url(case), theirs.post(requester_phone="+49302222", account_id="acc-2"))
    assert response.status_code == 302
    # I change the description on my (now stale) page: refused, nothing written.
    response = staff_client.post(case_url(case), mine.post(description="wants a copy of the app data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record after you opened it" in page
    assert "+49302222" in page and "acc-2" in page  # what the colleague changed is listed
    case.refresh_from_db()
    assert (case.requester_phone, case.account_id, case.description) == ("+49302222", "acc-2", "wants a copy")
    # The re-shown form holds the colleague's values where I changed nothing, and my own change.
    shown = ChangeForm(page)
    assert shown.data["requester_phone"] == ["+49302222"]
    assert shown.data["account_id"] == ["acc-2"]
    assert shown.data["description"] == ["wants a copy of the app data"]
    assert shown.data[VERSION_FIELD] == [str(case.version)]
    assert "_edit_conflicts" not in shown.data  # nothing both of us changed
    # Saving it as shown applies my change on top of theirs.
    response = staff_client.post(case_url(case), shown.post())
    assert response.status_code == 302, response.context["adminform"].form.errors
    case.refresh_from_db()
    assert (case.requester_phone, case.account_id, case.description) == (
        "+49302222", "acc-2", "wants a copy of the app data")


@pytest.mark.parametrize("choice, expected", [("theirs", "acc-theirs"), ("mine", "acc-mine")])
def test_a_field_both_changed_is_decided_not_overwritten(staff_client, colleague_client, choice, expected):
    case = make_case(account_id="acc-1")
    mine, theirs = open_case(staff_client, case), open_case(colleague_client, case)
    assert colleague_client.post(case_url(case), theirs.post(account_id="acc-theirs")).status_code == 302
    response = staff_client.post(case_url(case), mine.post(account_id="acc-mine", requester_phone="+49309999"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    error = " ".join(form.errors["account_id"])
    assert "Yours: “acc-mine” / theirs: “acc-theirs”" in error
    assert "staff2" in error  # who changed it too
    assert "requester_phone" not in form.errors  # only I changed the phone: no question
    shown = ChangeForm(response.content.decode())
    assert shown.data["_edit_conflicts"] == ["account_id"]
    assert shown.data["account_id"] == ["acc-mine"]
    # Saving without a choice decides nothing: asked again, nothing written.
    response = staff_client.post(case_url(case), shown.post())
    assert response.status_code == 200
    assert "Choose which value to keep" in " ".join(response.context["adminform"].form.errors["account_id"])
    case.refresh_from_db()
    assert (case.account_id, case.requester_phone) == ("acc-theirs", "+493012345678")
    # With a choice: that value, and my other change on top.
    response = staff_client.post(case_url(case), shown.post(**{"_keep__account_id": choice}))
    assert response.status_code == 302, response.context["adminform"].form.errors
    case.refresh_from_db()
    assert (case.account_id, case.requester_phone) == (expected, "+49309999")


def test_a_change_form_without_the_version_is_refused(staff_client, manager_client, manager_user):
    case = make_case(account_id="acc-1")
    data = open_case(staff_client, case).post(account_id="acc-2")
    del data[VERSION_FIELD]
    response = staff_client.post(case_url(case), data)
    assert response.status_code == 200
    assert "did not say which version of the record you opened" in response.content.decode()
    case.refresh_from_db()
    assert case.account_id == "acc-1"
    # In the user's language.
    staff_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})
    response = staff_client.post(case_url(case), data)
    assert "此表单未注明您打开的是记录的哪个版本" in response.content.decode()
    case.refresh_from_db()
    assert case.account_id == "acc-1"
    # Every versioned record, not only cases.
    controller = Controller.objects.create(code="lumi", name_zh="绿米联创", contact="draft")
    url = reverse("admin:inventory_app_controller_change", args=[controller.pk])
    response = manager_client.post(url, {**CONTROLLER_FORM, "contact": "changed", "_save": "Save"})
    assert response.status_code == 200
    controller.refresh_from_db()
    assert controller.contact == "draft"


def test_check_loaded_version_for_custom_views(staff_user, colleague):
    from requests_app import services

    case = make_case()
    factory = RequestFactory()

    def refusal(data):
        try:
            check_loaded_version(factory.post("/", data), case)
        except ValidationError as error:
            return error.code
        return None

    assert refusal({}) == "missing"
    assert refusal({VERSION_FIELD: "v2"}) == "damaged"
    assert refusal({VERSION_FIELD: str(case.version)}) is None
    loaded = case.version
    services.dsar_update(case=RightsRequest.objects.get(pk=case.pk), by=colleague, reason="", account_id="acc-9")
    assert refusal({VERSION_FIELD: str(loaded)}) == "stale"
    # Another input name, for a page that acts on several records.
    assert check_loaded_version(factory.post("/", {"_loaded_version_7": str(loaded + 1)}), case,
                                name="_loaded_version_7") is None


def test_conflict_times_are_in_the_readers_time_zone(colleague):
    from requests_app import services

    case = make_case()
    loaded = case.version
    services.dsar_update(case=case, by=colleague, reason="", account_id="acc-9")
    saved_at = case.history.filter(version=loaded + 1).get().history_date
    for zone in ("Asia/Shanghai", "America/Los_Angeles"):
        with timezone.override(zone):
            text = str(describe_conflict(case, loaded))
            assert formats.localize(saved_at.astimezone(ZoneInfo(zone))) in text
    with timezone.override("America/Los_Angeles"):
        assert formats.localize(saved_at.astimezone(ZoneInfo("UTC"))) not in str(describe_conflict(case, loaded))
    assert isinstance(saved_at, datetime)


def test_conflicting_values_are_shown_as_people_read_them():
    from django import forms

    from privacy_office.admin_base import shown_value

    kind = forms.ChoiceField(choices=[("self", "the data subject themself"), ("Other", [("agent", "an agent")])])
    assert shown_value(kind, "agent") == "an agent"
    assert shown_value(forms.MultipleChoiceField(choices=kind.choices), ["self", "agent"]) == (
        "the data subject themself, an agent")
    assert shown_value(forms.CharField(), "") == "(empty)"
    with timezone.override("Asia/Shanghai"):
        assert shown_value(forms.DateTimeField(), datetime(2026, 11, 18, 2, tzinfo=ZoneInfo("UTC"))) == (
            formats.localize(datetime(2026, 11, 18, 10)))
