"""Import files built to hurt, and honest ones, for the import-limit tests and
``bench/bench_hostile_imports.py``.

Each XLSX is a minimal, valid package written part by part (a part is streamed into the zip, so a
400 MB worksheet never sits in memory). The hostile ones are what was seen in the attack on the
production stack: a worksheet that inflates ~1000:1, a shared-string table of millions of tiny
entries, a ``<dimension>`` claiming the whole sheet, a single row numbered 1,048,576, a row of a
million cells, one enormous cell, and a styles part openpyxl would parse whole.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import tablib

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADERS = ["activity", "field", "field_name_zh", "field_name_en", "category", "sensitive", "group_zh", "required",
           "position"]
CATEGORIES = ["identifier", "contact", "credential", "device", "location", "enterprise", "financial", "content", "usage"]


def _content_types(shared_strings: bool, styles: bool) -> bytes:
    parts = [
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sheet.main+xml"/>',
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.worksheet+xml"/>',
    ]
    if shared_strings:
        parts.append(b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/>')
    if styles:
        parts.append(b'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.styles+xml"/>')
    return (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + b"".join(parts) + b"</Types>")


ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
             b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS + b' xmlns:r="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
            b'</workbook>')
WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _write(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as part:
        for chunk in chunks:
            part.write(chunk)


def xlsx_package(sheet_rows: Iterable[bytes], *, dimension: str | None = None,
                 shared_strings: Iterable[bytes] | None = None, styles: Iterable[bytes] | None = None) -> bytes:
    """An XLSX whose worksheet's <sheetData> holds ``sheet_rows`` (XML chunks, streamed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _content_types(shared_strings is not None, styles is not None))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)

        def sheet():
            yield b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + NS + b">"
            if dimension:
                yield b'<dimension ref="' + dimension.encode() + b'"/>'
            yield b"<sheetData>"
            yield from sheet_rows
            yield b"</sheetData></worksheet>"

        _write(archive, "xl/worksheets/sheet1.xml", sheet())
        if shared_strings is not None:
            _write(archive, "xl/sharedStrings.xml", _wrapped(b"<sst " + NS + b">", shared_strings, b"</sst>"))
        if styles is not None:
            _write(archive, "xl/styles.xml", _wrapped(b"<styleSheet " + NS + b">", styles, b"</styleSheet>"))
    return out.getvalue()


def _wrapped(head: bytes, body: Iterable[bytes], tail: bytes):
    yield b'<?xml version="1.0" encoding="UTF-8"?>' + head
    yield from body
    yield tail


def _escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


def inline_row(number: int, values: Iterable) -> bytes:
    cells = []
    for column, value in enumerate(values):
        ref = f"{chr(ord('A') + column)}{number}".encode()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cells.append(b'<c r="' + ref + b'"><v>' + str(value).encode() + b"</v></c>")
        else:
            cells.append(b'<c r="' + ref + b'" t="inlineStr"><is><t>' + _escape(str(value)) + b"</t></is></c>")
    return b'<row r="' + str(number).encode() + b'">' + b"".join(cells) + b"</row>"


def header_row() -> bytes:
    return inline_row(1, HEADERS)


def _repeat(piece: bytes, count: int, chunk_bytes: int = 1 << 20):
    """``piece`` exactly ``count`` times, a megabyte at a time."""
    per_block = max(1, chunk_bytes // len(piece))
    block = piece * per_block
    full, rest = divmod(count, per_block)
    for _ in range(full):
        yield block
    if rest:
        yield piece * rest


# --- The hostile files ------------------------------------------------------------------------

def zip_bomb(uncompressed_bytes: int = 400 * 1024 * 1024) -> bytes:
    """A worksheet of ``uncompressed_bytes`` of empty rows: a few hundred KB on disk."""
    return xlsx_package([header_row(), *_repeat(b"<row/>", uncompressed_bytes // 6)])


def dimension_bomb() -> bytes:
    """Two real rows, and a <dimension> claiming all 1,048,576 × 16,384 cells of a sheet."""
    return xlsx_package([header_row(), inline_row(2, GOOD_ROW)], dimension="A1:XFD1048576")


def padding_bomb() -> bytes:
    """The 100 % CPU file: a <dimension> claiming the whole sheet and a last row numbered
    1,048,576. A reader that believes both pads each of the million rows to 16,384 cells."""
    return xlsx_package([header_row(), inline_row(2, GOOD_ROW), FAR_ROW], dimension="A1:XFD1048576")


FAR_ROW = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def row_number_bomb() -> bytes:
    """A header, then one row numbered 1,048,576: readers pad the million rows in between."""
    return xlsx_package([header_row(), FAR_ROW])


def wide_row_bomb(cells: int = 1_000_000) -> bytes:
    """One row of ``cells`` empty cells (4 bytes each): built whole by a reader before any check."""
    return xlsx_package([header_row(), b"<row>", *_repeat(b"<c/>", cells), b"</row>"])


def shared_strings_bomb(strings: int = 5_000_000) -> bytes:
    """A shared-string table of ``strings`` one-letter entries, read whole when a workbook opens."""
    return xlsx_package([header_row(), inline_row(2, GOOD_ROW)],
                        shared_strings=_repeat(b"<si><t>x</t></si>", strings))


def styles_bomb(styles: int = 2_000_000) -> bytes:
    """A stylesheet of ``styles`` cell formats, parsed whole when a workbook opens."""
    body = [b'<cellXfs count="' + str(styles).encode() + b'">', *_repeat(b"<xf/>", styles), b"</cellXfs>"]
    return xlsx_package([header_row(), inline_row(2, GOOD_ROW)], styles=body)


def huge_cell(chars: int) -> bytes:
    """A real row whose group_zh cell holds ``chars`` characters (streamed: no big string here)."""
    cells = inline_row(2, GOOD_ROW[:6])[len(b'<row r="2">'):-len(b"</row>")]
    tail = inline_row(2, [""] * 7 + GOOD_ROW[7:])
    tail = tail[tail.index(b'<c r="H2"'):-len(b"</row>")]
    return xlsx_package([
        header_row(), b'<row r="2">', cells, b'<c r="G2" t="inlineStr"><is><t>', *_repeat(b"a", chars),
        b"</t></is></c>", tail, b"</row>",
    ])


# --- Honest files -----------------------------------------------------------------------------

GOOD_ROW = ["cn-franchise", "id-card-number", "身份证号码", "ID card number", "identifier", "1", "", "1", "9"]


def field_rows(count: int, *, activities: list[str], prefix: str = "bulk-field") -> list[list]:
    """``count`` distinct rows of the field spreadsheet, spread over ``activities``."""
    rows = []
    per_activity = max(1, -(-count // len(activities)))
    for number in range(count):
        activity, field = divmod(number, per_activity)
        rows.append([
            activities[activity], f"{prefix}-{field:05d}", f"字段 {field}", f"field {field}",
            CATEGORIES[field % len(CATEGORIES)], str(int(field % 10 == 0)), "", "1", str(field),
        ])
    return rows


def field_file(rows: list[list], file_format: str) -> bytes:
    data = tablib.Dataset(*rows, headers=HEADERS)
    content = data.export(file_format)
    return content.encode("utf-8") if isinstance(content, str) else content
