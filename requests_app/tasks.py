"""Thin Celery tasks: ids in, one service call, their own retry policy."""

from celery import shared_task
from django.conf import settings

from . import identity_documents


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def delete_expired_identity_documents() -> int:
    """Scheduled by beat, hourly: deletes identity-document files past their retention period."""
    return identity_documents.identity_documents_delete_expired()


# Messages filed by one poll task (about 155 ms each on the bench: bench_mailbox.py).
POLL_BATCH = 500


@shared_task(acks_late=True)
def poll_mailboxes() -> int:
    """Scheduled by beat (MAILBOX_POLL_SECONDS) when MAILBOXES is set: one poll task per mailbox."""
    for name in settings.PRIVACY_MAILBOXES:
        poll_mailbox.delay(name)
    return len(settings.PRIVACY_MAILBOXES)


# A dropped connection is retried on the next beat anyway; the retries only shorten the gap.
@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def poll_mailbox(name: str) -> int:
    """Read and file the new messages of one mailbox (mailbox.mailbox_poll: exactly once)."""
    from django.core.cache import cache

    from .mailbox import mailbox_poll

    # One poll of a mailbox at a time: a poll still running when beat fires again would read the
    # same messages (harmless - each is filed once - but wasted). At most POLL_BATCH messages a
    # poll keeps it well inside the task time limit; the rest wait for the next beat.
    key = f"mailbox-poll:{name}"
    if not cache.add(key, "1", timeout=settings.CELERY_TASK_TIME_LIMIT):
        return 0
    try:
        return mailbox_poll(name=name, limit=POLL_BATCH).filed
    finally:
        cache.delete(key)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def delete_expired_public_submissions() -> int:
    """Scheduled by beat, hourly: deletes public-form submissions never confirmed in time."""
    from . import public_form

    return public_form.submissions_delete_expired()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def send_public_acknowledgement(draft_id: int) -> str:
    """Queued when a public-form request is confirmed: e-mails its acknowledgement, recorded as sent."""
    from . import public_form

    return public_form.acknowledgement_send(draft_id=draft_id)
