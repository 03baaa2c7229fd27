"""Imports within limits, and the jobs that run large imports in the background.

Every file staff upload is read here, by the admin's small imports in the request and by the
background jobs alike, within the limits of settings.py ("Limits on every input"):

- ``IMPORT_MAX_BYTES``: the uploaded file.
- ``IMPORT_MAX_UNCOMPRESSED_BYTES``: what an XLSX (a zip) unpacks to, from the zip directory,
  before any XML is read. zipfile never inflates a member past its declared size (it fails the
  CRC instead), so the declared sizes are a real bound: a zip bomb is refused in milliseconds.
- Parts other than worksheets and the shared strings are small in real workbooks, but openpyxl
  parses them when it opens a workbook, even in read-only mode (400,000 styles: 15 s and
  300 MB), so each is capped at ``OTHER_PART_MAX_BYTES`` and all of them together at
  ``OTHER_PARTS_MAX_ELEMENTS`` elements.
- The shared-string table is read whole when a workbook opens (about 15 µs and 100 bytes a
  string): its entries are counted first and capped at ``SHARED_STRINGS_PER_ROW`` a row.
- A worksheet's ``<dimension>`` and row numbers are the file's claims, and openpyxl pads rows to
  them: ``A1:XFD1048576`` on a 2 KB file meant 17 billion empty cells and a worker at 100 % CPU
  until it was killed. Dimensions are reset and rows are read as they are in the file, at most
  ``IMPORT_MAX_ROWS`` rows (empty ones included) and ``MAX_COLUMNS`` cells a row, the latter
  counted in the XML before openpyxl builds the row.
- ``IMPORT_MAX_CELL_CHARS``: one cell.

A file over a limit raises ``ImportRefused``, whose message is shown to the user in their
language; nothing is written. Imports of more than ``IMPORT_BACKGROUND_ROWS`` rows (or whose
workbook unpacks to more than ``SYNC_MAX_UNCOMPRESSED_BYTES``) become an ``ImportJob``: read and
checked by a task (the preview), confirmed by the user, then imported by a second task in one
transaction that also marks the job done, so a job is "done" exactly when its rows are written.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import uuid
import zipfile
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export.results import RowResult

from privacy_office.messages import message_text

from .models import ImportJob
from .resources import RESOURCE_BY_MODEL, import_summary, invalid_row_messages, resource_for
from .services import inventory_import

logger = logging.getLogger(__name__)

# The widest import file has 20 columns; formatting can add empty cells to the right.
MAX_COLUMNS = 200
# Styles, workbook, properties, relationships: a few KB to a few hundred KB in real workbooks, a
# few thousand elements. openpyxl parses them whole even in read-only mode (400,000 styles: 15 s).
OTHER_PART_MAX_BYTES = 2 * 1024 * 1024
OTHER_PARTS_MAX_ELEMENTS = 100_000
# A workbook saved by Excel has a dozen parts; with images, a few hundred.
MAX_ZIP_MEMBERS = 1000
# The field spreadsheet has at most ~6 free-text columns, mostly repeated; 4 distinct strings a row
# leaves room for unique notes and details in every row.
SHARED_STRINGS_PER_ROW = 4
# Read in the request only when small: about 5,000 rows of XML.
SYNC_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
PREVIEW_ROWS = 20
PREVIEW_CELL_CHARS = 200
MAX_STORED_ERRORS = 100
PROGRESS_EVERY = 500
SCAN_CHUNK = 1024 * 1024

UNREADABLE_XLSX = gettext_noop("The file is not a readable XLSX workbook. Save it from Excel as "
                               "“Excel Workbook (.xlsx)” and upload it again.")
TOO_MANY_COLUMNS = gettext_noop("The file has more than %(limit)s columns.")

class ImportRefused(Exception):
    """A file over a limit or unreadable; nothing was written. ``message_id`` is English, stored
    on a job as is and translated when shown; integer parameters ending in ``bytes`` are shown
    as sizes, other integers with digit grouping."""

    def __init__(self, message_id: str, **params):
        self.message_id = message_id
        self.params = params
        super().__init__(message_id)

    @property
    def message(self) -> str:
        return refusal_text(self.message_id, self.params)


def refusal_text(message_id: str, params: dict | None) -> str:
    """A refusal or failure kept as a message id and parameters, in the reader's language."""
    if not message_id:
        return ""
    shown = {}
    for key, value in (params or {}).items():
        if isinstance(value, int) and key.endswith("bytes"):
            shown[key] = filesizeformat(value)
        elif isinstance(value, int):
            shown[key] = number_format(value, force_grouping=True)
        else:
            shown[key] = value
    return message_text(message_id, shown)


