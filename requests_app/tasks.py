"""Thin Celery tasks: ids in, one service call, their own retry policy."""

from celery import shared_task

from . import identity_documents


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def delete_expired_identity_documents() -> int:
    """Scheduled by beat, hourly: deletes identity-document files past their retention period."""
    return identity_documents.identity_documents_delete_expired()
