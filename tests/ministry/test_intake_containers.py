"""Files inside containers (winmail.dat, zip, a forwarded message) are unwrapped within limits;
a container kkod cannot use (e-Szignó .es3) is named with what to send instead; a refusal names
what a file really is, from its content."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment
from kkod.ministry.intake import ingest
from kkod.ministry.models import RequestStatus
from tests.mail.tnef import winmail_dat

from .conftest import SENDER

OCTET = "application/octet-stream"


def _ingest(world, raw):
    return ingest(
        raw, SENDER, store=world.store, central=world.central, settings=world.settings
    ).request


def _zip(files: dict[str, bytes], *, utf8_names: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name if utf8_names else name.encode("cp852").decode("cp437"))
            if not utf8_names:
                info.flag_bits &= ~0x800
            archive.writestr(info, data)
    return buffer.getvalue()


def _files(world) -> dict[str, bytes]:
    return {
        "kapcsolati kód táblázat.xlsx": world.table.read_bytes(),
        "munkáltatói nyilatkozat.pdf": world.declaration(),
    }


def test_outlook_winmail_dat_is_unwrapped(world):
    dat = winmail_dat(list(_files(world).items()))
    request = _ingest(
        world, world.email(attachments=[Attachment("winmail.dat", "application/ms-tnef", dat)])
    )
    assert request.status == RequestStatus.BEERKEZETT, request.reason
    assert request.table_filename == "kapcsolati kód táblázat.xlsx"


@pytest.mark.parametrize("utf8_names", [True, False])
def test_a_zip_holding_the_two_files_is_unwrapped(world, utf8_names):
    archive = _zip(_files(world), utf8_names=utf8_names)
    request = _ingest(world, world.email(attachments=[Attachment("kerelem.zip", OCTET, archive)]))
    assert request.status == RequestStatus.BEERKEZETT, request.reason
    assert request.declaration_filename == "munkáltatói nyilatkozat.pdf"  # cp852 names read right


def test_a_forwarded_request_is_unwrapped(world):
    inner = world.email(message_id="<eredeti@pelda-kormanyhivatal.hu>")
    forward = (
        (
            f"From: {SENDER}\r\nTo: ehr@bm.gov.hu\r\n"
            "Subject: =?UTF-8?Q?Fwd=3A_P=C3=A9lda_Megyei_Korm=C3=A1nyhivatal_kapcsolati_k=C3=B3dok?=\r\n"
            "Message-ID: <tovabbitva@pelda-kormanyhivatal.hu>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="F"\r\n\r\n'
            "--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTovábbítom.\r\n"
            '--F\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="e.eml"'
            "\r\n\r\n"
        ).encode()
        + inner
        + b"\r\n--F--\r\n"
    )
    request = _ingest(world, forward)
    assert request.status == RequestStatus.BEERKEZETT, request.reason


def test_an_es3_dossier_is_named_with_how_to_send_instead(world):
    es3 = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<es:Dossier xmlns:es="https://www.microsec.hu/ds/e-szigno30#">'
        b"<es:DossierProfile/></es:Dossier>"
    )
    attachments = [
        Attachment("tabla.xlsx", XLSX_TYPE, world.table.read_bytes()),
        Attachment("nyilatkozat.es3", OCTET, es3),
    ]
    request = _ingest(world, world.email(attachments=attachments))
    assert request.status == RequestStatus.ELUTASITVA
    assert "„nyilatkozat.es3” e-Szignó aktatáska" in request.reason
    assert "PAdES" in request.reason and "PDF" in request.reason


@pytest.mark.parametrize(
    ("limits", "words"),
    [({"container_max_files": 1}, "túl sok fájl"), ({"container_max_bytes": 1000}, "túl nagy")],
)
def test_containers_are_opened_only_within_the_limits(world, limits, words):
    world.settings = world.settings.model_copy(update=limits)
    archive = _zip(_files(world))
    request = _ingest(world, world.email(attachments=[Attachment("kerelem.zip", OCTET, archive)]))
    assert request.status == RequestStatus.ELUTASITVA
    assert words in request.reason and "kerelem.zip" in request.reason


def test_a_zip_bomb_lying_about_its_size_is_refused(world):
    archive = bytearray(_zip({"tabla.xlsx": b"0" * 2_000_000, "b.pdf": b"%PDF-1.7"}))
    # shrink the declared size of the first member in the central directory to 10 bytes
    central = archive.rfind(b"PK\x01\x02", 0, archive.rfind(b"PK\x01\x02"))
    archive[central + 24 : central + 28] = (10).to_bytes(4, "little")
    request = _ingest(world, world.email(attachments=[Attachment("b.zip", OCTET, bytes(archive))]))
    assert request.status == RequestStatus.ELUTASITVA
    assert "b.zip" in request.reason


def test_a_password_protected_zip_is_refused(world):
    archive = bytearray(_zip(_files(world)))
    archive[6] |= 0x01  # the local header's encryption flag …
    position = archive.find(b"PK\x01\x02")
    while position >= 0:  # … and every central directory entry's
        archive[position + 8] |= 0x01
        position = archive.find(b"PK\x01\x02", position + 4)
    request = _ingest(world, world.email(attachments=[Attachment("k.zip", OCTET, bytes(archive))]))
    assert "jelszóval védett" in request.reason


# A real Excel 97-2003 workbook (saved by LibreOffice), as an officer attaches it.
LEGACY_XLS = (Path(__file__).parents[1] / "table" / "fixtures" / "lo_filled.xls").read_bytes()


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (LEGACY_XLS, "régi formátumú Excel-munkafüzet (.xls)"),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF", "PDF-dokumentum"),
        (b"<html><body><table><tr><td>Kiss Anna</td></tr></table></body></html>", "HTML-oldal"),
        ("Viselt név;Születési név\nKiss Anna;Nagy Anna\n".encode(), "szöveg vagy CSV"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
            "Excel 2003 XML-táblázat",
        ),
    ],
)
def test_a_refusal_names_what_the_table_really_is(world, data, named):
    attachments = [
        Attachment("tabla.xlsx", XLSX_TYPE, data),
        Attachment("nyilatkozat.pdf", PDF_TYPE, world.declaration()),
    ]
    request = _ingest(world, world.email(attachments=attachments))
    assert request.status == RequestStatus.ELUTASITVA
    assert f"„tabla.xlsx” valójában {named}" in request.reason, request.reason
