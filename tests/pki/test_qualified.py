"""Real qualified certificate shapes: a provider's root and intermediate, ETSI organisation
identifiers, a signature missing its intermediate, and an AVDH seal naming the person."""

from __future__ import annotations

import pytest

from kkod.pki.verify import (
    SignatureProblem,
    membership_problem,
    signer_belongs_to,
    verify_declaration_signature,
)

from .shapes import intermediate, root, sign, signer

ORG = "Győr-Moson-Sopron Vármegyei Kormányhivatal"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minositett")
    top = root("Teszt Minősített Gyökér CA")
    middle = intermediate(top, "Teszt Minősített Aláírás CA 2024")
    return folder, top, middle, top.write(folder / "gyoker.pem")


def test_a_qualified_signer_in_etsi_form_belongs_to_an_office_registered_plainly(
    provider, unsigned_pdf
):
    _folder, _top, middle, trusted = provider
    leaf = signer(middle, "Dr. Szabó Irén", ORG, "VATHU-15789428")
    verdict = verify_declaration_signature(sign(unsigned_pdf, leaf, [middle]), [trusted])
    assert verdict.ok, verdict.reason
    assert verdict.signer_organisation_id == "VATHU-15789428"
    assert signer_belongs_to(verdict, organisation=ORG, organisation_id="15789428")
    assert signer_belongs_to(verdict, organisation=ORG, organisation_id="15789428-2-08")
    problem = membership_problem(verdict, organisation=ORG, organisation_id="15789429")
    assert "a szám eltér (15789428, illetve 15789429)" in problem


def test_a_name_difference_is_told_as_such_never_as_a_contradiction(provider, unsigned_pdf):
    _folder, _top, middle, trusted = provider
    leaf = signer(middle, "Dr. Szabó Irén", "Győri Járási Hivatal")
    verdict = verify_declaration_signature(sign(unsigned_pdf, leaf, [middle]), [trusted])
    problem = membership_problem(verdict, organisation=ORG, organisation_id="15789428")
    assert "„Győri Járási Hivatal”" in problem and f"„{ORG}”" in problem


def test_a_chain_without_its_intermediate_is_told_incomplete_not_untrusted(provider, unsigned_pdf):
    _folder, _top, middle, trusted = provider
    leaf = signer(middle, "Dr. Szabó Irén", ORG, "VATHU-15789428")
    verdict = verify_declaration_signature(sign(unsigned_pdf, leaf, []), [trusted])
    assert verdict.problem is SignatureProblem.INCOMPLETE_CHAIN
    assert "Teszt Minősített Aláírás CA 2024" in verdict.reason
    assert "teljes tanúsítványláncot" in verdict.reason
    assert "nem elfogadott" not in verdict.reason


def test_a_complete_chain_to_an_unknown_root_is_untrusted(provider, unsigned_pdf):
    _folder, _top, _middle, trusted = provider
    other_root = root("Ismeretlen Gyökér")
    other_middle = intermediate(other_root, "Ismeretlen Köztes CA")
    leaf = signer(other_middle, "Dr. Szabó Irén", ORG, "VATHU-15789428")
    pdf = sign(unsigned_pdf, leaf, [other_middle, other_root])
    verdict = verify_declaration_signature(pdf, [trusted])
    assert verdict.problem is SignatureProblem.UNTRUSTED


AVDH_ID = "VATHU-10585560"


@pytest.fixture(scope="module")
def avdh(provider):
    _folder, _top, middle, _trusted = provider
    return signer(
        middle, "AVDH Bélyegző", "NISZ Nemzeti Infokommunikációs Szolgáltató Zrt.", AVDH_ID
    )


def test_an_avdh_seal_names_the_person_it_identified(provider, avdh, unsigned_pdf):
    _folder, _top, middle, trusted = provider
    pdf = sign(unsigned_pdf, avdh, [middle], person="Kovács Anna")
    verdict = verify_declaration_signature(pdf, [trusted], avdh_seals=[AVDH_ID])
    assert verdict.ok and verdict.avdh
    assert verdict.signer_name == "Kovács Anna"
    plain = verify_declaration_signature(pdf, [trusted])  # AVDH not configured
    assert plain.ok and not plain.avdh and plain.signer_name == "AVDH Bélyegző"


def test_an_avdh_seal_without_a_person_is_refused(provider, avdh, unsigned_pdf):
    _folder, _top, middle, trusted = provider
    pdf = sign(unsigned_pdf, avdh, [middle])
    verdict = verify_declaration_signature(pdf, [trusted], avdh_seals=["AVDH Bélyegző"])
    assert not verdict.ok and "hitelesített személy neve" in verdict.reason
