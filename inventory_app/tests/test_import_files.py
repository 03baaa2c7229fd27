"""The inventory's import files through the admin, as an officer uses them: a preview of what
changes only, unknown codes refused per row in the importer's language (nothing saved), row numbers
as the spreadsheet shows them, the template and the importable export for staff, and exports
written in the language chosen on the export form that import back unchanged."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from inventory_app.models import DataLocation, Recipient, Service
from inventory_app.resources import RecipientResource
from privacy_office.tests.test_exports_inert import table

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # the import form's format choices
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, model: str, rows, file_format: str, **headers):
    content = csv_bytes(rows) if file_format == CSV else xlsx_bytes(rows)
    handle = io.BytesIO(content)
    handle.name = "inventory." + ("csv" if file_format == CSV else "xlsx")
    return client.post(reverse(f"admin:inventory_app_{model}_import"),
                       {"import_file": handle, "format": file_format}, **headers)


def recipient_rows():
    """The recipients as an English export writes them (headings = column codes)."""
    with translation.override("en"):
        dataset = RecipientResource().export(queryset=Recipient.objects.order_by("code")[:3])
    return [list(dataset.headers), *[["" if value is None else value for value in row] for row in dataset]]


def every_column(export_page) -> dict:
    form = export_page.context["form"]
    prefix = form.fields["resource"].choices[0][1].lower() + "_"
    return {name: "on" for name in form.fields if name.startswith(prefix)}


def links(code):
    return sorted(Recipient.objects.get(code=code).fields_shared.values_list("code", flat=True))


def test_the_preview_lists_only_the_changed_columns_and_counts_unchanged_rows(seeded, manager_client):
    changed, unchanged = DataLocation.objects.order_by("code")[:2]
    rows = [
        ["code", "name_zh", "name_en", "country", "description"],
        [changed.code, changed.name_zh, "Renamed data centre", changed.country, changed.description],
        [unchanged.code, unchanged.name_zh, unchanged.name_en, unchanged.country, unchanged.description],
        ["new-dc", "新数据中心", "New data centre", "SG", ""],
    ]
    response = upload(manager_client, "datalocation", rows, CSV)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_validation_errors() and not result.has_errors()
    shown = {row.number: (row.import_type, row.diff) for row in result.valid_rows() if row.import_type != "skip"}
    # Row 2 (the first data row) changes one column, old → new; row 4 is new and shows what it fills.
    assert shown[2] == ("update", [{"code": "name_en", "column": "name_en", "old": changed.name_en,
                                    "new": "Renamed data centre"}])
    assert shown[4][0] == "new"
    assert {change["column"]: change["new"] for change in shown[4][1]} == {
        "code": "new-dc", "name_zh": "新数据中心", "name_en": "New data centre", "country": "SG"}
    assert 3 not in shown and result.totals["skip"] == 1
    page = response.content.decode()
    assert "1 new, 1 changed, 1 unchanged (not listed)." in page
    assert unchanged.name_en not in page  # an unchanged row is counted, not listed
    assert not DataLocation.objects.filter(code="new-dc").exists()  # a preview writes nothing


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
def test_unknown_codes_are_errors_of_their_row_and_nothing_is_saved(seeded, manager_client, file_format):
    rows = recipient_rows()
    column = rows[0].index("fields_shared")
    good, bad = rows[1][0], rows[2][0]
    before = {good: links(good), bad: links(bad)}
    rows[1][column] = ",".join([*before[good][:1], "password"])  # a real change on a good row
    rows[2][column] = ",".join([*before[bad], "no-such-field", "nor-this-one"])
    if file_format == XLSX:
        rows.insert(2, [None] * len(rows[0]))  # a blank row: the bad row is now the workbook's row 4
    response = upload(manager_client, "recipient", rows, file_format)
    result = response.context["result"]
    invalid = {row.number: row for row in result.invalid_rows}
    number = 4 if file_format == XLSX else 3
    assert list(invalid) == [number], invalid
    message = " ".join(str(error) for errors in invalid[number].error_dict.values() for error in errors)
    assert message == "Column “fields_shared”: no record has the code “no-such-field”, “nor-this-one”."
    assert f"<td class=\"row-number\">{number}</td>" in response.content.decode()
    assert response.context.get("confirm_form") is None  # nothing to confirm
    assert {good: links(good), bad: links(bad)} == before  # atomic: the good row was not saved either


def test_unknown_codes_are_named_in_the_importers_language(seeded, staff_client):
    service = Service.objects.select_related("controller").order_by("code").first()
    rows = [["code", "name_zh", "name_en", "audience", "region", "url", "controller"],
            [service.code, service.name_zh, service.name_en, service.audience, service.region, service.url,
             "no-such-controller"]]
    response = upload(staff_client, "service", rows, CSV, **ZH)
    invalid = response.context["result"].invalid_rows
    assert [row.number for row in invalid] == [2]
    message = " ".join(str(error) for errors in invalid[0].error_dict.values() for error in errors)
    assert message == "“个人信息处理者”列：没有代码为 “no-such-controller” 的记录。"
    assert Service.objects.get(pk=service.pk).controller_id == service.controller_id


def test_staff_download_the_template_and_an_importable_export_and_an_auditor_cannot_import(
        seeded, staff_client, auditor_client):
    template = staff_client.get(reverse("admin:inventory_app_datalocation_import_template", args=["csv"]), **ZH)
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").splitlines() == ["代码,名称（中文）,名称（英文）,国家（ISO 代码）,说明"]
    workbook = staff_client.get(reverse("admin:inventory_app_recipient_import_template", args=["xlsx"]))
    headings = next(openpyxl.load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    assert list(headings) == recipient_rows()[0]

    export_page = staff_client.get(reverse("admin:inventory_app_datalocation_export"))
    assert export_page.status_code == 200
    response = staff_client.post(reverse("admin:inventory_app_datalocation_export"),
                                 {"format": "0", "resource": "0", "file_language": "en", **every_column(export_page)})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    exported = table(response.content, "csv")
    assert sorted(row["code"] for row in exported) == sorted(DataLocation.objects.values_list("code", flat=True))
    # The Art. 30 record stays with the export permission (managers).
    assert staff_client.get(reverse("admin:inventory_app_record"), {"layout": "pipl"}).status_code == 403

    assert auditor_client.get(reverse("admin:inventory_app_datalocation_import")).status_code == 403
    assert upload(auditor_client, "datalocation", [["code"], ["x"]], CSV).status_code == 403
    assert auditor_client.get(
        reverse("admin:inventory_app_datalocation_import_template", args=["csv"])).status_code == 403


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_english_user_exporting_in_chinese_gets_chinese_headings_and_values_that_import_back(
        seeded, manager_client, file_format):
    url = reverse("admin:inventory_app_service_export")
    form = manager_client.get(url).context["form"]
    assert form.fields["file_language"].initial == "en"  # the page's language by default
    format_index = next(value for value, label in form.fields["format"].choices if label == file_format.upper())
    response = manager_client.post(url, {"format": format_index, "resource": "0", "file_language": "zh-hans",
                                         **every_column(manager_client.get(url))})
    rows = table(response.content, file_format)
    service = Service.objects.order_by("pk").first()
    first = rows[0]
    assert list(first) == ["代码", "名称（中文）", "名称（英文）", "面向用户", "地区", "网址", "个人信息处理者"]
    with translation.override("zh-hans"):
        audience = str(service.get_audience_display())
    assert first["代码"] == service.code and first["面向用户"] == audience != service.audience

    # What was exported in Chinese imports back with no change, through the admin's import page.
    content = response.content
    handle = io.BytesIO(content)
    handle.name = f"services.{file_format}"
    preview = manager_client.post(reverse("admin:inventory_app_service_import"),
                                  {"import_file": handle, "format": CSV if file_format == "csv" else XLSX})
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), list(result.invalid_rows)[:2]
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 0, Service.objects.count())
    # Nothing changes, so there is nothing to confirm: the page says so instead of an empty table.
    page = preview.content.decode()
    assert 'name="confirm"' not in page and 'id="import-changes"' not in page
    assert "No row changes: every row of the file is as it is already." in page
