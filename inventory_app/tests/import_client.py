"""Driving the admin's import page as a user does, for the import tests."""

import io

import pytest
from django.test import TestCase
from django.urls import reverse

from inventory_app.models import ActivityField, DataField, ImportJob
from privacy_office.models import AuditLogEntry

CSV, XLSX = "0", "1"  # the import form's format choices


@pytest.fixture
def eager_tasks(settings):
    """Celery tasks run in the test's thread (the real worker is tested by the integration suite)."""
    from privacy_office.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


def snapshot():
    return (ActivityField.objects.count(), DataField.objects.count(), ActivityField.history.count(),
            DataField.history.count(), AuditLogEntry.objects.count())


def import_url(model="activityfield"):
    return reverse(f"admin:inventory_app_{model}_import")


def job_url(job):
    return reverse("admin:inventory_app_importjob_change", args=[job.pk])


def post_file(client, content: bytes, name: str, file_format: str, **headers):
    """Uploads; a job's task runs (eagerly) when the request's transaction commits, as in production."""
    upload = io.BytesIO(content)
    upload.name = name
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(import_url(), {"import_file": upload, "format": file_format}, **headers)


def decide(client, job, decision: str, **headers):
    """Confirms or cancels a job as its page's buttons do."""
    url = reverse(f"admin:inventory_app_importjob_{decision}", args=[job.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, **headers)


def refusal(client, content: bytes, name: str, file_format: str, **headers) -> str:
    """The refusal the user reads: on the form for a small file, on the job's page for a large one
    (read by the background task); either way nothing was imported."""
    response = post_file(client, content, name, file_format, **headers)
    if response.status_code == 200:
        errors = response.context["form"].errors.get("import_file")
        assert errors, response.context["form"].errors
        assert response.context.get("confirm_form") is None
        return " ".join(errors)
    assert response.status_code == 302, response.status_code
    job = ImportJob.objects.latest("id")
    assert response["Location"] == job_url(job)
    assert job.status == ImportJob.Status.REFUSED, job.status
    page = client.get(job_url(job), **headers)
    assert page.context["failure"]
    return page.context["failure"]
