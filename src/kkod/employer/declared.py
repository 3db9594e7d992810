"""The employees' own declared 4T (CSV or xlsx) and the cross-check of a table against them.

SPEC §1: data copied from other databases must be checked against the employee's own
declaration. A declaration is matched to a table row by Belső azonosító, else by current
name and birth date; every field that differs in canonical form is a finding ``X01``, a row
with no declaration is ``X02``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kkod.errors import TableError
from kkod.fourt.canonical import canonical_name, canonical_place, clean_text
from kkod.fourt.dates import format_date, parse_date
from kkod.fourt.model import Finding
from kkod.fourt.rules import RULES
from kkod.fourt.validation import FIELD_SUBJECTS
from kkod.hungarian import article
from kkod.table import layout

ID_FIELD = "belso_azonosito"
DECLARED_FIELDS = (ID_FIELD, "viselt_nev", "szuletesi_nev", "anyja_szuletesi_neve",
                   "szuletesi_hely", "szuletesi_ido")  # fmt: skip
HEADERS = tuple(layout.BY_FIELD[f].header for f in DECLARED_FIELDS)


@dataclass(frozen=True, slots=True)
class Declaration:
    """One employee's declared 4T, as written in the declarations file."""

    line: int  # row in the declarations file (header = 1)
    values: dict[str, str]  # field → text as written

    @property
    def belso_azonosito(self) -> str:
        return clean_text(self.values.get(ID_FIELD, ""))


def read_declarations(path: Path) -> list[Declaration]:
    """Read a declarations file: CSV (UTF-8, ``;`` or ``,``) or xlsx, header row first."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"A nyilatkozatfájl nem található: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise TableError(
            f"A nyilatkozatfájl formátuma nem ismert: {path.name} (lehet: .csv, .xlsx)."
        )
    if not rows:
        raise TableError(f"A nyilatkozatfájl üres: {path.name}")
    header = [clean_text(h) for h in rows[0]]
    index = {}
    for name, heading in zip(DECLARED_FIELDS, HEADERS, strict=True):
        if heading not in header:
            raise TableError(
                f"{article(path.name).capitalize()} „{path.name}” nyilatkozatfájl fejlécéből hiányzik {article(heading)} „{heading}” oszlop "
                f"(kell: {';'.join(HEADERS)})."
            )
        index[name] = header.index(heading)
    declarations, seen = [], {}
    for line, raw in enumerate(rows[1:], start=2):
        values = {f: (raw[i] if i < len(raw) else "") for f, i in index.items()}
        if not any(v.strip() for v in values.values()):
            continue
        declaration = Declaration(line, values)
        ident = declaration.belso_azonosito
        if ident:
            if ident in seen:
                raise TableError(
                    f"{article(path.name).capitalize()} „{path.name}” nyilatkozatfájlban {article(ident)} „{ident}” belső azonosító kétszer "
                    f"szerepel ({seen[ident]}. és {line}. sor)."
                )
            seen[ident] = line
        declarations.append(declaration)
    return declarations


def cross_check(table_rows: Iterable, declarations: Sequence[Declaration]) -> list[Finding]:
    """Compare each table row with its declaration; ``X01`` per differing field, ``X02`` if none."""
    by_id = {d.belso_azonosito: d for d in declarations if d.belso_azonosito}
    by_name_date: dict[tuple[str, date], Declaration] = {}
    for d in declarations:
        born = parse_date(clean_text(d.values["szuletesi_ido"]))
        if born is not None:
            by_name_date.setdefault((canonical_name(d.values["viselt_nev"]), born), d)
    findings: list[Finding] = []
    for row in table_rows:
        declaration = by_id.get(clean_text(row.belso_azonosito)) if row.belso_azonosito else None
        if declaration is None:
            born = _table_date(row)
            if born is not None:
                key = (canonical_name(row.text(layout.COLUMN_OF_FIELD["viselt_nev"])), born)
                declaration = by_name_date.get(key)
        if declaration is None:
            rule = RULES["X02"]
            letter = layout.COLUMN_OF_FIELD[ID_FIELD]
            findings.append(
                Finding(row.row, letter, "X02", rule.severity, row.belso_azonosito, rule.message)
            )
            continue
        findings.extend(_compare(row, declaration))
    return findings


def _compare(row, declaration: Declaration) -> list[Finding]:
    rule = RULES["X01"]
    out = []
    for name in DECLARED_FIELDS[1:]:
        letter = layout.COLUMN_OF_FIELD[name]
        written = row.text(letter)
        declared = declaration.values[name]
        if _same(name, written, row.cells.get(letter), declared):
            continue
        message = rule.message.format(subject=FIELD_SUBJECTS[name], declared=declared)
        out.append(Finding(row.row, letter, "X01", rule.severity, written, message, declared))
    return out


def _same(name: str, written: str, raw: object, declared: str) -> bool:
    if name == "szuletesi_ido":
        a = parse_date(raw if isinstance(raw, date) else clean_text(written))
        b = parse_date(clean_text(declared))
        if a is not None and b is not None:
            return a == b
        return clean_text(written) == clean_text(declared)
    if name == "szuletesi_hely":
        return canonical_place(written) == canonical_place(declared)
    return canonical_name(written) == canonical_name(declared)


def _table_date(row) -> date | None:
    letter = layout.COLUMN_OF_FIELD["szuletesi_ido"]
    raw = row.cells.get(letter)
    return parse_date(raw if isinstance(raw, date) else clean_text(row.text(letter)))


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(
            f"{article(path.name).capitalize()} „{path.name}” nyilatkozatfájl nem UTF-8 kódolású (mentse „CSV UTF-8” formában)."
        ) from error
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from python_calamine import CalamineError, CalamineWorkbook

    from kkod.table.reader import cell_text

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as error:
        raise TableError(
            f"{article(path.name).capitalize()} „{path.name}” nyilatkozatfájl nem olvasható xlsx."
        ) from error
    return [[_xlsx_text(v, cell_text) for v in row] for row in values]


def _xlsx_text(value: object, cell_text) -> str:
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return cell_text(value if value != "" else None)
