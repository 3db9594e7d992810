"""A demo certificate authority and signer certificates (.p12) for signing declarations.

For demos and tests only: a real employer signs with a certificate from a trusted provider.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from kkod.atomic import atomic_write_bytes
from kkod.errors import KkodError

DEFAULT_CA_NAME = "kkod bemutató CA"
DEMO_PASSPHRASE = b"kkod-demo"
CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca.key"
SIGNER_FILE = "signer.p12"
_KEY_BITS = 2048


@dataclass(frozen=True, slots=True)
class DemoPki:
    """The files of a demo PKI: the CA certificate and key, and one signer's .p12."""

    ca_cert: Path
    ca_key: Path
    signer_p12: Path
    passphrase: bytes


def make_demo_ca(
    folder: Path,
    *,
    organisation: str,
    organisation_id: str,
    signer_name: str,
    passphrase: bytes,
    ca_name: str = DEFAULT_CA_NAME,
) -> DemoPki:
    """Create ``ca.pem``, ``ca.key`` (encrypted with ``passphrase``) and ``signer.p12`` in ``folder``."""
    _check_names({"szervezet neve": organisation, "azonosító": organisation_id})
    _check_names({"aláíró neve": signer_name}, longest=_MAX_COMMON_NAME)
    folder = Path(folder)
    now = _now()
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "HU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ca_name),
            x509.NameAttribute(NameOID.COMMON_NAME, ca_name),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    ca_cert = atomic_write_bytes(
        folder / CA_CERT_FILE, cert.public_bytes(serialization.Encoding.PEM)
    )
    ca_key = atomic_write_bytes(
        folder / CA_KEY_FILE,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        ),
    )
    signer = make_signer(
        folder,
        (ca_cert, ca_key),
        organisation=organisation,
        organisation_id=organisation_id,
        signer_name=signer_name,
        passphrase=passphrase,
        ca_passphrase=passphrase,
    )
    return DemoPki(ca_cert=ca_cert, ca_key=ca_key, signer_p12=signer, passphrase=passphrase)


def make_signer(
    folder: Path,
    ca: DemoPki | tuple[Path, Path],
    *,
    organisation: str,
    organisation_id: str | None,
    signer_name: str,
    passphrase: bytes,
    filename: str = SIGNER_FILE,
    ca_passphrase: bytes | None = None,
    for_signing: bool = True,
    valid_from: dt.datetime | None = None,
    valid_days: int = 730,
) -> Path:
    """Issue a signer certificate from ``ca`` and write it with its key as ``folder/filename`` (.p12).

    The subject carries CN = ``signer_name``, O = ``organisation`` and, when given,
    organizationIdentifier (2.5.4.97) = ``organisation_id``. ``for_signing=False`` gives a
    certificate whose key usage is encipherment only (for tests of the key-usage policy);
    ``valid_from``/``valid_days`` allow expired or not-yet-valid certificates.
    """
    if isinstance(ca, DemoPki):
        ca_cert_path, ca_key_path = ca.ca_cert, ca.ca_key
        ca_passphrase = ca.passphrase if ca_passphrase is None else ca_passphrase
    else:
        ca_cert_path, ca_key_path = ca
        ca_passphrase = passphrase if ca_passphrase is None else ca_passphrase
    ca_cert = x509.load_pem_x509_certificate(Path(ca_cert_path).read_bytes())
    try:
        ca_key = serialization.load_pem_private_key(Path(ca_key_path).read_bytes(), ca_passphrase)
    except (ValueError, TypeError):
        raise KkodError(
            f"A CA kulcsa ({Path(ca_key_path).name}) nem nyitható meg: hibás jelszó vagy sérült fájl."
        ) from None

    start = valid_from or (_now() - dt.timedelta(minutes=5))
    key = _new_key()
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "HU"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if organisation_id:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organisation_id))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, signer_name))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=for_signing,
                content_commitment=for_signing,
                key_encipherment=not for_signing,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )
    data = pkcs12.serialize_key_and_certificates(
        signer_name.encode("utf-8"), key, cert, [ca_cert], encryption
    )
    return atomic_write_bytes(Path(folder) / filename, data)


# RFC 5280's ub-common-name, which the certificate library enforces: 64 characters.
_MAX_COMMON_NAME = 64


def _check_names(names: dict[str, str], longest: int | None = None) -> None:
    """Refuse, before anything is written, a name a certificate cannot hold."""
    for what, value in names.items():
        if not value.strip():
            raise KkodError(f"A tanúsítványba írandó {what} üres.")
        if longest is not None and len(value) > longest:
            raise KkodError(
                f"A tanúsítványba írandó {what} {len(value)} karakter; ez a mező legfeljebb "
                f"{longest} karakter lehet (RFC 5280). Adjon meg rövidebbet."
            )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
