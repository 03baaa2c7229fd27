"""Importing the field spreadsheet: per-row errors, atomic, natural keys, history, permission."""

import io

import openpyxl
import tablib
from django.urls import reverse

from inventory_app.models import ActivityField, DataField, ProcessingActivity
from inventory_app.resources import ActivityFieldResource
from inventory_app.services import dataset_from_bytes, import_error_report, inventory_import
from privacy_office.models import AuditLogEntry

HEADERS = ["activity", "field", "field_name_zh", "field_name_en", "category", "sensitive", "group_zh", "required", "position"]


def sheet(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def snapshot():
    return (ActivityField.objects.count(), DataField.objects.count(), ActivityField.history.count(),
            DataField.history.count(), AuditLogEntry.objects.count())


GOOD = ["cn-franchise", "id-card-number", "身份证号码", "ID card number", "identifier", "1", "", "1", "9"]
BAD_CATEGORY = ["cn-booking", "health-note", "健康状况", "health", "medical", "1", "", "1", "9"]
BAD_ACTIVITY = ["no-such-activity", "mobile-number", "手机号", "mobile number", "contact", "0", "", "1", "1"]


def test_dry_run_reports_each_bad_row_and_writes_nothing(seeded):
    before = snapshot()
    result = inventory_import(
        resource_class=ActivityFieldResource, dataset=sheet(GOOD, BAD_CATEGORY, BAD_ACTIVITY), dry_run=True,
    )
    report = import_error_report(result)
    # Numbered as the spreadsheet shows them: the header is row 1, the first data row row 2.
    assert any(line.startswith("row 3:") and "medical" in line for line in report), report
    assert any(line.startswith("row 4:") and "no-such-activity" in line for line in report), report
    assert not any(line.startswith("row 2:") for line in report)
    assert snapshot() == before


def test_one_bad_row_means_nothing_is_written(seeded):
    before = snapshot()
    result = inventory_import(resource_class=ActivityFieldResource, dataset=sheet(GOOD, BAD_CATEGORY))
    assert result.has_validation_errors()
    assert snapshot() == before
    assert not DataField.objects.filter(code="id-card-number").exists()


def test_conflicting_descriptions_of_one_field_are_an_error(seeded):
    other = list(GOOD)
    other[0], other[5] = "cn-booking", "0"  # same field, now "not sensitive"
    result = inventory_import(resource_class=ActivityFieldResource, dataset=sheet(GOOD, other))
    assert any("row 3" in line and "row 2" in line for line in import_error_report(result))


def test_new_rows_are_created_with_history_and_audit_log(seeded, staff_user):
    result = inventory_import(resource_class=ActivityFieldResource, dataset=sheet(GOOD), by=staff_user, file_name="new.csv")
    assert not result.has_errors() and not result.has_validation_errors()
    link = ActivityField.objects.get(activity__code="cn-franchise", field__code="id-card-number")
    assert link.field.category == "identifier" and link.field.sensitive
    assert link.history.get().history_user == staff_user
    entry = AuditLogEntry.objects.get(object_id=str(link.pk), content_type__model="activityfield")
    assert entry.user == staff_user and entry.action == "+" and "new.csv" in entry.reason


def test_the_import_reason_reads_in_each_readers_language_with_the_file_name(seeded, staff_user, manager_client):
    inventory_import(resource_class=ActivityFieldResource, dataset=sheet(GOOD), by=staff_user, file_name="新字段.csv")
    link = ActivityField.objects.get(activity__code="cn-franchise", field__code="id-card-number")
    page = f"/admin/inventory_app/activityfield/{link.pk}/history/"
    manager_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert "从 新字段.csv 导入" in manager_client.get(page).content.decode()
    manager_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert "imported from 新字段.csv" in manager_client.get(page).content.decode()


def test_reimporting_an_edited_export_updates_in_place(seeded, staff_user):
    exported = ActivityFieldResource().export()
    xlsx = exported.export("xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    ws = book.active
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    target_row = next(
        r for r in range(2, ws.max_row + 1)
        if ws.cell(r, col["activity"]).value == "cn-franchise" and ws.cell(r, col["field_name_zh"]).value == "需求信息"
    )
    ws.cell(target_row, col["required"]).value = 0
    ws.cell(target_row, col["note"]).value = "可选填"
    ws.cell(target_row, col["field_name_en"]).value = "business needs"
    out = io.BytesIO()
    book.save(out)

    count_before = ActivityField.objects.count()
    fields_before = DataField.objects.count()
    af_history_before = ActivityField.history.count()
    result = inventory_import(
        resource_class=ActivityFieldResource,
        dataset=dataset_from_bytes(content=out.getvalue(), file_name="edited.xlsx"),
        by=staff_user, file_name="edited.xlsx",
    )
    assert not result.has_errors() and not result.has_validation_errors(), import_error_report(result)
    assert result.totals["update"] == 1
    assert ActivityField.objects.count() == count_before
    assert DataField.objects.count() == fields_before

    link = ActivityField.objects.select_related("field").get(activity__code="cn-franchise", field__name_zh="需求信息")
    assert link.required is False and link.note == "可选填" and link.field.name_en == "business needs"
    assert link.version == 2
    assert ActivityField.history.count() == af_history_before + 1
    change = link.history.latest("history_date")
    assert change.history_type == "~" and change.history_user == staff_user
    entry = AuditLogEntry.objects.get(history_id=change.pk, content_type__model="activityfield")
    assert {c["field"] for c in entry.changes} == {"required", "note"}
    field_entry = AuditLogEntry.objects.filter(content_type__model="datafield", action="~").latest("id")
    assert field_entry.changes == [{"field": "name_en", "old": "needs", "new": "business needs"}]


def _import_url():
    return reverse("admin:inventory_app_activityfield_import")


def test_auditor_cannot_import(seeded, auditor_client):
    assert auditor_client.get(_import_url()).status_code == 403


def test_staff_dry_run_in_the_admin_shows_row_errors_and_writes_nothing(seeded, staff_client):
    before = snapshot()
    csv = sheet(GOOD, BAD_CATEGORY).export("csv").encode()
    upload = io.BytesIO(csv)
    upload.name = "fields.csv"
    response = staff_client.post(_import_url(), {"import_file": upload, "format": "0"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "medical" in body and "Unknown category" in body
    assert response.context.get("confirm_form") is None
    assert snapshot() == before


def test_staff_imports_a_good_file_through_the_admin(seeded, staff_client, staff_user):
    upload = io.BytesIO(sheet(GOOD).export("csv").encode())
    upload.name = "fields.csv"
    response = staff_client.post(_import_url(), {"import_file": upload, "format": "0"})
    assert response.status_code == 200 and response.context["confirm_form"] is not None
    assert "身份证号码" in response.content.decode()  # the preview shows the row
    assert not DataField.objects.filter(code="id-card-number").exists()  # dry run only
    confirm = response.context["confirm_form"].initial
    response = staff_client.post(reverse("admin:inventory_app_activityfield_process_import"), confirm)
    assert response.status_code == 302
    link = ActivityField.objects.get(activity__code="cn-franchise", field__code="id-card-number")
    assert link.history.get().history_user == staff_user


def test_activity_file_import_matches_on_code(seeded):
    from inventory_app.resources import ProcessingActivityResource

    data = ProcessingActivityResource().export(queryset=ProcessingActivity.objects.filter(code="cn-booking"))
    data.dict = [{**row, "retention": "预约完成后 1 年"} for row in data.dict]
    result = inventory_import(resource_class=ProcessingActivityResource, dataset=data)
    assert not result.has_validation_errors(), import_error_report(result)
    assert ProcessingActivity.objects.filter(code="cn-booking").count() == 1
    booking = ProcessingActivity.objects.get(code="cn-booking")
    assert booking.retention == "预约完成后 1 年"
    assert booking.history.latest("history_date").history_type == "~"
    assert booking.services.count() == 3  # M2M kept from the file
