"""Verifying a signed declaration: every way it can fail has its own reason; membership rules."""

from __future__ import annotations

import datetime as dt
import json
import logging
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from kkod.errors import ConfigurationError
from kkod.exchange.declaration import ATTACHMENT_NAME, read_declaration
from kkod.pki.demo_ca import make_signer
from kkod.pki.signing import sign_pdf
from kkod.pki.verify import (
    REASONS,
    SignatureProblem,
    SignatureVerdict,
    signer_belongs_to,
    verify_declaration_signature,
)


@pytest.fixture(scope="module")
def signed_pdf(pkis, unsigned_pdf) -> bytes:
    return sign_pdf(unsigned_pdf, pkis.trusted.signer_p12, pkis.passphrase)


def _signer(pkis, name: str, **kwargs) -> object:
    return make_signer(
        pkis.folder / "extra",
        pkis.trusted,
        signer_name="Fehér Ödön",
        passphrase=pkis.passphrase,
        filename=f"{name}.p12",
        **{"organisation": pkis.organisation, "organisation_id": pkis.organisation_id, **kwargs},
    )


def _verify(pkis, pdf: bytes) -> SignatureVerdict:
    return verify_declaration_signature(pdf, [pkis.trusted.ca_cert])


def test_valid_signature_is_ok_and_names_the_signer(pkis, signed_pdf, declaration):
    verdict = _verify(pkis, signed_pdf)
    assert verdict == SignatureVerdict(
        ok=True,
        reason=None,
        signer_name="Szőke Örs",
        signer_organisation=pkis.organisation,
        signer_organisation_id=pkis.organisation_id,
    )
    assert read_declaration(signed_pdf) == declaration
    assert signer_belongs_to(
        verdict, organisation=pkis.organisation, organisation_id=pkis.organisation_id
    )


def test_the_checked_pdf_is_kept_open_for_reading_its_payload(pkis, signed_pdf, unsigned_pdf):
    """A valid or missing signature leaves the PDF as pyHanko opened it in the verdict, and the
    payload read from it is the payload; a refused one keeps nothing."""
    for pdf in (signed_pdf, unsigned_pdf):
        verdict = _verify(pkis, pdf)
        assert verdict.reader is not None
        assert read_declaration(pdf, reader=verdict.reader) == read_declaration(pdf)
    position = signed_pdf.index(b"/Creator (kkod)") + len(b"/Creator (")
    tampered = signed_pdf[:position] + b"x" + signed_pdf[position + 1 :]
    assert _verify(pkis, tampered).reader is None
    assert _verify(pkis, b"%PDF-1.7 nem pdf").reader is None


def test_unsigned_declaration_has_its_own_reason(pkis, unsigned_pdf):
    verdict = _verify(pkis, unsigned_pdf)
    assert not verdict.ok
    assert verdict.problem is SignatureProblem.UNSIGNED
    assert verdict.reason == REASONS[SignatureProblem.UNSIGNED]
    assert "nincs elektronikusan aláírva" in verdict.reason


def test_bytes_changed_after_signing_are_tampering(pkis, signed_pdf):
    position = signed_pdf.index(b"/Creator (kkod)") + len(b"/Creator (")
    tampered = signed_pdf[:position] + b"x" + signed_pdf[position + 1 :]
    verdict = _verify(pkis, tampered)
    assert not verdict.ok
    assert verdict.problem is SignatureProblem.TAMPERED
    assert "sérült" in verdict.reason


def test_an_incremental_update_changing_the_declared_row_count_is_rejected(pkis, signed_pdf):
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    pairs = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert str(pairs[0]) == ATTACHMENT_NAME
    spec = pairs[1].get_object()
    payload = json.loads(spec["/EF"]["/F"].get_object().data)
    payload["rows"] = 99999
    spec["/EF"]["/F"] = writer.add_object(
        generic.StreamObject(stream_data=json.dumps(payload).encode())
    )
    writer.update_container(spec["/EF"])
    out = BytesIO()
    writer.write(out)
    modified = out.getvalue()

    assert read_declaration(modified).rows == 99999  # the forgery reads fine on its own…
    verdict = _verify(pkis, modified)  # …but the signature check catches it
    assert not verdict.ok
    assert verdict.problem is SignatureProblem.MODIFIED_AFTER_SIGNING
    assert "módosították" in verdict.reason


def test_an_incremental_update_adding_page_content_is_rejected(pkis, signed_pdf):
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    stream = generic.StreamObject(stream_data=b"0 0 1 rg 100 100 200 50 re f")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = BytesIO()
    writer.write(out)
    verdict = _verify(pkis, out.getvalue())
    assert verdict.problem is SignatureProblem.MODIFIED_AFTER_SIGNING


def test_signer_from_an_untrusted_ca_has_its_own_reason(pkis, unsigned_pdf):
    signed = sign_pdf(unsigned_pdf, pkis.untrusted.signer_p12, pkis.passphrase)
    verdict = _verify(pkis, signed)
    assert not verdict.ok
    assert verdict.problem is SignatureProblem.UNTRUSTED
    assert "nem elfogadott tanúsítványkiadótól" in verdict.reason
    # Trusting that CA too makes the same file acceptable.
    both = verify_declaration_signature(signed, [pkis.trusted.ca_cert, pkis.untrusted.ca_cert])
    assert both.ok


