"""The background import job's page previews the import as the import page does (the
import preview shows changed fields only): only the rows that change, by spreadsheet row number,
each changed column old → new, headed in the reader's language, from the preview stored on the job
(nothing is re-run), the first ``PREVIEW_ROWS`` of them with the count of all."""

import pytest
from django.utils import translation

from inventory_app import imports
from inventory_app.models import ImportJob
from inventory_app.resources import resource_for

from . import hostile_files as hostile
from .import_client import XLSX, decide, eager_tasks, job_url, post_file  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _small_background_threshold(settings):
    settings.IMPORT_BACKGROUND_ROWS = 2


def rows(count):
    return hostile.field_rows(count, activities=["cn-franchise", "cn-booking"])


def upload(client, file_rows, **headers) -> ImportJob:
    response = post_file(client, hostile.field_file(file_rows, "xlsx"), "fields.xlsx", XLSX, **headers)
    assert response.status_code == 302
    job = ImportJob.objects.latest("id")
    assert job.status == ImportJob.Status.READY, (job.status, job.errors, job.failure)
    return job


def imported(client, file_rows) -> None:
    job = upload(client, file_rows)
    decide(client, job, "confirm")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def heading(job, code, language):
    resource = resource_for(job.model)()
    with translation.override(language):
        return resource.heading(resource.fields[code])


def test_the_job_lists_only_changed_rows_old_to_new_in_each_readers_language(seeded, staff_client):
    before = rows(4)
    imported(staff_client, before)
    after = [list(row) for row in before]
    after[2][8] = "7"  # the file's row 4 (the heading is row 1): its position changes
    job = upload(staff_client, after)
    assert job.totals["update"] == 1 and job.totals["skip"] == 3
    assert job.preview["changing"] == 1
    assert job.preview["changes"][0]["number"] == 4 and job.preview["changes"][0]["import_type"] == "update"

    for headers, language in ((EN, "en"), (ZH, "zh-hans")):
        page = staff_client.get(job_url(job), **headers)
        assert page.status_code == 200
        shown = page.context["preview_rows"]
        assert [row["number"] for row in shown] == [4]  # the three unchanged rows are counted, not listed
        assert shown[0]["diff"] == [{"code": "position", "column": heading(job, "position", language),
                                     "old": before[2][8], "new": "7"}]
        body = page.content.decode()
        assert 'id="import-changes"' in body and 'max-width: 1360px' in body
        assert f'<span class="column">{heading(job, "position", language)}</span>' in body
        assert f'<span class="old">{before[2][8]}</span> → <span class="new">7</span>' in body
        with translation.override(language):
            assert f'<td class="row-kind">{translation.gettext("changed")}</td>' in body
        assert before[1][3] not in body  # an unchanged row's values are not shown
    # The page read the stored preview: nothing was imported again.
    assert ImportJob.objects.count() == 2


def test_an_unchanged_re_import_lists_no_rows(seeded, staff_client):
    file_rows = rows(3)
    imported(staff_client, file_rows)
    job = upload(staff_client, file_rows)
    assert job.totals["skip"] == 3 and job.preview == {"changes": [], "changing": 0}
    for headers, sentence in ((EN, "No row changes: every row of the file is as it is already."),
                              (ZH, "没有行会变更：文件中的每一行都与现有记录相同。")):
        body = staff_client.get(job_url(job), **headers).content.decode()
        assert 'id="import-changes"' not in body
        assert sentence in body


def test_many_changed_rows_are_capped_with_the_count(seeded, staff_client, monkeypatch):
    monkeypatch.setattr(imports, "PREVIEW_ROWS", 2)
    job = upload(staff_client, rows(5))
    assert job.preview["changing"] == 5 and len(job.preview["changes"]) == 2
    assert [row["number"] for row in job.preview["changes"]] == [2, 3]
    body = staff_client.get(job_url(job), **EN).content.decode()
    assert "The first 2 of the 5 rows that change are listed." in body
    body = staff_client.get(job_url(job), **ZH).content.decode()
    assert "共 5 行会变更，仅列出前 2 行。" in body
