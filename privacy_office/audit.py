"""Mirror of every simple-history record into the cross-model audit log, with its field diff."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from simple_history.signals import post_create_historical_record

IGNORED_FIELDS = {"version"}
MAX_VALUE_LENGTH = 500


def _text(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def field_changes(history_instance) -> list[dict]:
    """Field-level diff of a historical record against the one before it."""
    if history_instance.history_type != "~":
        return []
    previous = history_instance.prev_record
    if previous is None:
        return []
    delta = history_instance.diff_against(previous, foreign_keys_are_objs=False)
    return [
        {"field": change.field, "old": _text(change.old), "new": _text(change.new)}
        for change in delta.changes
        if change.field not in IGNORED_FIELDS
    ]


def entry_for(history_instance, *, changes: list[dict] | None = None):
    from .models import AuditLogEntry

    model = history_instance.instance_type
    return AuditLogEntry(
        at=history_instance.history_date,
        user_id=history_instance.history_user_id,
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(getattr(history_instance, model._meta.pk.attname)),
        object_repr=_text(history_instance.instance)[:300],
        action=history_instance.history_type,
        reason=history_instance.history_change_reason or "",
        changes=field_changes(history_instance) if changes is None else changes,
        history_id=history_instance.pk,
    )


def _on_history_created(sender, history_instance, **kwargs):
    entry_for(history_instance).save()


def record_bulk(history_instances: Iterable) -> None:
    """For bulk paths (``bulk_create_with_history`` sends no signal): log them in one insert."""
    from .models import AuditLogEntry

    AuditLogEntry.objects.bulk_create([entry_for(h) for h in history_instances], batch_size=1000)


def connect_signals() -> None:
    post_create_historical_record.connect(_on_history_created, dispatch_uid="privacy_office_audit_log")
