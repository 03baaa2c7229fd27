"""Admin exports stream: a CSV is sent while it is read, an XLSX is written in write-only mode to a
temporary file, queries do not grow with the rows, and a list larger than EXPORT_SYNC_MAX_ROWS is
written by the worker to private storage for its owner alone, who is told by e-mail in their
language and on their next page; the file is deleted when its download period ends."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.storage import storages
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from inventory_app.models import Controller, DataField, ProcessingActivity, Service
from privacy_office import spreadsheets
from privacy_office.exports import export_jobs_purge
from privacy_office.models import AuditLogEntry, ExportJob, StaffProfile
from privacy_office.roles import MANAGER
from requests_app.models import RightsRequest

pytestmark = pytest.mark.django_db

AUDIT_EXPORT = "admin:privacy_office_auditlogentry_export"
AUDIT_LIST = "admin:privacy_office_auditlogentry_changelist"


@pytest.fixture
def eager(settings):
    """Celery tasks run in the test process, mail goes to the test outbox."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://privacy.example"
    from privacy_office.celery import app

    app.conf.task_always_eager = True
    yield settings
    app.conf.task_always_eager = False


def audit_entries(count, *, user, assignee=None, text="entry"):
    """``count`` audit entries by ``user``, each a change of a case's assignee (a related name the
    export looks up), one second apart, newest last."""
    ct = ContentType.objects.get_for_model(RightsRequest)
    now = timezone.now()
    changes = [{"field": "assignee", "old": None, "new": str(assignee.pk)}] if assignee else []
    AuditLogEntry.objects.bulk_create([
        AuditLogEntry(at=now - timedelta(seconds=count - i), user=user, user_name=user.username, content_type=ct,
                      object_id=str(i), object_repr=f"{text} {i}", action="~", reason="", changes=changes,
                      history_id=i)
        for i in range(count)
    ])


def post_export(client, url_name, file_format, query="", fields=None):
    """The admin's export form as a person submits it (all columns, or ``fields``), from a list
    filtered by ``query``."""
    url = reverse(url_name) + (f"?{query}" if query else "")
    form = client.get(url).context["form"]
    index = next(value for value, label in form.fields["format"].choices if label == file_format.upper())
    prefix = form.fields["resource"].choices[0][1].lower() + "_"
    ticked = {name: "on" for name in form.fields if name.startswith(prefix)
              and (fields is None or name.removeprefix(prefix) in fields)}
    return client.post(url, {"format": index, "resource": "0", **ticked})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(content: bytes) -> list[dict]:
    assert content.startswith("\ufeff".encode()), "no byte order mark: Excel would misread Chinese text"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_export_streams_inert_cells_exactly_the_filtered_list(manager_client, manager_user):
    other = make_user("colleague", MANAGER)
    audit_entries(3, user=manager_user, text="=cmd|' /C calc'!A0")
    audit_entries(4, user=other, text="张三的请求")
    query = f"user={other.pk}"

    shown = manager_client.get(reverse(AUDIT_LIST) + f"?{query}").context["cl"].result_list
    response = post_export(manager_client, AUDIT_EXPORT, "csv", query)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = csv_rows(body(response))
    # What the list shows (its user filter), in its order, Chinese intact.
    assert [row["id"] for row in rows] == [str(entry.pk) for entry in shown]
    assert {row["user"] for row in rows} == {"colleague"}
    assert {row["object_repr"] for row in rows} == {f"张三的请求 {i}" for i in range(4)}

    rows = csv_rows(body(post_export(manager_client, AUDIT_EXPORT, "csv", f"user={manager_user.pk}")))
    assert {row["object_repr"] for row in rows} == {f"'=cmd|' /C calc'!A0 {i}" for i in range(3)}


def test_the_diff_names_related_records_in_the_export(manager_client, manager_user, staff_user):
    audit_entries(2, user=manager_user, assignee=staff_user)
    rows = csv_rows(body(post_export(manager_client, AUDIT_EXPORT, "csv")))
    assert {row["changes"] for row in rows} == {f"assignee: — → {staff_user}"}


def _export_queries(client, url_name, file_format):
    with CaptureQueriesContext(connection) as queries:
        response = post_export(client, url_name, file_format)
        content = body(response)
    assert response.status_code == 200
    return len(queries), content


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_audit_log_export_queries_do_not_grow_with_rows(file_format, manager_client, manager_user, staff_user):
    audit_entries(10, user=manager_user, assignee=staff_user)
    _export_queries(manager_client, AUDIT_EXPORT, file_format)  # the session, permissions and caches read once
    few, _content = _export_queries(manager_client, AUDIT_EXPORT, file_format)
    audit_entries(190, user=staff_user, assignee=manager_user)
    many, content = _export_queries(manager_client, AUDIT_EXPORT, file_format)
    assert many == few, f"{few} queries for 10 rows, {many} for 200"
    rows = csv_rows(content) if file_format == "csv" else xlsx_rows(content)
    assert len(rows) == 200


