"""The layout of the "Kapcsolati kód adattáblázat" (SPEC §3), defined once.

Our reconstruction of the official file; change it here and everything else follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FilledBy = Literal["template", "employer", "generation"]


@dataclass(frozen=True, slots=True)
class Column:
    letter: str
    header: str
    field: str  # attribute name on TableRow / Person4T
    filled_by: FilledBy
    required: bool
    width: float
    text_format: bool  # cell number format "@" so Excel keeps what was typed


SHEET_TITLE = "Kapcsolati kód adattáblázat"
GUIDE_SHEET_TITLE = "Kitöltési útmutató"
HEADER_ROW = 1
FIRST_DATA_ROW = 2
DATE_PATTERN_HINT = "éééé.hh.nn"

COLUMNS: tuple[Column, ...] = (
    Column("A", "Sorszám", "sorszam", "template", False, 9, False),
    Column("B", "Belső azonosító", "belso_azonosito", "employer", False, 18, True),
    Column("C", "Megjegyzés", "megjegyzes", "employer", False, 24, True),
    Column("D", "Viselt név", "viselt_nev", "employer", True, 28, True),
    Column("E", "Kapcsolati kód", "kapcsolati_kod", "generation", False, 26, True),
    Column("F", "Születési név", "szuletesi_nev", "employer", True, 28, True),
    Column("G", "Anyja születési neve", "anyja_szuletesi_neve", "employer", True, 28, True),
    Column("H", "Születési hely", "szuletesi_hely", "employer", True, 22, True),
    Column("I", "Születési idő", "szuletesi_ido", "employer", True, 16, True),
)

BY_LETTER = {c.letter: c for c in COLUMNS}
BY_FIELD = {c.field: c for c in COLUMNS}
CODE_COLUMN = BY_FIELD["kapcsolati_kod"].letter
EDITABLE_LETTERS = tuple(c.letter for c in COLUMNS if c.filled_by == "employer")
FOURT_LETTERS = tuple(c.letter for c in COLUMNS if c.required)
# Field name → column letter, the mapping the pure 4T validator reports findings with.
COLUMN_OF_FIELD = {c.field: c.letter for c in COLUMNS}