# --- Reading a file within the limits --------------------------------------------------------

@dataclass
class Inspection:
    """What the cheap checks learned: enough to decide where the file is read."""

    file_format: str
    uncompressed_bytes: int


class ImportDataset(tablib.Dataset):
    """A dataset that reports its progress as the resource walks through it, and knows the
    spreadsheet row of each data row (``file_rows``): blank rows are not data, so the n-th data row
    is not always row n + 1, and errors must name the row the person sees."""

    on_row = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_rows: list[int] = []

    def __iter__(self):
        on_row = self.on_row
        for number in range(len(self)):
            if on_row is not None and number and number % PROGRESS_EVERY == 0:
                on_row(number)
            yield self[number]


def file_size_check(size: int) -> None:
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportRefused(
            gettext_noop("The file is %(size_bytes)s; an import file may be at most %(limit_bytes)s. "
                         "Split it into several files."),
            size_bytes=size, limit_bytes=settings.IMPORT_MAX_BYTES,
        )


def file_inspect(*, content: bytes, file_format: str) -> Inspection:
    """The checks that cost milliseconds: size, and for XLSX the zip directory and the package
    manifest. Raises ``ImportRefused``."""
    file_size_check(len(content))
    if file_format == "csv":
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused(gettext_noop("The CSV file is not UTF-8 text: save it as “CSV UTF-8” and upload it again."))
        return Inspection(file_format, len(content))
    if file_format != "xlsx":
        raise ImportRefused(gettext_noop("Only CSV and XLSX files can be imported."))
    archive, _large_parts = _open_package(content)
    archive.close()
    return Inspection(file_format, sum(info.file_size for info in archive.infolist()))


def dataset_read(*, content: bytes | str, file_format: str) -> ImportDataset:
    """The file as a dataset (header row first), or ``ImportRefused``. Bounded by the limits in
    the module docstring whatever the file claims about itself."""
    if isinstance(content, str):  # the admin's text formats hand over decoded text
        content = content.encode("utf-8")
    file_inspect(content=content, file_format=file_format)
    if file_format == "csv":
        return _read_csv(content)
    return _read_xlsx(content)


def _refuse_rows(limit: int):
    raise ImportRefused(
        gettext_noop("The file has more than %(limit)s rows (empty rows included); import at most %(limit)s "
                     "rows at a time."),
        limit=limit,
    )


def _refuse_cell(row: int, column: str, length: int, limit: int):
    raise ImportRefused(
        gettext_noop("Row %(row)s, column “%(column)s”: the cell holds %(length)s characters; a cell may hold at "
                     "most %(limit)s."),
        row=row, column=column, length=length, limit=limit,
    )


def _headers(values) -> list[str]:
    headers = ["" if value is None else str(value).strip() for value in values]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ImportRefused(gettext_noop("The file has no header row: the first row must name the columns."))
    if len(headers) > MAX_COLUMNS:
        raise ImportRefused(TOO_MANY_COLUMNS, limit=MAX_COLUMNS)
    cell_limit = settings.IMPORT_MAX_CELL_CHARS
    for number, header in enumerate(headers, 1):
        if len(header) > cell_limit:
            _refuse_cell(1, str(number), len(header), cell_limit)
    return headers


def _append(dataset: ImportDataset, headers: list[str], values, row_number: int) -> None:
    width = len(headers)
    values = list(values[:width])
    if all(value is None or value == "" for value in values):
        return  # blank rows (Excel leaves them after formatting) are not data
    cell_limit = settings.IMPORT_MAX_CELL_CHARS
    for index, value in enumerate(values):
        if isinstance(value, str) and len(value) > cell_limit:
            _refuse_cell(row_number, headers[index] or str(index + 1), len(value), cell_limit)
    if len(values) < width:
        values += [None] * (width - len(values))
    dataset.append(values)
    dataset.file_rows.append(row_number)


