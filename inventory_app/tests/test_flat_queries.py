"""Exports and change pages of the inventory read a fixed number of queries, whatever the number of
activities, fields or links they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory_app.models import (
    ActivityField, Controller, DataField, DataLocation, ProcessingActivity, Recipient, Service, Transfer,
)
from privacy_office.tests.test_exports_inert import export, table, xlsx_table


def make_activities(n: int, *, fields_each: int = 2, start: int = 0):
    """``n`` activities, each with a controller of its own, services, locations, recipients, a
    transfer and ``fields_each`` fields: every column of the exports reads a related row."""
    made = []
    for i in range(start, start + n):
        controller = Controller.objects.create(code=f"c{i}", name_zh=f"控制者{i}", name_en=f"Controller {i}")
        service = Service.objects.create(code=f"s{i}", name_zh=f"服务{i}", controller=controller)
        location = DataLocation.objects.create(code=f"l{i}", name_zh=f"地点{i}", name_en=f"Place {i}", country="DE")
        recipient = Recipient.objects.create(code=f"r{i}", name=f"接收方{i}", name_en=f"Recipient {i}",
                                             kind=Recipient.Kind.PROCESSOR)
        activity = ProcessingActivity.objects.create(
            code=f"a{i}", name_zh=f"活动{i}", name_en=f"Activity {i}", controller=controller, position=i,
            pipl_basis=ProcessingActivity.PiplBasis.CONTRACT)
        activity.services.add(service)
        activity.storage_locations.add(location)
        activity.recipients.add(recipient)
        Transfer.objects.create(activity=activity, destination_country="US", mechanism="scc", recipient=recipient,
                                location=location)
        for j in range(fields_each):
            field = DataField.objects.create(code=f"f{i}-{j}", name_zh=f"字段{i}-{j}", name_en=f"Field {i}-{j}",
                                             category="contact", sensitive=j == 0)
            ActivityField.objects.create(activity=activity, field=field, group_zh="g", position=j)
        made.append(activity)
    return made


def _count(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return len(queries), result


def _record_download(client, layout: str):
    response = client.get(reverse("admin:inventory_app_record"), {"layout": layout})
    assert response.status_code == 200
    return response


def _record_action(client, action: str):
    pks = list(ProcessingActivity.objects.values_list("pk", flat=True))
    response = client.post(reverse("admin:inventory_app_processingactivity_changelist"),
                           {"action": action, "_selected_action": pks})
    assert response.status_code == 200
    return response


def _queries_at(sizes, build, call) -> list[int]:
    """The queries ``call`` takes after ``build(n)`` has added up to each size in ``sizes`` (after one
    call that fills the per-process caches: content types, the session, the permissions)."""
    counts, made = [], 0
    for size in sizes:
        build(size - made, start=made)
        made = size
        if not counts:
            call()
        counts.append(_count(call)[0])
    return counts


def make_more_activities(n: int, *, start: int):
    make_activities(n, start=start)


@pytest.mark.parametrize("layout", ["gdpr", "pipl"])
def test_the_record_download_costs_the_same_queries_for_3_and_30_activities(layout, manager_client):
    counts = _queries_at([3, 30], make_more_activities, lambda: _record_download(manager_client, layout).content)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("action", ["export_gdpr_record", "export_pipl_record"])
def test_the_record_action_costs_the_same_queries_for_3_and_30_activities(action, manager_client):
    counts = _queries_at([3, 30], make_more_activities, lambda: _record_action(manager_client, action).content)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_activities_export_costs_the_same_queries_for_3_and_30_activities(file_format, manager_client):
    counts = _queries_at([3, 30], make_more_activities,
                         lambda: export(manager_client, "inventory_app_processingactivity", file_format))
    assert counts[0] == counts[1], counts


def test_the_record_is_streamed_from_a_file_and_every_activity_keeps_its_row(manager_client):
    make_activities(30)
    response = _record_download(manager_client, "gdpr")
    assert response.streaming  # written to a temporary file, not held in an HttpResponse
    assert response["Content-Disposition"] == 'attachment; filename="art30-record.xlsx"'
    rows = xlsx_table(response.content)
    assert len(rows) == 30
    row = next(r for r in rows if r["Processing activity"] == "Activity 7 (a7)")
    # The labels read once for the whole record are the ones each row showed before.
    contact = DataField.objects.get(code="f7-0").get_category_display()
    assert row["Categories of personal data"] == f"{contact}: Field 7-0, Field 7-1"
    assert row["Categories of recipients"] == f"{Recipient.objects.get(code='r7').get_kind_display()}: Recipient 7"
    assert row["Safeguards for transfers"] == Transfer.objects.get(activity__code="a7").get_mechanism_display()
    pipl = xlsx_table(_record_action(manager_client, "export_pipl_record").content)
    assert len(pipl) == 30
    row = next(r for r in pipl if r["处理活动"] == "活动7（a7）")
    assert row["个人信息种类"] == "字段7-0、字段7-1"
    assert row["敏感个人信息"] == "字段7-0"
    assert row["跨境提供"] == f"US：{Transfer.objects.get(activity__code='a7').get_mechanism_display()}"


def test_the_activities_csv_names_every_related_record(manager_client):
    make_activities(30)
    rows = table(export(manager_client, "inventory_app_processingactivity", "csv"), "csv")
    assert len(rows) == 30
    row = next(r for r in rows if r["code"] == "a12")
    assert (row["controller"], row["services"], row["storage_locations"], row["recipients"]) == ("c12", "s12", "l12", "r12")


# --- change pages --------------------------------------------------------------------------------

def _more_fields(activity):
    def build(n: int, *, start: int):
        for j in range(start, start + n):
            field = DataField.objects.create(code=f"x{j}", name_zh=f"附加字段{j}", name_en=f"Extra {j}")
            ActivityField.objects.create(activity=activity, field=field, group_zh="g", position=100 + j)
    return build


def _more_uses(field):
    def build(n: int, *, start: int):
        for i in range(start, start + n):
            activity = ProcessingActivity.objects.create(code=f"u{i:03}", name_zh=f"用途{i}",
                                                         controller=Controller.objects.get(code="c0"))
            ActivityField.objects.create(activity=activity, field=field, group_zh="g")
    return build


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_the_activity_page_costs_the_same_queries_for_3_and_60_fields(staff_client):
    activity = make_activities(1, fields_each=0)[0]
    url = reverse("admin:inventory_app_processingactivity_change", args=[activity.pk])
    counts = _queries_at([3, 60], _more_fields(activity), lambda: _page(staff_client, url))
    assert counts[0] == counts[1], counts


def test_the_data_field_page_costs_the_same_queries_for_3_and_60_activities(staff_client):
    make_activities(1, fields_each=0)
    field = DataField.objects.create(code="phone", name_zh="手机号", name_en="Phone number")
    url = reverse("admin:inventory_app_datafield_change", args=[field.pk])
    counts = _queries_at([3, 60], _more_uses(field), lambda: _page(staff_client, url))
    assert counts[0] == counts[1], counts


def test_a_long_activity_shows_its_first_fields_with_their_names_and_links_to_all(staff_client):
    activity = make_activities(1, fields_each=0)[0]
    _more_fields(activity)(60, start=0)
    html = _page(staff_client, reverse("admin:inventory_app_processingactivity_change", args=[activity.pk])) \
        .content.decode()
    # The chosen field of each shown row is named without reading it again (policy order: x0 … x49).
    assert "附加字段49" in html and "附加字段50" not in html
    assert 'name="fields-TOTAL_FORMS" value="50"' in html
    link = f"{reverse('admin:inventory_app_activityfield_changelist')}?activity__id__exact={activity.pk}"
    assert link.replace("&", "&amp;") in html
    listed = _page(staff_client, link)
    assert listed.context["cl"].result_count == 60


def test_a_field_used_by_many_activities_links_to_all_of_them(staff_client):
    make_activities(1, fields_each=0)
    field = DataField.objects.create(code="phone", name_zh="手机号", name_en="Phone number")
    _more_uses(field)(60, start=0)
    html = _page(staff_client, reverse("admin:inventory_app_datafield_change", args=[field.pk])).content.decode()
    assert "u049" in html and "u050" not in html
    link = f"{reverse('admin:inventory_app_activityfield_changelist')}?field__id__exact={field.pk}"
    assert link in html
    assert _page(staff_client, link).context["cl"].result_count == 60


def _form_data(response) -> dict:
    """What the browser sends back for the page as rendered."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else value
    return data


