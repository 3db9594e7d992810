"""PAdES signing of a PDF with a signer certificate and key from a .p12 file (pyHanko)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign import fields, signers

from kkod.errors import KkodError
from kkod.pki.subject import CertificateSubject, certificate_subject

SIGNATURE_FIELD = "Munkaltatoi_alairas"
SIGNATURE_REASON = "Munkáltatói nyilatkozat kapcsolati kódok tömeges generálásához"


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
        raise KkodError(f"A(z) {p12.name} fájl nem PKCS#12 (.p12) tanúsítványfájl.")
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise KkodError(
            f"A(z) {p12.name} tanúsítványfájl nem nyitható meg: hibás jelszó."
        ) from None
    if key is None or cert is None:
        raise KkodError(f"A(z) {p12.name} fájlban nincs aláíró kulcs és tanúsítvány.")
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    except ValueError:
        signer = None
    if signer is None:  # pyHanko reports some failures by returning None
        raise KkodError(f"A(z) {p12.name} tanúsítványfájl nem használható aláírásra.")
    return signer


def signer_identity(p12: Path, passphrase: bytes) -> CertificateSubject:
    """Whom the certificate in ``p12`` names (CN, O, organizationIdentifier)."""
    return certificate_subject(load_signer(p12, passphrase).signing_cert)


def sign_pdf(pdf: bytes, p12: Path, passphrase: bytes) -> bytes:
    """Sign ``pdf`` PAdES (baseline B-B, SHA-256) in an invisible signature field; return the new bytes."""
    signer = load_signer(p12, passphrase)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfReadError, ValueError):
        raise KkodError("Az aláírandó fájl nem olvasható PDF.") from None
    field = _free_field_name(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=SIGNATURE_REASON,
        location="Magyarország",
    )
    out = signers.sign_pdf(
        writer,
        meta,
        signer=signer,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field),
    )
    return out.getvalue()


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
