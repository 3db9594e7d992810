"""The settlement and historic-name data, and nearest-name suggestions for misspelt places."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkod.places.settlements import (
    historic_place,
    historic_places,
    is_settlement,
    nearest_place,
    official_spelling,
    settlements,
)

DATA = Path(__file__).resolve().parents[2] / "src" / "kkod" / "places" / "data"


def test_every_hungarian_settlement_is_there():
    assert len(settlements()) > 3100
    for name in (
        "Budapest",
        "Debrecen",
        "Hódmezővásárhely",
        "Győr",
        "Zalaegerszeg",
        "Aba",
        "Őriszentpéter",
    ):
        assert is_settlement(name)
    assert "Település név" not in settlements()  # the source list's header is dropped


@pytest.mark.parametrize(
    ("name", "today", "country"),
    [
        ("Kolozsvár", "Cluj-Napoca", "Románia"),
        ("Pozsony", "Bratislava", "Szlovákia"),
        ("Szabadka", "Subotica", "Szerbia"),
        ("Kassa", "Košice", "Szlovákia"),
        ("Nagyvárad", "Oradea", "Románia"),
        ("Újpest", "Budapest 04", "Magyarország"),
        ("Kispest", "Budapest 19", "Magyarország"),
    ],
)
def test_historic_names_say_what_the_place_is_called_today(name, today, country):
    place = historic_place(name)
    assert place is not None and (place.today, place.country) == (today, country)


def test_a_current_settlement_is_not_also_historic():
    assert is_settlement("Gyula") and historic_place("Gyula") is None
    assert not set(historic_places()) & settlements()


@pytest.mark.parametrize(
    ("typo", "nearest"),
    [
        ("Debrecn", "Debrecen"),
        ("Szekesfehervar", "Székesfehérvár"),
        ("hodmezovasarhely", "Hódmezővásárhely"),
        ("Kecskemet", "Kecskemét"),
        ("Nyiregyhaza", "Nyíregyháza"),
        ("Kolozsvar", "Kolozsvár"),
        ("Miskolcz", "Miskolc"),
        # one typo: a letter left out of a short name, two letters swapped
        ("Daas", "Dabas"),
        ("Téks", "Tékes"),
        ("Iorta", "Irota"),
    ],
)
def test_nearest_place(typo, nearest):
    assert nearest_place(typo) == nearest


@pytest.mark.parametrize("name", ["Bécs", "London", "Xyzzyvár", ""])
def test_no_suggestion_when_nothing_is_near(name):
    assert nearest_place(name) is None


def test_official_spelling_fixes_letter_case_only():
    assert official_spelling("DEBRECEN") == "Debrecen"
    assert official_spelling("kolozsvár") == "Kolozsvár"
    assert official_spelling("Debrecn") is None


def test_the_data_files_carry_their_attribution():
    notice = (DATA / "NOTICE.txt").read_text(encoding="utf-8")
    assert "magyar" in notice and "MIT" in notice and "Nagy Béla" in notice