def test_certificate_not_for_signing_has_its_own_reason(pkis, unsigned_pdf):
    p12 = _signer(pkis, "titkosito", for_signing=False)
    verdict = _verify(pkis, sign_pdf(unsigned_pdf, p12, pkis.passphrase))
    assert not verdict.ok
    assert verdict.problem is SignatureProblem.KEY_USAGE
    assert "kulcshasználat" in verdict.reason


def test_expired_certificate_has_its_own_reason(pkis, unsigned_pdf):
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    p12 = _signer(pkis, "lejart", valid_from=start, valid_days=10)
    verdict = _verify(pkis, sign_pdf(unsigned_pdf, p12, pkis.passphrase))
    assert not verdict.ok
    assert verdict.problem is SignatureProblem.EXPIRED
    assert "lejárt" in verdict.reason


def test_signer_of_another_organisation_signs_validly_but_does_not_belong(pkis, unsigned_pdf):
    p12 = _signer(
        pkis, "masik", organisation="Pécsi Tudományegyetem", organisation_id="VATHU-15329743"
    )
    verdict = _verify(pkis, sign_pdf(unsigned_pdf, p12, pkis.passphrase))
    assert verdict.ok
    assert verdict.signer_organisation == "Pécsi Tudományegyetem"
    assert not signer_belongs_to(
        verdict, organisation=pkis.organisation, organisation_id=pkis.organisation_id
    )
    assert not signer_belongs_to(verdict, organisation=pkis.organisation, organisation_id=None)


def test_not_a_pdf_is_unreadable(pkis):
    verdict = _verify(pkis, b"PK\x03\x04 ez egy xlsx")
    assert verdict.problem is SignatureProblem.UNREADABLE
    assert not verdict.ok


def test_a_countersignature_keeps_the_declaration_valid_and_the_first_signer(pkis, signed_pdf):
    p12 = _signer(pkis, "ellenjegyzo")
    twice = sign_pdf(signed_pdf, p12, pkis.passphrase)
    assert len(PdfFileReader(BytesIO(twice)).embedded_signatures) == 2
    verdict = _verify(pkis, twice)
    assert verdict.ok
    assert verdict.signer_name == "Szőke Örs"


def test_every_problem_has_a_distinct_hungarian_reason():
    assert set(REASONS) == set(SignatureProblem)
    assert len(set(REASONS.values())) == len(SignatureProblem)


def test_no_trust_roots_configured_is_a_configuration_error(signed_pdf):
    with pytest.raises(ConfigurationError, match="KKOD_TRUST_ROOTS"):
        verify_declaration_signature(signed_pdf, [])


def test_unreadable_trust_root_is_a_configuration_error(signed_pdf, tmp_path):
    with pytest.raises(ConfigurationError, match="nem olvasható"):
        verify_declaration_signature(signed_pdf, [tmp_path / "nincs.pem"])


def test_a_trust_root_file_changed_while_running_is_read_again(pkis, signed_pdf, tmp_path):
    """The roots a thread loaded are kept for the next check only while their file is the same:
    an operator who replaces the file is obeyed at the next message, and one who removes it is
    told."""
    roots = tmp_path / "megbizhato.pem"
    roots.write_bytes(pkis.trusted.ca_cert.read_bytes())
    assert verify_declaration_signature(signed_pdf, [roots]).ok
    assert verify_declaration_signature(signed_pdf, [roots]).ok  # from what was kept
    roots.write_bytes(pkis.untrusted.ca_cert.read_bytes())
    assert verify_declaration_signature(signed_pdf, [roots]).problem is SignatureProblem.UNTRUSTED
    roots.unlink()
    with pytest.raises(ConfigurationError, match="nem olvasható"):
        verify_declaration_signature(signed_pdf, [roots])


def test_verification_logs_no_signer_name(pkis, unsigned_pdf, caplog):
    signed = sign_pdf(unsigned_pdf, pkis.untrusted.signer_p12, pkis.passphrase)
    with caplog.at_level(logging.DEBUG):
        verdict = _verify(pkis, signed)
    assert verdict.problem is SignatureProblem.UNTRUSTED
    assert "Szőke" not in caplog.text
    assert logging.getLogger("pyhanko").level == logging.NOTSET  # restored afterwards


@pytest.mark.parametrize(
    ("cert_org", "cert_id", "office_org", "office_id", "belongs"),
    [
        ("Győri Kormányhivatal", "VATHU-1", "Egészen Más Név", "VATHU-1", True),
        ("Győri Kormányhivatal", "VATHU-1", "Győri Kormányhivatal", "VATHU-2", False),
        ("Győri  Kormányhivatal ", "VATHU-1", "győri kormányhivatal", None, True),
        ("Győri Kormányhivatal", None, "GYŐRI KORMÁNYHIVATAL", "VATHU-1", True),
        ("Győri Kormányhivatal", None, "Gyori Kormanyhivatal", None, False),
        (None, None, "Győri Kormányhivatal", None, False),
        ("Győri Kormányhivatal", "vathu-1 ", "x", "VATHU-1", True),
    ],
)
def test_membership_rule(cert_org, cert_id, office_org, office_id, belongs):
    verdict = SignatureVerdict(True, None, "Fehér Ödön", cert_org, cert_id)
    assert signer_belongs_to(verdict, organisation=office_org, organisation_id=office_id) is belongs


def test_an_invalid_signature_never_belongs():
    verdict = SignatureVerdict(False, "x", "Fehér Ödön", "Győri Kormányhivatal", "VATHU-1")
    assert not signer_belongs_to(
        verdict, organisation="Győri Kormányhivatal", organisation_id="VATHU-1"
    )
