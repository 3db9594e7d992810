"""Signing with a .p12 from the demo CA: PAdES signatures, and Hungarian errors for bad key files."""

from __future__ import annotations

from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtensionOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader

from kkod.errors import KkodError
from kkod.pki.demo_ca import make_demo_ca, make_signer
from kkod.pki.signing import SIGNATURE_FIELD, load_signer, sign_pdf, signer_identity


def test_demo_ca_writes_ca_and_a_signer_of_the_organisation(pkis):
    ca = x509.load_pem_x509_certificate(pkis.trusted.ca_cert.read_bytes())
    assert ca.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca
    assert b"ENCRYPTED PRIVATE KEY" in pkis.trusted.ca_key.read_bytes()
    _key, cert, chain = pkcs12.load_key_and_certificates(
        pkis.trusted.signer_p12.read_bytes(), pkis.passphrase
    )
    assert cert is not None
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Szőke Örs"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == pkis.organisation
    org_id = subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value
    assert org_id == pkis.organisation_id
    assert cert.issuer == ca.subject
    assert [c.subject for c in chain] == [ca.subject]
    usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature and usage.content_commitment


def test_signed_pdf_has_a_pades_signature_in_its_field(pkis, unsigned_pdf):
    signed = sign_pdf(unsigned_pdf, pkis.trusted.signer_p12, pkis.passphrase)
    assert signed.startswith(unsigned_pdf)  # an incremental update: the declaration is untouched
    signatures = PdfFileReader(BytesIO(signed)).embedded_signatures
    assert len(signatures) == 1
    assert signatures[0].field_name == SIGNATURE_FIELD
    assert signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_signer_identity_names_the_signer(pkis):
    who = signer_identity(pkis.trusted.signer_p12, pkis.passphrase)
    assert (who.name, who.organisation, who.organisation_id) == (
        "Szőke Örs",
        pkis.organisation,
        pkis.organisation_id,
    )


def test_wrong_passphrase_is_a_hungarian_error(pkis, unsigned_pdf):
    with pytest.raises(KkodError, match="hibás jelszó") as caught:
        sign_pdf(unsigned_pdf, pkis.trusted.signer_p12, b"rossz jelszo")
    assert "signer.p12" in caught.value.message


def test_a_file_that_is_not_pkcs12_is_a_hungarian_error(tmp_path):
    fake = tmp_path / "alairo.p12"
    fake.write_text("-----BEGIN CERTIFICATE-----\nnem tanúsítvány\n", encoding="utf-8")
    with pytest.raises(KkodError, match="nem PKCS#12"):
        load_signer(fake, b"barmi")


def test_a_missing_p12_is_a_hungarian_error(tmp_path):
    with pytest.raises(KkodError, match="nem olvasható"):
        load_signer(tmp_path / "nincs.p12", b"barmi")


def test_a_ca_key_with_the_wrong_passphrase_cannot_issue(pkis, tmp_path):
    with pytest.raises(KkodError, match="CA kulcsa"):
        make_signer(
            tmp_path,
            (pkis.trusted.ca_cert, pkis.trusted.ca_key),
            organisation="Bármely Hivatal",
            organisation_id=None,
            signer_name="Nagy Ádám",
            passphrase=b"uj-jelszo",
            ca_passphrase=b"nem ez",
        )
    assert not (tmp_path / "signer.p12").exists()


def test_signing_something_that_is_not_a_pdf_is_a_hungarian_error(pkis):
    with pytest.raises(KkodError, match="nem olvasható PDF"):
        sign_pdf(b"ez nem pdf", pkis.trusted.signer_p12, pkis.passphrase)


def test_a_name_too_long_for_a_certificate_is_refused_before_anything_is_written(tmp_path):
    from kkod.errors import KkodError

    with pytest.raises(KkodError, match="legfeljebb 64 karakter lehet"):
        make_demo_ca(
            tmp_path / "ca",
            organisation="Példa Hivatal",
            organisation_id="VATHU-15714514",
            signer_name="A" * 70,
            passphrase=b"x",
        )
    assert not (tmp_path / "ca").exists()
