"""The "Munkáltatói nyilatkozat" (employer declaration) as a PDF for the given table.

The PDF shows the declaration in Hungarian and carries the same fields as an embedded JSON
attachment (:mod:`kkod.exchange.declaration`, which the ministry reads back); a PAdES
signature added afterwards covers both.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kkod.exchange.declaration import (
    ATTACHMENT_NAME,
    DeclarationData,
    check_fields,
    payload,
)

TITLE = "Munkáltatói nyilatkozat"
SUBTITLE = "kapcsolati kódok tömeges generálásához"

# DejaVu ships with kkod (fonts/LICENSE-DejaVu.txt): ő and ű need an embedded TrueType font,
# and a machine need not have one installed.
FONT_DIR = Path(__file__).parent / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT_MONO = FONT_DIR / "DejaVuSansMono.ttf"

_MONTHS = (
    "január", "február", "március", "április", "május", "június",
    "július", "augusztus", "szeptember", "október", "november", "december",
)  # fmt: skip


def declaration_data_for_table(
    table: Path,
    *,
    organisation: str,
    short_name: str,
    krid: str,
    contact_name: str,
    contact_email: str,
    issued: dt.date | None = None,
) -> DeclarationData:
    """The declaration for ``table``: its row count and SHA-256 come from reading the table."""
    from kkod.table.reader import read_table

    read = read_table(Path(table))
    return DeclarationData(
        organisation=organisation.strip(),
        short_name=short_name.strip(),
        krid=krid.strip(),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        rows=len(read.rows),
        table_sha256=read.sha256.lower(),
        table_filename=Path(table).name,
        issued=issued or dt.date.today(),
    )


def hungarian_date(day: dt.date) -> str:
    """``2024. november 26.``"""
    return f"{day.year}. {_MONTHS[day.month - 1]} {day.day}."


def declaration_text(data: DeclarationData) -> list[str]:
    """The numbered statements of the declaration, in Hungarian."""
    return [
        f"A mellékelt „Kapcsolati kód adattáblázat” ({data.table_filename}, {data.rows} adatsor) "
        "munkatársaink természetes személyazonosító adatait (4T: viselt név, születési név, "
        "anyja születési neve, születési hely és idő) tartalmazza. Az adatokat – a más "
        "nyilvántartásból átvett adatokat is – az érintett munkatársak saját nyilatkozatával "
        "egyeztettük és ellenőriztük.",
        f"Kérjük, hogy a táblázatban szereplő személyek és a(z) „{data.short_name}” hivatali "
        f"kapu (KRID: {data.krid}) közötti kapcsolati kódokat tömegesen generálják, és a kitöltött "
        "táblázatot a kérelmet küldő e-mail-címre küldjék vissza.",
        "A táblázatban szereplő személyes adatokat és a kapott kapcsolati kódokat a vonatkozó "
        "jogszabályoknak megfelelően, jogszerűen kezeljük, kizárólag a hivatali kapunkról küldött "
        "hivatalos iratok kézbesítésére használjuk, és jogosulatlan személy számára nem tesszük "
        "hozzáférhetővé.",
    ]


def build_declaration_pdf(data: DeclarationData) -> bytes:
    """The declaration as an A4 PDF (fpdf2, embedded DejaVu fonts) with the fields attached as JSON."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    check_fields(data)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(22, 16, 22)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.add_font("DejaVuMono", "", str(FONT_MONO))
    pdf.set_title(f"{TITLE} – {data.organisation}")
    pdf.set_subject(f"{TITLE} {SUBTITLE}")
    pdf.set_author(data.organisation)
    pdf.set_creator("kkod")
    pdf.set_lang("hu-HU")
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", "B", 20)
    pdf.cell(width, 10, TITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(width, 7, SUBTITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(6)

    _heading(pdf, "A kérelmező szervezet")
    _field(pdf, "Szervezet neve", data.organisation)
    _field(pdf, "Hivatali kapu rövid neve", data.short_name)
    _field(pdf, "Hivatali kapu KRID", data.krid)
    _field(pdf, "Kapcsolattartó", data.contact_name)
    _field(pdf, "Kapcsolattartó e-mail-címe", data.contact_email)
    pdf.ln(3)
    _heading(pdf, "A mellékelt adattáblázat")
    _field(pdf, "Fájl neve", data.table_filename)
    _field(pdf, "Adatsorok száma", f"{data.rows}")
    sha = data.table_sha256
    _field(pdf, "SHA-256 ellenőrzőösszeg", f"{sha[:32]}\n{sha[32:]}", mono=True)
    pdf.ln(3)

    _heading(pdf, "Nyilatkozat")
    pdf.set_font("DejaVu", "", 10.5)
    pdf.multi_cell(
        width,
        5.5,
        f"Alulírott, a(z) {data.organisation} képviseletében nyilatkozom, hogy:",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(1.5)
    for number, statement in enumerate(declaration_text(data), start=1):
        y = pdf.get_y()
        pdf.cell(8, 5.5, f"{number}.")
        pdf.set_xy(pdf.l_margin + 8, y)
        pdf.multi_cell(width - 8, 5.5, statement, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)

    pdf.ln(4)
    pdf.set_font("DejaVu", "", 10.5)
    pdf.cell(width, 6, f"Kelt: {hungarian_date(data.issued)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)
    block_x = pdf.l_margin + width / 2
    block_w = width / 2
    pdf.line(block_x, pdf.get_y(), block_x + block_w, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_x(block_x)
    pdf.multi_cell(
        block_w,
        5,
        "a szervezet vezetője vagy meghatalmazottja\n(elektronikus aláírással)",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(
        width,
        4.5,
        "A nyilatkozat a szervezethez tartozó tanúsítvánnyal készült elektronikus (PAdES) "
        "aláírással érvényes. A táblázatot szerkeszthető formában, aláírás nélkül kell "
        "mellékelni; az adatsorok számának és az SHA-256 ellenőrzőösszegnek egyeznie kell "
        "a mellékelt táblázattal.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )

    pdf.embed_file(
        bytes=payload(data),
        basename=ATTACHMENT_NAME,
        mime_type="application/json",
        desc="A nyilatkozat adatai géppel olvasható formában",
        modification_date=dt.datetime.combine(data.issued, dt.time(), dt.UTC),
    )
    return bytes(pdf.output())


def _heading(pdf: Any, text: str) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(pdf.epw, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _field(pdf: Any, label: str, value: str, *, mono: bool = False) -> None:
    from fpdf.enums import XPos, YPos

    label_w = 62
    y = pdf.get_y()
    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(label_w, 6, f"{label}:", new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_text_color(0, 0, 0)
    if mono:
        pdf.set_font("DejaVuMono", "", 10)
    else:
        pdf.set_font("DejaVu", "B", 10)
    pdf.set_xy(pdf.l_margin + label_w, y)
    pdf.multi_cell(pdf.epw - label_w, 6, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), y + 6))