def _dataset_from_rows(rows, *, max_columns: int | None) -> ImportDataset:
    """The header row, then the data rows within ``IMPORT_MAX_ROWS`` (and ``max_columns`` cells a
    row when the reader has not counted them already)."""
    first = next(rows, None)
    if first is None:
        raise ImportRefused(gettext_noop("The file has no header row: the first row must name the columns."))
    dataset = ImportDataset(headers=_headers(first))
    max_rows = settings.IMPORT_MAX_ROWS
    for number, values in enumerate(rows, 2):
        if number - 1 > max_rows:
            _refuse_rows(max_rows)
        if max_columns is not None and len(values) > max_columns:
            raise ImportRefused(TOO_MANY_COLUMNS, limit=max_columns)
        _append(dataset, dataset.headers, values, number)
    return dataset


def _read_csv(content: bytes) -> ImportDataset:
    text = content.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _dataset_from_rows(reader, max_columns=MAX_COLUMNS)
    except csv.Error:
        # The csv module stops at 128 KB cells, NUL bytes and broken quoting.
        raise ImportRefused(
            gettext_noop("Line %(line)s of the CSV file cannot be read: a quote is not closed, it holds a NUL "
                         "character, or a cell is larger than %(limit)s characters."),
            line=reader.line_num, limit=settings.IMPORT_MAX_CELL_CHARS,
        )


