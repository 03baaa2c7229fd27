"""Imports within limits, through the admin's import page: a file over a limit (size, unpacked
size, rows, columns, shared strings, one cell) is refused on the form in the user's language and
nothing is written; a workbook's claims about its own size are not believed."""

import pytest
from django.urls import reverse

from inventory_app.models import ActivityField, DataField

from . import hostile_files as hostile
from .import_client import CSV, XLSX, eager_tasks, post_file, refusal, snapshot  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("eager_tasks")


def good_rows(count):
    return hostile.field_rows(count, activities=["cn-franchise", "cn-booking"])


def test_a_file_over_the_size_limit_is_refused(settings, seeded, staff_client):
    settings.IMPORT_MAX_BYTES = 2000
    before = snapshot()
    content = hostile.field_file(good_rows(40), "csv")
    assert len(content) > 2000
    error = refusal(staff_client, content, "fields.csv", CSV)
    assert "may be at most 2.0\xa0KB" in error and "Split it" in error
    assert snapshot() == before


def test_the_refusal_is_in_chinese_for_a_chinese_reader(settings, seeded, staff_client):
    settings.IMPORT_MAX_BYTES = 2000
    content = hostile.field_file(good_rows(40), "csv")
    error = refusal(staff_client, content, "fields.csv", CSV, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "导入文件最大为" in error


def test_a_zip_bomb_is_refused_from_the_zip_directory(settings, seeded, staff_client):
    # 30 MB of XML in a 40 KB file (bench/bench_hostile_imports.py: 400 MB against the default limit).
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
    before = snapshot()
    bomb = hostile.zip_bomb(30 * 1024 * 1024)
    assert len(bomb) < 100 * 1024
    error = refusal(staff_client, bomb, "fields.xlsx", XLSX)
    assert "unpacks to 30.0\xa0MB; at most 20.0\xa0MB may be imported at once" in error
    assert snapshot() == before


def test_a_shared_strings_bomb_is_refused_before_the_table_is_read(settings, seeded, staff_client):
    settings.IMPORT_MAX_ROWS = 1000  # at most 4,000 shared strings
    error = refusal(staff_client, hostile.shared_strings_bomb(5000), "fields.xlsx", XLSX)
    assert "shared-string table has more than 4,000 entries" in error


def test_a_styles_bomb_is_refused(seeded, staff_client):
    error = refusal(staff_client, hostile.styles_bomb(600_000), "fields.xlsx", XLSX)
    assert "A part of the workbook other than its sheets is 2.9\xa0MB" in error
    # Under the size cap, but 300,000 styles (a dozen seconds of openpyxl) all the same.
    error = refusal(staff_client, hostile.styles_bomb(300_000), "fields.xlsx", XLSX)
    assert "other than its sheets (styles, names, properties) hold more than 100,000 elements" in error


def test_a_row_of_a_million_cells_is_refused_before_it_is_built(seeded, staff_client):
    error = refusal(staff_client, hostile.wide_row_bomb(1_000_000), "fields.xlsx", XLSX)
    assert "more than 200 columns" in error


def test_a_row_numbered_1048576_counts_as_the_rows_it_claims(settings, seeded, staff_client):
    error = refusal(staff_client, hostile.row_number_bomb(), "fields.xlsx", XLSX)
    assert f"more than {settings.IMPORT_MAX_ROWS:,} rows" in error


def test_a_dimension_and_a_far_row_do_not_pad_a_million_rows(settings, seeded, staff_client):
    # The file that held a worker at 100 % CPU: refused after counting the rows it really has.
    error = refusal(staff_client, hostile.padding_bomb(), "fields.xlsx", XLSX)
    assert f"more than {settings.IMPORT_MAX_ROWS:,} rows" in error


def test_a_dimension_claiming_the_whole_sheet_is_not_believed(seeded, staff_client):
    # A1:XFD1048576 on a two-row file: read as the two rows it is (it used to pad 17 billion cells).
    response = post_file(staff_client, hostile.dimension_bomb(), "fields.xlsx", XLSX)
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert response.context["result"].totals["new"] == 1


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_too_many_rows_are_refused(settings, seeded, staff_client, file_format):
    settings.IMPORT_MAX_ROWS = 5
    before = snapshot()
    content = hostile.field_file(good_rows(6), file_format)
    error = refusal(staff_client, content, f"fields.{file_format}", CSV if file_format == "csv" else XLSX)
    assert "more than 5 rows" in error
    assert snapshot() == before
    # Five rows are fine.
    response = post_file(staff_client, hostile.field_file(good_rows(5), file_format), f"fields.{file_format}",
                    CSV if file_format == "csv" else XLSX)
    assert response.context["confirm_form"] is not None


def test_a_huge_cell_is_refused_in_a_csv(seeded, staff_client, settings):
    row = list(hostile.GOOD_ROW)
    row[6] = "备" * (settings.IMPORT_MAX_CELL_CHARS + 1)
    error = refusal(staff_client, hostile.field_file([row], "csv"), "fields.csv", CSV)
    assert "Row 2, column “group_zh”: the cell holds 10,001 characters; a cell may hold at most 10,000." in error


def test_a_huge_cell_is_refused_in_a_workbook(seeded, staff_client):
    error = refusal(staff_client, hostile.huge_cell(10_001), "fields.xlsx", XLSX)
    assert "the cell holds 10,001 characters" in error
    # 90 MB in one cell: refused from the XML's bytes, before a 90 MB string exists.
    error = refusal(staff_client, hostile.huge_cell(90 * 1024 * 1024), "fields.xlsx", XLSX)
    assert "A cell of the workbook holds more than 10,000 characters" in error


def test_a_csv_that_is_not_utf8_is_refused(seeded, staff_client):
    content = hostile.field_file(good_rows(2), "csv").decode().encode("gb18030")
    assert "UTF-8" in refusal(staff_client, content, "fields.csv", CSV)


def test_a_file_that_is_not_a_workbook_is_refused(seeded, staff_client):
    error = refusal(staff_client, b"MZ\x90\x00 not a workbook", "fields.xlsx", XLSX)
    assert "not a readable XLSX workbook" in error


def test_a_good_workbook_is_still_imported(seeded, staff_client, staff_user):
    content = hostile.field_file(good_rows(3), "xlsx")
    response = post_file(staff_client, content, "fields.xlsx", XLSX)
    assert response.context["confirm_form"] is not None
    response = staff_client.post(reverse("admin:inventory_app_activityfield_process_import"),
                                 response.context["confirm_form"].initial)
    assert response.status_code == 302
    assert DataField.objects.filter(code__startswith="bulk-field").count() == 2
    assert ActivityField.objects.filter(field__code__startswith="bulk-field").count() == 3


def test_the_import_page_states_the_limits(seeded, staff_client):
    from .import_client import import_url

    page = staff_client.get(import_url()).content.decode()
    assert "CSV (UTF-8) or XLSX, at most 20.0\xa0MB and 100,000 rows" in page
    assert "more than 2,000 rows are checked and imported in the background" in page
