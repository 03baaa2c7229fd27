"""Thin Celery tasks: ids in, one service call each, and their own time limits."""

from celery import shared_task

from . import imports

# A preview or an import of IMPORT_MAX_ROWS rows takes minutes (about 85 s per 100,000 rows on
# the reference machine), longer than the default task limits; a job that still overruns is
# stopped at the soft limit and recorded as failed (its transaction rolls back).
LIMITS = {"soft_time_limit": 20 * 60, "time_limit": 21 * 60}


@shared_task(acks_late=True, **LIMITS)
def import_job_preview_task(job_id: int) -> None:
    imports.import_job_preview(job_id=job_id)


@shared_task(acks_late=True, **LIMITS)
def import_job_run_task(job_id: int) -> None:
    imports.import_job_run(job_id=job_id)