def _open_package(content: bytes) -> tuple[zipfile.ZipFile, set[str]]:
    """The zip, checked from its directory; and the parts allowed to be large (worksheets and
    shared strings, as the package manifest declares them)."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS, WORKSHEET_TYPE
    from openpyxl.xml.functions import fromstring

    unreadable = ImportRefused(UNREADABLE_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise unreadable
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportRefused(gettext_noop("The workbook has more than %(limit)s parts."), limit=MAX_ZIP_MEMBERS)
    total = sum(info.file_size for info in infos)
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise ImportRefused(
            gettext_noop("The workbook unpacks to %(size_bytes)s; at most %(limit_bytes)s may be imported at once. "
                         "Split it into several files."),
            size_bytes=total, limit_bytes=limit,
        )
    sizes = {info.filename: info.file_size for info in infos}
    if sizes.get(ARC_CONTENT_TYPES, OTHER_PART_MAX_BYTES + 1) > OTHER_PART_MAX_BYTES:
        raise unreadable
    try:
        manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    except Exception:
        raise unreadable
    large_parts = {
        override.PartName.lstrip("/") for override in manifest.Override
        if override.ContentType in (WORKSHEET_TYPE, SHARED_STRINGS)
    } - {ARC_STYLE}
    elements = 0
    for name, size in sizes.items():
        if name in large_parts:
            continue
        if size > OTHER_PART_MAX_BYTES:
            raise ImportRefused(
                gettext_noop("A part of the workbook other than its sheets is %(size_bytes)s, more than the "
                             "%(limit_bytes)s a real workbook needs; save the data into a new workbook and upload "
                             "that."),
                size_bytes=size, limit_bytes=OTHER_PART_MAX_BYTES,
            )
        try:
            data = archive.read(name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise unreadable
        # Start tags (and comments): what openpyxl builds objects from, ~40 µs each for styles.
        elements += data.count(b"<") - data.count(b"</")
        if elements > OTHER_PARTS_MAX_ELEMENTS:
            raise ImportRefused(
                gettext_noop("The workbook's parts other than its sheets (styles, names, properties) hold more "
                             "than %(limit)s elements, far more than a real workbook needs; save the data into a "
                             "new workbook and upload that."),
                limit=OTHER_PARTS_MAX_ELEMENTS,
            )
    return archive, large_parts


# Tags that delimit rows, cells and shared strings, with or without a namespace prefix (<x:row>
# is as valid as <row>). Closing tags of cells are not needed: a cell ends where the next begins.
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c|si)(?=[\s/>])")
_ROW, _CELL, _STRING = b"row", b"c", b"si"


def _cell_xml_max_bytes() -> int:
    # A character takes at most ~10 bytes of XML (a character reference); rich text adds markup.
    return settings.IMPORT_MAX_CELL_CHARS * 10 + 64 * 1024


def _scan_package(archive: zipfile.ZipFile) -> None:
    """Counts rows, cells per row and shared strings, and measures each cell's XML, in the bytes
    themselves, before openpyxl builds anything: openpyxl builds a whole <row> (a million cells)
    and a whole text (90 MB) in memory before any check could see them."""
    max_rows = settings.IMPORT_MAX_ROWS
    max_strings = max_rows * SHARED_STRINGS_PER_ROW
    max_gap = _cell_xml_max_bytes()
    strings = 0
    too_large = ImportRefused(
        gettext_noop("A cell of the workbook holds more than %(limit)s characters; a cell may hold at most "
                     "%(limit)s."),
        limit=settings.IMPORT_MAX_CELL_CHARS,
    )
    for info in archive.infolist():
        rows = cells_in_row = 0
        # The last delimiter seen: where, and whether what follows it must be one cell's worth.
        last_at, bounded = 0, False
        offset, tail = 0, b""
        with archive.open(info) as member:
            while True:
                chunk = member.read(SCAN_CHUNK)
                data = tail + chunk
                if chunk:
                    # Keep a tag cut in two by the chunk boundary for the next round.
                    cut = data.rfind(b"<", max(0, len(data) - 64))
                    cut = len(data) if cut == -1 else cut
                else:
                    cut = len(data)
                for match in _TAG.finditer(data, 0, cut):
                    at = offset + match.start()
                    closing, tag = match.group(1), match.group(2)
                    if tag == _ROW and not closing:
                        # Text between rows is bounded too (only after a row: the sheet's head
                        # before the first row is not cell data).
                        if (bounded or rows) and at - last_at > max_gap:
                            raise too_large
                        rows += 1
                        cells_in_row = 0
                        if rows > max_rows + 1:
                            _refuse_rows(max_rows)
                        bounded = True
                    else:
                        if bounded and at - last_at > max_gap:
                            raise too_large
                        if tag == _CELL:
                            cells_in_row += 1
                            if cells_in_row > MAX_COLUMNS:
                                raise ImportRefused(TOO_MANY_COLUMNS, limit=MAX_COLUMNS)
                            bounded = True
                        elif tag == _STRING and not closing:
                            strings += 1
                            if strings > max_strings:
                                raise ImportRefused(
                                    gettext_noop("The workbook's shared-string table has more than %(limit)s "
                                                 "entries, more than %(limit_rows)s rows can use."),
                                    limit=max_strings, limit_rows=max_rows,
                                )
                            bounded = True
                        else:  # </row> (what follows the last row is not cell data) or </si>
                            bounded = tag == _STRING
                    last_at = at
                offset += cut
                tail = data[cut:]
                if bounded and offset - last_at > max_gap:
                    raise too_large  # no need to inflate the rest of a 100 MB cell
                if not chunk:
                    break
        if bounded and offset - last_at > max_gap:
            raise too_large


def _read_xlsx(content: bytes) -> ImportDataset:
    import openpyxl
    from celery.exceptions import SoftTimeLimitExceeded

    archive, _large_parts = _open_package(content)
    try:
        _scan_package(archive)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ImportRefused(UNREADABLE_XLSX)
    finally:
        archive.close()
    workbook = None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.active
        if sheet is None or not hasattr(sheet, "reset_dimensions"):
            raise ImportRefused(gettext_noop("The workbook's first sheet is not a worksheet (a chart?)."))
        # The <dimension> element is a claim; padding rows to it is the 100 % CPU file.
        sheet.reset_dimensions()
        # Cells a row were counted in the XML by ``_scan_package``.
        return _dataset_from_rows(sheet.iter_rows(values_only=True), max_columns=None)
    except (ImportRefused, MemoryError, SoftTimeLimitExceeded):
        raise
    except Exception:
        # openpyxl reports broken XML, missing parts and bad values with a dozen exception types.
        raise ImportRefused(UNREADABLE_XLSX)
    finally:
        if workbook is not None:
            workbook.close()


def import_runs_in_background(*, inspection: Inspection, content: bytes) -> bool:
    """Large files are read by a task: only a small file is read in the request (to count it)."""
    if inspection.uncompressed_bytes > SYNC_MAX_UNCOMPRESSED_BYTES:
        return True
    try:
        dataset = dataset_read(content=content, file_format=inspection.file_format)
    except ImportRefused:
        return False  # the request path reads it again and shows the refusal on the form
    return len(dataset) > settings.IMPORT_BACKGROUND_ROWS


# --- Import jobs ------------------------------------------------------------------------------

FAILED_CONNECTION = gettext_noop("The database connection failed during the import. Nothing was written; "
                                 "upload the file again.")
FAILED_TOO_SLOW = gettext_noop("The import took longer than the time allowed and was stopped. Nothing was "
                               "written; split the file and upload the parts.")
FAILED_UNEXPECTED = gettext_noop("The import stopped on an unexpected error, which was logged for the "
                                 "administrator. Nothing was written.")
REFUSED_ROWS = gettext_noop("Some rows cannot be imported (listed below). Nothing was written; correct the "
                            "file and upload it again.")
REFUSED_ROWS_CHANGED = gettext_noop("Some rows can no longer be imported: the records they refer to changed since "
                                    "the preview. Nothing was written; upload the file again to see which rows.")
FILE_MISSING = gettext_noop("The uploaded file is no longer there. Upload it again.")


def _progress_key(job_id: int) -> str:
    return f"inventory-import-progress:{job_id}"


def _progress_set(job_id: int, **values) -> None:
    # Written outside the import's transaction (which the page cannot see into); best effort.
    try:
        cache.set(_progress_key(job_id), values, 24 * 3600)
    except Exception:  # a cache outage must not fail an import
        logger.warning("inventory import job %s: progress not recorded (cache unavailable)", job_id)


def import_job_progress(job: ImportJob) -> dict:
    try:
        return cache.get(_progress_key(job.pk)) or {}
    except Exception:
        return {}


def import_job_create(*, by, model_label: str, file_name: str, file_format: str, content: bytes) -> ImportJob:
    """Keeps the file in private storage and queues its preview; the task starts after commit."""
    from . import tasks

    if model_label not in RESOURCE_BY_MODEL:
        raise ValueError(model_label)
    # No file name from the user in the path: it may hold personal data.
    stored = storages["private"].save(f"imports/{uuid.uuid4().hex}.{file_format}", ContentFile(content))
    try:
        job = ImportJob.objects.create(
            created_by=by, model=model_label, file_name=(file_name or "")[-255:], file_format=file_format,
            file_size=len(content), stored_file=stored, language=translation.get_language() or settings.LANGUAGE_CODE,
            status=ImportJob.Status.QUEUED, created_at=timezone.now(),
        )
    except Exception:
        storages["private"].delete(stored)
        raise
    transaction.on_commit(lambda: tasks.import_job_preview_task.delay(job.pk))
    return job


def own_job_locked(job: ImportJob, *, by) -> ImportJob:
    """The job, locked for this transaction, if ``by`` uploaded it: only they decide on it."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != by.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can confirm or cancel its import."))
    return job


