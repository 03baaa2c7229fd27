"""Mirror of every simple-history record into the cross-model audit log, with its field diff."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from simple_history.signals import post_create_historical_record

IGNORED_FIELDS = {"version"}
MAX_VALUE_LENGTH = 500


def _text(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def raw_value(value):
    """A value as the audit log stores it: raw (a code, a primary key, an ISO date or time in UTC),
    so each reader sees it in their own language and zone (``audit_display``). JSON fields keep
    their list or mapping; other text is cut at ``MAX_VALUE_LENGTH``."""
    if isinstance(value, (list, dict)):
        return value
    return _text(value)


def previous_record(history_instance):
    """The history row of the same record just before ``history_instance``.

    simple-history's ``prev_record`` compares dates only, so of two rows written in the same
    instant (one transaction on a coarse clock) the second is diffed against an older row; the
    history id breaks the tie."""
    from django.db.models import Q

    model = history_instance.instance_type
    pk_name = model._meta.pk.attname
    date, history_id = history_instance.history_date, history_instance.pk
    return (
        type(history_instance).objects
        .filter(**{pk_name: getattr(history_instance, pk_name)})
        .filter(Q(history_date__lt=date) | Q(history_date=date, pk__lt=history_id))
        .order_by("-history_date", "-pk")
        .first()
    )


def tracked_fields(history_instance) -> list:
    """Every field the history keeps, the non-editable ones included: the clock (due dates), the
    statuses and the sent, responded and closed times are set by services, never typed, and
    simple-history's ``diff_against`` (through ``model_to_dict``) skips non-editable fields."""
    return [
        field for field in history_instance.tracked_fields
        # A last-modified stamp moves on every save; the history row's own time already says when.
        if field.name not in IGNORED_FIELDS and not getattr(field, "auto_now", False)
    ]


def changes_between(new, old) -> list[dict]:
    """Field-level diff of history row ``new`` against ``old``: [{"field", "old", "new"}] in field
    name order, raw values (a foreign key as its primary key)."""
    changes = []
    for field in sorted(tracked_fields(new), key=lambda f: f.name):
        old_value, new_value = getattr(old, field.attname), getattr(new, field.attname)
        if old_value != new_value:
            changes.append({"field": field.name, "old": raw_value(old_value), "new": raw_value(new_value)})
    return changes


def field_changes(history_instance) -> list[dict]:
    """Field-level diff of a historical record against the one before it."""
    if history_instance.history_type != "~":
        return []
    previous = previous_record(history_instance)
    if previous is None:
        return []
    return changes_between(history_instance, previous)


def actor_name(history_instance) -> str:
    """The username of who made the change ("" for the system). simple-history hands the signal
    the user object it was given, so this reads no row."""
    if not history_instance.history_user_id:
        return ""
    user = history_instance.history_user
    return user.get_username() if user is not None else ""


def record_name_on_record(instance) -> str:
    """The record's name as the audit log keeps it: written in English whoever wrote the change, so
    that ``audit_display.record_name`` can show it in each reader's language (a draft named
    "EU-SA · 监管报告 · 初次 · en" by a Chinese officer read so by a Berlin manager)."""
    with translation.override("en"):
        return _text(instance)[:300]


def entry_for(history_instance, *, changes: list[dict] | None = None, instance=None):
    """The audit-log entry of ``history_instance``. Bulk writers pass the saved ``instance`` (for its
    name): simple-history's ``.instance`` reads a model's excluded fields back with a query per row."""
    from .models import AuditLogEntry

    model = history_instance.instance_type
    return AuditLogEntry(
        at=history_instance.history_date,
        user_id=history_instance.history_user_id,
        user_name=actor_name(history_instance),
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(getattr(history_instance, model._meta.pk.attname)),
        object_repr=record_name_on_record(history_instance.instance if instance is None else instance),
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
