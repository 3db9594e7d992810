"""``kkod validate --review``: every fix candidate decided at the prompt (answers from stdin),
only the accepted cells written, each decision recorded beside the table."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.employer.review import Choice, candidates, decide, decisions_path, write_reviewed
from kkod.employer.validation import validate_table
from kkod.table.reader import read_table

from ..tables import filled_table, members

runner = CliRunner()
ROWS = [
    # a safe fix (W01: 1985-03-12), and an accent suggestion (W07) on the birth name
    ("HR-1", "Kovács János", "Kovacs Janos", "Szabó Mária", "Debrecen", "1985-03-12"),
    # a place typo (W06: Debrecn → Debrecen)
    ("HR-2", "Varga Éva", "Varga Éva", "Fekete Ilona", "Debrecn", "1972.11.02"),
    # a mother's name without accents (W07), and extra spaces (W02, safe)
    ("HR-3", "Tóth  Béla", "Tóth Béla", "Molnar Erzsebet", "Pécs", "1990.01.30"),
]


def table(tmp_path: Path) -> Path:
    return filled_table(tmp_path / "tabla.xlsx", ROWS)


def run(*args, answers: str):
    return runner.invoke(app, ["validate", *map(str, args)], input=answers)


def cells(path: Path) -> dict[tuple[int, str], str]:
    return {(r.row, letter): r.text(letter) for r in read_table(path).rows for letter in "DFGHI"}


def decisions(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_the_candidates_are_the_safe_fixes_together_and_each_suggestion_alone(tmp_path):
    safe, suggestions = candidates(validate_table(table(tmp_path)))
    assert [(c.cell, c.new, c.rules) for c in safe] == [
        ("I2", "1985.03.12", ("W01",)),
        ("D4", "Tóth Béla", ("W02",)),
    ]
    assert [(c.cell, c.old, c.new, c.rules) for c in suggestions] == [
        ("F2", "Kovacs Janos", "Kovács János", ("W07",)),
        ("H3", "Debrecn", "Debrecen", ("W06",)),
        ("G4", "Molnar Erzsebet", "Molnár Erzsébet", ("W07",)),
    ]


def test_accept_type_and_skip_write_only_the_decided_cells(tmp_path):
    source = table(tmp_path)
    before = members(source)
    out = tmp_path / "javitott.xlsx"
    # safe fixes: yes; F2 accept; H3 own value; G4 skip
    result = run(source, "--review", "-o", out, answers="i\ne\ns\nDebrecen\nk\n")
    assert result.exit_code == 0, result.output
    after = cells(out)
    assert after[(2, "F")] == "Kovács János" and after[(2, "I")] == "1985.03.12"
    assert after[(3, "H")] == "Debrecen" and after[(4, "D")] == "Tóth Béla"
    assert after[(4, "G")] == "Molnar Erzsebet"  # skipped: as it was
    assert members(source) == before  # the input is untouched
    record = decisions(decisions_path(out))
    assert [(d["Sor"], d["Oszlop"], d["Döntés"], d["Új érték"]) for d in record] == [
        ("2", "I", "elfogadva", "1985.03.12"),
        ("4", "D", "elfogadva", "Tóth Béla"),
        ("2", "F", "elfogadva", "Kovács János"),
        ("3", "H", "saját érték", "Debrecen"),
        ("4", "G", "kihagyva", ""),
    ]
    assert all(d["Ki"] and d["Mikor"] and d["Régi érték"] for d in record)
    assert "elfogadva" in result.stdout and "megváltozott cella" in result.stdout


def test_a_wrong_answer_is_asked_again_in_hungarian(tmp_path):
    out = tmp_path / "javitott.xlsx"
    result = run(table(tmp_path), "--review", "-o", out, answers="n\nx\nk\nk\nk\n")
    assert result.exit_code == 0, result.output
    assert "Válasszon a megadott betűk közül." in result.stdout
    assert cells(out) == cells(tmp_path / "tabla.xlsx")  # nothing accepted, nothing changed
    assert {d["Döntés"] for d in decisions(decisions_path(out))} == {"kihagyva"}


def test_when_the_answers_end_the_rest_stays_undecided_and_unwritten(tmp_path):
    out = tmp_path / "javitott.xlsx"
    result = run(table(tmp_path), "--review", "-o", out, answers="n\ne\n")
    assert result.exit_code == 0, result.output
    assert "döntés nélkül" in result.stdout
    assert len(decisions(decisions_path(out))) == 3  # two safe (skipped) and F2
    assert cells(out)[(2, "F")] == "Kovács János" and cells(out)[(3, "H")] == "Debrecn"


def test_the_declared_value_is_offered_with_declarations(tmp_path):
    declared = tmp_path / "nyilatkozatok.csv"
    declared.write_text(
        "Belső azonosító;Viselt név;Születési név;Anyja születési neve;Születési hely;Születési idő\n"
        "HR-2;Varga Éva;Varga Éva;Fekete Ilona Mária;Debrecen;1972.11.02\n",
        encoding="utf-8",
    )
    result = validate_table(table(tmp_path), declarations=declared)
    _, suggestions = candidates(result)
    by_cell = {c.cell: c for c in suggestions}
    assert by_cell["G3"].new == "Fekete Ilona Mária" and by_cell["G3"].rules == ("X01",)
    assert by_cell["H3"].rules == ("X01",)  # the declared place wins over the guess


def test_review_needs_an_output_and_no_fix(tmp_path):
    source = table(tmp_path)
    alone = run(source, "--review", answers="")
    assert alone.exit_code == 2 and "--review" in alone.stderr
    both = run(
        source, "--review", "-o", tmp_path / "a.xlsx", "--fix", tmp_path / "b.xlsx", answers=""
    )
    assert both.exit_code == 2 and "--fix" in both.stderr


def test_the_decisions_file_and_the_table_are_claimed_before_any_question(tmp_path):
    out = tmp_path / "javitott.xlsx"
    decisions_path(out).write_text("régi", encoding="utf-8")
    result = run(table(tmp_path), "--review", "-o", out, answers="i\n")
    assert result.exit_code == 2 and "már létezik" in result.stderr
    assert "Döntés" not in result.stdout and not out.exists()


def test_write_reviewed_changes_only_the_written_cells(tmp_path):
    result = validate_table(table(tmp_path))
    _, suggestions = candidates(result)
    chosen = [decide(suggestions[0], Choice.ELFOGADVA, "kiss.anna")]
    chosen.append(decide(suggestions[1], Choice.KIHAGYVA, "kiss.anna"))
    out = tmp_path / "ki.xlsx"
    assert write_reviewed(result, out, chosen, tmp_path / "d.csv") == 1
    changed = {k for k, v in cells(out).items() if cells(tmp_path / "tabla.xlsx")[k] != v}
    assert changed == {(2, "F")}
