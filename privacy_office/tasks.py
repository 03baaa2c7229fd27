"""Thin Celery tasks: ids in, one service call, their own retry policy."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import reminders


@shared_task(
    bind=True,
    # Mail server, network, or a database that is briefly busy: retried with back-off.
    autoretry_for=(SMTPException, OSError, ConnectionError, TimeoutError, OperationalError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def send_reminder(self, reminder_id: int) -> str:
    try:
        return reminders.reminder_send(reminder_id=reminder_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries or not isinstance(exc, self.autoretry_for):
            # Out of retries: recorded as failed; the next sweeps hand it to the broker again.
            reminders.reminder_mark_failed(reminder_id=reminder_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(acks_late=True)
def sweep_reminders() -> int:
    """Record every reminder now due (each app's indexed queries) and enqueue the unsent ones."""
    now = timezone.now()
    reminders.reminders_sweep(now=now)
    return len(reminders.reminders_enqueue_unsent(now=now))


# A million-row export takes minutes: longer limits than the default five.
@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3300)
def build_export(job_id: int) -> str:
    """Write a large admin export to private storage and tell its owner (exports.py)."""
    from . import exports

    return exports.export_job_run(job_id=job_id)


@shared_task(acks_late=True)
def purge_expired_exports() -> int:
    """Delete the files of exports past their download period."""
    from . import exports

    return exports.export_jobs_purge(now=timezone.now())
