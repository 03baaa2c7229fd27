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
- ``write_xlsx`` / ``xlsx_response`` / ``xlsx_bytes``: the hand-written workbooks (the Art. 30 and
  PIPL records), written in openpyxl's write-only mode to a file, not built in memory.
- ``export_rows`` / ``csv_response`` / ``xlsx_response``: the admins' exports, read from the database
  in chunks with their related rows joined, a CSV streamed as it is read (UTF-8 with a BOM), an XLSX
  written to a temporary file and streamed from it (``admin_base.StreamingExportMixin``).

django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` is off (settings.py): it
removes one ``=`` (``==HYPERLINK`` survives), ignores ``+ - @``, and turns every number into text.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import itertools
import logging
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
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


def inert_cell(field, value):
    if isinstance(field.widget, widgets.NumberWidget) and isinstance(value, str):
        # A number field rendered for CSV ("-3", "1,234"): a number, never a formula.
        return value
    return inert(value)


class InertExportMixin:
    """For a django-import-export resource: every exported cell goes through ``inert``."""

    def export_field(self, field, instance, **kwargs):
        return inert_cell(field, super().export_field(field, instance, **kwargs))

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


def write_xlsx(out, headers: Sequence[str], rows: Iterable[Sequence], *, title: str, column_width: int = 30,
               freeze: str = "B2") -> None:
    """``xlsx_bytes`` written to ``out`` (a path or a binary file object) instead of held in memory.

    openpyxl's write-only worksheet spools its rows to a temporary file and zips them on save, so a
    record of 100,000 rows costs the memory of one row; ``xlsx_bytes`` then holds only the result."""
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
        ws.append([xlsx_value(value) for value in row])
    wb.save(out)


def xlsx_file(headers: Sequence[str], rows: Iterable[Sequence], *, title: str, column_width: int = 30,
              freeze: str = "B2"):
    """The workbook in an anonymous temporary file (gone when closed), positioned at its start."""
    out = tempfile.TemporaryFile()
    try:
        write_xlsx(out, headers, rows, title=title, column_width=column_width, freeze=freeze)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def xlsx_response(headers: Sequence[str], rows: Iterable[Sequence], *, title: str, filename: str,
                  column_width: int = 30, freeze: str = "B2") -> ExportFileResponse:
    """A download of the workbook, written to a temporary file first and then streamed from it.

    Written before the response exists, so an error (``ExportFailed``) can still be shown to the
    user as a message; the hand-written records (inventory_app/records.py) call this instead of
    wrapping ``xlsx_bytes`` in an HttpResponse."""
    out = xlsx_file(headers, rows, title=title, column_width=column_width, freeze=freeze)
    return ExportFileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str, column_width: int = 30,
               freeze: str = "B2") -> bytes:
    """A one-sheet workbook: bold wrapped headings, then ``rows`` as inert cells (``write_xlsx``)."""
    out = io.BytesIO()
    write_xlsx(out, headers, rows, title=title, column_width=column_width, freeze=freeze)
    return out.getvalue()


# --- streamed exports of the admins (admin_base.StreamingExportMixin) --------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Rows read per database round trip (and per prefetch of many-to-many columns).
EXPORT_CHUNK_ROWS = 2000
# Rows written per piece of a streamed CSV.
CSV_PIECE_ROWS = 500
# Excel reads a CSV as the machine's ANSI code page unless it starts with a byte order mark:
# without it every Chinese name arrives as mojibake.
UTF8_BOM = "\ufeff"
XLSX_TYPES = (str, int, float, Decimal, bool, datetime.date, datetime.time, datetime.timedelta)


def xlsx_value(value):
    """An inert value openpyxl stores as typed: text through ``inert``, aware times in the reader's
    zone without the zone (Excel has none), anything else it cannot hold as inert text."""
    if isinstance(value, str):
        return inert(value)
    if value is None or isinstance(value, XLSX_TYPES) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return inert(str(value))


class WholeBodyMixin:
    """``content`` for callers that want the whole file at once (the test client's callers).

    Reading it buffers the file, so nothing on the serving path does: Django's handlers and
    middleware read ``streaming_content`` of a streaming response."""

    @property
    def content(self) -> bytes:
        body = b"".join(self.streaming_content)
        self.streaming_content = [body]
        return body


class ExportStreamingResponse(WholeBodyMixin, StreamingHttpResponse):
    """A CSV export, sent while it is being read from the database."""


class ExportFileResponse(WholeBodyMixin, FileResponse):
    """An XLSX export, streamed from the temporary file it was written to."""


def export_columns(resource, selected_fields: Sequence[str] | None = None) -> list:
    """The resource's export fields in order (the ticked ones, if the form sent a choice)."""
    return [field for field in resource.get_export_fields(selected_fields) if field is not None]


def related_paths(model, columns) -> tuple[list[str], list[str]]:
    """(select_related, prefetch_related) paths the columns read through, so that no cell loads a
    related row on its own: ``attribute="field__code"`` joins ``field``, a many-to-many column
    (``ManyToManyWidget``: ``value.all()`` per row) is prefetched once per chunk of rows."""
    joins, prefetches = set(), set()
    for column in columns:
        if not column.attribute:
            continue
        current, path = model, []
        for part in column.attribute.split("__"):
            try:
                field = current._meta.get_field(part)
            except Exception:  # an attribute that is a property or a method: nothing to join
                break
            if not field.is_relation or field.related_model is None or part != field.name:
                break  # a plain value, or ``<fk>_id`` (the key itself: nothing to load)
            path.append(part)
            if field.many_to_many or field.one_to_many:
                prefetches.add("__".join(path))
                break
            joins.add("__".join(path))
            current = field.related_model
    return sorted(joins), sorted(prefetches)


def export_queryset(resource, queryset, columns):
    """``queryset`` reading what the columns and the resource's dehydrate methods need in a fixed
    number of queries (resources name what their methods read in ``export_select_related`` /
    ``export_prefetch_related``)."""
    joins, prefetches = related_paths(queryset.model, columns)
    joins = sorted({*joins, *getattr(resource, "export_select_related", ())})
    prefetches = sorted({*prefetches, *getattr(resource, "export_prefetch_related", ())})
    if joins:
        queryset = queryset.select_related(*joins)
    if prefetches:
        queryset = queryset.prefetch_related(*prefetches)
    if not queryset.query.order_by and not queryset.ordered:
        queryset = queryset.order_by("pk")  # a stable order, the same on every database
    return queryset


def export_rows(resource, queryset, columns, *, native: bool,
                chunk_size: int = EXPORT_CHUNK_ROWS) -> Iterator[list]:
    """The rows of ``queryset`` as the resource exports them, every cell inert, read in chunks.

    ``native``: typed values for XLSX (numbers, dates), text for CSV, as django-import-export's
    own export renders them. Before each chunk the resource's ``prepare_export_chunk(objects)``
    (if it has one) reads in one query what its cells look up (the audit log's related names)."""
    prepare = getattr(resource, "prepare_export_chunk", None)
    cells = cell_functions(resource, columns, native=native)
    objects = queryset.iterator(chunk_size=chunk_size)
    while True:
        chunk = list(itertools.islice(objects, chunk_size))
        if not chunk:
            return
        if prepare is not None:
            prepare(chunk)
        for instance in chunk:
            try:
                yield [cell(instance) for cell in cells]
            except ExportFailed:
                raise
            except Exception as exc:
                raise export_failed(instance, exc) from None


def cell_functions(resource, columns, *, native: bool) -> list:
    """Per column, a function from a record to its inert cell, as ``InertExportMixin.export_field``
    computes it, with the column's dehydrate method found once instead of once per cell (the
    library looks the field's name up among all fields for every cell: a third of the export's time)."""
    if type(resource).export_field is not InertExportMixin.export_field:
        # A resource with an export_field of its own: every cell goes through it.
        return [functools.partial(_exported_cell, resource, column, native) for column in columns]
    cells = []
    for column in columns:
        name = resource.get_field_name(column)
        method = column.get_dehydrate_method(name)
        if not callable(method):
            method = getattr(resource, method, None)
        if method is None:
            method = functools.partial(_rendered_value, column, native)
        cells.append(functools.partial(_inert_of, column, method))
    return cells


def _exported_cell(resource, column, native, instance):
    return resource.export_field(column, instance, force_native_type=native)


def _rendered_value(column, native, instance):
    return column.export(instance, force_native_type=native)


def _inert_of(column, method, instance):
    return inert_cell(column, method(instance))


def export_headers(columns) -> list[str]:
    return [str(column.column_name) for column in columns]


def csv_pieces(headers: Sequence[str], rows: Iterable[Sequence], *, language: str | None = None,
               zone=None) -> Iterator[bytes]:
    """A CSV (UTF-8 with a byte order mark) in pieces of ``CSV_PIECE_ROWS`` rows, each row read
    in ``language`` and ``zone``: a streamed response is read after the view has returned, when the
    request's language and zone may no longer be active."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(inert_row(headers))
    yield (UTF8_BOM + buffer.getvalue()).encode("utf-8")
    rows = iter(rows)
    while True:
        buffer.seek(0)
        buffer.truncate()
        with translation.override(language), timezone.override(zone):
            piece = list(itertools.islice(rows, CSV_PIECE_ROWS))
        if not piece:
            return
        writer.writerows(piece)
        yield buffer.getvalue().encode("utf-8")


def csv_response(headers: Sequence[str], rows: Iterable[Sequence], *, filename: str) -> ExportStreamingResponse:
    """A streamed CSV download in the active language and time zone.

    The heading and the first ``CSV_PIECE_ROWS`` rows are written before the response exists, so a
    record that cannot be exported there (``ExportFailed``) is shown as a message on the export
    page. One that fails later ends the stream with an error: the server drops the connection and
    the browser reports the download as failed, so no incomplete file passes for a whole one."""
    pieces = csv_pieces(headers, rows, language=translation.get_language(), zone=timezone.get_current_timezone())
    first = [next(pieces), *itertools.islice(pieces, 1)]
    response = ExportStreamingResponse(itertools.chain(first, pieces), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _model_field(model, attribute: str):
    """The model field an attribute path (``field__name_zh``) ends at, and the relations it went through."""
    through = []
    for part in attribute.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation and field.related_model is not None and part != attribute.split("__")[-1]:
            through.append(field)
            model = field.related_model
    return field, through


def column_heading(model, column) -> str:
    """An export column (a django-import-export ``Field`` of a resource of ``model``) named in the
    active language: the name of the model field it holds, prefixed with the relation's name when
    read through one ("服务 · 代码"); a column that is no model field keeps its code."""
    try:
        field, through = _model_field(model, column.attribute or column.column_name)
    except FieldDoesNotExist:
        return str(column.column_name)
    return " · ".join([str(relation.verbose_name) for relation in through] + [str(field.verbose_name)])
