"""Exports too large to build while the person waits (more than ``EXPORT_SYNC_MAX_ROWS`` rows).

``export_job_request`` records what was asked (the admin list's filters and search, resource,
columns, format, language, zone) and hands the job to the worker once the request commits;
``export_job_run`` (the task ``build_export``) rebuilds the list's queryset exactly as the admin
builds it for that person, writes the file to private storage and tells them by e-mail in their
language and with a message on their next list page; ``export_job_open`` hands the file to its
owner only; ``export_jobs_purge`` (beat, hourly) deletes the files past ``expires_at``.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import storages
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404, QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from .models import ExportJob, user_language
from .outgoing import Family, render_plain_text
from .spreadsheets import ExportFailed

logger = logging.getLogger(__name__)

EXPORTS = Family("exports", has_subject=True)


def export_ready_key(user_id: int) -> str:
    """Cache entry: the ids of the user's finished (or failed) exports not yet announced on a page."""
    return f"export_ready:{user_id}"


def rows_over(queryset, limit: int) -> bool:
    """More than ``limit`` rows? Counts at most ``limit + 1`` (a bounded count on any table size)."""
    return queryset.order_by().values("pk")[: limit + 1].count() > limit


def export_job_request(*, by, model, query: str, resource_index: int, columns: list[str] | None,
                       file_format: str, selected_ids: list | None = None) -> ExportJob:
    """Record a background export for ``by`` and enqueue it once the transaction commits."""
    from .tasks import build_export

    job = ExportJob.objects.create(
        requested_by=by, requested_at=timezone.now(), content_type=ContentType.objects.get_for_model(model),
        query=query, resource_index=resource_index, columns=list(columns or []), file_format=file_format,
        selected_ids=[str(pk) for pk in selected_ids] if selected_ids is not None else None,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        time_zone=timezone.get_current_timezone_name(),
    )
    transaction.on_commit(lambda: build_export.delay(job.pk))
    return job


def changelist_request(job: ExportJob):
    """A GET of the admin list as its owner asked for it: the same filters, search and user."""
    model = job.content_type.model_class()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    request = RequestFactory().get(url, QueryDict(job.query))
    request.user = job.requested_by
    return request


def export_job_run(*, job_id: int) -> str:
    """Write the file of a waiting job; returns its final status ("gone" if there is no such job)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("requested_by", "content_type").filter(
            pk=job_id).first()
        if job is None:
            return "gone"
        if job.status != ExportJob.Status.PENDING:
            return job.status  # a retried or duplicated task: the first one did it
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    try:
        with translation.override(job.language), timezone.override(job.time_zone):
            row_count, name = write_job_file(job)
    except ExportFailed as exc:
        finish(job, status=ExportJob.Status.FAILED, error=str(exc))
    except Exception as exc:
        logger.error("export job %s failed: %s", job.pk, type(exc).__name__)  # never the message: it can quote content
        finish(job, status=ExportJob.Status.FAILED, error=type(exc).__name__)
        raise
    else:
        finish(job, status=ExportJob.Status.DONE, row_count=row_count, file_name=name)
    return job.status


def write_job_file(job: ExportJob) -> tuple[int, str]:
    """Rebuild the list's queryset as the admin does for the owner, write the file, store it."""
    model = job.content_type.model_class()
    model_admin = admin.site.get_model_admin(model)
    request = changelist_request(job)
    if not model_admin.has_export_permission(request):
        raise PermissionDenied
    queryset = model_admin.get_export_queryset(request)
    if job.selected_ids is not None:
        queryset = queryset.filter(pk__in=job.selected_ids)
    headers, rows = model_admin.export_table(request, queryset, resource_index=job.resource_index,
                                             columns=job.columns or None, native=job.file_format == "xlsx")
    counted = CountingRows(rows)
    stamp = timezone.localtime(job.requested_at).strftime("%Y-%m-%d")
    name = f"exports/{job.requested_by_id}/{model.__name__}-{stamp}-{job.pk}.{job.file_format}"
    with tempfile.TemporaryFile() as out:
        if job.file_format == "xlsx":
            from .spreadsheets import write_xlsx

            write_xlsx(out, headers, counted, title=str(model._meta.verbose_name_plural), column_width=20, freeze="A2")
        else:
            from .spreadsheets import csv_pieces

            for piece in csv_pieces(headers, counted, language=job.language, zone=timezone.get_current_timezone()):
                out.write(piece)
        out.seek(0)
        stored = storages["private"].save(name, File(out, name=name))
    return counted.count, stored


