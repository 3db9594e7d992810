"""``kkod generate`` end to end on a small seeded registry, in-process on both backends and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kkod.central.codes import parse_code
from kkod.central.sample_table import read_truth
from kkod.cli.app import app
from kkod.config import get_settings
from kkod.exchange.reason_report import read_reason_report
from kkod.table.reader import read_table
from kkod.table.writer import patch_cells

KRID = "500100"
KKOD = str(Path(sys.executable).with_name("kkod"))


@pytest.fixture
def kkod(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("KKOD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KKOD_CENTRAL_DATABASE_URL", db_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    yield run
    get_settings.cache_clear()


@pytest.fixture
def work(kkod, tmp_path):
    """A seeded registry, an office and a 60-row sample table with no mistakes."""
    folder = tmp_path / "work"
    folder.mkdir()
    assert kkod("central", "seed", "--people", "1500", "--seed", "5").exit_code == 0
    assert (
        kkod(
            "central",
            "office",
            "add",
            "--krid",
            KRID,
            "--short-name",
            "PMHIV",
            "--org",
            "Példa Hivatal",
        ).exit_code
        == 0
    )
    result = kkod(
        "central", "sample-table", "--krid", KRID, "--rows", "60", "--error-rate", "0",
        "-o", folder / "tabla.xlsx", "--truth", folder / "truth.csv", "--seed", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder


def test_generate_fills_column_e_and_writes_the_report(kkod, work):
    result = kkod("generate", work / "tabla.xlsx", "--krid", KRID)
    assert result.exit_code == 0, result.output
    assert "Kapcsolati kód elkészült" in result.output
    output, report = work / "tabla-kodokkal.xlsx", work / "tabla-jelentes.xlsx"
    truth = {row: expected.value for row, _, expected, _ in read_truth(work / "truth.csv")}
    codes = {r.row: r.kapcsolati_kod for r in read_table(output).rows}
    assert set(codes) == set(truth)
    for row, expected in truth.items():
        if expected == "KOD":
            assert parse_code(codes[row]) == codes[row]
        else:
            assert codes[row] == ""
    reasons = read_reason_report(report.name, report.read_bytes())
    assert {row: r.result.value for row, r in reasons.reasons.items()} == {
        row: e for row, e in truth.items() if e != "KOD"
    }
    assert reasons.codes == {row: codes[row] for row, e in truth.items() if e == "KOD"}


def test_json_output_and_the_same_codes_on_a_rerun(kkod, work):
    first = kkod(
        "generate",
        work / "tabla.xlsx",
        "--krid",
        KRID,
        "--json",
        "-o",
        work / "a.xlsx",
        "--report",
        work / "a.csv",
    )
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert set(data) == {"rows", "coded", "no_match", "multiple", "invalid", "output", "report"}
    assert data["rows"] == 60 and data["invalid"] == 0
    assert data["coded"] + data["no_match"] + data["multiple"] == 60
    assert data["output"] == str(work / "a.xlsx") and data["report"] == str(work / "a.csv")
    again = json.loads(
        kkod(
            "generate", work / "tabla.xlsx", "--krid", KRID, "--json", "-o", work / "b.xlsx"
        ).stdout
    )
    assert again["coded"] == data["coded"]
    a = {r.row: r.kapcsolati_kod for r in read_table(work / "a.xlsx").rows}
    b = {r.row: r.kapcsolati_kod for r in read_table(work / "b.xlsx").rows}
    assert a == b


def test_wrong_krid_is_exit_2_and_leaves_no_file(kkod, work):
    before = sorted(p.name for p in work.iterdir())
    result = kkod("generate", work / "tabla.xlsx", "--krid", "424242")
    assert result.exit_code == 2
    assert "Ismeretlen hivatali kapu" in result.output
    assert sorted(p.name for p in work.iterdir()) == before


def test_a_modified_table_is_exit_2_and_leaves_no_file(kkod, work):
    patch_cells(work / "tabla.xlsx", work / "tabla.xlsx", {(1, "G"): "Anyja neve"})
    before = sorted(p.name for p in work.iterdir())
    result = kkod("generate", work / "tabla.xlsx", "--krid", KRID)
    assert result.exit_code == 2
    assert "G oszlop" in result.output
    assert sorted(p.name for p in work.iterdir()) == before


def test_an_unknown_report_format_is_exit_2_before_any_code_is_issued(kkod, work, db_url):
    from sqlalchemy import func, select

    from kkod.central.models import Connection
    from kkod.db import make_engine

    before = sorted(p.name for p in work.iterdir())
    result = kkod("generate", work / "tabla.xlsx", "--krid", KRID, "--report", work / "r.pdf")
    assert result.exit_code == 2
    assert "r.pdf" in result.output
    assert sorted(p.name for p in work.iterdir()) == before
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Connection)) == 0
    engine.dispose()


def test_an_unreadable_file_is_exit_2(kkod, work):
    (work / "nem-tabla.xlsx").write_bytes(b"not a zip file")
    result = kkod("generate", work / "nem-tabla.xlsx", "--krid", KRID)
    assert result.exit_code == 2
    assert not (work / "nem-tabla-kodokkal.xlsx").exists()


@pytest.mark.slow
def test_the_installed_command_runs_end_to_end(tmp_path):
    env = {**os.environ, "KKOD_DATA_DIR": str(tmp_path / "data")}
    env.pop("KKOD_CENTRAL_DATABASE_URL", None)

    def run(*args):
        return subprocess.run(
            [KKOD, *map(str, args)], env=env, capture_output=True, text=True, check=False
        )

    assert run("central", "seed", "--people", "1000", "--seed", "2").returncode == 0
    assert (
        run(
            "central", "office", "add", "--krid", KRID, "--short-name", "P", "--org", "P H"
        ).returncode
        == 0
    )
    assert (
        run(
            "central",
            "sample-table",
            "--krid",
            KRID,
            "--rows",
            "30",
            "--error-rate",
            "0.2",
            "-o",
            tmp_path / "t.xlsx",
        ).returncode
        == 0
    )
    done = run("generate", tmp_path / "t.xlsx", "--krid", KRID, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == 30
    assert (tmp_path / "data" / "central-code-secret").stat().st_mode & 0o777 == 0o600


def test_generate_through_the_central_api_gives_what_in_process_gives(
    kkod, work, tmp_path, monkeypatch, db_url
):
    """KKOD_CENTRAL_URL and a ministry key: the same command reaches the registry over HTTP."""
    from kkod.central.apikeys import KeyKind, create_key
    from kkod.config import Settings
    from kkod.db import make_engine
    from kkod.web.central.app import create_app
    from tests.apiserver import serving

    in_process = kkod(
        "generate", work / "tabla.xlsx", "--krid", KRID, "-o", work / "helyi.xlsx",
        "--report", work / "helyi-jelentes.xlsx",
    )  # fmt: skip
    assert in_process.exit_code == 0, in_process.output
    settings = Settings(data_dir=tmp_path / "data", central_database_url=db_url)
    engine = make_engine(db_url)
    from kkod.central.secret import load_api_key_secret

    token = create_key(engine, load_api_key_secret(settings), kind=KeyKind.MINISTRY).token
    engine.dispose()
    with serving(create_app(settings)) as url:
        monkeypatch.setenv("KKOD_CENTRAL_URL", url)
        monkeypatch.setenv("KKOD_CENTRAL_API_KEY", token)
        monkeypatch.setenv("KKOD_CENTRAL_DATABASE_URL", "sqlite:////nonexistent/not-used.sqlite3")
        get_settings.cache_clear()
        over_http = kkod(
            "generate", work / "tabla.xlsx", "--krid", KRID, "-o", work / "http.xlsx",
            "--report", work / "http-jelentes.xlsx",
        )  # fmt: skip
        wrong = kkod(
            "generate", work / "tabla.xlsx", "--krid", "424242", "-o", work / "x.xlsx",
            "--report", work / "x-jelentes.xlsx",
        )  # fmt: skip
    assert over_http.exit_code == 0, over_http.output
    local = {r.row: r.kapcsolati_kod for r in read_table(work / "helyi.xlsx").rows}
    remote = {r.row: r.kapcsolati_kod for r in read_table(work / "http.xlsx").rows}
    assert remote == local and any(local.values())
    assert wrong.exit_code == 2 and "Ismeretlen hivatali kapu" in wrong.output
