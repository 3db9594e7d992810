"""Certificates in the shapes real signers have: a qualified provider's root and intermediate,
signers named in ETSI EN 319 412-1 form, and an AVDH-like seal; PDFs signed with a chosen chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write(self, path: Path) -> Path:
        path.write_bytes(self.pem())
        return path


def _name(cn: str, o: str | None = None, org_id: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "HU")]
    if o:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if org_id:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(parts)


def _issue(subject: x509.Name, issuer: Issued | None, *, ca: bool) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    cert = builder.sign((issuer or Issued(None, key)).key, hashes.SHA256())  # type: ignore[arg-type]
    return Issued(cert, key)


def root(cn: str) -> Issued:
    return _issue(_name(cn, "Teszt Bizalmi Szolgáltató Zrt."), None, ca=True)


def intermediate(parent: Issued, cn: str) -> Issued:
    return _issue(_name(cn, "Teszt Bizalmi Szolgáltató Zrt."), parent, ca=True)


def signer(parent: Issued, cn: str, o: str | None = None, org_id: str | None = None) -> Issued:
    return _issue(_name(cn, o, org_id), parent, ca=False)


def sign(pdf: bytes, leaf: Issued, embedded: list[Issued], *, person: str | None = None) -> bytes:
    """``pdf`` PAdES-signed by ``leaf``, embedding exactly the ``embedded`` certificates.

    ``person`` goes into the signature's ``/Name`` (how AVDH names whom it identified).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def asn1(issued: Issued) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(issued.cert.public_bytes(serialization.Encoding.DER))

    key = asn1_keys.PrivateKeyInfo.load(
        leaf.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pdf_signer = signers.SimpleSigner(
        signing_cert=asn1(leaf),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([asn1(c) for c in embedded]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Alairas",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=person,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    return signers.sign_pdf(writer, meta, signer=pdf_signer).getvalue()
