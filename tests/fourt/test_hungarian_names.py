"""Hungarian name facts: married forms, the dr. title, missing accents, the name lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkod.fourt.names import (
    has_dr_title,
    is_married_form,
    known_names,
    with_common_accents,
    without_dr_title,
    words,
)

DATA = Path(__file__).resolve().parents[2] / "src" / "kkod" / "fourt" / "data"


@pytest.mark.parametrize(
    "name",
    ["Tóth Pálné", "Tóth Pálné Szabó Éva", "Tóthné Szabó Éva", "özv. Kiss Lajosné", "NAGY ISTVÁNNÉ",
     "Dr. Kovács Béláné"],
)  # fmt: skip
def test_married_forms(name):
    assert is_married_form(name)


@pytest.mark.parametrize(
    "name", ["Szabó Éva", "Kovács René", "Nemes Ágnes", "Renée Dupont", "Szénás Anna"]
)
def test_not_married_forms(name):
    assert not is_married_form(name)


@pytest.mark.parametrize(
    ("name", "without"),
    [("dr. Kovács János", "Kovács János"), ("Kovács Béláné dr.", "Kovács Béláné"),
     ("Dr Nagy Éva", "Nagy Éva"), ("DR. Kiss Péter", "Kiss Péter")],
)  # fmt: skip
def test_dr_title(name, without):
    assert has_dr_title(name) and without_dr_title(name) == without


def test_drotos_is_a_name_not_a_title():
    assert not has_dr_title("Drótos János")
    assert has_dr_title("Drótos János dr")


def test_words_ignore_titles_and_keep_double_names():
    assert words("dr. Kovács-Nagy Éva") == ["Kovács-Nagy", "Éva"]
    assert words("özv. Kiss Lajosné") == ["Kiss", "Lajosné"]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("Kovacs Janos", "Kovács János"), ("Szabo Eva", "Szabó Éva"), ("Toth Pal", "Tóth Pál"),
     ("Nemeth Agnes", "Németh Ágnes"), ("KOVACS JANOS", "KOVÁCS JÁNOS"), ("Kovács-Nagy Janos", "Kovács-Nagy János"),
     # a married form typed without its accent, its stem's accents restored too
     ("Kovacsne Szabo Zsofia", "Kovácsné Szabó Zsófia"), ("Nagy Viktorne", "Nagy Viktorné"),
     ("Kiss Palne", "Kiss Pálné"),
     # a name without a single accent: a word that is a name in its own right restored too
     ("Soos Robert", "Soós Róbert")],
)  # fmt: skip
def test_missing_accents_are_suggested(name, suggestion):
    assert with_common_accents(name) == suggestion


@pytest.mark.parametrize(
    "name",
    [
        "Kovács János",
        "Kiss Anna",
        "Nagy Erika",
        "Smith John",
        "Kis Ilona",
        "Kiss Irene",
        "Tóth Róbertné",
    ],
)
def test_no_accent_suggestion_for_names_that_are_fine(name):
    assert with_common_accents(name) is None


def test_the_given_name_list_is_several_hundred_long_with_attribution():
    given = (DATA / "given_names.txt").read_text(encoding="utf-8").split()
    assert len(given) >= 400 and len(set(given)) == len(given)
    assert {"János", "Erzsébet", "Zsófia", "Bence", "Ildikó"} <= known_names()
    assert not [n for n in known_names() if is_married_form(n)]  # no "-né" form slipped in
    assert "MIT" in (DATA / "NOTICE.txt").read_text(encoding="utf-8")
