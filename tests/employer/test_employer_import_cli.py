"""``kkod employer import`` and ``kkod employer list`` as the records officer sees them."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from kkod.cli.app import app

runner = CliRunner()


def _text(result) -> str:
    """The command's output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_import_prints_the_summary_and_every_leftover_with_its_next_step(
    employer_env, make_table, make_reply, code_for, tmp_path
):
    reply = make_reply(make_table(), {2: code_for(1), 4: code_for(3), 6: code_for(5)})
    leftovers = tmp_path / "maradek.csv"
    result = runner.invoke(app, ["employer", "import", str(reply), "--leftovers", str(leftovers)])
    assert result.exit_code == 0, _text(result)
    assert "Kódolt" in _text(result) and "Kód nélkül maradt foglalkoztatottak (2)" in _text(result)
    assert "HR-002" in _text(result) and "nem tartalmazott indoklást" in _text(result)
    rows = list(csv.reader(io.StringIO(leftovers.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Sor", "Belső azonosító", "Viselt név", "Állapot", "Ok", "Teendő"]
    assert {row[1] for row in rows[1:]} >= {"HR-002"} and len(rows) == 3
    hr002 = next(row for row in rows if row[1] == "HR-002")
    assert hr002[0] == "3" and hr002[3] == "kód nélkül"
    assert "kkod employer connect HR-002" in hr002[5]


def test_importing_twice_says_nothing_changed(employer_env, make_table, make_reply, code_for):
    reply = make_reply(make_table(), {2: code_for(1)})
    assert runner.invoke(app, ["employer", "import", str(reply)]).exit_code == 0
    again = runner.invoke(app, ["employer", "import", str(reply)])
    assert again.exit_code == 0, _text(again)
    assert "már importálta" in _text(again) and "nem változott" in _text(again)


def test_a_bad_code_is_an_error_naming_the_row_and_nothing_is_listed(
    employer_env, make_table, make_reply, code_for
):
    reply = make_reply(make_table(), {2: code_for(1), 5: "NEM-EGY-KOD"})
    result = runner.invoke(app, ["employer", "import", str(reply)])
    assert result.exit_code == 1
    assert "5. sor" in _text(result) and "semmit sem importáltam" in _text(result)
    listed = runner.invoke(app, ["employer", "list"])
    assert listed.exit_code == 0 and "A nyilvántartás üres." in _text(listed)


def test_a_file_that_is_not_a_reply_is_refused(employer_env, tmp_path):
    other = tmp_path / "valasz.pdf"
    other.write_bytes(b"%PDF-1.7")
    result = runner.invoke(app, ["employer", "import", str(other)])
    assert result.exit_code == 1 and "nem ismert" in _text(result)


def test_list_filters_by_status_and_writes_a_report(
    employer_env, make_table, make_reply, code_for, tmp_path
):
    runner.invoke(app, ["employer", "import", str(make_reply(make_table(), {2: code_for(1)}))])
    coded = runner.invoke(app, ["employer", "list", "--status", "kódolt"])
    assert coded.exit_code == 0 and "HR-001" in _text(coded) and "HR-002" not in _text(coded)
    report = tmp_path / "maradek.html"
    left = runner.invoke(app, ["employer", "list", "--leftovers-only", "--report", str(report)])
    assert left.exit_code == 0 and "HR-001" not in _text(left) and "kód nélkül: 4" in _text(left)
    assert "HR-003" in report.read_text(encoding="utf-8")
    wrong = runner.invoke(app, ["employer", "list", "--status", "kész"])
    assert wrong.exit_code == 2 and "Ismeretlen állapot" in _text(wrong)
