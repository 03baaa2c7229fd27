"""Large imports run in the background: the upload becomes a job whose page refreshes while a task
reads and checks the file, then shows what the import would do and the first rows; the uploader
confirms and a second task imports, all rows or none. Tasks run eagerly here (the real worker is
tested by the integration suite); the job's states and the resulting rows are what is checked."""

import io

import pytest
from django.core.files.storage import storages

from inventory_app import imports
from inventory_app.models import ActivityField, DataField, ImportJob

from . import hostile_files as hostile
from .import_client import XLSX, decide, eager_tasks, import_url, job_url, post_file, snapshot  # noqa: F401 (fixture)

pytestmark = [pytest.mark.usefixtures("eager_tasks")]


@pytest.fixture(autouse=True)
def _small_background_threshold(settings):
    settings.IMPORT_BACKGROUND_ROWS = 2


def good_rows(count):
    return hostile.field_rows(count, activities=["cn-franchise", "cn-booking"])


def upload(client, rows, **headers):
    response = post_file(client, hostile.field_file(rows, "xlsx"), "fields.xlsx", XLSX, **headers)
    assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
    job = ImportJob.objects.latest("id")
    assert response["Location"] == job_url(job)
    return job


@pytest.mark.django_db
def test_a_large_import_is_previewed_then_confirmed_then_imported(seeded, staff_client, staff_user):
    before = snapshot()
    job = upload(staff_client, good_rows(3))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert job.rows_total == 3 and job.totals["new"] == 3
    assert snapshot() == before  # the preview writes nothing
    assert storages["private"].exists(job.stored_file)
    assert "fields.xlsx" not in job.stored_file  # no user-chosen name in the storage path

    page = staff_client.get(job_url(job))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'http-equiv="refresh"' not in body  # nothing running
    assert "ready: confirm to import" in body
    assert [label for label, _count in page.context["counts"]] == ["new", "changed", "unchanged", "errors"]
    assert page.context["counts"][0][1] == "3"
    assert "bulk-field-00001" in body  # the first rows
    assert "Confirm import" in body

    response = decide(staff_client, job, "confirm")
    assert response.status_code == 302 and response["Location"] == job_url(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.finished_at is not None
    assert job.totals["new"] == 3
    stored = ImportJob.objects.filter(pk=job.pk).values_list("stored_file", flat=True).get()
    assert stored == "" and job.preview == {}
    assert not storages["private"].listdir("imports")[1]  # the uploaded file is gone
    links = ActivityField.objects.filter(field__code__startswith="bulk-field")
    assert links.count() == 3
    assert links.first().history.get().history_user == staff_user
    assert "imported" in staff_client.get(job_url(job)).content.decode()


@pytest.mark.django_db
def test_a_running_job_page_refreshes_and_shows_progress(seeded, staff_client):
    job = upload(staff_client, good_rows(1200))
    assert imports.import_job_progress(job) == {"done": 1000, "total": 1200}
    # As the page looks while the preview is still reading (the task ran eagerly, so it is put back).
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PREVIEWING)
    body = staff_client.get(job_url(job)).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in body
    assert '<progress value="1000" max="1200"></progress>' in body
    assert "1,000 of 1,200 rows checked." in body
    assert "Confirm import" not in body


@pytest.mark.django_db
def test_a_queued_job_says_it_waits_for_a_worker(seeded, staff_client):
    # Uploaded, but the request's transaction has not committed yet: no task has started.
    upload_file = io.BytesIO(hostile.field_file(good_rows(3), "xlsx"))
    upload_file.name = "fields.xlsx"
    staff_client.post(import_url(), {"import_file": upload_file, "format": XLSX})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    body = staff_client.get(job_url(job)).content.decode()
    assert 'http-equiv="refresh"' in body and "Waiting for a background worker to start." in body


@pytest.mark.django_db
def test_rows_that_cannot_be_imported_refuse_the_job_without_keeping_their_values(seeded, staff_client):
    before = snapshot()
    rows = good_rows(3)
    rows[1][4] = "medical"  # not a category
    rows[2][0] = "no-such-activity"
    job = upload(staff_client, rows)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert job.error_count == 2
    # The spreadsheet's row numbers: the header is row 1.
    assert job.errors[0].startswith("row 3: field__category: Unknown category “…”")
    assert job.errors[1].startswith("row 4: activity: Unknown activity code “…”")
    assert "medical" not in str(job.errors) and "no-such-activity" not in str(job.errors)
    assert job.stored_file == "" and not storages["private"].listdir("imports")[1]
    body = staff_client.get(job_url(job)).content.decode()
    assert "Some rows cannot be imported (listed below). Nothing was written" in body
    assert "2 problems" in body
    assert snapshot() == before


@pytest.mark.django_db
def test_the_job_page_is_in_chinese_for_a_chinese_reader(seeded, staff_client):
    job = upload(staff_client, good_rows(3), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = staff_client.get(job_url(job), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "就绪：确认后导入" in body and "确认导入" in body


@pytest.mark.django_db
def test_a_cancelled_job_deletes_its_file_and_cannot_be_confirmed(seeded, staff_client):
    before = snapshot()
    job = upload(staff_client, good_rows(3))
    assert decide(staff_client, job, "cancel").status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert not storages["private"].listdir("imports")[1]
    decide(staff_client, job, "confirm")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    messages = [str(m) for m in staff_client.get(job_url(job)).context["messages"]]
    assert any("not waiting for confirmation" in m for m in messages)
    assert snapshot() == before


@pytest.mark.django_db
def test_only_the_uploader_confirms_and_only_they_see_the_rows(seeded, staff_client, manager_client, auditor_client):
    job = upload(staff_client, good_rows(3))
    assert decide(manager_client, job, "confirm").status_code == 403
    assert decide(auditor_client, job, "cancel").status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    page = auditor_client.get(job_url(job))
    assert page.status_code == 200
    body = page.content.decode()
    assert "bulk-field-00001" not in body and "Confirm import" not in body
    assert not DataField.objects.filter(code__startswith="bulk-field").exists()


@pytest.mark.django_db
def test_an_auditor_cannot_start_an_import(seeded, auditor_client):
    response = post_file(auditor_client, hostile.field_file(good_rows(3), "xlsx"), "fields.xlsx", XLSX)
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
