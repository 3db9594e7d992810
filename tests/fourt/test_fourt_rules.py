"""Every 4T rule, with real Hungarian examples that fire it and examples that must not."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kkod.fourt.model import Person4T, Severity
from kkod.fourt.rules import RULES
from kkod.fourt.validation import check_person, validate_rows
from kkod.table.layout import COLUMN_OF_FIELD

TODAY = date(2025, 6, 1)
GOOD = {
    "viselt_nev": "Kovács János",
    "szuletesi_nev": "Kovács János",
    "anyja_szuletesi_neve": "Nagy Mária",
    "szuletesi_hely": "Debrecen",
    "szuletesi_ido": "1985.03.12",
}
FIELD = {"D": "viselt_nev", "F": "szuletesi_nev", "G": "anyja_szuletesi_neve",
         "H": "szuletesi_hely", "I": "szuletesi_ido"}  # fmt: skip


def person(**changes) -> Person4T:
    return Person4T(**{**GOOD, **changes})


def check(formulas: frozenset[str] = frozenset(), **changes):
    return check_person(
        7, person(**changes), columns=COLUMN_OF_FIELD, today=TODAY, formulas=formulas
    )


def fired(**changes) -> set[tuple[str, str]]:
    return {(f.rule, f.column) for f in check(**changes).findings}


def test_a_clean_row_has_no_findings_and_a_key():
    result = check()
    assert result.findings == [] and result.fixes == {}
    assert result.key == (
        "kovács jános",
        "kovács jános",
        "nagy mária",
        "debrecen",
        date(1985, 3, 12),
    )


def test_findings_carry_the_excel_row_and_the_callers_column_letters():
    columns = {**COLUMN_OF_FIELD, "szuletesi_hely": "Q"}
    result = check_person(42, person(szuletesi_hely="Budapest"), columns=columns, today=TODAY)
    assert [(f.row, f.column, f.rule) for f in result.findings] == [(42, "Q", "E05")]


# (letter, value, rule) — each value fires the rule in that column.
FIRING = [
    ("D", "", "E01"), ("F", "   ", "E01"), ("G", "\u200b", "E01"), ("H", "", "E01"), ("I", "", "E01"),
    ("I", "1985.02.30", "E02"), ("I", "1985.13.01", "E02"), ("I", "tavaly", "E02"), ("I", "31.02.1985", "E02"),
    ("I", "03/12/1985", "E02"),
    ("I", "2031.01.01", "E03"), ("I", "1899.12.31", "E04"), ("I", "1850. márc. 15.", "E04"),
    ("H", "Budapest", "E05"), ("H", "Bp.", "E05"), ("H", "budapest kerület", "E05"),
    ("H", "Budapest 24", "E06"), ("H", "Budapest 0", "E06"), ("H", "Bp. XXIV. ker.", "E06"),
    ("F", "Tóth Pálné", "E07"), ("F", "Tóth Pálné Szabó Éva", "E07"), ("F", "Tóthné Szabó Éva", "E07"),
    ("G", "Tóth Pálné", "E07"), ("G", "Tóthné Szabó Éva", "E07"), ("G", "özv. Nagy Lajosné", "E07"),
    ("G", "KISS JÁNOSNÉ", "E07"),
    ("D", "Kovács 2 János", "E08"), ("F", "Kovács János!", "E08"), ("G", "Nagy@Mária", "E08"),
    ("D", "Kovács János 😀", "E08"), ("D", "Kovács\tJános", "E08"), ("F", "Kovács\nJános", "W13"),
    ("D", "Иванов Иван", "E08"), ("H", "Debrecen 4", "E08"), ("D", "Kovács_János", "E08"),
    ("D", "Madonna", "E10"), ("F", "Kovács", "E10"), ("G", "Kovács-Nagy", "E10"), ("D", "dr. Kovács", "E10"),
    ("I", "1985.03.12.", "W01"), ("I", "1985-03-12", "W01"), ("I", "1985. 03. 12.", "W01"),
    ("I", "1985. III. 12.", "W01"), ("I", "1985. márc. 12.", "W01"), ("I", "19850312", "W01"),
    ("I", date(1985, 3, 12), "W01"), ("I", datetime(1985, 3, 12), "W01"), ("I", 31118, "W01"),
    ("I", 19850312, "W01"), ("I", "1985.3.12", "W01"), ("I", " 1985.03.12", "W01"),
    ("I", "12.03.1985", "W01"), ("I", "12. 03. 1985.", "W01"), ("I", "2.3.1985", "W01"),
    ("D", " Kovács János", "W02"), ("D", "Kovács János ", "W02"), ("F", "Kovács  János", "W02"),
    ("G", "Nagy\u00a0Mária", "W02"), ("G", "Nagy Má\u200bria", "W02"), ("H", "Debrecen ", "W02"),
    ("H", "Budapest XI. ker.", "W03"), ("H", "Bp. XI.", "W03"), ("H", "Budapest, 11. kerület", "W03"),
    ("H", "Budapest 1", "W03"), ("H", "budapest 11", "W03"), ("H", "Budapest XI", "W03"),
    ("D", "Kõvári Péter", "W04"), ("G", "Nagy Erzsébet Gyõngyi", "W04"), ("H", "Gyõr", "W04"),
    ("F", "Szûcs Anna", "W04"), ("D", "KÕVÁRI PÉTER", "W04"),
    ("D", "Kovаcs János", "W05"), ("G", "Nagy Маria", "W05"), ("H", "Dеbrecen", "W05"),
    ("H", "Debrecn", "W06"),
    ("H", "Szekesfehervar", "W06"), ("H", "Bécs", "W06"), ("H", "Nowhere City", "W06"),
    ("D", "Kovacs János", "W07"), ("F", "Kovács Janos", "W07"), ("G", "Nagy Maria", "W07"),
    ("D", "dr. Kovács János", "W08"), ("D", "Dr. Kovács János", "W08"), ("D", "Kovács Béláné dr.", "W08"),
    ("F", "Dr Kovács János", "W08"),
    ("G", "Kovács János", "W09"), ("G", "kovács  jános", "W09"),
    ("I", "2015.01.01", "W10"), ("I", "1920.01.01", "W10"),
    ("D", "Kova\u0301cs János", "W11"), ("F", "Kovács–Nagy János", "W11"), ("D", "O’Brien Mary", "W11"),
    ("H", "DEBRECEN", "W12"), ("H", "debrecen", "W12"),
    ("H", "Kolozsvár", "I01"), ("H", "Pozsony", "I01"), ("H", "Szabadka", "I01"), ("H", "Újpest", "I01"),
]  # fmt: skip


@pytest.mark.parametrize(("letter", "value", "rule"), FIRING)
def test_rule_fires(letter, value, rule):
    assert (rule, letter) in fired(**{FIELD[letter]: value})


# (letter, value, rule) — each value is fine as far as that rule goes.
NOT_FIRING = [
    ("D", "Kovács János", "E01"), ("I", "2000.02.29", "E02"), ("I", "1985.03.12", "E02"),
    ("I", "2009.06.01", "E03"), ("I", "1900.01.01", "E04"),
    ("H", "Budapest 01", "E05"), ("H", "Budapest 23", "E06"), ("H", "Bp. XXIII. ker.", "E06"),
    ("D", "Tóth Pálné", "E07"), ("D", "Tóthné Szabó Éva", "E07"), ("D", "Tóth Pálné Szabó Éva", "E07"),
    ("F", "Szabó René", "E07"), ("G", "Szabó Éva", "E07"), ("G", "Nemes Ágnes", "E07"),
    ("D", "Kovács-Nagy Éva", "E08"), ("D", "O'Brien Mary", "E08"), ("D", "Müller Hans", "E08"),
    ("D", "Dr. Kovács János", "E08"), ("H", "Hódmezővásárhely", "E08"),
    ("D", "Kovács-Nagy Éva", "E10"), ("D", "Nagy Éva Mária", "E10"),
    ("I", "1985.03.12", "W01"), ("D", "Kovács János", "W02"), ("H", "Budapest 11", "W03"),
    ("H", "Budapest 01", "W03"), ("D", "Kővári Péter", "W04"), ("D", "Kovács János", "W05"),
    ("D", "Иванов Иван", "W05"),
    ("H", "Debrecen", "W06"), ("H", "Kolozsvár", "W06"), ("H", "Budapest 05", "W06"),
    ("D", "Kovács János", "W07"), ("D", "Nagy Anna", "W07"), ("D", "Kiss Erika", "W07"),
    ("D", "Drótos János", "W08"), ("D", "Kovács Drágus", "W08"),
    ("G", "Nagy Mária", "W09"), ("I", "2009.06.01", "W10"), ("I", "1925.06.02", "W10"),
    ("D", "Kovács-Nagy János", "W11"), ("H", "Debrecen", "W12"), ("H", "Debrecen", "I01"),
    ("H", "Gyula", "I01"),
]  # fmt: skip


@pytest.mark.parametrize(("letter", "value", "rule"), NOT_FIRING)
def test_rule_does_not_fire(letter, value, rule):
    assert rule not in {r for r, _ in fired(**{FIELD[letter]: value})}


def test_formula_cell_is_an_error_and_not_checked_further():
    result = check(formulas=frozenset({"I"}), szuletesi_ido="tavaly")
    assert [(f.rule, f.column) for f in result.findings] == [("E09", "I")]
    assert result.key is None


def test_formula_in_a_column_outside_the_4t_is_not_a_4t_finding():
    assert check(formulas=frozenset({"C"})).findings == []


def test_same_4t_twice_is_an_error_on_the_later_row_naming_the_first():
    rows = [
        (2, person(), frozenset()),
        (3, person(viselt_nev="Szabó Éva", szuletesi_nev="Szabó Éva"), frozenset()),
        # the same person written differently: case, spaces, dr., district notation
        (4, person(viselt_nev="dr. KOVÁCS  János"), frozenset()),
    ]
    result = validate_rows(rows, columns=COLUMN_OF_FIELD, today=TODAY)
    duplicates = [f for f in result.findings if f.rule == "E11"]
    assert [(f.row, f.column) for f in duplicates] == [(4, "D")]
    assert "2. sorban" in duplicates[0].message


def test_same_place_in_budapest_written_two_ways_is_a_duplicate():
    rows = [
        (2, person(szuletesi_hely="Budapest 11"), frozenset()),
        (3, person(szuletesi_hely="Bp. XI. ker."), frozenset()),
    ]
    result = validate_rows(rows, columns=COLUMN_OF_FIELD, today=TODAY)
    assert [f.row for f in result.findings if f.rule == "E11"] == [3]


def test_different_people_are_not_duplicates():
    rows = [(2, person(), frozenset()), (3, person(szuletesi_ido="1985.03.13"), frozenset())]
    assert validate_rows(rows, columns=COLUMN_OF_FIELD, today=TODAY).findings == []


@pytest.mark.parametrize(
    ("letter", "value", "rule", "suggestion"),
    [
        ("I", "1985. márc. 12.", "W01", "1985.03.12"),
        ("I", "12.03.1985", "W01", "1985.03.12"),  # nn.hh.éééé: the day first
        ("I", date(1985, 3, 12), "W01", "1985.03.12"),
        ("D", "  Kovács   János ", "W02", "Kovács János"),
        ("H", "Budapest XI. ker.", "W03", "Budapest 11"),
        ("H", "Budapest 1", "W03", "Budapest 01"),
        ("G", "Nagy Erzsébet Gyõngyi", "W04", "Nagy Erzsébet Győngyi"),
        ("D", "Kovаcs Éva", "W05", "Kovacs Éva"),
        ("H", "Debrecn", "W06", "Debrecen"),
        ("H", "Szekesfehervar", "W06", "Székesfehérvár"),
        ("D", "Kovacs Janos", "W07", "Kovács János"),
        ("D", "Kovács Béláné dr.", "W08", "Kovács Béláné"),
        ("H", "DEBRECEN", "W12", "Debrecen"),
    ],
)  # fmt: skip
def test_suggestions(letter, value, rule, suggestion):
    findings = check(**{FIELD[letter]: value}).findings
    assert [f.suggestion for f in findings if f.rule == rule] == [suggestion]


def test_only_safe_rules_change_cells():
    result = check(
        viselt_nev=" Kovacs János ", szuletesi_hely="Debrecn", anyja_szuletesi_neve="Nagy Mária"
    )
    assert result.fixes == {"D": "Kovacs János"}  # spaces fixed; accents and place only suggested
    assert result.fixed_by == {"D": ("W02",)}


def test_fixes_chain_in_one_cell():
    result = check(viselt_nev="\u00a0dr. Kõvári  Péter")
    assert result.fixes == {"D": "Kővári Péter"}
    assert result.fixed_by == {"D": ("W02", "W04", "W08")}
    suggestions = {f.rule: f.suggestion for f in result.findings}
    assert suggestions == {"W02": "Kővári Péter", "W04": "Kővári Péter", "W08": "Kővári Péter"}


def test_every_finding_has_the_rules_severity_and_a_hungarian_message():
    for letter, value, _ in FIRING:
        for f in check(**{FIELD[letter]: value}).findings:
            assert f.severity is RULES[f.rule].severity
            assert f.message and "{" not in f.message


def test_historic_place_is_a_note_that_names_today_and_country():
    (note,) = check(szuletesi_hely="Kolozsvár").findings
    assert note.severity is Severity.TAJEKOZTATAS
    assert "Cluj-Napoca" in note.message and "Románia" in note.message


def test_age_uses_the_given_day():
    # 16 years old on the day of the birthday, 15 the day before it
    assert "W10" not in {r for r, _ in fired(szuletesi_ido="2009.06.01")}
    assert "W10" in {r for r, _ in fired(szuletesi_ido="2009.06.02")}


@pytest.mark.parametrize(
    ("value", "shown"),
    [("Kovács\tJános", "[TAB]"), ("Kovács\x1bJános", "[ESC]"), ("Kovács\u202eJános", "[U+202E]")],
)
def test_an_invisible_character_is_named_by_the_tag_the_value_shows(value, shown):
    """E08 names a tab as ``[TAB]`` (as the value column shows it), never ``U+0009`` or raw."""
    (finding,) = [f for f in check(viselt_nev=value).findings if f.rule == "E08"]
    assert shown in finding.message
    assert "U+0009" not in finding.message and "\t" not in finding.message
    assert "\x1b" not in finding.message and "\u202e" not in finding.message
