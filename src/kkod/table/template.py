"""The empty "Kapcsolati kód adattáblázat" template (an .xlsx made with openpyxl) and its guide sheet.

Everything about columns comes from :mod:`kkod.table.layout`; this module only decides the looks.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from kkod.atomic import atomic_write
from kkod.table import layout

TEXT_FORMAT = "@"
HEADER_FILL = "1F4E79"
GENERATED_FILL = "E7E6E6"
# Each column's explanation and a right and a wrong example, for the guide sheet.
GUIDE: dict[str, tuple[str, str, str]] = {
    "A": ("Sorszám. A sablon előre kitölti, nem módosítható.", "1", "—"),
    "B": (
        "A munkáltató saját nyilvántartási azonosítója (pl. törzsszám). Nem kötelező, de a "
        "visszakapott kódok importjához ajánlott; soronként egyedi legyen.",
        "T-004512",
        "(ugyanaz az azonosító két sorban)",
    ),
    "C": (
        "Szabad szöveges megjegyzés. Nem kötelező, a generálás nem használja.",
        "Budapesti telephely",
        "—",
    ),
    "D": (
        "Viselt név: a munkavállaló teljes, jelenlegi neve, ahogy a személyi igazolványában áll.",
        "Kovácsné Szabó Éva",
        "Kovácsné (hiányos), Dr Kovács B. (rövidítés)",
    ),
    "E": (
        "Kapcsolati kód. Üresen kell hagyni: a generálás tölti ki, ha pontosan egy "
        "Ügyfélkapu-fiók felel meg a sornak.",
        "(üres)",
        "bármilyen beírt érték",
    ),
    "F": (
        "Születési név: a teljes születési családi és utónév.",
        "Szabó Éva Mária",
        "Kovácsné Szabó Éva (házassági név)",
    ),
    "G": (
        "Anyja születési neve: az anya teljes születési neve, nem a házassági neve.",
        "Nagy Ilona",
        "Szabó Jánosné (házassági név)",
    ),
    "H": (
        "Születési hely: a település neve. Budapesten a kerület arab számmal, két jeggyel.",
        "Budapest 01, Debrecen",
        "Budapest, Budapest I. ker., Bp. 11",
    ),
    "I": (
        f"Születési idő {layout.DATE_PATTERN_HINT} formában, szövegként.",
        "1985.03.12",
        "1985-03-12, 1985.3.12, 85.03.12, 1985. márc. 12.",
    ),
}
GUIDE_INTRO = (
    "A táblázat formátuma nem módosítható: ne nevezze át a munkalapot, ne töröljön, szúrjon be "
    "vagy helyezzen át oszlopot, és ne írja át a fejlécet. Csak a B, C, D, F, G, H és I oszlopot "
    "töltse ki; a D, F, G, H és I oszlop kötelező. Más adatbázisból átvett adatokat a munkavállaló "
    "saját nyilatkozatával vesse össze. Teljes nevet írjon, rövidítés nélkül."
)


def build_template(path: Path, rows: int = 100) -> Path:
    """Write an empty table with ``rows`` pre-numbered data rows to ``path`` (atomically)."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = layout.SHEET_TITLE
    last_row = layout.FIRST_DATA_ROW + rows - 1

    thin = Side(style="thin", color="A6A6A6")
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    generated_fill = PatternFill("solid", fgColor=GENERATED_FILL)
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    unlocked = Protection(locked=False)
    locked = Protection(locked=True)

    for col in layout.COLUMNS:
        head = ws[f"{col.letter}{layout.HEADER_ROW}"]
        head.value = col.header
        head.font = header_font
        head.fill = header_fill
        head.border = border
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.protection = locked
        ws.column_dimensions[col.letter].width = col.width
    ws.row_dimensions[layout.HEADER_ROW].height = 30
    ws.freeze_panes = f"A{layout.FIRST_DATA_ROW}"

    for row in range(layout.FIRST_DATA_ROW, last_row + 1):
        for col in layout.COLUMNS:
            cell = ws[f"{col.letter}{row}"]
            cell.border = border
            if col.text_format:
                cell.number_format = TEXT_FORMAT
            if col.filled_by == "employer":
                cell.protection = unlocked
            else:
                cell.protection = locked
                if col.filled_by == "generation":
                    cell.fill = generated_fill
        ws[f"A{row}"].value = row - layout.FIRST_DATA_ROW + 1

    date_letter = layout.BY_FIELD["szuletesi_ido"].letter
    validation = DataValidation(
        type="textLength",
        operator="equal",
        formula1="10",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle="Születési idő",
        prompt=f"Formátum: {layout.DATE_PATTERN_HINT}, pl. 1985.03.12",
        errorTitle="Hibás dátum",
        error=f"A születési időt {layout.DATE_PATTERN_HINT} formában írja, pl. 1985.03.12",
        errorStyle="warning",
    )
    validation.add(f"{date_letter}{layout.FIRST_DATA_ROW}:{date_letter}{last_row}")
    ws.add_data_validation(validation)
    place_letter = layout.BY_FIELD["szuletesi_hely"].letter
    place_hint = DataValidation(
        allow_blank=True,
        showInputMessage=True,
        promptTitle="Születési hely",
        prompt="Település neve; Budapesten a kerület arab számmal: Budapest 01",
    )
    place_hint.add(f"{place_letter}{layout.FIRST_DATA_ROW}:{place_letter}{last_row}")
    ws.add_data_validation(place_hint)

    ws.protection.sheet = True
    ws.protection.formatColumns = False  # column widths may be changed
    ws.protection.formatRows = False
    ws.protection.insertRows = True  # still protected: rows are pre-numbered
    ws.protection.deleteRows = True
    ws.protection.sort = True
    ws.protection.autoFilter = True

    _add_guide(wb, header_font, header_fill)

    with atomic_write(path) as tmp:
        wb.save(tmp)
    return path


def _add_guide(wb: Workbook, header_font: Font, header_fill: PatternFill) -> None:
    guide = wb.create_sheet(layout.GUIDE_SHEET_TITLE)
    guide["A1"] = "Kitöltési útmutató — Kapcsolati kód adattáblázat"
    guide["A1"].font = Font(bold=True, size=14)
    guide["A2"] = GUIDE_INTRO
    guide["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    guide.merge_cells("A2:F2")
    guide.row_dimensions[2].height = 75
    heads = ("Oszlop", "Fejléc", "Kitöltés", "Magyarázat", "Helyes példa", "Hibás példa")
    for index, text in enumerate(heads, start=1):
        cell = guide.cell(row=4, column=index, value=text)
        cell.font = header_font
        cell.fill = header_fill
    who = {"template": "a sablon", "employer": "a munkáltató", "generation": "a generálás"}
    for offset, col in enumerate(layout.COLUMNS):
        explanation, right, wrong = GUIDE[col.letter]
        filled = who[col.filled_by] + (", kötelező" if col.required else "")
        values = (col.letter, col.header, filled, explanation, right, wrong)
        for index, text in enumerate(values, start=1):
            cell = guide.cell(row=5 + offset, column=index, value=text)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.number_format = TEXT_FORMAT
    for letter, width in zip("ABCDEF", (8, 22, 22, 60, 26, 36), strict=True):
        guide.column_dimensions[letter].width = width
    guide.protection.sheet = True
