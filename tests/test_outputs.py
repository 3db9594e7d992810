"""Outputs never replace a file without asking: the helper, and every command that writes files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.outputs import OutputRefused, backup_name, claim_outputs, free_name
from kkod.table.template import build_template

from .tables import filled_table

runner = CliRunner()


def _text(result) -> str:
    return " ".join(result.output.split())


def test_a_new_output_is_claimed_without_a_word(tmp_path: Path):
    with claim_outputs(tmp_path / "uj.xlsx", None, force=False) as claim:
        (tmp_path / "uj.xlsx").write_bytes(b"uj")
    assert claim.backups == [] and claim.kept == []


def test_an_existing_output_is_refused_and_left_alone(tmp_path: Path):
    old = tmp_path / "tablazat.xlsx"
    old.write_bytes(b"a kitoltott tablazat")
    with (
        pytest.raises(OutputRefused, match=r"már létezik.*--force") as refused,
        claim_outputs(old, force=False),
    ):
        pytest.fail("the work must not start")
    assert refused.value.exit_code == 2
    assert old.read_bytes() == b"a kitoltott tablazat"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tablazat.xlsx"]


def test_with_force_the_old_file_is_kept_as_bak(tmp_path: Path):
    old = tmp_path / "tablazat.xlsx"
    old.write_bytes(b"elso")
    (tmp_path / "tablazat.bak.xlsx").write_bytes(b"egy korabbi mentes")
    with claim_outputs(old, force=True) as claim:
        old.write_bytes(b"uj")
    kept = tmp_path / "tablazat.bak-2.xlsx"  # the earlier backup is not replaced either
    assert claim.backups == [(old, kept)] and kept.read_bytes() == b"elso"
    assert (tmp_path / "tablazat.bak.xlsx").read_bytes() == b"egy korabbi mentes"
    assert "tablazat.bak-2.xlsx" in claim.kept[0]


def test_a_failed_command_leaves_no_needless_backup(tmp_path: Path):
    old = tmp_path / "jelentes.html"
    old.write_bytes(b"regi")
    with pytest.raises(RuntimeError), claim_outputs(old, force=True):
        raise RuntimeError("a munka közben hiba történt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jelentes.html"]


def test_an_output_that_is_an_input_or_repeated_or_a_folder(tmp_path: Path):
    source = tmp_path / "tabla.xlsx"
    source.write_bytes(b"x")
    inside = tmp_path / "." / "tabla.xlsx"
    with (
        pytest.raises(OutputRefused, match="bemenete is"),
        claim_outputs(inside, force=False, inputs=(source,)),
    ):
        pass
    twice = (tmp_path / "a.xlsx", tmp_path / "a.xlsx")
    with pytest.raises(OutputRefused, match="ugyanaz a fájl"), claim_outputs(*twice, force=True):
        pass
    with pytest.raises(OutputRefused, match="mappa"), claim_outputs(tmp_path, force=True):
        pass


def test_backup_and_free_names(tmp_path: Path):
    assert backup_name(tmp_path / "T.xlsx").name == "T.bak.xlsx"
    assert free_name(tmp_path / "T-ellenorzes.xlsx").name == "T-ellenorzes.xlsx"
    (tmp_path / "T-ellenorzes.xlsx").touch()
    assert free_name(tmp_path / "T-ellenorzes.xlsx").name == "T-ellenorzes-2.xlsx"


# -- every command that writes a file ------------------------------------------------------


def test_template_over_a_filled_table_is_refused(tmp_path: Path):
    filled = filled_table(tmp_path / "tablazat.xlsx", [("HR-1", "Kiss Anna", "Nagy Anna",
                          "Szabó Mária", "Budapest 11", "1985.03.12")])  # fmt: skip
    before = filled.read_bytes()
    refused = runner.invoke(app, ["template", str(filled)])
    assert refused.exit_code == 2 and "már létezik" in _text(refused)
    assert filled.read_bytes() == before
    forced = runner.invoke(app, ["template", str(filled), "--force"])
    assert forced.exit_code == 0, _text(forced)
    assert (tmp_path / "tablazat.bak.xlsx").read_bytes() == before
    assert "tablazat.bak.xlsx" in _text(forced)


def test_validate_fix_onto_its_own_input_needs_force(tmp_path: Path):
    table = filled_table(tmp_path / "t.xlsx", [("HR-1", "Kiss  Anna", "Nagy Anna", "Szabó Mária",
                         "Budapest XI. ker.", "1985.03.12")])  # fmt: skip
    before = table.read_bytes()
    refused = runner.invoke(app, ["validate", str(table), "--fix", str(table)])
    assert refused.exit_code == 2 and "bemenete is" in _text(refused)
    assert table.read_bytes() == before
    forced = runner.invoke(app, ["validate", str(table), "--fix", str(table), "--force"])
    assert forced.exit_code in (0, 1), _text(forced)
    assert (tmp_path / "t.bak.xlsx").read_bytes() == before
    assert openpyxl.load_workbook(table).worksheets[0]["H2"].value == "Budapest 11"


def test_validate_report_over_an_existing_file_is_refused_before_any_work(tmp_path: Path):
    table = build_template(tmp_path / "t.xlsx", rows=3)
    report = tmp_path / "jelentes.html"
    report.write_text("régi jelentés", encoding="utf-8")
    refused = runner.invoke(app, ["validate", str(table), "--report", str(report)])
    assert refused.exit_code == 2 and report.read_text(encoding="utf-8") == "régi jelentés"


def test_generate_refuses_to_replace_its_outputs(tmp_path: Path):
    table = build_template(tmp_path / "t.xlsx", rows=3)
    (tmp_path / "t-kodokkal.xlsx").write_bytes(b"a tegnapi eredmeny")
    refused = runner.invoke(app, ["generate", str(table), "--krid", "600100"])
    assert refused.exit_code == 2 and "t-kodokkal.xlsx" in _text(refused)
    assert (tmp_path / "t-kodokkal.xlsx").read_bytes() == b"a tegnapi eredmeny"
    folder = runner.invoke(app, ["generate", str(tmp_path), "--krid", "600100"])
    assert folder.exit_code == 2 and "mappa" in _text(folder)


def test_demo_ca_keeps_an_existing_signer(tmp_path: Path):
    (tmp_path / "signer.p12").write_bytes(b"az igazi alairo")
    args = ["pki", "demo-ca", str(tmp_path), "--org", "Példa Hivatal", "--org-id", "VATHU-15000000"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and (tmp_path / "signer.p12").read_bytes() == b"az igazi alairo"
    assert not (tmp_path / "ca.pem").exists()
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, _text(forced)
    assert (tmp_path / "signer.bak.p12").read_bytes() == b"az igazi alairo"


def test_sample_table_keeps_an_existing_truth_file(tmp_path: Path, monkeypatch):
    from kkod.config import get_settings

    monkeypatch.setenv("KKOD_DATA_DIR", str(tmp_path / "adat"))
    get_settings.cache_clear()
    truth = tmp_path / "igazsag.csv"
    truth.write_text("sor;szemely_id\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["central", "sample-table", "--krid", "600100", "--rows", "3", "-o",
         str(tmp_path / "minta.xlsx"), "--truth", str(truth)],
    )  # fmt: skip
    get_settings.cache_clear()
    assert result.exit_code == 2 and "igazsag.csv" in _text(result)
    assert not (tmp_path / "minta.xlsx").exists() and not (tmp_path / "adat").exists()