def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    from . import tasks

    with transaction.atomic():
        job = own_job_locked(job, by=by)
        if job.status != ImportJob.Status.READY:
            raise ValidationError(_("This import is not waiting for confirmation (it is “%(status)s”).")
                                  % {"status": job.get_status_display()})
        job.status = ImportJob.Status.CONFIRMED
        job.confirmed_at = timezone.now()
        job.save(update_fields=["status", "confirmed_at"])
        transaction.on_commit(lambda: tasks.import_job_run_task.delay(job.pk))
    return job


def import_job_cancel(*, job: ImportJob, by) -> ImportJob:
    with transaction.atomic():
        job = own_job_locked(job, by=by)
        if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.READY):
            raise ValidationError(_("This import can no longer be cancelled (it is “%(status)s”).")
                                  % {"status": job.get_status_display()})
        stored = job.stored_file
        _end(job, ImportJob.Status.CANCELLED)
    _delete_file(stored)
    return job


def _claim(job_id: int, *, expected: tuple[str, ...], to: str) -> ImportJob | None:
    """Moves the job on, under a row lock, if it is where the task expects it; a task delivered
    twice (acks_late) or for a cancelled job does nothing. A run interrupted by a worker crash is
    found in ``to`` and starts over: its transaction never committed."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).select_related("created_by").filter(pk=job_id).first()
        if job is None or job.status not in expected:
            return None
        job.status = to
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def _end(job: ImportJob, status: str, *, failure: str = "", failure_params: dict | None = None, **fields) -> None:
    job.status = status
    job.failure = failure
    job.failure_params = failure_params or {}
    job.finished_at = timezone.now()
    job.stored_file = ""
    job.preview = {}
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def _delete_file(stored: str) -> None:
    if stored:
        try:
            storages["private"].delete(stored)
        except OSError:
            logger.warning("inventory import: stored file could not be deleted")


def _load(job: ImportJob) -> ImportDataset:
    try:
        with storages["private"].open(job.stored_file, "rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        raise ImportRefused(FILE_MISSING)
    dataset = dataset_read(content=content, file_format=job.file_format)
    ImportJob.objects.filter(pk=job.pk).update(rows_total=len(dataset))
    job.rows_total = len(dataset)
    total = len(dataset)
    dataset.on_row = lambda number: _progress_set(job.pk, done=number, total=total)
    return dataset


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|'[^']*'|‘[^’]*’")


def _without_values(message: str) -> str:
    """Error messages quote the offending value; the stored summary keeps the reason only."""
    return _QUOTED.sub("“…”", str(message))


def import_result_exception(result) -> Exception | None:
    """The first exception the import met (a lost connection, a constraint), if any: row
    validation messages are for the user, exceptions are not."""
    for error in result.base_errors:
        return error.error
    for _number, errors in result.row_errors():
        for error in errors:
            return error.error
    return None


def _error_summary(result) -> tuple[list[str], int]:
    lines: list[str] = []
    count = 0
    for number, column, message in invalid_row_messages(result):
        count += 1
        if len(lines) < MAX_STORED_ERRORS:
            lines.append(_("row %(number)s: %(column)s: %(error)s") % {
                "number": number, "column": column, "error": _without_values(message),
            })
    return lines, count


CHANGING_TYPES = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE, RowResult.IMPORT_TYPE_DELETE)


def _preview(result) -> dict:
    """What the job page shows without re-running the import, as the import page shows it: the
    rows that change (spreadsheet row number, kind, each changed column old → new; a new row's filled
    columns), the first ``PREVIEW_ROWS`` of them, and how many change in all (unchanged rows are
    only counted, in ``totals``). A column is kept by its code and headed when read, in the
    reader's language; values are cut to ``PREVIEW_CELL_CHARS``."""
    rows = []
    changing = 0
    for row_result in result.rows:
        if row_result.import_type not in CHANGING_TYPES:
            continue
        changing += 1
        if len(rows) < PREVIEW_ROWS:
            rows.append({
                "number": getattr(row_result, "number", None),
                "import_type": row_result.import_type,
                "diff": [{"code": change.get("code", ""), "column": str(change.get("column", "")),
                          "old": _cut(change.get("old")), "new": _cut(change.get("new"))}
                         for change in (row_result.diff or [])],
            })
    return {"changes": rows, "changing": changing}