def test_a_removed_related_record_is_named_by_its_id_without_a_query_per_row(manager_client, manager_user):
    class Removed:
        pk = 987654

    audit_entries(10, user=manager_user, assignee=Removed)
    _export_queries(manager_client, AUDIT_EXPORT, "csv")
    few, _content = _export_queries(manager_client, AUDIT_EXPORT, "csv")
    audit_entries(190, user=manager_user, assignee=Removed)
    many, content = _export_queries(manager_client, AUDIT_EXPORT, "csv")
    assert many == few, f"{few} queries for 10 rows, {many} for 200"
    assert {row["changes"] for row in csv_rows(content)} == {"assignee: — → #987654"}


def _activities(start, count):
    controller = Controller.objects.get_or_create(code="lumi", defaults={"name_zh": "绿米"})[0]
    service = Service.objects.get_or_create(code="app", defaults={"name_zh": "应用", "controller": controller})[0]
    for i in range(start, start + count):
        activity = ProcessingActivity.objects.create(code=f"a{i}", name_zh="活动", controller=controller,
                                                     pipl_basis="contract")
        activity.services.add(service)


def test_activities_export_queries_do_not_grow_with_rows(manager_client):
    # Activities have a controller (a code through a foreign key) and services (many-to-many):
    # 3,002 queries for 1,000 activities before the export joined and prefetched them.
    DataField.objects.create(code="email", name_zh="邮箱")
    _activities(0, 10)
    _export_queries(manager_client, "admin:inventory_app_processingactivity_export", "csv")
    few, _content = _export_queries(manager_client, "admin:inventory_app_processingactivity_export", "csv")
    _activities(10, 190)
    many, content = _export_queries(manager_client, "admin:inventory_app_processingactivity_export", "csv")
    assert many == few, f"{few} queries for 10 rows, {many} for 200"
    rows = csv_rows(content)
    assert len(rows) == 200
    assert {row["controller"] for row in rows} == {"lumi"} and {row["services"] for row in rows} == {"app"}


def xlsx_rows(content: bytes) -> list[dict]:
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_xlsx_export_is_streamed_from_a_file_and_opens_with_its_rows(manager_client, manager_user):
    audit_entries(25, user=manager_user, text="+SUM(A1)")
    response = post_export(manager_client, AUDIT_EXPORT, "xlsx")
    assert response.status_code == 200
    assert response.streaming, "an XLSX export must be streamed from its file, not held in memory"
    assert response["Content-Disposition"].startswith("attachment")
    rows = xlsx_rows(body(response))
    assert len(rows) == 25
    assert {row["object_repr"] for row in rows} == {f"'+SUM(A1) {i}" for i in range(25)}
    assert all(isinstance(row["id"], int) for row in rows)  # numbers stay numbers


def test_ticked_columns_only(manager_client, manager_user):
    audit_entries(2, user=manager_user)
    rows = csv_rows(body(post_export(manager_client, AUDIT_EXPORT, "csv", fields=["id", "object_repr"])))
    assert list(rows[0]) == ["id", "object_repr"]


# --- over the threshold: a background job -----------------------------------------------------

def test_a_large_export_is_written_in_the_background_for_its_owner_alone(
        eager, manager_client, manager_user, django_capture_on_commit_callbacks):
    eager.EXPORT_SYNC_MAX_ROWS = 5
    StaffProfile.objects.create(user=manager_user, language="zh-hans")
    other = make_user("colleague", MANAGER)
    audit_entries(4, user=other, text="not mine to export")
    audit_entries(8, user=manager_user, text="我的")
    query = f"user={manager_user.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        response = post_export(manager_client, AUDIT_EXPORT, "csv", query)

    # Nothing downloaded now: back to the same filtered list, with a message.
    assert response.status_code == 302
    assert response["Location"] == reverse(AUDIT_LIST) + f"?{query}"
    page = manager_client.get(response["Location"])
    texts = [str(m) for m in page.context["messages"]]
    assert any("background" in text for text in texts), texts
    # The next page load also says the file is ready, with its link (the task ran eagerly).
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.row_count == 8
    download = reverse("admin:privacy_office_exportjob_download", args=[job.pk])
    assert any(download in text for text in texts), texts
    # Announced once: the next page does not repeat it.
    again = [str(m) for m in manager_client.get(response["Location"]).context["messages"]]
    assert not any(download in text for text in again), again
    assert job.expires_at == job.finished_at + timedelta(hours=eager.EXPORT_DOWNLOAD_HOURS)

    # The owner downloads exactly the filtered list.
    response = manager_client.get(download)
    assert response.status_code == 200
    rows = csv_rows(body(response))
    assert sorted(row["object_repr"] for row in rows) == sorted(f"我的 {i}" for i in range(8))

    # Another manager, with the same permissions, can neither download it nor see it listed.
    from django.test import Client

    colleague = Client()
    colleague.force_login(other)
    assert colleague.get(download).status_code == 404
    assert job not in colleague.get(reverse("admin:privacy_office_exportjob_changelist")).context["cl"].result_list

    # The e-mail is in the owner's language, with the link, and only to the owner.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager_user.email]
    assert "已就绪" in message.subject and "8" in message.subject
    assert "https://privacy.example" + download in message.body


