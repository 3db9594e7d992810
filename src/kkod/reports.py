"""Reports a person opens: tables of rows written as .xlsx, .csv (UTF-8 with BOM) or .html.

The format follows the file's suffix. A report is one main table, optionally with further
tables (more sheets in .xlsx, more sections in .html; a .csv holds the main table only).
Text that looks like a formula stays text: in .xlsx it is written as a string, in .csv it gets
a leading apostrophe.
In .xlsx the header is frozen and filterable, columns have readable widths, and long texts
wrap. Files are written atomically.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from kkod.atomic import atomic_write
from kkod.errors import KkodError
from kkod.zipmembers import at_level, stored_info, stored_members, write_stored

if TYPE_CHECKING:
    from jinja2 import Template

FORMATS = (".xlsx", ".csv", ".html")
# Up to this many cells (a 120,000-row reason report) an .xlsx report is built in memory.
IN_MEMORY_CELLS = 600_000
# In a report with tables that are not bulk, from this many rows a bulk table's rows are written
# into its sheet after XlsxWriter (see Report.bulk); fewer, XlsxWriter writes them (rewriting
# the package costs about 1.5 ms more).
# Measured (docs/benchmarks.md): 20 rows 4.4 / 5.1 ms, 100 rows 7.7 / 5.5 ms, 500 rows
# 21 / 8.8 ms by XlsxWriter / into the XML — a national day's small requests are 20–500 rows.
BULK_ROWS_FROM = 50
_DEFLATE_LEVEL = 3  # as the filled table's (kkod.table.writer)
_DIGIT_PIXELS = 7  # the width of a digit in Excel's default font: widths are counted in these
SUMMARY_TITLE = "Összesítés"

_HTML_TEMPLATE = """<!doctype html>
<html lang="hu"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;font-size:.9rem}
th,td{border:1px solid #c8c8c8;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#eef2f7;position:sticky;top:0}
tr:nth-child(even) td{background:#fafafa}
p.summary{margin:.5rem 0 1rem}
</style></head><body>
<h1>{{ title }}</h1>
{% for line in summary %}<p class="summary">{{ line }}</p>{% endfor %}
{% for table in tables %}{% if not loop.first %}<h2>{{ table.title }}</h2>{% endif %}
<table><thead><tr>{% for h in table.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in table.rows %}<tr>{% for v in row %}<td>{{ "" if v is none else v }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>{% endfor %}</body></html>
"""


@dataclass(frozen=True, slots=True)
class Report:
    """A titled table with an optional summary (lines shown above it, a sheet of its own in
    .xlsx) and further tables.

    ``widths`` gives each column's width in characters (default: from the header), ``wrap``
    the indexes of columns whose long texts wrap in .xlsx. A ``bulk`` table (many rows of
    text and whole numbers) has its rows written into the .xlsx sheet directly, each cell
    with its column's format, its texts inline: XlsxWriter takes about 7 µs a cell, which
    made the 85,000 issued codes of a 100,000-row table cost 2.5 s. A report whose tables
    are all bulk is written from the workbook XlsxWriter made once for its shape (titles,
    headers, widths; :func:`_from_template`); beside tables that are not, a bulk table of
    fewer than :data:`BULK_ROWS_FROM` rows is XlsxWriter's after all.
    """

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    summary: Sequence[str] = ()
    widths: Sequence[int] | None = None
    wrap: frozenset[int] = frozenset()
    more: Sequence[Report] = ()
    bulk: bool = False


def write_report(
    path: Path, report: Report, *, suffix: str | None = None, durable: bool = True
) -> Path:
    """Write ``report`` to ``path`` in the format ``suffix`` (default: ``path``'s suffix) names
    (``durable``: see :func:`kkod.atomic.atomic_write`)."""
    suffix = check_format(path) if suffix is None else suffix.lower()
    writer = {".xlsx": _xlsx, ".csv": _csv, ".html": _html}[suffix]
    with atomic_write(path, durable=durable) as tmp:
        writer(tmp, report)
    return path


class UnknownReportFormat(KkodError):
    """A report path whose suffix is none of :data:`FORMATS` (unusable input: exit code 2)."""

    exit_code = 2


def check_format(path: Path) -> str:
    """The report format ``path``'s suffix names; :class:`UnknownReportFormat` if not ours."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UnknownReportFormat(
            f"A jelentés formátuma nem ismert: {path.name} (lehet: {', '.join(FORMATS)})."
        )
    return suffix


# A field starting with one of these is read as a formula by Excel and LibreOffice (CSV
# injection: ``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A CSV field that a spreadsheet shows as written: text starting like a formula gets a
    leading apostrophe (OWASP's advice); other values as they are."""
    if value is None:
        return ""
    if value.__class__ is str and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(path: Path, report: Report) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";")
    out.writerow([csv_safe(h) for h in report.headers])
    out.writerows([csv_safe(v) for v in row] for row in report.rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def _html(path: Path, report: Report) -> None:
    path.write_text(
        _html_template().render(
            title=report.title, summary=report.summary, tables=[report, *report.more]
        ),
        encoding="utf-8",
    )


@functools.cache
def _html_template() -> Template:
    from jinja2 import Environment, select_autoescape  # only HTML reports need it

    return Environment(autoescape=select_autoescape(default=True)).from_string(_HTML_TEMPLATE)


def _xlsx(path: Path, report: Report) -> None:
    if report.bulk and all(t.bulk for t in report.more):
        _from_template(
            path, report, [replace(t, rows=list(t.rows)) for t in (report, *report.more)]
        )
        return
    tables = [
        replace(t, bulk=False) if t.bulk and _few(t.rows) else t for t in (report, *report.more)
    ]
    cells: int | None = 0
    for table in tables:
        rows = () if table.bulk else table.rows
        cells = (
            None
            if cells is None or not isinstance(rows, Sized)
            else cells + len(rows) * len(table.headers)
        )
    if cells is not None and cells <= IN_MEMORY_CELLS:
        _write_xlsx(path, report, tables, None)
        return
    # XlsxWriter's temporary files (the report's rows) go to a folder beside the report,
    # removed whatever happens: never left in TMPDIR.
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as scratch:
        _write_xlsx(path, report, tables, scratch)


def _few(rows: Iterable[Sequence[object]]) -> bool:
    """Rows few enough for XlsxWriter itself: writing them after it costs more."""
    return isinstance(rows, Sized) and len(rows) < BULK_ROWS_FROM


def _write_xlsx(path: Path, report: Report, tables: list[Report], scratch: str | None) -> None:
    """Each table on a sheet of its own (bold, shaded, frozen and filterable header), the
    summary on a last sheet (:func:`_workbook`); a bulk table's rows written into its sheet
    after XlsxWriter (:func:`_fill_bulk_sheets`)."""
    package, bulk = _workbook(tables, report.summary, scratch, summary_sheet=bool(report.summary))
    if not bulk:
        path.write_bytes(package.getbuffer())
        return
    _fill_bulk_sheets(package, path, bulk)


def _workbook(
    tables: list[Report], summary: Sequence[str], scratch: str | None, *, summary_sheet: bool
) -> tuple[_Package, dict[str, tuple[Report, list[str]]]]:
    """The workbook of ``tables`` (a bulk table's header only) and, with ``summary_sheet``,
    the sheet of the summary's lines (empty for no lines), zipped by XlsxWriter into
    memory (:class:`_Package`, the compressed size); and each bulk table's sheet (member
    name → the table and its columns' style attributes). Up to :data:`IN_MEMORY_CELLS`
    cells the workbook is built in memory (shared strings: a third faster; ``scratch`` is
    ``None``); a bigger one, or one given as an iterator, is streamed row by row
    (XlsxWriter's constant memory) through temporary files in ``scratch``."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    in_memory = scratch is None
    package = _Package()
    workbook = xlsxwriter.Workbook(
        package,
        {
            "constant_memory": not in_memory,
            # A small report's parts are zipped from memory: no temporary file per part.
            "in_memory": in_memory,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
            **({} if in_memory else {"tmpdir": scratch}),
        },
    )
    try:
        header_format = workbook.add_format(
            {"bold": True, "bg_color": "#DDE5F0", "pattern": 1, "text_wrap": True, "valign": "top"}
        )
        formats = _Formats(
            header=header_format,
            wrap=workbook.add_format({"text_wrap": True, "valign": "top"}),
            top=workbook.add_format({"valign": "top"}),
            date=workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
        )
        bulk: dict[str, tuple[Report, list[object]]] = {}
        for number, table in enumerate(tables, start=1):
            if table.bulk:  # the header by XlsxWriter, the rows after it (_fill_bulk_sheets)
                table = replace(table, rows=list(table.rows))
            columns = _xlsx_sheet(workbook, table, formats)
            if table.bulk:
                bulk[f"xl/worksheets/sheet{number}.xml"] = (table, columns)
        if summary_sheet:
            info = workbook.add_worksheet(SUMMARY_TITLE)
            info.set_column_pixels(0, 0, 80 * _DIGIT_PIXELS)
            for number, line in enumerate(summary):
                info.write_string(number, 0, line)
    finally:
        try:
            workbook.close()
        except FileCreateError as failed:
            # A streamed report's parts could not be written (a full disk): the disk's error.
            if isinstance(failed.args[0], OSError):
                raise failed.args[0] from None
            raise
    # A column's format has its index in the workbook's styles now that it is written.
    return package, {
        member: (table, [_style_attribute(f) for f in columns])
        for member, (table, columns) in bulk.items()
    }


class _Package(io.BytesIO):
    """The memory XlsxWriter zips a workbook into, written to the report's file after it.

    Not a file of the report's disk: XlsxWriter leaves its zip file open when a part cannot
    be written (a full disk), and the zip file's clean-up at garbage collection would fail
    again there and print a traceback. Nor closed when collected: the abandoned zip file
    may be collected after it and still writes its end into it.
    """

    def close(self) -> None:
        pass


def _style_attribute(cell_format: object) -> str:
    index = getattr(cell_format, "xf_index", None)
    return f' s="{index}"' if index else ""


def _fill_bulk_sheets(
    package: io.BytesIO, path: Path, bulk: Mapping[str, tuple[Report, list[str]]]
) -> None:
    """Write to ``path`` the workbook XlsxWriter zipped into ``package`` with each bulk table's
    rows in its sheet (member name → table and its columns' style attributes), after the
    header row XlsxWriter wrote. The other members are small: read whole. A bulk sheet is
    compressed as its rows are made, a few thousand at a time: 85,000 rows made whole took
    four copies of 20 MB."""
    with zipfile.ZipFile(package) as written:
        members = [(info, written.read(info)) for info in written.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=_DEFLATE_LEVEL) as out:
        for info, data in members:
            if info.filename not in bulk:
                out.writestr(info.filename, data)
                continue
            table, styles = bulk[info.filename]
            with out.open(_new_member(info.filename), "w") as stream:
                rows = cast(Sequence[Sequence[object]], table.rows)
                for piece in _with_rows(data, rows, len(table.headers), styles):
                    stream.write(piece)


@dataclass(frozen=True, slots=True)
class _Template:
    """The workbook XlsxWriter wrote once for the reports of one shape (:func:`_shape`),
    without rows: its members as stored, and inflated what changes from report to report."""

    members: tuple[tuple[zipfile.ZipInfo, bytes], ...]
    sheets: Mapping[str, bytes]  # member name → the sheet's XML
    styles: tuple[tuple[str, ...], ...]  # each table's columns' style attributes
    workbook: bytes
    core: bytes


_WORKBOOK_PART = "xl/workbook.xml"
_CORE_PART = "docProps/core.xml"
# A filter's range is also a hidden name of the workbook: it grows with the rows too.
_FILTER_NAME = re.compile(
    rb'(<definedName name="_xlnm\._FilterDatabase" localSheetId="(\d+)" hidden="1">[^<]*\$)'
    rb"\d+(</definedName>)"
)
_DATES = re.compile(rb'(<dcterms:(?:created|modified) xsi:type="dcterms:W3CDTF">)[^<]*(<)')


def _shape(report: Report, tables: Sequence[Report]) -> tuple:
    """What XlsxWriter's workbook of a bulk report depends on besides its rows and lines."""
    return (
        tuple(
            (t.title, tuple(t.headers), tuple(t.widths) if t.widths else None, t.wrap)
            for t in tables
        ),
        bool(report.summary),
    )


@functools.lru_cache(maxsize=16)
def _template(shape: tuple) -> _Template:
    """The workbook of reports of ``shape``, made once (a process keeps those of 16 shapes)."""
    titled, summary = shape
    tables = [
        Report(title, headers, [], widths=widths, wrap=wrap, bulk=True)
        for title, headers, widths, wrap in titled
    ]
    package, bulk = _workbook(tables, (), None, summary_sheet=summary)
    data = package.getvalue()
    names = [f"xl/worksheets/sheet{n}.xml" for n in range(1, len(tables) + 1 + summary)]
    with zipfile.ZipFile(io.BytesIO(data)) as written:
        sheets = {name: written.read(name) for name in names}
        workbook, core = written.read(_WORKBOOK_PART), written.read(_CORE_PART)
    return _Template(
        members=tuple(stored_members(data)),
        sheets=sheets,
        styles=tuple(tuple(bulk[name][1]) for name in names[: len(tables)]),
        workbook=workbook,
        core=core,
    )


def _from_template(path: Path, report: Report, tables: list[Report]) -> None:
    """Write a report whose tables are all bulk (rows given as lists) to ``path`` from the
    workbook XlsxWriter wrote once for its shape: the rows and the summary's lines go into
    their sheets' XML, the filters' ranges and the dates are set, every other member is
    copied as stored. XlsxWriter took about 3 ms to make a small report's dozen parts anew."""
    template = _template(_shape(report, tables))
    fills: dict[str, tuple[Sequence[Sequence[object]], int, Sequence[str], int]] = {}
    lasts: dict[int, int] = {}
    for index, (table, styles) in enumerate(zip(tables, template.styles, strict=True)):
        rows = cast(Sequence[Sequence[object]], table.rows)
        fills[f"xl/worksheets/sheet{index + 1}.xml"] = (rows, len(table.headers), styles, 2)
        lasts[index] = max(len(rows), 1) + 1  # the filter's last row, as _xlsx_sheet sets it
    if report.summary:
        lines = [(line,) for line in report.summary]
        fills[f"xl/worksheets/sheet{len(tables) + 1}.xml"] = (lines, 1, ("",), 1)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=_DEFLATE_LEVEL) as out:
        for info, raw in template.members:
            name = info.filename
            if name in fills:
                rows, columns, styles, first = fills[name]
                with out.open(_new_member(name), "w") as stream:
                    for piece in _with_rows(template.sheets[name], rows, columns, styles, first):
                        stream.write(piece)
            elif name == _WORKBOOK_PART:
                workbook = _FILTER_NAME.sub(
                    lambda m: b"%s%d%s" % (m[1], lasts[int(m[2])], m[3]), template.workbook
                )
                out.writestr(_new_member(name), workbook)
            elif name == _CORE_PART:
                out.writestr(
                    _new_member(name), _DATES.sub(rb"\g<1>" + now + rb"\g<2>", template.core)
                )
            else:
                write_stored(out, stored_info(info), raw)


def _new_member(name: str) -> zipfile.ZipInfo:
    """A member as :meth:`zipfile.ZipFile.writestr` makes one for ``name`` (date now, rw-------)."""
    info = zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return at_level(info, _DEFLATE_LEVEL)


_ROWS_A_PIECE = 5_000


def _with_rows(
    sheet: bytes,
    rows: Sequence[Sequence[object]],
    columns: int,
    styles: Sequence[str],
    first: int = 2,
) -> Iterator[bytes]:
    """The sheet XML, in pieces, with ``rows`` (from row ``first``) before ``</sheetData>``,
    their cells carrying their column's style attribute (``styles``: `` s="N"`` or ``""``),
    its dimension grown to hold them and its filter, if it has one, over them."""
    from kkod.table.sheet_xml import column_letters, text_element

    if not rows:
        yield sheet
        return
    head, end, tail = sheet.rpartition(b"</sheetData>")
    if not end:  # a sheet without rows has an empty element
        head, empty, tail = sheet.rpartition(b"<sheetData/>")
        if not empty:  # never silently without its rows: an import would then confirm no code
            raise ValueError("the sheet XlsxWriter wrote has no sheetData")
        head, end = head + b"<sheetData>", b"</sheetData>"
    letters = [column_letters(i + 1) for i in range(columns)]
    last = b"%s%d" % (letters[-1].encode(), first - 1 + len(rows))
    yield re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:%s"/>' % last, head, count=1)
    for start in range(0, len(rows), _ROWS_A_PIECE):
        # One text per piece, encoded once: a cell's bytes made one by one took twice as long.
        xml: list[str] = []
        add = xml.append
        for number, row in enumerate(rows[start : start + _ROWS_A_PIECE], start=start + first):
            add(f'<row r="{number}">')
            for letter, style, value in zip(letters, styles, row, strict=False):
                if value.__class__ is int:
                    add(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
                elif value is not None and value != "":
                    text = value if value.__class__ is str else str(value)
                    add(f'<c r="{letter}{number}"{style} t="inlineStr"><is>{text_element(text)}</is></c>')  # fmt: skip
            add("</row>")
        yield "".join(xml).encode("utf-8")
    yield end + re.sub(rb'<autoFilter ref="A1:[^"]*"/>', b'<autoFilter ref="A1:%s"/>' % last, tail)


@dataclass(frozen=True, slots=True)
class _Formats:
    header: object
    wrap: object
    top: object
    date: object


def _xlsx_sheet(workbook, table: Report, style: _Formats) -> list[object]:
    """The table on a sheet of its own (a bulk table's header only); its columns' formats."""
    sheet = workbook.add_worksheet(table.title[:31])
    formats = []
    for i, header in enumerate(table.headers):
        # Stored as this many characters; set_column() would add XlsxWriter's cell padding.
        width = table.widths[i] if table.widths else max(12, min(60, len(str(header)) + 4))
        formats.append(style.wrap if i in table.wrap else style.top)
        sheet.set_column_pixels(i, i, width * _DIGIT_PIXELS, formats[i])
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, table.headers, style.header)
    if table.bulk:  # its rows go straight into the sheet's XML (_fill_bulk_sheets)
        sheet.autofilter(0, 0, max(len(cast(Sized, table.rows)), 1), len(table.headers) - 1)
        return formats
    # Text and whole numbers (most cells) written by type, without XlsxWriter's guessing; a
    # cell carries its column's format (a column's format alone does not reach written cells).
    write_string, write_number, write = sheet.write_string, sheet.write_number, sheet.write
    last = 0
    for number, row in enumerate(table.rows, start=1):
        last = number
        for column, value in enumerate(row):
            kind = value.__class__
            if kind is str:
                if value:  # an empty text is an empty cell, as in a bulk table
                    write_string(number, column, value, formats[column])
            elif kind is int:
                write_number(number, column, value, formats[column])
            elif isinstance(value, date):
                write(number, column, value, style.date)
            elif value is not None:
                write(number, column, value, formats[column])
    sheet.autofilter(0, 0, max(last, 1), len(table.headers) - 1)
    return formats
