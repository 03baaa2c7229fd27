"""An import whose database connection dies midway is reported as failed, and wrote nothing.

The connection is really lost: a second connection terminates the import's PostgreSQL backend
(pg_terminate_backend) just as the first row is written. The page says what happened in words,
never with a traceback, and the log names the job, never a cell's value."""

import logging
import time
from contextlib import contextmanager

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from inventory_app.models import ImportJob

from . import hostile_files as hostile
from .import_client import XLSX, decide, eager_tasks, import_url, job_url, post_file, snapshot  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend"),
]

FIRST_ROW_WRITE = 'INSERT INTO "inventory_app_activityfield"'


@contextmanager
def connection_lost_at(sql_prefix: str):
    """Terminates this connection's backend, from another connection, before ``sql_prefix`` runs."""
    import psycopg

    lost = []

    def terminate(execute, sql, params, many, context):
        if not lost and sql.startswith(sql_prefix):
            lost.append(sql_prefix)
            pid = connection.connection.info.backend_pid
            conf = connection.settings_dict
            with psycopg.connect(dbname=conf["NAME"], user=conf["USER"], password=conf["PASSWORD"] or None,
                                 host=conf["HOST"] or None, port=conf["PORT"] or None, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
                for _ in range(200):  # until the backend has really gone
                    if admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone() is None:
                        break
                    time.sleep(0.025)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(terminate):
        yield lost


def rows(count):
    return hostile.field_rows(count, activities=["cn-franchise", "cn-booking"])


def test_a_background_import_that_loses_its_connection_fails_and_writes_nothing(settings, seeded, staff_client,
                                                                                 caplog):
    settings.IMPORT_BACKGROUND_ROWS = 2
    settings.DEBUG = False
    before = snapshot()
    response = post_file(staff_client, hostile.field_file(rows(30), "xlsx"), "fields.xlsx", XLSX)
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.totals["new"] == 30

    caplog.set_level(logging.ERROR, logger="inventory_app.imports")
    with connection_lost_at(FIRST_ROW_WRITE) as lost:
        decide(staff_client, job, "confirm")
    assert lost, "the import never wrote a row"

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.totals == {} and job.stored_file == ""
    assert snapshot() == before  # nothing was written: not the 30 rows, not their fields or history
    page = staff_client.get(job_url(job)).content.decode()
    assert "failed: nothing was written" in page
    assert "The database connection failed during the import. Nothing was written" in page
    assert "Traceback" not in page and "OperationalError" not in page and "30 new" not in page
    assert f"inventory import job {job.pk} failed during import: OperationalError" in caplog.text
    assert "bulk-field" not in caplog.text and "字段" not in caplog.text


def test_a_small_import_that_loses_its_connection_says_so_and_writes_nothing(seeded, staff_client, settings, caplog):
    settings.DEBUG = False
    before = snapshot()
    response = post_file(staff_client, hostile.field_file(rows(30), "xlsx"), "fields.xlsx", XLSX)
    confirm = response.context["confirm_form"].initial  # the small-file path: previewed in the request

    caplog.set_level(logging.ERROR, logger="inventory_app.admin")
    with connection_lost_at(FIRST_ROW_WRITE) as lost:
        response = staff_client.post(reverse("admin:inventory_app_activityfield_process_import"), confirm)
    assert lost
    assert response.status_code == 302 and response["Location"] == import_url()
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert shown == ["The database connection failed during the import. Nothing was written; upload the file again."]
    assert not any("Import finished" in message for message in shown)
    assert snapshot() == before
    assert "failed: OperationalError (nothing was written)" in caplog.text
    assert "bulk-field" not in caplog.text
