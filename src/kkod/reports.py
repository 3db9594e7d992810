"""Reports a person opens: one table of rows written as .xlsx, .csv (UTF-8 with BOM) or .html.

The format follows the file's suffix. Files are written atomically.
"""

from __future__ import annotations

import csv
import functools
import io
import tempfile
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kkod.atomic import atomic_write
from kkod.errors import KkodError

if TYPE_CHECKING:
    from jinja2 import Template

FORMATS = (".xlsx", ".csv", ".html")
# Up to this many cells (a 120,000-row reason report) an .xlsx report is built in memory.
IN_MEMORY_CELLS = 600_000
_DIGIT_PIXELS = 7  # the width of a digit in Excel's default font: widths are counted in these

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
<table><thead><tr>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for v in row %}<td>{{ "" if v is none else v }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table></body></html>
"""


@dataclass(frozen=True, slots=True)
class Report:
    """A titled table with an optional summary (lines shown above it)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    summary: Sequence[str] = ()


def write_report(path: Path, report: Report, *, suffix: str | None = None) -> Path:
    """Write ``report`` to ``path`` in the format ``suffix`` (default: ``path``'s suffix) names."""
    suffix = check_format(path) if suffix is None else suffix.lower()
    writer = {".xlsx": _xlsx, ".csv": _csv, ".html": _html}[suffix]
    with atomic_write(path) as tmp:
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


def _csv(path: Path, report: Report) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";")
    out.writerow(report.headers)
    out.writerows(["" if v is None else v for v in row] for row in report.rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def _html(path: Path, report: Report) -> None:
    path.write_text(
        _html_template().render(
            title=report.title, headers=report.headers, rows=report.rows, summary=report.summary
        ),
        encoding="utf-8",
    )


@functools.cache
def _html_template() -> Template:
    from jinja2 import Environment, select_autoescape  # only HTML reports need it

    return Environment(autoescape=select_autoescape(default=True)).from_string(_HTML_TEMPLATE)


def _xlsx(path: Path, report: Report) -> None:
    # XlsxWriter's temporary files (the report's rows) go to a folder beside the report,
    # removed whatever happens: never left in TMPDIR.
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as scratch:
        _write_xlsx(path, report, scratch)


def _write_xlsx(path: Path, report: Report, scratch: str) -> None:
    """Bold, shaded header, frozen below it, the summary on a second sheet. A report of up to
    :data:`IN_MEMORY_CELLS` cells is built in memory (shared strings: a third faster); a bigger
    one, or one given as an iterator, is streamed row by row (XlsxWriter's constant memory)."""
    import xlsxwriter

    rows = report.rows
    cells = len(rows) * len(report.headers) if isinstance(rows, Sized) else None
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": cells is None or cells > IN_MEMORY_CELLS,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
            "tmpdir": scratch,
        },
    )
    try:
        sheet = workbook.add_worksheet(report.title[:31])
        for i, header in enumerate(report.headers):
            # Stored as this many characters; set_column() would add XlsxWriter's cell padding.
            width = max(12, min(60, len(str(header)) + 4))
            sheet.set_column_pixels(i, i, width * _DIGIT_PIXELS)
        sheet.freeze_panes(1, 0)
        header_format = workbook.add_format({"bold": True, "bg_color": "#DDE5F0", "pattern": 1})
        sheet.write_row(0, 0, report.headers, header_format)
        # Text and whole numbers (most cells) written by type, without XlsxWriter's guessing.
        write_string, write_number, write = sheet.write_string, sheet.write_number, sheet.write
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                kind = value.__class__
                if kind is str:
                    write_string(number, column, value)
                elif kind is int:
                    write_number(number, column, value)
                elif value is not None:
                    write(number, column, value)
        if report.summary:
            info = workbook.add_worksheet("Összesítés")
            for number, line in enumerate(report.summary):
                info.write(number, 0, line)
    finally:
        workbook.close()
