"""The "Munkáltatói nyilatkozat" (employer declaration) as a PDF for the given table.

The PDF shows the declaration in Hungarian — who declares, for which organisation (seat and
identifier), about which table, where and when — with a visible signature field in its
signature block, and carries the same fields as an embedded JSON attachment
(:mod:`kkod.exchange.declaration`, which the ministry reads back); a PAdES signature added
afterwards (:func:`kkod.pki.signing.sign_pdf`) fills the field and covers everything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from kkod import fonts
from kkod.exchange.declaration import (
    ATTACHMENT_NAME,
    DeclarationData,
    check_fields,
    payload,
)
from kkod.hungarian import article
from kkod.visible import visible

TITLE = "Munkáltatói nyilatkozat"
SUBTITLE = "kapcsolati kódok tömeges generálásához"
FONT_REGULAR, FONT_BOLD, FONT_MONO = fonts.REGULAR, fonts.BOLD, fonts.MONO
BLANK = "……………………………………"  # a field left for the pen
PT_PER_MM = 72 / 25.4
SIGNATURE_BOX_MM = (74.0, 20.0)  # width, height of the signature field
VALIDITY = (
    "A nyilatkozat így érvényes: (1) elektronikus (PAdES) aláírással, a szervezethez tartozó "
    "tanúsítvánnyal; (2) AVDH-hitelesítéssel (azonosításra visszavezetett "
    "dokumentumhitelesítéssel, az aláíró nevével); vagy (3) saját kezű aláírással — a "
    "szkennelt, kézzel aláírt példányt a minisztérium ügyintézője ellenőrzi, addig a kérelem "
    "„aláírás ellenőrzésre vár” állapotú. A táblázatot szerkeszthető formában, aláírás nélkül "
    "kell mellékelni; az adatsorok számának és az SHA-256 ellenőrzőösszegnek egyeznie kell a "
    "mellékelt táblázattal."
)

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
    seat: str = "",
    organisation_id: str = "",
    signer_name: str = "",
    signer_position: str = "",
    place: str = "",
) -> DeclarationData:
    """The declaration for ``table``: its row count and SHA-256 come from reading the table.

    Raises :class:`kkod.employer.submit.EmptyTable` for a table without a filled row.
    """
    from kkod.employer.submit import EmptyTable
    from kkod.table.reader import read_table

    read = read_table(Path(table))
    if not read.rows:
        raise EmptyTable(Path(table))
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
        seat=seat.strip(),
        organisation_id=organisation_id.strip(),
        signer_name=signer_name.strip(),
        signer_position=signer_position.strip(),
        place=place.strip(),
    )


def hungarian_date(day: dt.date) -> str:
    """``2024. november 26.``"""
    return f"{day.year}. {_MONTHS[day.month - 1]} {day.day}."


def opening(data: DeclarationData) -> str:
    """``Alulírott <name> (<position>), <a/az> <organisation> képviseletében nyilatkozom, hogy:``"""
    name = data.signer_name or BLANK
    position = data.signer_position or BLANK
    return (
        f"Alulírott {name} ({position}), {article(data.organisation)} {data.organisation} "
        "képviseletében nyilatkozom, hogy:"
    )


def declaration_text(data: DeclarationData) -> list[str]:
    """The numbered statements of the declaration, in Hungarian."""
    return [
        f"A mellékelt „Kapcsolati kód adattáblázat” ({data.table_filename}, {data.rows} adatsor) "
        "munkatársaink természetes személyazonosító adatait (4T: viselt név, születési név, "
        "anyja születési neve, születési hely és idő) tartalmazza. Az adatokat – a más "
        "nyilvántartásból átvett adatokat is – az érintett munkatársak saját nyilatkozatával "
        "egyeztettük és ellenőriztük.",
        f"Kérjük, hogy a táblázatban szereplő személyek és {article(data.short_name)} "
        f"„{data.short_name}” hivatali kapu (KRID: {data.krid}) közötti kapcsolati kódokat "
        "tömegesen generálják, és a kitöltött táblázatot a kérelmet küldő e-mail-címre küldjék "
        "vissza.",
        "A táblázatban szereplő személyes adatokat és a kapott kapcsolati kódokat a vonatkozó "
        "jogszabályoknak megfelelően, jogszerűen kezeljük, kizárólag a hivatali kapunkról küldött "
        "hivatalos iratok kézbesítésére használjuk, és jogosulatlan személy számára nem tesszük "
        "hozzáférhetővé.",
    ]


def shown(data: DeclarationData) -> DeclarationData:
    """``data`` as the page shows it: control and invisible characters (from a certificate, a
    file name) as tags, never raw in the PDF's text."""
    texts = {
        name: visible(value)
        for name, value in dataclasses.asdict(data).items()
        if isinstance(value, str)
    }
    return dataclasses.replace(data, **texts)


