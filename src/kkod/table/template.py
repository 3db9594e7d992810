"""The empty "Kapcsolati kód adattáblázat" template (an .xlsx made with openpyxl) and its guide sheet.

Everything about columns comes from :mod:`kkod.table.layout`; this module only decides the looks.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from kkod.atomic import atomic_write_bytes
from kkod.table import layout

TEXT_FORMAT = "@"
GENERATED_FILL = "E7E6E6"
# Each column's explanation and a right and a wrong example, for the guide sheet.
GUIDE: dict[str, tuple[str, str, str]] = {
    "A": (
        "Sorszám. A sablon előre kitölti; az előre számozott sorok alatt folytathatja.",
        "1",
        "—",
    ),
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
    "töltse ki; a D, F, G, H és I oszlop kötelező (a fejlécük sötétkék). Más adatbázisból átvett "
    "adatokat a munkavállaló saját nyilatkozatával vesse össze. Teljes nevet írjon, rövidítés "
    "nélkül."
)
GUIDE_LONGER_LISTS = (
    "Hosszabb lista: az adatokat az előre számozott sorok alá is beillesztheti vagy beírhatja — "
    "a lap aljáig minden sor kitölthető, a H és az I oszlop ott is szövegként őrzi az értéket. "
    "A Sorszám oszlopot húzással folytathatja (üresen is maradhat). A védett lapon is szabad "
    "sort beszúrni és törölni, rendezni és szűrni (a fejléc szűrőgombjaival); csak a fejléc "
    "zárolt. A nyomtatás minden oldalra kiírja a fejlécet."
)
MAX_ROW = 1_048_576  # Excel's last row: the data columns stay open to the end of the sheet
REQUIRED_FILL = "1F4E79"  # required columns' header
OPTIONAL_FILL = "5B7FA6"  # columns the employer may fill
NOT_YOURS_FILL = "7F7F7F"  # columns the template or the generation fills
HEADER_NOTES = {
    "template": "Sorszám: a sablon előre kitölti; a további sorokban folytathatja.",
    "generation": "Ne töltse ki: a kapcsolati kódot a minisztérium írja ide.",
}
_LINE_POINTS = 15.0  # one line of 11-point text
_GUIDE_WIDTHS = (8, 22, 22, 60, 26, 36)


def build_template(path: Path, rows: int = 100) -> Path:
    """Write an empty table with ``rows`` pre-numbered data rows to ``path`` (atomically).

    Every data column stays open below the numbered rows (column styles: unlocked, text
    format), so a longer list can be pasted; the protected sheet allows inserting and deleting
    rows, sorting and filtering — only the header is locked.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = layout.SHEET_TITLE
    last_row = layout.FIRST_DATA_ROW + rows - 1

    thin = Side(style="thin", color="A6A6A6")
    header_font = Font(bold=True, color="FFFFFF")
    generated_fill = PatternFill("solid", fgColor=GENERATED_FILL)
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    unlocked = Protection(locked=False)

    for col in layout.COLUMNS:
        head = ws[f"{col.letter}{layout.HEADER_ROW}"]
        head.value = col.header
        head.font = header_font
        head.fill = PatternFill("solid", fgColor=_header_fill(col))
        head.border = border
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.protection = Protection(locked=True)
        head.comment = _header_note(col)
        # The whole column below the header: open for pasting, text where Excel must not
        # convert, the generation's column shaded.
        dimension = ws.column_dimensions[col.letter]
        dimension.width = col.width
        dimension.protection = unlocked
        if col.text_format:
            dimension.number_format = TEXT_FORMAT
        if col.filled_by == "generation":
            dimension.fill = generated_fill
    ws.row_dimensions[layout.HEADER_ROW].height = 30
    ws.freeze_panes = f"A{layout.FIRST_DATA_ROW}"

    for row in range(layout.FIRST_DATA_ROW, last_row + 1):
        for col in layout.COLUMNS:
            cell = ws[f"{col.letter}{row}"]
            cell.border = border
            cell.protection = unlocked
            if col.text_format:
                cell.number_format = TEXT_FORMAT
            if col.filled_by == "generation":
                cell.fill = generated_fill
        ws[f"A{row}"].value = row - layout.FIRST_DATA_ROW + 1

    _add_input_hints(ws)
    last_letter = layout.COLUMNS[-1].letter
    everything = f"A{layout.HEADER_ROW}:{last_letter}{MAX_ROW}"
    ws.auto_filter.ref = (
        everything  # filter buttons on the header (a protected sheet cannot add them)
    )
    ws.print_area = everything
    ws.print_title_rows = f"{layout.HEADER_ROW}:{layout.HEADER_ROW}"
    _fit_width_landscape(ws)

    ws.protection.sheet = True  # no password: it guards against slips, not against the officer
    ws.protection.formatColumns = False  # column widths may be changed
    ws.protection.formatRows = False
    ws.protection.insertRows = False  # a longer list may need rows inserted …
    ws.protection.deleteRows = False
    ws.protection.sort = False  # … and sorted or filtered
    ws.protection.autoFilter = False

    _add_guide(wb, header_font)

    # Saved into memory and written here: openpyxl leaves its zip file open when a write
    # fails (a full disk), and its clean-up at garbage collection then fails again and prints
    # a traceback.
    package = io.BytesIO()
    wb.save(package)
    atomic_write_bytes(path, package.getvalue())
    return path


