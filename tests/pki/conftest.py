"""Fixtures for the PKI tests: a demo CA with signers, and a declaration PDF to sign."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from kkod.employer.declaration import build_declaration_pdf
from kkod.exchange.declaration import DeclarationData
from kkod.pki.demo_ca import DemoPki, make_demo_ca

PASSPHRASE = "Tűzőgép-2024".encode()
ORGANISATION = "Győr-Moson-Sopron Vármegyei Kormányhivatal"
ORGANISATION_ID = "VATHU-15789428"


@dataclass(frozen=True)
class Pkis:
    """Our trusted demo CA, and a second CA nobody trusts."""

    trusted: DemoPki
    untrusted: DemoPki
    folder: Path
    organisation: str = ORGANISATION
    organisation_id: str = ORGANISATION_ID
    passphrase: bytes = PASSPHRASE


@pytest.fixture(scope="session")
def pkis(tmp_path_factory) -> Pkis:
    folder = tmp_path_factory.mktemp("pki")
    trusted = make_demo_ca(
        folder / "trusted",
        organisation=ORGANISATION,
        organisation_id=ORGANISATION_ID,
        signer_name="Szőke Örs",
        passphrase=PASSPHRASE,
    )
    untrusted = make_demo_ca(
        folder / "untrusted",
        organisation=ORGANISATION,
        organisation_id=ORGANISATION_ID,
        signer_name="Szőke Örs",
        passphrase=PASSPHRASE,
        ca_name="Ismeretlen Hitelesítő Kft.",
    )
    return Pkis(trusted=trusted, untrusted=untrusted, folder=folder)


@pytest.fixture(scope="session")
def declaration() -> DeclarationData:
    return DeclarationData(
        organisation=ORGANISATION,
        short_name="GYMSKH",
        krid="612345678",
        contact_name="Kiss Gyöngyvér",
        contact_email="kiss.gyongyver@gyor.gov.hu",
        rows=1250,
        table_sha256=hashlib.sha256(b"kapcsolati kod adattablazat").hexdigest(),
        table_filename="kapcsolati_kodok_2024.xlsx",
        issued=dt.date(2024, 11, 26),
    )


@pytest.fixture(scope="session")
def unsigned_pdf(declaration) -> bytes:
    return build_declaration_pdf(declaration)