def _cut(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= PREVIEW_CELL_CHARS else text[:PREVIEW_CELL_CHARS - 1] + "…"


def import_job_preview_rows(job: ImportJob) -> list[dict]:
    """The stored preview's rows with their columns headed in the active language (a column no
    longer in the resource keeps the heading it was stored with)."""
    rows = (job.preview or {}).get("changes", [])
    if not rows:
        return []
    resource = resource_for(job.model)()
    shown = []
    for row in rows:
        diff = []
        for change in row.get("diff", []):
            field = resource.fields.get(change.get("code") or "")
            diff.append({**change, "column": resource.heading(field) if field is not None else change.get("column", "")})
        shown.append({**row, "diff": diff})
    return shown


def import_failure_message_id(exc: BaseException) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, (OperationalError, InterfaceError)):
        return FAILED_CONNECTION
    if isinstance(exc, SoftTimeLimitExceeded):
        return FAILED_TOO_SLOW
    return FAILED_UNEXPECTED


def _fail(job: ImportJob, exc: BaseException, *, phase: str) -> None:
    """Records the failure on a working connection. The log names the job and the exception's
    class, never its message (a database error quotes the row's values)."""
    failure = import_failure_message_id(exc)
    logger.error("inventory import job %s failed during %s: %s (nothing was written)", job.pk, phase,
                 type(exc).__name__)
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
    stored = job.stored_file
    # Counts of a rolled-back attempt are not what happened: a failed job shows none.
    _end(job, ImportJob.Status.FAILED, failure=failure, totals={}, errors=[], error_count=0)
    _delete_file(stored)


