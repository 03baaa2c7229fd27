"""Mirror of every simple-history record into the cross-model audit log, with its field diff."""

from __future__ import annotations

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


def actor_name(history_instance) -> str:
    """The username of who made the change ("" for the system). simple-history hands the signal
    the user object it was given, so this reads no row."""
    if not history_instance.history_user_id:
        return ""
    user = history_instance.history_user
    return user.get_username() if user is not None else ""


def entry_for(history_instance, *, changes: list[dict] | None = None):
    from .models import AuditLogEntry

    model = history_instance.instance_type
    return AuditLogEntry(
        at=history_instance.history_date,
        user_id=history_instance.history_user_id,
        user_name=actor_name(history_instance),
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


def _keep_names_of_removed_user(sender, instance, **kwargs):
    """Staff accounts are deactivated, not deleted; if one is deleted anyway (the shell, a script),
    its audit-log entries that lack the name (rows written by a script with the user id only) get it first,
    before SET_NULL empties their user column."""
    from .models import AuditLogEntry

    AuditLogEntry.objects.filter(user_id=instance.pk, user_name="").update(user_name=instance.get_username())


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import pre_delete

    post_create_historical_record.connect(_on_history_created, dispatch_uid="privacy_office_audit_log")
    pre_delete.connect(_keep_names_of_removed_user, sender=get_user_model(), dispatch_uid="privacy_office_keep_names")
