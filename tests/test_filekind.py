"""kkod.filekind: one detection, from the content, for every place that receives files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kkod.filekind import Kind, sniff

FIXTURES = Path(__file__).parent / "table" / "fixtures"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


OWNER_FILE = bytes([9]) + b"Kiss Anna" + b" " * 44 + bytes(111)  # Excel's 165-byte lock file


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"", "tabla.xlsx", Kind.EMPTY),
        ((FIXTURES / "lo_filled.xls").read_bytes(), "tabla.xlsx", Kind.XLS),
        ((FIXTURES / "lo_filled.ods").read_bytes(), "tabla.xlsx", Kind.ODS),
        ((FIXTURES / "lo_filled.xlsx").read_bytes(), "tabla.xlsx", Kind.XLSX),
        (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"x"}), "t.xlsx", Kind.XLSB),
        (_zip({"adatok.csv": b"a;b"}), "tabla.xlsx", Kind.ZIP),
        (OWNER_FILE, "masolat.xlsx", Kind.EXCEL_LOCK),
        (b"junk\n%PDF-1.7\n", "tabla.xlsx", Kind.PDF),
        ("Viselt név;Anyja neve\n".encode("utf-16-le"), "t.csv", Kind.TEXT),
        ("Viselt név;Anyja neve\n".encode("cp1250"), "t.csv", Kind.TEXT),
        (b"\x00\x01 garbage" * 50, "tabla.xlsx", Kind.BINARY),
        (b"<!-- export -->\n<table><tr><td>Kiss</td></tr></table>", "t.xls", Kind.HTML),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "tabla.xlsx", Kind.IMAGE),
        (b"From: a@b.hu\r\nSubject: x\r\n\r\nbody", "level.eml", Kind.EMAIL),
    ],
)
def test_what_a_file_is_comes_from_its_content(data, name, kind):
    assert sniff(data, name) is kind


def test_an_opendocument_mimetype_member_is_never_inflated_whole():
    """A hostile ``mimetype`` member of 64 MiB of zeros: only its first bytes are read."""
    bomb = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet" + bytes(64 << 20)})
    assert len(bomb) < 1 << 20
    assert sniff(bomb, "tabla.ods") is Kind.ODS


@pytest.mark.parametrize(
    ("head", "named"),
    [(b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff\xe0", "JPEG"), (b"II*\x00", "TIFF")],
)
def test_a_picture_is_named_by_its_format(head, named):
    from kkod.filekind import image_format

    assert sniff(head + bytes(40), "tabla.xlsx") is Kind.IMAGE
    assert image_format(head + bytes(40)) == named