def build_declaration_pdf(data: DeclarationData) -> bytes:
    """The declaration as an A4 PDF (fpdf2, embedded DejaVu fonts) with the fields attached as
    JSON and an empty, visible signature field (:data:`kkod.pki.signing.SIGNATURE_FIELD`)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from kkod.pki.signing import add_signature_field

    check_fields(data)
    given, data = data, shown(data)  # the page shows ``data``; the payload carries ``given``
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(22, 14, 22)
    pdf.set_auto_page_break(True, margin=12)
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

    pdf.set_font("DejaVu", "B", 19)
    pdf.cell(width, 9, TITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(width, 6, SUBTITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(4)

    _heading(pdf, "A kérelmező szervezet")
    _field(pdf, "Szervezet neve", data.organisation)
    _field(pdf, "Székhelye", data.seat or BLANK)
    _field(pdf, "Azonosítója", data.organisation_id or BLANK)
    _field(pdf, "Hivatali kapu rövid neve", data.short_name)
    _field(pdf, "Hivatali kapu KRID", data.krid)
    _field(pdf, "Kapcsolattartó", data.contact_name)
    _field(pdf, "Kapcsolattartó e-mail-címe", data.contact_email)
    pdf.ln(2)
    _heading(pdf, "A mellékelt adattáblázat")
    _field(pdf, "Fájl neve", data.table_filename)
    _field(pdf, "Adatsorok száma", f"{data.rows}")
    sha = data.table_sha256
    _field(pdf, "SHA-256 ellenőrzőösszeg", f"{sha[:32]}\n{sha[32:]}", mono=True)
    pdf.ln(2)

    _heading(pdf, "Nyilatkozat")
    pdf.set_font("DejaVu", "", 10.5)
    pdf.multi_cell(width, 5.3, opening(data), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.2)
    for number, statement in enumerate(declaration_text(data), start=1):
        y = pdf.get_y()
        pdf.cell(8, 5.3, f"{number}.")
        pdf.set_xy(pdf.l_margin + 8, y)
        pdf.multi_cell(width - 8, 5.3, statement, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.2)

    pdf.ln(2)
    pdf.set_font("DejaVu", "", 10.5)
    place = data.place or BLANK
    pdf.cell(
        width,
        6,
        f"Kelt: {place}, {hungarian_date(data.issued)}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    box = _signature_block(pdf, data)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(width, 4, VALIDITY, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.embed_file(
        bytes=payload(given),
        basename=ATTACHMENT_NAME,
        mime_type="application/json",
        desc="A nyilatkozat adatai géppel olvasható formában",
        modification_date=dt.datetime.combine(data.issued, dt.time(), dt.UTC),
    )
    page_height = pdf.h * PT_PER_MM
    x1, y1, x2, y2 = box  # mm from the top left → points from the bottom left
    rect = (
        x1 * PT_PER_MM,
        page_height - y2 * PT_PER_MM,
        x2 * PT_PER_MM,
        page_height - y1 * PT_PER_MM,
    )
    return add_signature_field(bytes(pdf.output()), rect)


def _signature_block(pdf: Any, data: DeclarationData) -> tuple[float, float, float, float]:
    """The signature block on the right: a framed field to sign in (electronically, or by hand
    on a printed copy), a line, the signer's name and position. Returns the field's box (mm)."""
    from fpdf.enums import XPos, YPos

    box_w, box_h = SIGNATURE_BOX_MM
    x = pdf.l_margin + pdf.epw - box_w
    pdf.ln(2)
    y = pdf.get_y()
    pdf.set_draw_color(160, 160, 160)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, box_w, box_h)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(150, 150, 150)
    pdf.set_xy(x, y + box_h - 4)
    pdf.cell(box_w, 3.5, "aláírás helye", align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(x, y + box_h + 1, x + box_w, y + box_h + 1)
    pdf.set_xy(x, y + box_h + 2)
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.cell(box_w, 4.5, data.signer_name or BLANK, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(box_w, 4.5, data.signer_position or BLANK, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.cell(
        box_w,
        4,
        "a szervezet vezetője vagy meghatalmazottja",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return x, y, x + box_w, y + box_h


def _heading(pdf: Any, text: str) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(pdf.epw, 6.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.5)


def _field(pdf: Any, label: str, value: str, *, mono: bool = False) -> None:
    from fpdf.enums import XPos, YPos

    label_w = 62
    y = pdf.get_y()
    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(label_w, 5.5, f"{label}:", new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_text_color(0, 0, 0)
    if mono:
        pdf.set_font("DejaVuMono", "", 10)
    else:
        pdf.set_font("DejaVu", "B", 10)
    pdf.set_xy(pdf.l_margin + label_w, y)
    pdf.multi_cell(pdf.epw - label_w, 5.5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), y + 5.5))
