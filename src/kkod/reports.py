"""Reports a person opens: one table of rows written as .xlsx, .csv (UTF-8 with BOM) or .html.

The format follows the file's suffix. Files are written atomically.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, select_autoescape

from kkod.atomic import atomic_write
from kkod.errors import KkodError

FORMATS = (".xlsx", ".csv", ".html")

_HTML = Environment(autoescape=select_autoescape(default=True)).from_string(
    """<!doctype html>
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
)


@dataclass(frozen=True, slots=True)
class Report:
    """A titled table with an optional summary (lines shown above it)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    summary: Sequence[str] = ()


def write_report(path: Path, report: Report) -> Path:
    """Write ``report`` to ``path`` in the format its suffix names."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise KkodError(
            f"A jelentés formátuma nem ismert: {path.name} (lehet: {', '.join(FORMATS)})."
        )
    writer = {".xlsx": _xlsx, ".csv": _csv, ".html": _html}[suffix]
    with atomic_write(path) as tmp:
        writer(tmp, report)
    return path


def _csv(path: Path, report: Report) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";")
    out.writerow(report.headers)
    out.writerows(["" if v is None else v for v in row] for row in report.rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def _html(path: Path, report: Report) -> None:
    path.write_text(
        _HTML.render(
            title=report.title, headers=report.headers, rows=report.rows, summary=report.summary
        ),
        encoding="utf-8",
    )


def _xlsx(path: Path, report: Report) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(report.title[:31])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE5F0")
    widths = [max(12, min(60, len(str(h)) + 4)) for h in report.headers]
    for i, width in enumerate(widths):
        sheet.column_dimensions[_letter(i)].width = width
    sheet.freeze_panes = "A2"
    from openpyxl.cell import WriteOnlyCell

    header = []
    for h in report.headers:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    for row in report.rows:
        sheet.append(list(row))
    if report.summary:
        info = workbook.create_sheet("Összesítés")
        for line in report.summary:
            info.append([line])
    workbook.save(path)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
