"""An export's rows as the table's cells (pure): split names joined, place and date told apart,
dates written ``éééé.hh.nn``, the record id in column B.

What cannot be converted is kept as written: ``kkod validate`` then names it (a date that is
no date is an ``E02`` there, not a silent blank here).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from kkod.employer.hrexport.headers import COMBINED, PARTS
from kkod.employer.hrexport.mapping import Mapping
from kkod.fourt.dates import CANONICAL_RE, format_date, parse_date
from kkod.table import layout
from kkod.table.sheet_xml import column_index

# The table fields filled from single columns, in the layout's order.
_DIRECT = ("belso_azonosito", "megjegyzes", "viselt_nev", "szuletesi_nev",
           "anyja_szuletesi_neve", "szuletesi_hely", "szuletesi_ido")  # fmt: skip
_COLUMN = {name: column_index(letter) for name, letter in layout.COLUMN_OF_FIELD.items()}
_SORSZAM = _COLUMN["sorszam"]
_CURRENT, _BIRTH = _COLUMN["viselt_nev"], _COLUMN["szuletesi_nev"]
_PLACE, _DATE = _COLUMN["szuletesi_hely"], _COLUMN["szuletesi_ido"]
# A year that starts a birth date inside "Debrecen, 1985.03.12" or "Eger 1985. márc. 12.".
_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_DAY_FIRST_RE = re.compile(r"(?<!\d)\d{1,2}\s*\.\s*\d{1,2}\s*\.\s*(1[89]\d\d|20\d\d)\s*\.?\s*$")
_TEXT, _JOINED, _DATE_CELL, _PLACE_AND_DATE = range(4)


@dataclass(slots=True)
class Converted:
    """The table's cells (row → column index → text, as the writer takes them) and what the
    conversion did, counted."""

    rows_cells: dict[int, dict[int, str]] = field(default_factory=dict)
    rows: int = 0
    empty_rows: int = 0  # export rows with nothing in any mapped column: left out
    dates_converted: int = 0  # an Excel date or another written form made éééé.hh.nn
    birth_names_copied: int = 0  # an empty birth name taken from the current name
    places_split: int = 0  # a "hely, idő" cell split in two
    export_lines: list[int] = field(default_factory=list)  # per table row: its export line

    def text(self, row: int, letter: str) -> str:
        """A written cell's text (``""`` if empty)."""
        return self.rows_cells.get(row, {}).get(column_index(letter), "")


def convert(mapping: Mapping, rows: Iterable[Sequence[object]], first_line: int = 2) -> Converted:
    """The table's cells from the export's data ``rows`` (the first is line ``first_line``
    of the export). Rows are written from :data:`layout.FIRST_DATA_ROW` on, with Sorszám."""
    out = Converted()
    plan = _plan(mapping)
    number = layout.FIRST_DATA_ROW
    for line, values in enumerate(rows, start=first_line):
        cells = _cells(plan, values, out)
        if not cells:
            out.empty_rows += 1
            continue
        if _BIRTH not in cells and _CURRENT in cells:
            cells[_BIRTH] = cells[_CURRENT]
            out.birth_names_copied += 1
        cells[_SORSZAM] = str(number - layout.FIRST_DATA_ROW + 1)
        out.rows_cells[number] = cells
        out.export_lines.append(line)
        number += 1
    out.rows = number - layout.FIRST_DATA_ROW
    return out


def _plan(mapping: Mapping) -> list[tuple[int, int, tuple[int, ...]]]:
    """(kind, table column index, export column indexes) for every field the mapping fills."""
    plan = []
    for name in _DIRECT:
        kind = _DATE_CELL if name == "szuletesi_ido" else _TEXT
        single = mapping.column_of(name)
        if single is not None:
            plan.append((kind, _COLUMN[name], (single,)))
        elif name in PARTS:
            indexes = tuple(i for p in PARTS[name] if (i := mapping.column_of(p)) is not None)
            if indexes:
                plan.append((_JOINED, _COLUMN[name], indexes))
    combined = mapping.column_of(COMBINED)
    if combined is not None:
        plan.append((_PLACE_AND_DATE, _PLACE, (combined,)))
    return plan


def _cells(plan, values: Sequence[object], out: Converted) -> dict[int, str]:
    count = len(values)
    cells: dict[int, str] = {}
    for kind, column, indexes in plan:
        if kind == _JOINED:
            parts = (text_of(values[i]).strip() for i in indexes if i < count)
            text = " ".join(p for p in parts if p)
        else:
            value = values[indexes[0]] if indexes[0] < count else None
            if kind == _TEXT:
                text = value if value.__class__ is str else text_of(value)  # type: ignore[assignment]
            elif kind == _DATE_CELL:
                text = _date_text(value, out)
            else:
                place, born = split_place_and_date(text_of(value))
                if born:
                    out.places_split += 1
                    cells[_DATE] = _date_text(born, out)
                text = place
        if text:
            cells[column] = text
    return cells


def text_of(value: object) -> str:
    """A cell as text: ``""`` if empty, whole numbers without ``.0``, dates ``éééé.hh.nn``."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value  # type: ignore[return-value]
    if isinstance(value, bool):
        return "IGAZ" if value else "HAMIS"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return format_date(value.date())
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _date_text(value: object, out: Converted) -> str:
    """A birth date as ``éééé.hh.nn`` when it is one in any accepted form; else as written."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if CANONICAL_RE.match(value):
            return value
        born = parse_date(value.strip())
        if born is None:
            return value
    elif isinstance(value, bool):
        return text_of(value)
    elif isinstance(value, int | float):
        born = parse_date(value)
        if born is None and value == int(value) and 10_000_000 <= value <= 99_991_231:
            born = parse_date(str(int(value)))  # 19850312 typed as a number
    else:
        born = parse_date(value)
    if born is None:
        return text_of(value)
    out.dates_converted += 1
    return format_date(born)


def split_place_and_date(text: str) -> tuple[str, str]:
    """``"Debrecen, 1985.03.12"`` → ``("Debrecen", "1985.03.12")``: the place before the
    date, each as written. The date starts at its year (or its day, ``12.03.1985``); a cell
    with no year is all place."""
    text = text.strip()
    m = _DAY_FIRST_RE.search(text)
    if m is None:
        m = _YEAR_RE.search(text)
    if m is None:
        return text.rstrip(" ,;"), ""
    place = text[: m.start()].strip().rstrip(",;-–").strip()
    return place, text[m.start() :].strip()
