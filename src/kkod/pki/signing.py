"""PAdES signing of a PDF with a signer certificate and key from a .p12 file (pyHanko).

A document may carry an empty, visible signature field (the declaration has one in its
signature block, :func:`add_signature_field`): the signature goes there, with a stamp naming
the signer and the time. Otherwise it goes into a new, invisible field.
"""

from __future__ import annotations

import datetime as dt
import functools
from io import BytesIO
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign import fields, signers

from kkod.errors import KkodError
from kkod.hungarian import article
from kkod.pki.subject import CertificateSubject, certificate_subject
from kkod.visible import visible

SIGNATURE_FIELD = "Munkaltatoi_alairas"
SIGNATURE_REASON = "Munkáltatói nyilatkozat kapcsolati kódok tömeges generálásához"
STAMP_ZONE = "Europe/Budapest"


def load_signer(p12: Path, passphrase: bytes) -> signers.SimpleSigner:
    """Load the signing key and certificate (with its chain) from ``p12``.

    Raises :class:`KkodError` in Hungarian when the file is missing, is not a PKCS#12 file,
    the passphrase is wrong, or it holds no key and certificate.
    """
    p12 = Path(p12)
    try:
        data = p12.read_bytes()
    except OSError:
        raise KkodError(f"Az aláíró tanúsítványfájl nem olvasható: {p12.name}.") from None
    if not _looks_like_pkcs12(data):
        raise KkodError(
            f"{article(p12.name).capitalize()} {p12.name} fájl nem PKCS#12 (.p12) tanúsítványfájl."
        )
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise KkodError(
            f"{article(p12.name).capitalize()} {p12.name} tanúsítványfájl nem nyitható meg: hibás jelszó."
        ) from None
    if key is None or cert is None:
        raise KkodError(
            f"{article(p12.name).capitalize()} {p12.name} fájlban nincs aláíró kulcs és tanúsítvány."
        )
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    except ValueError:
        signer = None
    if signer is None:  # pyHanko reports some failures by returning None
        raise KkodError(
            f"{article(p12.name).capitalize()} {p12.name} tanúsítványfájl nem használható aláírásra."
        )
    return signer


def signer_identity(p12: Path, passphrase: bytes) -> CertificateSubject:
    """Whom the certificate in ``p12`` names (CN, O, organizationIdentifier)."""
    return certificate_subject(load_signer(p12, passphrase).signing_cert)


def sign_pdf(pdf: bytes, p12: Path, passphrase: bytes) -> bytes:
    """Sign ``pdf`` PAdES (baseline B-B, SHA-256) and return the new bytes: into the document's
    empty signature field with a visible stamp, or into a new invisible field."""
    signer = load_signer(p12, passphrase)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfReadError, ValueError):
        raise KkodError("Az aláírandó fájl nem olvasható PDF.") from None
    field = _free_field_name(writer)
    box = _empty_field_box(writer, field)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=SIGNATURE_REASON,
        location="Magyarország",
    )
    stamp = None
    if box is not None and box[2] > box[0] and box[3] > box[1]:
        from pyhanko.stamp import StaticStampStyle

        page = stamp_page(
            certificate_subject(signer.signing_cert), box[2] - box[0], box[3] - box[1]
        )
        from pyhanko.pdf_utils import layout

        whole_field = layout.SimpleBoxLayoutRule(  # the face is made to the field's size
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID
        )
        stamp = StaticStampStyle(
            background=_PdfPage(page), border_width=0, background_layout=whole_field
        )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=stamp,
        new_field_spec=None if box is not None else fields.SigFieldSpec(sig_field_name=field),
    )
    return pdf_signer.sign_pdf(writer).getvalue()


