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
    employer_env, make_table, make_reply_eml, code_for, tmp_path
):
    reply = make_reply_eml(make_table(), {2: code_for(1), 4: code_for(3), 6: code_for(5)})
    leftovers = tmp_path / "maradek.csv"
    result = runner.invoke(app, ["employer", "import", str(reply), "--leftovers", str(leftovers)])
    assert result.exit_code == 0, _text(result)
    assert "Kódolt" in _text(result) and "Kód nélkül maradt foglalkoztatottak (2)" in _text(result)
    assert "HR-002" in _text(result) and "nincs találat" in _text(result)
    rows = list(csv.reader(io.StringIO(leftovers.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Sorszám", "Belső azonosító", "Viselt név", "Születési név", "Anyja születési neve",
        "Születési hely", "Születési idő", "Eredmény", "Ok", "Teendő", "Excel-sor",
    ]  # fmt: skip
    assert len(rows) == 3
    hr002 = next(row for row in rows if row[1] == "HR-002")
    assert hr002[:8] == ["2", "HR-002", "Tóth Pálné", "Varga Éva", "Fekete Ilona", "Debrecen",
                         "1972.11.02", "nincs találat"]  # fmt: skip
    assert hr002[10] == "3" and "kkod employer connect HR-002" in hr002[9]


def test_the_leftovers_workbook_reads_like_the_reason_report(
    employer_env, make_table, make_reply_eml, code_for, tmp_path
):
    from openpyxl import load_workbook

    out = tmp_path / "maradek.xlsx"
    reply = make_reply_eml(make_table(), {2: code_for(1)})
    assert (
        runner.invoke(app, ["employer", "import", str(reply), "--leftovers", str(out)]).exit_code
        == 0
    )
    sheet = load_workbook(out).worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert sheet.column_dimensions["I"].width > 40 and sheet["J2"].alignment.wrap_text
    assert [sheet.cell(2, c).value for c in (1, 2, 3)] == ["2", "HR-002", "Tóth Pálné"]


def test_a_bare_table_and_its_report_given_apart(
    employer_env, make_table, make_reply, make_report, code_for
):
    table = make_table()
    reply, report = make_reply(table, {2: code_for(1)}), make_report(table, {2: code_for(1)})
    result = runner.invoke(app, ["employer", "import", str(reply), "--report", str(report)])
    assert result.exit_code == 0, _text(result)
    assert "jelentése nélkül" not in _text(result)
    coded = runner.invoke(app, ["employer", "list", "--status", "kódolt"])
    assert "HR-001" in _text(coded) and "kódolt: 1" in _text(coded)


def test_a_bare_table_alone_says_what_it_could_not_know(
    employer_env, make_table, make_reply, code_for
):
    result = runner.invoke(
        app, ["employer", "import", str(make_reply(make_table(), {2: code_for(1)}))]
    )
    assert result.exit_code == 0, _text(result)
    assert "jelentése nélkül érkezett" in _text(result) and "--report" in _text(result)
    assert "Nem tárolt kódok" in _text(result) and code_for(1) in _text(result)


def test_an_unsent_table_is_refused_with_exit_2(employer_env, make_table):
    result = runner.invoke(app, ["employer", "import", str(make_table())])
    assert result.exit_code == 2 and "nem a minisztérium válaszának látszik" in _text(result)


def test_the_leftovers_list_never_replaces_a_file(
    employer_env, make_table, make_reply_eml, code_for, tmp_path
):
    out = tmp_path / "maradek.xlsx"
    out.write_bytes(b"a tegnapi lista")
    reply = make_reply_eml(make_table(), {2: code_for(1)})
    refused = runner.invoke(app, ["employer", "import", str(reply), "--leftovers", str(out)])
    assert refused.exit_code == 2 and out.read_bytes() == b"a tegnapi lista"
    listed = runner.invoke(app, ["employer", "list"])
    assert "A nyilvántartás üres." in _text(listed)  # refused before anything was imported


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
    assert result.exit_code == 2 and "nem ismert" in _text(result)


def test_list_filters_by_status_and_writes_a_report(
    employer_env, make_table, make_reply_eml, code_for, tmp_path
):
    runner.invoke(app, ["employer", "import", str(make_reply_eml(make_table(), {2: code_for(1)}))])
    coded = runner.invoke(app, ["employer", "list", "--status", "kódolt"])
    assert coded.exit_code == 0 and "HR-001" in _text(coded) and "HR-002" not in _text(coded)
    report = tmp_path / "maradek.html"
    left = runner.invoke(app, ["employer", "list", "--leftovers-only", "--report", str(report)])
    assert left.exit_code == 0 and "HR-001" not in _text(left)
    assert "nincs találat: 4" in _text(left)
    html = report.read_text(encoding="utf-8")
    assert "HR-003" in html and "Molnár Erzsébet" in html and "Anyja születési neve" in html
    wrong = runner.invoke(app, ["employer", "list", "--status", "kész"])
    assert wrong.exit_code == 2 and "Ismeretlen állapot" in _text(wrong)
