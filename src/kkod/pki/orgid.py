"""Organisation identifiers as qualified certificates write them (ETSI EN 319 412-1) and as offices are registered.

A Hungarian qualified certificate names its organisation in ``organizationIdentifier`` as
type + country + ``-`` + number: ``VATHU-15000000`` (tax number), ``NTRHU-01-09-123456``
(company register), ``PSDHU-…``, ``LEIXG-…``, or a national scheme ``HU:XX-…``. An office may
be registered with the plain number (``15000000``, ``15000000-2-41``) or the same ETSI form.
Two identifiers are the same organisation when their numbers agree (a Hungarian tax number's
first eight digits, the *törzsszám*, decide) and, where both give one, their type and country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TYPES = {
    "VAT": "adószám (VAT)",
    "NTR": "cégjegyzék- vagy nyilvántartási szám (NTR)",
    "PSD": "pénzforgalmi szolgáltatói azonosító (PSD)",
    "LEI": "LEI-kód",
}

_ETSI = re.compile(r"^(?P<type>[A-Z]{3})(?P<country>[A-Z]{2})-(?P<number>.*)$")
_NATIONAL = re.compile(r"^(?P<country>[A-Z]{2}):(?P<type>[A-Z]{2})-(?P<number>.*)$")
_HU_TAX = re.compile(r"^(\d{8})(\d)(\d{2})$")


@dataclass(frozen=True, slots=True)
class OrganisationId:
    """An identifier split into its parts; ``number`` keeps only letters and digits, upper case."""

    raw: str
    type: str | None
    country: str | None
    number: str

    @property
    def core(self) -> str:
        """The number compared: a Hungarian tax number's törzsszám, else the whole number."""
        if self.type in (None, "VAT") and self.country in (None, "HU"):
            tax = _HU_TAX.match(self.number)
            if tax:
                return tax.group(1)
        return self.number


def parse_organisation_id(text: str) -> OrganisationId:
    """``VATHU-15000000`` → (VAT, HU, 15000000); ``15000000-2-41`` → (–, –, 15000000241)."""
    raw = " ".join(text.split())
    compact = re.sub(r"\s+", "", raw).upper()
    for pattern in (_ETSI, _NATIONAL):
        match = pattern.match(compact)
        if match:
            return OrganisationId(
                raw, match["type"], match["country"], re.sub(r"[^0-9A-Z]", "", match["number"])
            )
    return OrganisationId(raw, None, None, re.sub(r"[^0-9A-Z]", "", compact))


def same_organisation_id(a: str, b: str) -> bool:
    """Whether the two identifiers name the same organisation (see the module's docstring)."""
    return id_mismatch(a, b) is None


def id_mismatch(certificate_id: str, registered_id: str) -> str | None:
    """Which part of the certificate's identifier disagrees with the registered one (Hungarian), or ``None``."""
    cert = parse_organisation_id(certificate_id)
    office = parse_organisation_id(registered_id)
    where = (
        f"az aláíró tanúsítványában a szervezetazonosító (organizationIdentifier) „{cert.raw}”, "
        f"a hivatali kapu nyilvántartásában „{office.raw}”"
    )
    if cert.type and office.type and cert.type != office.type:
        return (
            f"{where}: az azonosító típusa eltér ({_type(cert.type)}, illetve {_type(office.type)})"
        )
    if cert.country and office.country and cert.country != office.country:
        return f"{where}: az ország eltér ({cert.country}, illetve {office.country})"
    if not cert.core or cert.core != office.core:
        return f"{where}: a szám eltér ({cert.core or 'üres'}, illetve {office.core or 'üres'})"
    return None


def _type(code: str) -> str:
    return TYPES.get(code, code)
