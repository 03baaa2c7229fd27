from django.db import models
from simple_history.models import HistoricalRecords


def audited_history(**kwargs) -> HistoricalRecords:
    """The history every regulated model keeps (revert disabled: a regulator's record is never rewritten).

    64-bit history ids: the history is kept forever and grows by millions of rows a year.
    """
    kwargs.setdefault("history_id_field", models.BigAutoField(primary_key=True))
    kwargs.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**kwargs)


def set_change_reason(obj, *, by, reason: str) -> None:
    """Who and why for the history row the next ``save()`` of ``obj`` writes.

    ``reason`` is a message id marked with ``gettext_noop`` when the system writes it (the history
    page translates it for each reader) or the person's own words when typed; it is kept whole.
    ``by`` may be None (the demo, a scheduled task): the row then names no one instead of
    guessing from a request, which simple-history would do if the attribute were set to None.
    """
    obj._change_reason = str(reason)
    if by is not None and getattr(by, "pk", None):
        obj._history_user = by


def save_with_reason(obj, *, by, reason: str, update_fields=None) -> None:
    """Save ``obj`` with who and why on its history row: the one way services write a regulated row."""
    set_change_reason(obj, by=by, reason=reason)
    if update_fields is not None:
        obj.save(update_fields=list(update_fields))
    else:
        obj.save()
