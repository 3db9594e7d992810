"""Certificate names prepared once per text (kkod.pki.nameprep): the same preparation as
asn1crypto's, the same refusals, and no text prepared twice."""

from __future__ import annotations

import pytest
from asn1crypto.x509 import Name

from kkod.pki import nameprep

TEXTS = [
    "Példa Megyei Kormányhivatal",
    "  PÉLDA   megyei  KORMÁNYHIVATAL ",
    "Dr. Szabó\u00adIrén",  # a soft hyphen is dropped
    "Árvíztűrő\ttükörfúrógép",
    "ﬁnom Ｆｕｌｌ",  # NFKC folds the ligature and the full-width letters
    "VATHU-15000000",
]


def _name(organisation: str) -> Name:
    return Name.build({"country_name": "HU", "organization_name": organisation})


def test_prepared_texts_are_asn1cryptos_and_names_compare_as_before():
    nameprep.install()
    original = nameprep._ORIGINAL
    value = _name("x").chosen[0][0]
    for text in TEXTS:
        assert nameprep._ldap_string_prep(value, text) == original(value, text)
    assert _name(TEXTS[0]) == _name(TEXTS[1])  # case and spaces do not matter
    assert _name(TEXTS[0]) != _name("Másik Hivatal")


def test_a_refused_text_is_refused_every_time_and_not_kept():
    nameprep.install()
    value = _name("x").chosen[0][0]
    for _ in range(2):
        with pytest.raises(ValueError):
            nameprep._ldap_string_prep(value, "magán\ue000használat")  # a private-use character
    assert "magán\ue000használat" not in nameprep._prepared


def test_each_text_is_prepared_once_and_at_most_max_kept_are_kept(monkeypatch):
    nameprep.install()
    calls: list[str] = []
    original = nameprep._ORIGINAL

    def counting(self, text):
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(nameprep, "_ORIGINAL", counting)
    monkeypatch.setattr(nameprep, "_prepared", {})
    assert _name("Győri Tankerület") == _name("GYŐRI  tankerület")
    assert _name("Győri Tankerület") == _name("GYŐRI  tankerület")  # new objects, kept texts
    assert sorted(calls) == sorted(["HU", "Győri Tankerület", "GYŐRI  tankerület"])
    monkeypatch.setattr(nameprep, "MAX_KEPT", 3)
    value = _name("x").chosen[0][0]
    for n in range(10):
        nameprep._ldap_string_prep(value, f"Hivatal {n}")
    assert len(nameprep._prepared) <= 3
