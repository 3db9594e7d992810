"""``kkod central``: offices, seeding, sample tables and connecting one person, on both backends."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.config import get_settings
from kkod.db import open_part
from kkod.fourt.model import Person4T

KRID = "500100"


@pytest.fixture
def kkod(db_url, tmp_path, monkeypatch):
    """Run ``kkod …`` in-process against a fresh central database on the given backend."""
    monkeypatch.setenv("KKOD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KKOD_CENTRAL_DATABASE_URL", db_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    yield run
    get_settings.cache_clear()


def _add_office(kkod):
    return kkod(
        "central", "office", "add", "--krid", KRID, "--short-name", "PMHIV",
        "--org", "Példa Megyei Hivatal", "--email-domain", "pelda.gov.hu",
        "--email-domain", "pelda.hu", "--org-id", "VATHU-15000000",
    )  # fmt: skip


def test_office_add_and_list(kkod):
    result = _add_office(kkod)
    assert result.exit_code == 0, result.output
    assert "PMHIV" in result.output
    listed = json.loads(kkod("central", "office", "list", "--json").stdout)
    assert listed == [
        {
            "krid": KRID,
            "short_name": "PMHIV",
            "name": "Példa Megyei Hivatal",
            "email_domains": ["pelda.gov.hu", "pelda.hu"],
            "organisation_id": "VATHU-15000000",
        }
    ]
    shown = kkod("central", "office", "list").stdout
    assert "PMHIV" in shown and KRID in shown
    again = _add_office(kkod)
    assert again.exit_code == 2 and "Már van" in again.output


def test_seed_reports_what_it_loaded(kkod):
    result = kkod("central", "seed", "--people", "500", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "500 személy" in result.output.replace("\u00a0", "")


def test_sample_table_writes_the_table_and_the_truth(kkod, tmp_path):
    _add_office(kkod)
    kkod("central", "seed", "--people", "800", "--seed", "3")
    result = kkod(
        "central", "sample-table", "--krid", KRID, "--rows", "40", "--error-rate", "0.5",
        "-o", str(tmp_path / "t.xlsx"), "--truth", str(tmp_path / "truth.csv"), "--seed", "9",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.xlsx").exists()
    lines = (tmp_path / "truth.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "sor;szemely_id;vart_eredmeny;hiba" and len(lines) == 41
    assert "Beillesztett hibák" in result.output


def _seed_one(db_url):
    from kkod.central.registry import NewAccount, add_person

    engine = open_part("central", url=db_url)
    add_person(
        engine,
        Person4T("Kovács Péter", "Kovács Péter", "Szabó Mária", "Budapest 11", "1985.03.12"),
        [NewAccount("kp", "kp@example.hu")],
    )
    engine.dispose()


def test_connect_with_options_gives_the_code(kkod, db_url):
    _add_office(kkod)
    _seed_one(db_url)
    args = (
        "central", "connect", "--krid", KRID, "--current-name", "Kovács Péter",
        "--birth-name", "Kovács Péter", "--mother-name", "Szabó Mária",
        "--birth-place", "Bp. XI. ker.", "--birth-date", "1985. 03. 12.",
    )  # fmt: skip
    result = kkod(*args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["result"] == "KOD" and len(data["code"]) == 21
    assert data["code"] in kkod(*args).stdout  # the same code again


def test_connect_asks_for_what_is_missing(kkod, db_url):
    _add_office(kkod)
    _seed_one(db_url)
    result = kkod(
        "central", "connect", "--krid", KRID,
        input="Kovács Péter\nKovács Péter\nSzabó Mária\nBudapest 11\n1985.03.12\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Viselt név" in result.output and "Kapcsolati kód:" in result.output


def test_connect_never_shows_a_near_match(kkod, db_url):
    _add_office(kkod)
    _seed_one(db_url)
    result = kkod(
        "central", "connect", "--krid", KRID, "--current-name", "Kovács Péter",
        "--birth-name", "Kovács Péter", "--mother-name", "Szabó Mária",
        "--birth-place", "Budapest 12", "--birth-date", "1985.03.12",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Nincs találat" in result.output and "NINCS_TALALAT" not in result.output
    assert "Budapest 11" not in result.output and "kp" not in result.output.split()


def test_the_old_option_spellings_still_work_unshown(kkod, db_url):
    """``--viselt-nev`` and the other Hungarian spellings, and ``--name`` and
    ``--organisation-id``, are kept as aliases for scripts written before; help shows only the
    English ones."""
    added = kkod(
        "central", "office", "add", "--krid", KRID, "--short-name", "PMHIV",
        "--name", "Példa Megyei Hivatal", "--organisation-id", "VATHU-15000000",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    _seed_one(db_url)
    result = kkod(
        "central", "connect", "--krid", KRID, "--viselt-nev", "Kovács Péter",
        "--szuletesi-nev", "Kovács Péter", "--anyja-neve", "Szabó Mária",
        "--szuletesi-hely", "Budapest 11", "--szuletesi-ido", "1985.03.12", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["result"] == "KOD"
    shown = kkod("central", "connect", "--help").stdout
    assert "--birth-name" in shown and "--szuletesi-nev" not in shown


def test_connect_to_an_unknown_office_is_exit_2(kkod):
    result = kkod(
        "central", "connect", "--krid", "999", "--current-name", "A B", "--birth-name", "A B",
        "--mother-name", "C D", "--birth-place", "Eger", "--birth-date", "1985.03.12",
    )  # fmt: skip
    assert result.exit_code == 2 and "Ismeretlen hivatali kapu" in result.output
