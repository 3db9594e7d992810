"""Organisation identifiers: ETSI EN 319 412-1 forms against plain registered numbers."""

from __future__ import annotations

import pytest

from kkod.pki.orgid import id_mismatch, parse_organisation_id, same_organisation_id


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("VATHU-15000000", ("VAT", "HU", "15000000")),
        ("vathu-15000000-2-41", ("VAT", "HU", "15000000241")),
        ("NTRHU-01-09-123456", ("NTR", "HU", "0109123456")),
        ("PSDHU-MNB-12345", ("PSD", "HU", "MNB12345")),
        ("LEIXG-5299000J2N45DDNE4Y14", ("LEI", "XG", "5299000J2N45DDNE4Y14")),
        ("HU:AB-7788", ("AB", "HU", "7788")),
        ("15000000", (None, None, "15000000")),
        (" 15000000-2-41 ", (None, None, "15000000241")),
    ],
)
def test_identifiers_split_into_type_country_and_number(text, parts):
    parsed = parse_organisation_id(text)
    assert (parsed.type, parsed.country, parsed.number) == parts


@pytest.mark.parametrize(
    ("certificate", "registered"),
    [
        ("VATHU-15000000", "15000000"),
        ("VATHU-15000000", "15000000-2-41"),
        ("VATHU-15000000-2-41", "VATHU-15000000"),
        ("vathu-15000000", "VATHU-15000000"),
        ("NTRHU-01-09-123456", "01-09-123456"),
        ("LEIXG-5299000J2N45DDNE4Y14", "5299000J2N45DDNE4Y14"),
    ],
)
def test_the_same_organisation_in_either_form(certificate, registered):
    assert same_organisation_id(certificate, registered)
    assert id_mismatch(certificate, registered) is None


@pytest.mark.parametrize(
    ("certificate", "registered", "field"),
    [
        ("VATHU-15000001", "15000000", "a szám eltér (15000001, illetve 15000000)"),
        ("NTRHU-01-09-123456", "VATHU-15000000", "típusa eltér"),
        ("VATRO-15000000", "VATHU-15000000", "az ország eltér (RO, illetve HU)"),
        ("VATHU-", "15000000", "a szám eltér (üres, illetve 15000000)"),
    ],
)
def test_a_difference_names_the_field_and_both_values(certificate, registered, field):
    message = id_mismatch(certificate, registered)
    assert field in message
    assert f"„{certificate}”" in message and f"„{registered}”" in message
