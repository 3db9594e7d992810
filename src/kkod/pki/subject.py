"""Who a certificate names: the signer's CN, organisation (O) and organizationIdentifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CertificateSubject:
    """The parts of a certificate's subject that decide organisation membership."""

    name: str | None  # CN
    organisation: str | None  # O
    organisation_id: str | None  # organizationIdentifier, OID 2.5.4.97, e.g. "VATHU-15714514"


def certificate_subject(cert: Any) -> CertificateSubject:
    """The subject of an ``asn1crypto.x509.Certificate``."""
    subject = cert.subject.native
    return CertificateSubject(
        name=_first(subject.get("common_name")),
        organisation=_first(subject.get("organization_name")),
        organisation_id=_first(subject.get("organization_identifier")),
    )


def _first(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if value is None else str(value)
