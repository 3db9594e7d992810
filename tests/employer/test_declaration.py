"""The "Munkáltatói nyilatkozat" PDF: Hungarian text, embedded fonts, fields read back from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from fpdf import FPDF
from openpyxl import load_workbook
from pypdf import PdfReader

from kkod.employer.declaration import (
    FONT_REGULAR,
    build_declaration_pdf,
    declaration_data_for_table,
    hungarian_date,
)
from kkod.errors import KkodError
from kkod.exchange.declaration import DeclarationData, read_declaration
from kkod.table.template import build_template

EMPLOYEES = [
    ("Kovács Béláné", "Szűcs Erzsébet", "Tőkés Ilona", "Budapest 11", "1968.04.23"),
    ("Őri Ünige", "Őri Ünige", "Fűzfa Gyöngyi", "Győr", "1990.12.01"),
    ("Nagy Dániel", "Nagy Dániel", "Horváth Éva", "Debrecen", "1985.03.12"),
]


def make_filled_table(path: Path, employees=EMPLOYEES) -> Path:
    """A template with ``employees`` typed into D, F, G, H, I (as an employer would)."""
    build_template(path, rows=len(employees) + 5)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for offset, (name, birth_name, mother, place, date) in enumerate(employees):
        row = 2 + offset
        for letter, value in zip("DFGHI", (name, birth_name, mother, place, date), strict=True):
            sheet[f"{letter}{row}"] = value
    workbook.save(path)
    return path


@pytest.fixture
def data() -> DeclarationData:
    return DeclarationData(
        organisation="Győri Tűzoltó-parancsnokság és Ügyfélszolgálat",
        short_name="GYORTUZ",
        krid="712345678",
        contact_name="Kőrösi Űrsula",
        contact_email="korosi.ursula@gyor.hu",
        rows=3,
        table_sha256=hashlib.sha256(b"tabla").hexdigest(),
        table_filename="kapcsolati_kod_adattablazat.xlsx",
        issued=dt.date(2024, 3, 5),
    )


def _pdf_text(pdf: bytes) -> str:
    """The text a reader extracts from the PDF (pypdf), as a copy-paste from a viewer gives it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_text_is_hungarian_with_every_field(data):
    text = _pdf_text(build_declaration_pdf(data))
    squashed = " ".join(text.split())
    assert "Munkáltatói nyilatkozat" in squashed
    assert "kapcsolati kódok tömeges generálásához" in squashed
    assert "Győri Tűzoltó-parancsnokság és Ügyfélszolgálat" in squashed  # ő, ű, Ü intact
    assert "Kőrösi Űrsula" in squashed
    assert "korosi.ursula@gyor.hu" in squashed
    assert "GYORTUZ" in squashed and "712345678" in squashed
    assert "kapcsolati_kod_adattablazat.xlsx" in squashed
    assert "Adatsorok száma: 3" in squashed
    assert data.table_sha256[:32] in text and data.table_sha256[32:] in text
    assert "2024. március 5." in squashed
    assert "saját nyilatkozatával egyeztettük" in squashed  # seed step 1
    assert "tömegesen generálják" in squashed
    assert "jogszerűen kezeljük" in squashed
    assert "vezetője vagy meghatalmazottja" in squashed


def test_pdf_is_one_a4_page_with_dejavu_embedded(data):
    reader = PdfReader(io.BytesIO(build_declaration_pdf(data)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == (595.28, 841.89)  # A4
    fonts = {
        "/" + str(font["/BaseFont"]).split("+")[-1]: font
        for font in (ref.get_object() for ref in reader.pages[0]["/Resources"]["/Font"].values())
    }
    assert set(fonts) == {"/DejaVuSansBook", "/DejaVuSansBold", "/DejaVuSansMonoBook"}
    for font in fonts.values():  # every font embedded (a Type0 font via its descendant)
        described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        assert "/FontFile2" in described["/FontDescriptor"].get_object()


def test_fields_read_back_equal(data):
    assert read_declaration(build_declaration_pdf(data)) == data


def test_a_pdf_that_is_not_a_declaration_is_a_hungarian_error():
    other = FPDF()
    other.add_page()
    other.add_font("DejaVu", "", str(FONT_REGULAR))
    other.set_font("DejaVu", size=12)
    other.cell(text="Munkáltatói nyilatkozat (kézzel írt)")
    with pytest.raises(KkodError, match="nem a kkod által készített"):
        read_declaration(bytes(other.output()))


def test_garbage_is_not_a_pdf():
    with pytest.raises(KkodError, match="nem olvasható PDF"):
        read_declaration(b"\x00\x01 ez nem pdf")


def test_bad_checksum_cannot_be_declared(data):
    with pytest.raises(KkodError, match="SHA-256"):
        build_declaration_pdf(dataclasses.replace(data, table_sha256="abc"))


def test_empty_field_cannot_be_declared(data):
    with pytest.raises(KkodError, match="KRID"):
        build_declaration_pdf(dataclasses.replace(data, krid="  "))


def test_data_for_table_counts_rows_and_hashes_the_file(tmp_path):
    table = make_filled_table(tmp_path / "kapcsolati_kodok.xlsx")
    data = declaration_data_for_table(
        table,
        organisation=" Pécsi Tudományegyetem ",
        short_name="PTE",
        krid="100200300",
        contact_name="Szűts Ödön",
        contact_email="szuts.odon@pte.hu",
    )
    assert data.rows == len(EMPLOYEES)
    assert data.table_sha256 == hashlib.sha256(table.read_bytes()).hexdigest()
    assert data.table_filename == "kapcsolati_kodok.xlsx"
    assert data.organisation == "Pécsi Tudományegyetem"
    assert data.issued == dt.date.today()


def test_data_for_a_file_that_is_not_the_table_fails(tmp_path):
    bogus = tmp_path / "tabla.xlsx"
    bogus.write_bytes(b"nem xlsx")
    with pytest.raises(KkodError):
        declaration_data_for_table(
            bogus,
            organisation="Pécsi Tudományegyetem",
            short_name="PTE",
            krid="100200300",
            contact_name="Szűts Ödön",
            contact_email="szuts.odon@pte.hu",
        )


@pytest.mark.parametrize(
    ("day", "text"),
    [(dt.date(2024, 1, 9), "2024. január 9."), (dt.date(1999, 12, 31), "1999. december 31.")],
)
def test_hungarian_date(day, text):
    assert hungarian_date(day) == text
