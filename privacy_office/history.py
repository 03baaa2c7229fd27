from django.db import models
from simple_history.models import HistoricalRecords


def audited_history(**kwargs) -> HistoricalRecords:
    """The history every regulated model keeps (revert disabled: a regulator's record is never rewritten).

    64-bit history ids: the history is kept forever and grows by millions of rows a year.
    """
    kwargs.setdefault("history_id_field", models.BigAutoField(primary_key=True))
    kwargs.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**kwargs)
