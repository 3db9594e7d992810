"""``kkod employer from-export``'s work: the export read and mapped, then the table written
with the template writer (an empty template, the cells patched in) — atomically."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kkod.employer.hrexport.convert import Converted, convert
from kkod.employer.hrexport.mapping import Mapping, choose_mapping
from kkod.employer.hrexport.read import Export, read_export
from kkod.employer.validation import TableValidation
from kkod.errors import KkodError
from kkod.fourt.model import Person4T
from kkod.fourt.validation import validate_cells
from kkod.table import layout
from kkod.table.limits import TableLimits
from kkod.table.sheet_xml import column_index

log = logging.getLogger(__name__)


class MappingRefused(KkodError):
    """The export's columns cannot be told apart or a field has none (exit code 2)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Plan:
    """An export read and its mapping chosen: what the command shows before writing."""

    export: Export
    mapping: Mapping


def plan(path: Path, overrides: Sequence[str] = (), limits: TableLimits | None = None) -> Plan:
    """Read the export and choose its mapping (``overrides``: the ``--map`` values)."""
    export = read_export(path, limits)
    return Plan(export, choose_mapping(export.headers, overrides))


def refusal(mapping: Mapping) -> MappingRefused:
    """The mapping's problems as one refusal, each on its own line."""
    return MappingRefused(
        "Az export oszlopai nem rendelhetők egyértelműen a táblázathoz:\n"
        + "\n".join(f"– {p}" for p in mapping.problems)
    )


def write_table(planned: Plan, out: Path) -> Converted:
    """Convert the export's rows and write them as the table ``out`` (template + cells)."""
    from kkod.table.template import build_template
    from kkod.table.writer import PreparedTable

    if not planned.mapping.usable:
        raise refusal(planned.mapping)
    export = planned.export
    converted = convert(planned.mapping, export.rows, first_line=export.header_line + 1)
    with tempfile.TemporaryDirectory(prefix="kkod-sablon-") as folder:
        blank = Path(folder) / "sablon.xlsx"  # the empty template only: no personal data
        build_template(blank, rows=1)
        PreparedTable(blank).write(Path(out), converted.rows_cells)
    log.info(
        "táblázat exportból: %d sor, %d dátum átírva, %d születési név átvéve",
        converted.rows, converted.dates_converted, converted.birth_names_copied,
    )  # fmt: skip
    return converted


def validate_written(converted: Converted, out: Path, today: date | None = None) -> TableValidation:
    """The written table validated as ``kkod validate`` would, from the cells just written
    (the same values the file now holds, without reading it back)."""
    indexes = [column_index(layout.COLUMN_OF_FIELD[f]) for f in Person4T.FIELDS]
    rows = (
        (row, tuple(cells.get(i) for i in indexes), frozenset())
        for row, cells in converted.rows_cells.items()
    )
    validation = validate_cells(rows, columns=layout.COLUMN_OF_FIELD, today=today or date.today())
    return TableValidation(path=Path(out), validation=validation)
