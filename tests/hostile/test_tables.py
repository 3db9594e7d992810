"""Every hostile table through ``kkod validate``, ``kkod generate`` and ``kkod ministry upload``,
each a real process measured from outside: exit 0, 1 or 2 (never a traceback), a Hungarian
message naming what is wrong, nothing left behind on refusal, within 30 s of CPU and 1 GiB."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from kkod.table.sheet_xml import formula_cells
from tests.hostile.cases import FORMULA_TEXTS, SECRET_MARKER, Case
from tests.hostile.conftest import CASES, KRID, SENDER
from tests.hostile.measure import MAX_CPU_SECONDS, MAX_MEMORY, Measured

pytestmark = pytest.mark.slow


def _well_behaved(command: str, run: Measured, case: Case) -> None:
    _record(command, run, case)
    where = f"{case.name} / {command}"
    assert not run.killed, f"{where}: still running after the wall-clock timeout"
    assert run.cpu_seconds <= MAX_CPU_SECONDS, f"{where}: {run.cpu_seconds:.1f} s of CPU"
    assert run.peak_memory <= MAX_MEMORY, f"{where}: {run.peak_memory >> 20} MiB"
    assert run.returncode in (0, 1, 2), f"{where}: exit {run.returncode}\n{run.stderr[-2000:]}"
    assert "Traceback" not in run.output, f"{where}:\n{run.output[-3000:]}"
    assert "Váratlan hiba" not in run.output, f"{where}: an unexpected error\n{run.output}"
    assert SECRET_MARKER not in run.output, f"{where}: the XXE secret was read"


def _record(command: str, run: Measured, case: Case) -> None:
    """With HOSTILE_FIGURES=FILE, each run's figures as a JSON line (docs/reliability.md)."""
    figures = os.environ.get("HOSTILE_FIGURES")
    if figures:
        line = {"case": case.name, "command": command, "exit": run.returncode}
        line |= {"peak_mib": run.peak_memory >> 20, "cpu_s": round(run.cpu_seconds, 2)}
        with open(figures, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def _rows_of(report: Path) -> list[dict[str, str]]:
    with open(report, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_generate_and_upload(case: Case, hostile_corpus, kkod, tmp_path):
    table = hostile_corpus.path(case)
    out = tmp_path / "ki"
    out.mkdir()
    fixed, findings = out / "javitott.xlsx", out / "ellenorzes.csv"
    filled, reasons = out / "kodokkal.xlsx", out / "jelentes.csv"

    validate = kkod("validate", table, "--report", findings, "--fix", fixed, cwd=out)
    _well_behaved("validate", validate, case)
    generate = kkod(
        "generate", table, "--krid", KRID, "-o", filled, "--report", reasons, "--json", cwd=out
    )
    _well_behaved("generate", generate, case)

    if case.refused is not None:
        for command, run in (("validate", validate), ("generate", generate)):
            assert run.returncode == 2, f"{command}: {run.output}"
            assert run.stderr.startswith("Hiba:") and case.refused in run.stderr, run.stderr
        assert list(out.iterdir()) == [], "a refusal left output behind"
    else:
        assert validate.returncode in (0, 1), validate.output
        assert generate.returncode == 0, generate.output
        reported = {row["Szabály"] for row in _rows_of(findings)}
        assert set(case.rules) <= reported, (case.rules, reported)
        _judged_alike(findings, reasons)
        for written in (fixed, filled):
            with open(written, "rb") as handle:
                assert SECRET_MARKER.encode() not in handle.read()
        _checks_of(case, table, out)


# Upload runs the intake's checks, as the SMTP intake does for every case
# (test_tables_by_mail.py): here a few of each kind, through the command.
UPLOADED = ("valid", "line_breaks", "pdf", "bomb_sheet", "xxe_sheet", "two_tables", "rows_250k")


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.name in UPLOADED],
    ids=[c.name for c in CASES if c.name in UPLOADED],
)
def test_ministry_upload(case: Case, hostile_corpus, kkod, tmp_path):
    table = hostile_corpus.path(case)
    declaration = kkod.declaration(table, tmp_path / "nyilatkozat.pdf")
    upload = kkod(
        "ministry", "upload", "--table", table, "--declaration", declaration, "--from", SENDER
    )
    _well_behaved("upload", upload, case)
    if case.refused is not None:
        assert upload.returncode == 1 and "elutasítva" in upload.stdout, upload.output
        assert case.refused in " ".join(upload.stdout.split()), upload.stdout
    else:
        assert upload.returncode == 0 and "beérkezett" in upload.stdout, upload.output


def _judged_alike(findings: Path, reasons: Path) -> None:
    """A row validate calls an error is never "nincs találat" or "több találat" at the ministry."""
    errors = {int(r["Sor"]) for r in _rows_of(findings) if r["Súlyosság"] == "hiba"}
    for row in _rows_of(reasons):
        if int(row["Excel-sor"]) in errors:
            assert row["Eredmény"] == "hibás sor", row


def _checks_of(case: Case, table: Path, out: Path) -> None:
    """What a particular case must show in the outputs besides behaving."""
    if "formula_text" in case.tags:
        from tests.libreoffice import csv_as_workbook, formulas_in

        for report in (out / "ellenorzes.csv", out / "jelentes.csv"):
            opened = csv_as_workbook(report, out / "lo")
            assert formulas_in(opened) == frozenset(), report.name
        for written in (out / "javitott.xlsx", out / "kodokkal.xlsx"):
            grid = CalamineWorkbook.from_path(written).get_sheet_by_index(0).to_python()
            for ref, text in FORMULA_TEXTS.items():
                assert grid[int(ref[1:]) - 1][ord(ref[0]) - 65] == text, (written.name, ref)
            import zipfile

            with zipfile.ZipFile(written) as archive:
                assert formula_cells(archive.read("xl/worksheets/sheet1.xml")) == frozenset()
    if "code_column" in case.tags:
        fixed = CalamineWorkbook.from_path(out / "javitott.xlsx").get_sheet_by_index(0)
        assert [row[4] for row in fixed.to_python()[2:4]] == ["", ""]
        filled = CalamineWorkbook.from_path(out / "kodokkal.xlsx").get_sheet_by_index(0)
        rows = filled.to_python()
        assert rows[2][4] != "7K3M-9XQ2-HT5W-R8P1-Z" and len(rows[2][4]) == 21  # HR-002's code
        assert rows[3][4] == ""  # HR-003 has no account: the employer's text is removed
        note = next(r for r in _rows_of(out / "jelentes.csv") if r["Excel-sor"] == "4")
        assert "„tavalyi kód” állt" in note["Megjegyzés"] and "törölte" in note["Megjegyzés"]