class CountingRows:
    """Passes rows through and counts them (the file's row count without a second query)."""

    def __init__(self, rows):
        self.rows = iter(rows)
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def finish(job: ExportJob, *, status: str, row_count: int | None = None, file_name: str = "", error: str = "") -> None:
    now = timezone.now()
    job.status = status
    job.finished_at = now
    job.row_count = row_count
    job.file_name = file_name
    job.error = error
    job.expires_at = now + timedelta(hours=settings.EXPORT_DOWNLOAD_HOURS) if status == ExportJob.Status.DONE else None
    job.save(update_fields=["status", "finished_at", "row_count", "file_name", "error", "expires_at"])
    key = export_ready_key(job.requested_by_id)
    cache.set(key, [*(cache.get(key) or []), job.pk][-10:], settings.EXPORT_DOWNLOAD_HOURS * 3600)
    export_job_notify(job=job)


def export_job_notify(*, job: ExportJob) -> None:
    """The e-mail to the owner, in their language: the file is ready (with its link) or failed."""
    owner = job.requested_by
    if not owner.email:
        return
    language = user_language(owner)
    model = job.content_type.model_class()
    with translation.override(language):
        records = str(model._meta.verbose_name_plural) if model else job.content_type.model
        kind = "export_ready" if job.status == ExportJob.Status.DONE else "export_failed"
        text = render_plain_text(EXPORTS, kind, language=language, context={
            "job": job, "records": records, "rows": job.row_count,
            "expires_at": timezone.localtime(job.expires_at) if job.expires_at else None,
            "link": settings.SITE_URL.rstrip("/") + reverse("admin:privacy_office_exportjob_download", args=[job.pk]),
            "list_link": settings.SITE_URL.rstrip("/") + reverse("admin:privacy_office_exportjob_changelist"),
        })
    EmailMessage(subject=text.subject, body=text.body, from_email=settings.DEFAULT_FROM_EMAIL,
                 to=[owner.email]).send(fail_silently=True)


def export_job_open(*, job_id, user) -> tuple[ExportJob, File]:
    """The file of ``user``'s finished export; anyone else's, or one expired, is not found."""
    job = ExportJob.objects.select_related("content_type").filter(
        pk=job_id, requested_by=user, status=ExportJob.Status.DONE, expires_at__gt=timezone.now(),
    ).first()
    if job is None or not job.file_name:
        raise Http404
    model = job.content_type.model_class()
    model_admin = admin.site.get_model_admin(model) if model else None
    # The export permission (or the importable export's, roles.py) is checked again: one taken away
    # since the request also takes the file.
    perms = (f"{model._meta.app_label}.{action}_{model._meta.model_name}" for action in ("export", "importfile")) \
        if model else ()
    if model_admin is None or not any(user.has_perm(perm) for perm in perms):
        raise PermissionDenied
    return job, storages["private"].open(job.file_name, "rb")


def export_jobs_purge(*, now=None) -> int:
    """Delete the files of exports past their expiry; the job stays, marked expired. Returns how many."""
    now = now or timezone.now()
    storage = storages["private"]
    purged = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now).order_by("pk").iterator():
        if job.file_name:
            storage.delete(job.file_name)
        job.status = ExportJob.Status.EXPIRED
        job.file_name = ""
        job.save(update_fields=["status", "file_name"])
        purged += 1
    return purged
