"""Signature shapes at intake: a qualified signer in ETSI form for an office registered by its
plain tax number, a missing intermediate, and an AVDH-authenticated declaration."""

from __future__ import annotations

import dataclasses

import pytest

from kkod.central.interface import OfficeInfo
from kkod.central.registry import add_office
from kkod.employer.declaration import build_declaration_pdf
from kkod.ministry.intake import ingest
from kkod.ministry.models import RequestStatus, SignatureKind
from tests.pki.shapes import intermediate, root, sign, signer

from .conftest import SENDER

KRID2 = "700200"
ORG2 = "Nemzeti Adó- és Vámhivatal"
AVDH_ID = "VATHU-10585560"


@pytest.fixture
def qualified(world):
    """A second office registered plainly (``15000000``), a provider trusted by the ministry."""
    add_office(
        world.central.engine,
        OfficeInfo(KRID2, "NAV", ORG2, ("nav.gov.hu",), "15000000-2-44"),
    )
    top = root("Teszt Minősített Gyökér CA")
    middle = intermediate(top, "Teszt Minősített Aláírás CA 2024")
    roots = [*world.settings.trust_roots, top.write(world.folder / "minositett.pem")]
    world.settings = world.settings.model_copy(
        update={"trust_roots": roots, "avdh_seals": [AVDH_ID]}
    )
    return middle


def _declaration(world, **changes) -> bytes:
    fields = {
        "organisation": ORG2,
        "short_name": "NAV",
        "krid": KRID2,
        "contact_email": "iktatas@nav.gov.hu",
        **changes,
    }
    return build_declaration_pdf(dataclasses.replace(world.data, **fields))


def _send(world, pdf: bytes, sender: str):
    raw = world.email(
        sender=sender, declaration=pdf, subject=f"{ORG2} – kapcsolati kódok igénylése"
    )
    return ingest(
        raw, sender, store=world.store, central=world.central, settings=world.settings
    ).request


def test_a_qualified_etsi_signer_is_accepted_for_a_plainly_registered_office(world, qualified):
    leaf = signer(qualified, "Dr. Horváth Ágnes", ORG2, "VATHU-15000000")
    request = _send(world, sign(_declaration(world), leaf, [qualified]), "iktatas@nav.gov.hu")
    assert request.status == RequestStatus.BEERKEZETT, request.reason
    assert request.signature_kind == SignatureKind.PADES


def test_another_tax_number_is_refused_naming_the_number(world, qualified):
    leaf = signer(qualified, "Dr. Horváth Ágnes", ORG2, "VATHU-15000001")
    request = _send(world, sign(_declaration(world), leaf, [qualified]), "iktatas@nav.gov.hu")
    assert request.status == RequestStatus.ELUTASITVA
    assert "a szám eltér (15000001, illetve 15000000)" in request.reason


def test_a_missing_intermediate_is_named_in_the_rejection(world, qualified):
    leaf = signer(qualified, "Dr. Horváth Ágnes", ORG2, "VATHU-15000000")
    request = _send(world, sign(_declaration(world), leaf, []), "iktatas@nav.gov.hu")
    assert request.status == RequestStatus.ELUTASITVA
    assert "hiányos" in request.reason and "Teszt Minősített Aláírás CA 2024" in request.reason


def test_an_avdh_declaration_from_the_office_domain_is_accepted(world, qualified):
    seal = signer(qualified, "AVDH Bélyegző", "NISZ Zrt.", AVDH_ID)
    pdf = sign(_declaration(world), seal, [qualified], person="Kovács Anna")
    request = _send(world, pdf, "kovacs.anna@nav.gov.hu")
    assert request.status == RequestStatus.BEERKEZETT, request.reason
    assert request.signature_kind == SignatureKind.AVDH
    assert request.signer_name == "Kovács Anna"


def test_an_avdh_declaration_binds_the_organisation_by_the_sender_domain_only(world, qualified):
    seal = signer(qualified, "AVDH Bélyegző", "NISZ Zrt.", AVDH_ID)
    contact = "kovacs.anna@gmail.com"
    pdf = sign(_declaration(world, contact_email=contact), seal, [qualified], person="Kovács Anna")
    request = _send(world, pdf, contact)
    assert request.status == RequestStatus.ELUTASITVA
    assert "nav.gov.hu" in request.reason


def test_the_demo_signer_still_passes(world):
    assert (
        ingest(
            world.email(), SENDER, store=world.store, central=world.central, settings=world.settings
        ).request.status
        == RequestStatus.BEERKEZETT
    )


def test_the_declaration_is_parsed_once_at_intake(world, monkeypatch):
    """The signature check and the payload read the same parse of the PDF (issue 15)."""
    from pyhanko.pdf_utils import reader

    raw = world.email()  # signing opens the PDF too
    opened = []
    real_init = reader.PdfFileReader.__init__

    def counted(self, *args, **kwargs):
        opened.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(reader.PdfFileReader, "__init__", counted)
    result = ingest(raw, SENDER, store=world.store, central=world.central, settings=world.settings)
    assert result.request.status == RequestStatus.BEERKEZETT
    assert len(opened) == 1