def _refuse(job: ImportJob, refusal: ImportRefused) -> None:
    stored = job.stored_file
    _end(job, ImportJob.Status.REFUSED, failure=refusal.message_id, failure_params=refusal.params)
    _delete_file(stored)


class _RolledBack(Exception):
    def __init__(self, result):
        self.result = result


def import_job_preview(*, job_id: int) -> None:
    """Reads and checks the file with a dry run (nothing is written); the job is then ready to
    confirm, or refused with the rows that cannot be imported, or failed."""
    job = _claim(job_id, expected=(ImportJob.Status.QUEUED, ImportJob.Status.PREVIEWING), to=ImportJob.Status.PREVIEWING)
    if job is None:
        return
    with translation.override(job.language):
        try:
            dataset = _load(job)
            result = inventory_import(resource_class=resource_for(job.model), dataset=dataset, by=job.created_by,
                                      dry_run=True, file_name=job.file_name)
            problem = import_result_exception(result)
            if problem is not None:
                raise problem
        except ImportRefused as refusal:
            _refuse(job, refusal)
            return
        except Exception as exc:
            _fail(job, exc, phase="preview")
            return
        errors, error_count = _error_summary(result)
        totals = import_summary(result)
        if error_count:
            stored = job.stored_file
            _end(job, ImportJob.Status.REFUSED, failure=REFUSED_ROWS, totals=totals, errors=errors,
                 error_count=error_count)
            _delete_file(stored)
            return
        job.status = ImportJob.Status.READY
        job.totals = totals
        job.preview = _preview(result)
        job.save(update_fields=["status", "totals", "preview"])


def import_job_run(*, job_id: int) -> None:
    """The confirmed import, in one transaction with the job's "done": all rows or none."""
    job = _claim(job_id, expected=(ImportJob.Status.CONFIRMED, ImportJob.Status.IMPORTING), to=ImportJob.Status.IMPORTING)
    if job is None:
        return
    stored = job.stored_file
    with translation.override(job.language):
        try:
            dataset = _load(job)
            with transaction.atomic():
                result = inventory_import(resource_class=resource_for(job.model), dataset=dataset,
                                          by=job.created_by, file_name=job.file_name)
                if result.has_errors() or result.has_validation_errors():
                    raise _RolledBack(result)
                _end(job, ImportJob.Status.DONE, totals=import_summary(result), errors=[], error_count=0)
        except ImportRefused as refusal:
            _refuse(job, refusal)
            return
        except _RolledBack as rolled_back:
            problem = import_result_exception(rolled_back.result)
            if problem is not None:  # e.g. the connection was lost while the rows were written
                _fail(job, problem, phase="import")
                return
            # The data changed since the preview (a row the file refers to was edited meanwhile).
            errors, error_count = _error_summary(rolled_back.result)
            _end(job, ImportJob.Status.REFUSED, failure=REFUSED_ROWS, totals=import_summary(rolled_back.result),
                 errors=errors, error_count=error_count)
            _delete_file(stored)
            return
        except Exception as exc:
            # The transaction rolled back, or died with its connection: nothing was written...
            job.stored_file = stored
            if _status_now(job.pk, exc) == ImportJob.Status.DONE:
                # ...unless the connection broke after COMMIT reached the server.
                _delete_file(stored)
                return
            _fail(job, exc, phase="import")
            return
    _progress_set(job.pk, done=len(dataset), total=len(dataset))
    _delete_file(stored)


def _status_now(job_id: int, exc: BaseException) -> str | None:
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
    try:
        return ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    except DatabaseError:
        logger.error("inventory import job %s: status unknown, the database is unreachable (%s)", job_id,
                     type(exc).__name__)
        raise