def test_a_background_export_keeps_the_page_language_columns_and_format(
        eager, manager_client, manager_user, django_capture_on_commit_callbacks):
    eager.EXPORT_SYNC_MAX_ROWS = 3
    audit_entries(6, user=manager_user, text="=1+1")
    manager_client.cookies["django_language"] = "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        response = post_export(manager_client, AUDIT_EXPORT, "xlsx", fields=["id", "object_repr", "action"])
    texts = [str(m) for m in manager_client.get(response["Location"]).context["messages"]]
    assert any("后台" in text for text in texts) and any("已就绪" in text for text in texts), texts
    job = ExportJob.objects.get()
    assert (job.status, job.file_format, job.language) == (ExportJob.Status.DONE, "xlsx", "zh-hans")
    with storages["private"].open(job.file_name, "rb") as stored:
        rows = xlsx_rows(stored.read())
    assert list(rows[0]) == ["id", "object_repr", "action"]
    assert {row["object_repr"] for row in rows} == {f"'=1+1 {i}" for i in range(6)}
    assert {row["action"] for row in rows} == {"~"}
    # The English e-mail (no profile: the site's language, English in the tests).
    assert "is ready" in mail.outbox[0].subject


def test_expired_export_files_are_purged(eager, manager_client, manager_user, django_capture_on_commit_callbacks):
    eager.EXPORT_SYNC_MAX_ROWS = 1
    audit_entries(3, user=manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        post_export(manager_client, AUDIT_EXPORT, "csv")
    job = ExportJob.objects.get()
    download = reverse("admin:privacy_office_exportjob_download", args=[job.pk])
    storage = storages["private"]
    assert storage.exists(job.file_name)

    # Still available an hour before its expiry; purged at it.
    assert export_jobs_purge(now=job.expires_at - timedelta(hours=1)) == 0
    assert manager_client.get(download).status_code == 200
    assert export_jobs_purge(now=job.expires_at) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and job.file_name == ""
    assert storage.listdir("exports/" + str(manager_user.pk))[1] == []
    assert manager_client.get(download).status_code == 404


def test_the_purge_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["exports-purge"]
    assert entry["task"] == "privacy_office.tasks.purge_expired_exports" and entry["schedule"] == 3600.0


def test_below_the_threshold_no_job(manager_client, manager_user, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 3
    audit_entries(3, user=manager_user)
    response = post_export(manager_client, AUDIT_EXPORT, "csv")
    assert response.status_code == 200 and len(csv_rows(body(response))) == 3
    assert not ExportJob.objects.exists()


def test_someone_without_the_export_permission_gets_no_job(staff_client, manager_user, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    audit_entries(3, user=manager_user)
    assert staff_client.post(reverse(AUDIT_EXPORT), {"format": "0", "resource": "0"}).status_code == 403
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("kind", ["export_ready", "export_failed"])
def test_the_export_e_mails_exist_in_every_language_with_a_subject(kind, language, manager_user):
    from privacy_office.exports import EXPORTS
    from privacy_office.outgoing import render_plain_text

    job = ExportJob(requested_by=manager_user, requested_at=timezone.now(), file_format="csv", row_count=3,
                    status=ExportJob.Status.DONE, expires_at=timezone.now(), error="")
    text = render_plain_text(EXPORTS, kind, language=language, context={
        "job": job, "records": "audit log", "rows": 3, "expires_at": job.expires_at, "link": "L", "list_link": "LL"})
    assert text.subject and "LL" in text.body


# --- the hand-written workbooks ----------------------------------------------------------------

def test_xlsx_response_writes_the_record_to_a_file_with_inert_cells():
    rows = ([f"=row{i}", i] for i in range(1000))
    response = spreadsheets.xlsx_response(["name", "n"], rows, title="Record", filename="record.xlsx")
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="record.xlsx"'
    table = xlsx_rows(body(response))
    assert len(table) == 1000 and table[7] == {"name": "'=row7", "n": 7}
    # xlsx_bytes (in memory, for small documents) writes the same sheet.
    assert xlsx_rows(spreadsheets.xlsx_bytes(["name", "n"], [["=x", 1]], title="Record")) == [{"name": "'=x", "n": 1}]
