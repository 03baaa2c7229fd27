"""The inventory's imports: files in the import format, read into the database atomically.

- ``inventory_import``: one file through its resource; any bad row means nothing is written.
- ``inventory_seed``: the shipped seed files, in order, in one transaction.

The record of processing activities as documents is ``records.py``; the policy's 个人信息收集清单
is ``policy_text.py``; imports within limits and background import jobs are ``imports.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from .resources import LOAD_ORDER, import_summary, invalid_row_messages

SEED_DIR = Path(__file__).resolve().parent / "seed"
# The shipped file of each record, loaded in ``LOAD_ORDER``.
SEED_FILES = {
    "inventory_app.controller": "controllers.csv",
    "inventory_app.datalocation": "locations.csv",
    "inventory_app.service": "services.csv",
    "inventory_app.datafield": "fields.csv",
    "inventory_app.recipient": "recipients.csv",
    "inventory_app.processingactivity": "activities.csv",
    "inventory_app.activityfield": "activity_fields.csv",
    "inventory_app.transfer": "transfers.csv",
}


# --- Import ----------------------------------------------------------------------------------

class InventoryImportError(Exception):
    """A seed file with rows that cannot be imported: its name and one line per problem."""

    def __init__(self, file_name: str, errors: list[str]):
        self.file_name = file_name
        self.errors = errors
        super().__init__(f"{file_name}: " + "; ".join(errors[:20]))


def import_error_report(result) -> list[str]:
    """One line per problem: ``row N: column: message`` (rows numbered from 1 after the header)."""
    lines = [_("file: %(error)s") % {"error": error.error} for error in result.base_errors]
    for number, errors in result.row_errors():
        for error in errors:
            lines.append(_("row %(number)s: %(error)s") % {"number": number, "error": error.error})
    for number, column, message in invalid_row_messages(result):
        lines.append(_("row %(number)s: %(column)s: %(error)s") % {"number": number, "column": column, "error": message})
    return lines


def dataset_from_bytes(*, content: bytes, file_name: str) -> tablib.Dataset:
    """A shipped or trusted file as a dataset, by its name's ending (uploads go through
    ``imports.dataset_read``, within the limits)."""
    if file_name.lower().endswith(".xlsx"):
        return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    text = content.decode("utf-8-sig")
    return tablib.Dataset().load(text, format="csv")


def inventory_import(
    *, resource_class, dataset: tablib.Dataset, by=None, dry_run: bool = False, file_name: str = ""
):
    """Imports one file as ``by``; any bad row means nothing is written (``IMPORT_EXPORT_USE_TRANSACTIONS``)."""
    resource = resource_class()
    return resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, user=by, file_name=file_name,
        rollback_on_validation_errors=True,
    )


def inventory_seed(*, directory: Path = SEED_DIR, by=None) -> dict[str, dict[str, int]]:
    """Loads the shipped seed files in order, in one transaction. Idempotent: unchanged rows are
    skipped, so a second run writes nothing (no new history rows either)."""
    summary: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        for resource_class in LOAD_ORDER:
            file_name = SEED_FILES[resource_class._meta.model._meta.label_lower]
            path = Path(directory) / file_name
            dataset = dataset_from_bytes(content=path.read_bytes(), file_name=file_name)
            result = inventory_import(resource_class=resource_class, dataset=dataset, by=by, file_name=file_name)
            if result.has_errors() or result.has_validation_errors():
                raise InventoryImportError(file_name, import_error_report(result))
            summary[file_name] = import_summary(result)
    return summary
