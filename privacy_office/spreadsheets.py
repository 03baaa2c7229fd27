"""Every spreadsheet cell and document string the office hands out goes through here, so none of them can forget it.

- ``inert(value)``: text a spreadsheet program would read as a formula is made plain text by a
  leading apostrophe (OWASP "CSV Injection"; ASVS 5.0 V1.2.10), so ``=cmd|' /C calc'!A0`` or
  ``==HYPERLINK(…)`` stored in a record can never run on the reader's computer.
- ``replace_control_characters(text)``: characters XML 1.0 cannot hold are replaced. ``.xlsx``
  and ``.docx`` are XML: one ESC in a stored text made a frozen, sent notice impossible to
  download ever again.
- ``InertExportMixin`` / ``InertModelResource`` / ``inert_resource_for``: django-import-export
  resources whose every exported cell goes through ``inert``; admins that declare no resource
  export through ``inert_resource_for(model)``.
- ``xlsx_bytes``: the hand-written workbooks (the Art. 30 and PIPL records).

django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` is off (settings.py): it
removes one ``=`` (``==HYPERLINK`` survives), ignores ``+ - @``, and turns every number into text.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from import_export import resources, widgets

logger = logging.getLogger(__name__)

# What XML 1.0 cannot hold: C0 controls other than tab, LF and CR; lone surrogates; U+FFFE/U+FFFF.
# (openpyxl refuses the same C0 set with IllegalCharacterError; lxml, under python-docx, with ValueError.)
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Visible, so a reader sees that something was there.
REPLACEMENT = "\ufffd"

FORMULA_STARTS = ("=", "+", "-", "@")
# A tab or carriage return first is itself a trigger (Excel skips it and reads what follows).
CONTROL_STARTS = ("\t", "\r")


def replace_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub(REPLACEMENT, text)


def inert(value):
    """The cell a spreadsheet shows as typed text: ``'`` + text for a text that starts like a formula.

    Only text is touched: numbers, dates, booleans and empty cells are typed values that a
    spreadsheet never evaluates, so a negative number stays a number. Text that merely looks like
    a number (``-1`` typed in a name field) gets the apostrophe like any other text: the helper
    cannot tell it from ``-1+cmd|…``.
    """
    if not isinstance(value, str):
        return value
    text = replace_control_characters(value)
    # Leading whitespace does not make a cell safe: spreadsheet imports can trim spaces before they
    # evaluate (LibreOffice's "Trim spaces" CSV option; line breaks are dropped by some readers), so
    # " =1+1" and "\n=1+1" are treated as formulas too. The whole text keeps its spaces after the
    # apostrophe; the cost is an apostrophe on the rare text that starts with spaces and a sign.
    if text.startswith(CONTROL_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


def inert_row(row: Iterable) -> list:
    return [inert(value) for value in row]


class ExportFailed(ValueError):
    """One record could not be exported. A ValueError, so django-import-export's export view shows
    it to the user as a message instead of a server error."""


def export_failed(instance, exc: BaseException) -> ExportFailed:
    """Log which record broke an export, never its content, and say so in the reader's language.

    The exception's message is left out on purpose: a library's message can quote the offending
    value (openpyxl's IllegalCharacterError quoted a requester's name and ID-card number)."""
    label = instance._meta.label if hasattr(instance, "_meta") else type(instance).__name__
    pk = getattr(instance, "pk", None)
    logger.error("export stopped at %s id=%s: %s", label, pk, type(exc).__name__)
    name = instance._meta.verbose_name if hasattr(instance, "_meta") else label
    return ExportFailed(
        _("The export stopped at %(record)s #%(id)s and no file was produced; nothing was changed. "
          "The error was logged for the administrator.") % {"record": name, "id": pk}
    )


class InertExportMixin:
    """For a django-import-export resource: every exported cell goes through ``inert``."""

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, widgets.NumberWidget) and isinstance(value, str):
            # A number field rendered for CSV ("-3", "1,234"): a number, never a formula.
            return value
        return inert(value)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        try:
            return super().export_resource(instance, selected_fields, **kwargs)
        except Exception as exc:
            # ``from None``: the original traceback (and any value it quotes) goes nowhere.
            raise export_failed(instance, exc) from None


class InertModelResource(InertExportMixin, resources.ModelResource):
    """The base for the office's model resources."""


@functools.cache
def inert_resource_for(model):
    """The export resource of an admin that declares none (all the model's fields)."""
    return resources.modelresource_factory(model, resource_class=InertModelResource)


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str, column_width: int = 30,
               freeze: str = "B2") -> bytes:
    """A one-sheet workbook: bold wrapped headings, then ``rows`` as inert cells.

    Write-only mode: rows are streamed into the file instead of building every cell object first."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    # Column widths and panes must be set before the first row in write-only mode.
    for index in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = column_width
    ws.freeze_panes = freeze
    heading = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=inert(text))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        heading.append(cell)
    ws.append(heading)
    for row in rows:
        ws.append(inert_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