def add_signature_field(pdf: bytes, box: tuple[float, float, float, float], page: int = 0) -> bytes:
    """``pdf`` with an empty signature field :data:`SIGNATURE_FIELD` at ``box`` (PDF points,
    ``x1, y1, x2, y2`` from the bottom left) on ``page``: where :func:`sign_pdf` signs."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    fields.append_signature_field(
        writer, fields.SigFieldSpec(sig_field_name=SIGNATURE_FIELD, on_page=page, box=box)
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_page(who: CertificateSubject, width: float, height: float) -> bytes:
    """The visible signature's face (one PDF page of ``width`` × ``height`` points, opaque so it
    covers what the field's place shows unsigned): who signed, for which organisation, when
    (Budapest time, to the minute). Drawn with an embedded DejaVu font; a line too long is
    shortened."""
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(ZoneInfo(STAMP_ZONE))
    lines = (
        ("", "Elektronikusan aláírta (PAdES):"),
        ("B", who.name or "—"),
        ("", who.organisation or ""),
        ("", who.organisation_id or ""),
        ("", f"{now:%Y.%m.%d. %H:%M} ({now:%Z})"),
    )
    # A certificate's names are outside text: hidden characters as tags, never raw in the PDF.
    return _face(tuple((style, visible(text)) for style, text in lines if text), width, height)


@functools.lru_cache(maxsize=16)  # embedding the font is most of the work: reuse a face
def _face(lines: tuple[tuple[str, str], ...], width: float, height: float) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from kkod import fonts

    face = FPDF(unit="pt", format=(width, height))
    face.set_margins(5, 3, 5)
    face.set_auto_page_break(False)
    face.add_page()
    face.add_font("DejaVu", "", str(fonts.REGULAR))
    face.add_font("DejaVu", "B", str(fonts.BOLD))
    face.set_fill_color(255, 255, 255)
    face.set_draw_color(60, 90, 140)
    face.rect(0.5, 0.5, width - 1, height - 1, style="DF")
    size = max(5.0, min(8.5, (height - 6) / (len(lines) * 1.2)))
    step = size * 1.2
    face.set_y(max(3.0, (height - step * len(lines)) / 2))
    for style, text in lines:
        face.set_font("DejaVu", style, size)
        while len(text) > 4 and face.get_string_width(text) > face.epw:
            text = text[:-2].rstrip() + "…"
        face.cell(face.epw, step, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(face.output())


class _PdfPage(content.PdfContent):
    """The first page of a PDF given as bytes, as stamp content (pyHanko's own
    ``ImportedPdfPage`` reads it from a file)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        from pyhanko.pdf_utils.layout import BoxConstraints
        from pyhanko.pdf_utils.reader import PdfFileReader

        page = self._ensure_writer.import_page_as_xobject(PdfFileReader(BytesIO(self.data)), 0)
        self.resources.xobject["/KkodStamp"] = page
        x1, y1, x2, y2 = page.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/KkodStamp Do"


def _empty_field_box(
    writer: IncrementalPdfFileWriter, name: str
) -> tuple[float, float, float, float] | None:
    """The rectangle of the document's empty signature field ``name``; ``None`` when there is
    no such field (an invisible one gets a zero-area rectangle)."""
    for found, value, ref in fields.enumerate_sig_fields(writer.prev):
        if found == name and value is None:
            field = ref.get_object()
            rect = field.get("/Rect")
            if rect is None and "/Kids" in field:
                rect = field["/Kids"][0].get_object().get("/Rect")
            return tuple(float(v) for v in rect) if rect is not None else (0, 0, 0, 0)
    return None


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    """``Munkaltatoi_alairas``, or ``…_2``, ``…_3`` when earlier signatures already fill it."""
    taken = {
        name for name, value, _ref in fields.enumerate_sig_fields(writer.prev) if value is not None
    }
    name, number = SIGNATURE_FIELD, 1
    while name in taken:
        number += 1
        name = f"{SIGNATURE_FIELD}_{number}"
    return name


def _looks_like_pkcs12(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3"
    except (ValueError, TypeError, KeyError):
        return False
