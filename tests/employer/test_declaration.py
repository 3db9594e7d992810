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
        seat="9021 Győr, Kossuth Lajos utca 7.",
        organisation_id="VATHU-15000000",
        signer_name="Szőke Örs",
        signer_position="parancsnok",
        place="Győr",
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
    assert "Kelt: Győr, 2024. március 5." in squashed
    assert "Alulírott Szőke Örs (parancsnok), a Győri Tűzoltó-parancsnokság" in squashed
    assert "Székhelye: 9021 Győr, Kossuth Lajos utca 7." in squashed
    assert "Azonosítója: VATHU-15000000" in squashed
    assert "saját nyilatkozatával egyeztettük" in squashed  # seed step 1
    assert "tömegesen generálják" in squashed
    assert "jogszerűen kezeljük" in squashed
    assert "vezetője vagy meghatalmazottja" in squashed
    # valid with a PAdES signature, AVDH, or by hand (checked by the ministry)
    assert "elektronikus (PAdES) aláírással" in squashed and "AVDH" in squashed
    assert "saját kezű aláírással" in squashed and "aláírás ellenőrzésre vár" in squashed


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


def test_a_version_1_declaration_is_still_read(data):
    import json

    from kkod.exchange.declaration import FORMAT_VERSION, payload

    old = json.loads(payload(data))
    for name in ("seat", "organisation_id", "signer_name", "signer_position", "place"):
        del old[name]
    old["version"] = 1
    pdf = FPDF()
    pdf.add_page()
    pdf.embed_file(bytes=json.dumps(old).encode(), basename="kkod-nyilatkozat.json")
    read = read_declaration(bytes(pdf.output()))
    assert FORMAT_VERSION == 2
    assert read == dataclasses.replace(
        data, seat="", organisation_id="", signer_name="", signer_position="", place=""
    )


def test_fields_not_given_are_lines_to_fill_by_hand(data):
    blank = dataclasses.replace(data, signer_name="", signer_position="", place="", seat="")
    text = " ".join(_pdf_text(build_declaration_pdf(blank)).split())
    assert "Alulírott …………" in text and "Kelt: …………" in text and "Székhelye: …………" in text


def test_the_signature_goes_into_the_visible_field_of_the_signature_block(data, tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    from kkod.pki.demo_ca import make_demo_ca
    from kkod.pki.signing import SIGNATURE_FIELD, sign_pdf
    from kkod.pki.verify import verify_declaration_signature

    unsigned = build_declaration_pdf(data)
    [(name, value, ref)] = list(enumerate_sig_fields(PdfFileReader(io.BytesIO(unsigned))))
    rect = [float(v) for v in ref.get_object()["/Rect"]]
    assert name == SIGNATURE_FIELD and value is None
    assert rect[2] - rect[0] > 150 and rect[3] - rect[1] > 40  # visible, a place to sign in
    assert rect[1] > 100  # on the page, in the lower half
    pki = make_demo_ca(tmp_path, organisation=data.organisation, organisation_id="VATHU-15000000",
                       signer_name="Szőke Örs", passphrase=b"jelszo")  # fmt: skip
    signed = sign_pdf(unsigned, pki.signer_p12, b"jelszo")
    [(name, value, ref)] = list(enumerate_sig_fields(PdfFileReader(io.BytesIO(signed))))
    assert name == SIGNATURE_FIELD and value is not None
    assert [float(v) for v in ref.get_object()["/Rect"]] == rect
    assert verify_declaration_signature(signed, [pki.ca_cert]).ok
    assert read_declaration(signed) == data
    page = PdfReader(io.BytesIO(signed)).pages[0]
    widget = next(a.get_object() for a in page["/Annots"] if a.get_object().get("/T") == name)
    assert "/AP" in widget  # drawn: the stamp names the signer


def test_the_stamp_names_the_signer_in_hungarian(tmp_path):
    from kkod.pki.signing import stamp_page
    from kkod.pki.subject import CertificateSubject

    face = stamp_page(
        CertificateSubject("Szőke Örs", "Győri Tűzoltó-parancsnokság", "VATHU-15000000"), 210, 57
    )
    text = " ".join(_pdf_text(face).split())
    assert "Elektronikusan aláírta" in text and "Szőke Örs" in text and "VATHU-15000000" in text


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


def test_an_empty_table_gets_no_declaration(tmp_path):
    from kkod.employer.submit import EmptyTable

    empty = build_template(tmp_path / "ures.xlsx", rows=10)
    with pytest.raises(EmptyTable) as refused:
        declaration_data_for_table(
            empty,
            organisation="Pécsi Tudományegyetem",
            short_name="PTE",
            krid="100200300",
            contact_name="Szűts Ödön",
            contact_email="szuts.odon@pte.hu",
        )
    assert refused.value.exit_code == 2


@pytest.mark.parametrize(
    ("word", "article_"), [("Országos Kórház", "az"), ("Pécsi Egyetem", "a"), ("Ügyészség", "az")]
)
def test_the_article_fits_the_name(word, article_):
    from kkod.employer.declaration import article

    assert article(word) == article_


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