def _header_fill(col: layout.Column) -> str:
    if col.filled_by != "employer":
        return NOT_YOURS_FILL
    return REQUIRED_FILL if col.required else OPTIONAL_FILL


def _header_note(col: layout.Column) -> Comment:
    if col.filled_by == "employer":
        explanation = GUIDE[col.letter][0]
        text = ("Kötelező. " if col.required else "Nem kötelező. ") + explanation
    else:
        text = HEADER_NOTES[col.filled_by]
    note = Comment(text, "kkod")
    note.width, note.height = 260, 110
    return note


def _add_input_hints(ws) -> None:
    """An input message on every data cell of the required columns (and of E: leave it), and
    the length check on the birth date — down to the last row, for pasted rows too."""
    first = layout.FIRST_DATA_ROW
    date_letter = layout.BY_FIELD["szuletesi_ido"].letter
    validation = DataValidation(
        type="textLength",
        operator="equal",
        formula1="10",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle="Születési idő (kötelező)",
        prompt=f"Formátum: {layout.DATE_PATTERN_HINT}, pl. 1985.03.12",
        errorTitle="Hibás dátum",
        error=f"A születési időt {layout.DATE_PATTERN_HINT} formában írja, pl. 1985.03.12",
        errorStyle="warning",
    )
    validation.add(f"{date_letter}{first}:{date_letter}{MAX_ROW}")
    ws.add_data_validation(validation)
    prompts = {
        "viselt_nev": "Teljes, jelenlegi név, rövidítés nélkül.",
        "szuletesi_nev": "Teljes születési családi és utónév.",
        "anyja_szuletesi_neve": "Az anya teljes születési neve (nem a házassági neve).",
        "szuletesi_hely": "Település neve; Budapesten a kerület arab számmal: Budapest 01",
    }
    for field, prompt in prompts.items():
        col = layout.BY_FIELD[field]
        hint = DataValidation(
            allow_blank=True,
            showInputMessage=True,
            promptTitle=f"{col.header} (kötelező)",
            prompt=prompt,
        )
        hint.add(f"{col.letter}{first}:{col.letter}{MAX_ROW}")
        ws.add_data_validation(hint)
    code = layout.CODE_COLUMN
    leave = DataValidation(
        type="textLength",
        operator="equal",
        formula1="0",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle="Kapcsolati kód",
        prompt=HEADER_NOTES["generation"],
        errorTitle="Ezt az oszlopot a minisztérium tölti ki",
        error=HEADER_NOTES["generation"],
        errorStyle="stop",
    )
    leave.add(f"{code}{first}:{code}{MAX_ROW}")
    ws.add_data_validation(leave)


def _fit_width_landscape(ws) -> None:
    """Print on A4 landscape, every column on one page width, as many pages down as needed."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _add_guide(wb: Workbook, header_font: Font) -> None:
    guide = wb.create_sheet(layout.GUIDE_SHEET_TITLE)
    width = sum(_GUIDE_WIDTHS)
    guide["A1"] = "Kitöltési útmutató — Kapcsolati kód adattáblázat"
    guide["A1"].font = Font(bold=True, size=14)
    guide.row_dimensions[1].height = 24
    for row, text in ((2, GUIDE_INTRO), (3, GUIDE_LONGER_LISTS)):
        guide.cell(row=row, column=1, value=text).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
        guide.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
        guide.row_dimensions[row].height = _height(text, width)
    heads = ("Oszlop", "Fejléc", "Kitöltés", "Magyarázat", "Helyes példa", "Hibás példa")
    for index, text in enumerate(heads, start=1):
        cell = guide.cell(row=5, column=index, value=text)
        cell.font = header_font
        cell.fill = PatternFill("solid", fgColor=REQUIRED_FILL)
        cell.alignment = Alignment(vertical="top")
    who = {"template": "a sablon", "employer": "a munkáltató", "generation": "a generálás"}
    for offset, col in enumerate(layout.COLUMNS):
        explanation, right, wrong = GUIDE[col.letter]
        filled = who[col.filled_by] + (", kötelező" if col.required else "")
        values = (col.letter, col.header, filled, explanation, right, wrong)
        row = 6 + offset
        for index, text in enumerate(values, start=1):
            cell = guide.cell(row=row, column=index, value=text)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.number_format = TEXT_FORMAT
        guide.row_dimensions[row].height = max(
            _height(text, w) for text, w in zip(values, _GUIDE_WIDTHS, strict=True)
        )
    for letter, w in zip("ABCDEF", _GUIDE_WIDTHS, strict=True):
        guide.column_dimensions[letter].width = w
    guide.print_area = f"A1:F{5 + len(layout.COLUMNS)}"
    _fit_width_landscape(guide)
    guide.protection.sheet = True


def _height(text: str, width: float) -> float:
    """Points a wrapped cell of ``width`` characters needs for ``text`` (Excel and LibreOffice
    do not grow a row for wrapped text they did not lay out themselves)."""
    per_line = max(1, int(width * 0.95))  # proportional text: about a character per width unit
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))
    return lines * _LINE_POINTS + 3
