"""Thin Celery tasks: ids in, one service call, their own retry policy."""

from celery import shared_task

from . import identity_documents


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def delete_expired_identity_documents() -> int:
    """Scheduled by beat, hourly: deletes identity-document files past their retention period."""
    return identity_documents.identity_documents_delete_expired()


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
