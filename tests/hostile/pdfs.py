"""Hostile declaration PDFs, made when the tests run (none is committed): each a realistic attack
or office accident, with the Hungarian words kkod's refusal must contain."""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HostilePdf:
    name: str
    make: Callable[[bytes, Callable[[bytes], bytes]], bytes]  # (signed declaration, sign) → bytes
    says: str  # what the refusal names
    verify_says: str | None = None  # what `kkod pki verify` says, where it differs


def _raw_pdf(*objects: bytes, root: int = 1, extra_trailer: bytes = b"") -> bytes:
    """A PDF of ``objects`` (numbered from 1) with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, extra_trailer, xref)
    )
    return out.getvalue()


def _page_objects(content: bytes = b"BT /F1 12 Tf 72 720 Td (Nyilatkozat) Tj ET") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]


def _flate_stream(dictionary: bytes, chunks: int, chunk: bytes) -> bytes:
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(chunk) for _ in range(chunks)) + compressor.flush()
    return (
        b"<< %s /Filter /FlateDecode /Length %d >>\nstream\n" % (dictionary, len(body))
        + body
        + b"\nendstream"
    )


def not_a_pdf(signed, sign):
    return b"\x89PNG\r\n\x1a\n" + bytes(2000)


def empty(signed, sign):
    return b""


def truncated(signed, sign):
    return signed[: len(signed) // 2]


def garbage_after_header(signed, sign):
    return b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def encrypted(signed, sign):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(signed)))
    writer.encrypt(user_password="titok", owner_password="titok")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_javascript(signed, sign):
    objects = _page_objects()
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>"
    objects.append(b"<< /S /JavaScript /JS (app.alert('Kapcsolati kodok');) >>")
    return _raw_pdf(*objects)


def deep_nesting(signed, sign):
    objects = _page_objects()
    objects.append(b"[" * 100_000 + b"]" * 100_000)
    return _raw_pdf(*objects)


def pdf_bomb(signed, sign):
    objects = _page_objects()
    objects[3] = _flate_stream(b"", 4096, bytes(65536))  # 256 MiB of zeros, ~250 KiB compressed
    return _raw_pdf(*objects)


def huge_object_stream(signed, sign):
    objects = _page_objects()
    objects.append(_flate_stream(b"/Type /ObjStm /N 1 /First 4", 2048, b"0 0 " * 16384))
    return _raw_pdf(*objects)


def reference_cycle(signed, sign):
    return _raw_pdf(b"2 0 R", b"1 0 R")


def tampered_after_signing(signed, sign):
    position = signed.index(b"/Creator (") + len(b"/Creator (")
    return signed[:position] + b"X" + signed[position + 1 :]


def modified_after_signing(signed, sign):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    contents = generic.StreamObject(stream_data=b"BT /F1 30 Tf 72 400 Td (Sorok: 9999) Tj ET")
    page["/Contents"] = writer.add_object(contents)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def nested_payload(signed, sign):
    """A correctly signed PDF whose embedded kkod payload nests 200,000 arrays."""
    from fpdf import FPDF

    payload = b"[" * 200_000 + b"]" * 200_000
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Munkaltatoi nyilatkozat")
    pdf.embed_file(basename="kkod-nyilatkozat.json", bytes=payload, compress=True)
    return sign(bytes(pdf.output()))


def oversized(signed, sign):
    objects = _page_objects()
    objects.append(b"(" + b"x" * 3_000_000 + b")")
    return _raw_pdf(*objects)


def json_with_wrong_types(signed, sign):
    from fpdf import FPDF

    payload = json.dumps({"format": "kkod-munkaltatoi-nyilatkozat", "version": 1, "rows": "sok"})
    pdf = FPDF()
    pdf.add_page()
    pdf.embed_file(basename="kkod-nyilatkozat.json", bytes=payload.encode(), compress=True)
    return sign(bytes(pdf.output()))


CASES = [
    HostilePdf("nem_pdf", not_a_pdf, "kép"),
    HostilePdf("ures", empty, "üres"),
    HostilePdf("csonka", truncated, "csonka"),
    HostilePdf("szemet_a_fejlec_utan", garbage_after_header, "nem olvasható"),
    HostilePdf("titkositott", encrypted, "jelszóval védett"),
    HostilePdf("javascript", with_javascript, "JavaScript"),
    HostilePdf("melyen_egymasba_agyazott", deep_nesting, "egymásba"),
    HostilePdf("pdf_bomba", pdf_bomb, "PDF-bomba"),
    HostilePdf("hatalmas_objektumfolyam", huge_object_stream, "PDF-bomba"),
    HostilePdf("korbehivatkozas", reference_cycle, "nem dolgozható fel"),
    HostilePdf("alairas_utan_atirt_bajt", tampered_after_signing, "sérült"),
    HostilePdf("alairas_utan_modositott", modified_after_signing, "módosították"),
    HostilePdf("melyen_egymasba_agyazott_adatmelleklet", nested_payload, "rendellenesen mély"),
    HostilePdf("tul_nagy", oversized, "túl nagy"),
    HostilePdf("hibas_adatmelleklet", json_with_wrong_types, "nem olvashatók ki", "nem a kkod"),
]