def test_editing_a_shown_field_of_a_long_activity_saves_it_and_keeps_the_rest(staff_client):
    activity = make_activities(1, fields_each=0)[0]
    _more_fields(activity)(60, start=0)
    url = reverse("admin:inventory_app_processingactivity_change", args=[activity.pk])
    data = _form_data(_page(staff_client, url))
    data["fields-0-note"] = "collected at sign-up"
    data["_change_reason"] = "note on the first field"
    data["_loaded_version"] = ProcessingActivity.objects.get(pk=activity.pk).version
    response = staff_client.post(url, data)
    assert response.status_code == 302, [response.context["adminform"].form.errors] + [
        inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    assert ActivityField.objects.filter(activity=activity).count() == 60
    assert ActivityField.objects.get(activity=activity, position=100).note == "collected at sign-up"


def test_the_policy_tools_page_costs_the_same_queries_for_3_and_30_activities(staff_client):
    url = reverse("admin:inventory_app_policy_tools")
    counts = _queries_at([3, 30], make_more_activities, lambda: _page(staff_client, url))
    assert counts[0] == counts[1], counts
    generated = _page(staff_client, url).context["generated"]
    # Every activity in the policy's order, its sensitive field underlined, grouped under its heading.
    assert generated.splitlines()[2] == "活动0\tg（<u>字段0-0</u>、字段0-1）"
    assert len(generated.splitlines()) == 2 + 30
