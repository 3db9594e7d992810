"""The request subject convention: tolerant of accents, case and underscores, strict on the words."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kkod.exchange.subject import fold, is_request_subject, reply_subject, request_subject


@pytest.mark.parametrize(
    "subject",
    [
        "BM_kapcsolati_kódok",
        "BM_kapcsolati_kodok",
        "Példa Hivatal kapcsolati kodok igenylese",
        "KAPCSOLATI KÓDOK",
        "Példa Hivatal – kapcsolati kódok igénylése",
        "Kapcsolati  kódok\tigénylése",
        "Re: Fwd: kapcsolati-kódok",
        "Kapcsolati kódokat igénylünk",
        "kapcsolatikódok",  # a space lost by a mail client's folding
        "kapcso lati kó dok",  # spaces added by one
    ],
)
def test_request_subjects_are_recognised(subject):
    assert is_request_subject(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "",
        "kapcsolati kód",
        "Kapcsolatfelvétel",
        "kódok kapcsolati",
        "Ügyfélkapu regisztráció",
        "kapcsolati  levél kódok",
        "Példa Hivatal – szabadságkérelem",
    ],
)
def test_other_subjects_are_not(subject):
    assert not is_request_subject(subject)


@pytest.mark.parametrize(
    ("subject", "organisation"),
    [
        ("BM_kapcsolati_kódok", "BM"),
        ("Példa Hivatal kapcsolati kodok igenylese", "Példa Hivatal"),
        ("PELDA_HIVATAL_KAPCSOLATI_KODOK", "Példa Hivatal"),
        (
            "A Szegedi Tankerületi Központ kapcsolati kódjai – kapcsolati kódok",
            "szegedi tankerületi központ",
        ),
        ("Példa Hivatalnak kapcsolati kódok", "Példa Hivatal"),
        (
            "Győr-Moson-Sopron Vármegyei Kormányhivatal kapcsolati kódok",
            "Győr Moson Sopron Vármegyei Kormányhivatal",
        ),
    ],
)
def test_organisation_name_is_matched_with_the_same_tolerance(subject, organisation):
    assert is_request_subject(subject, organisation)


@pytest.mark.parametrize(
    ("subject", "organisation"),
    [
        ("ABM_kapcsolati_kódok", "BM"),
        ("Minta Hivatal kapcsolati kódok", "Példa Hivatal"),
        ("Példa Hivatal igénylése", "Példa Hivatal"),
        ("Példa kapcsolati kódok", "Példa Hivatal"),
    ],
)
def test_wrong_or_missing_organisation_is_refused(subject, organisation):
    assert not is_request_subject(subject, organisation)


def test_request_subject_follows_its_own_convention():
    subject = request_subject("  Példa   Hivatal ")
    assert subject == "Példa Hivatal – kapcsolati kódok igénylése (BM_kapcsolati_kódok)"
    assert is_request_subject(subject, "Példa Hivatal")


def test_fold_drops_accents_case_and_punctuation():
    assert fold("ŐSZI_Űrlap – Árvíztűrő!") == "oszi urlap arvizturo"


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("BM_kapcsolati_kódok", "Re: BM_kapcsolati_kódok"),
        ("Re: BM_kapcsolati_kódok", "Re: BM_kapcsolati_kódok"),
        ("Vá: Példa Hivatal kapcsolati kódok", "Vá: Példa Hivatal kapcsolati kódok"),
    ],
)
def test_reply_subject_prefixes_once(original, expected):
    assert reply_subject(original) == expected


@given(st.text(min_size=1, max_size=60))
def test_every_organisation_recognises_its_own_request_subject(organisation):
    assume(fold(organisation))
    assert is_request_subject(request_subject(organisation), organisation)
    assert is_request_subject(request_subject(organisation).replace(" ", "_").upper(), organisation)


def _body_names() -> list[str]:
    from tests.mail.hungarian_bodies import BODIES

    return BODIES


@pytest.mark.parametrize("organisation", _body_names())
def test_a_subject_folded_or_unfolded_differently_still_names_the_organisation(organisation):
    subject = request_subject(organisation)
    variants = [
        subject.replace(" – ", "– "),  # the space before the dash lost
        subject.replace("kapcsolati kódok", "kapcsolatikódok"),  # the space between words lost
        subject.replace(organisation, organisation.replace(" ", "  ")),  # spaces doubled
        subject[:30] + " " + subject[30:],  # a space added inside a word
    ]
    for variant in variants:
        assert is_request_subject(variant, organisation), variant
