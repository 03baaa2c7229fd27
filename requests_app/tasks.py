"""Thin Celery tasks: ids in, one service call, their own retry policy."""

from celery import shared_task

from . import identity_documents


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def delete_expired_identity_documents() -> int:
    """Scheduled by beat, hourly: deletes identity-document files past their retention period."""
    return identity_documents.identity_documents_delete_expired()


@shared_task(acks_late=True)
def poll_mailboxes() -> int:
    """Scheduled by beat (MAILBOX_POLL_SECONDS) when MAILBOXES is set: one poll task per mailbox."""
    from django.conf import settings

    for name in settings.PRIVACY_MAILBOXES:
        poll_mailbox.delay(name)
    return len(settings.PRIVACY_MAILBOXES)


# A dropped connection is retried on the next beat anyway; the retries only shorten the gap.
@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def poll_mailbox(name: str) -> int:
    """Read and file the new messages of one mailbox (mailbox.mailbox_poll: exactly once)."""
    from .mailbox import mailbox_poll

    return mailbox_poll(name=name).filed
