"""``kkod central``: offices, seeding, sample tables and connecting one person, on both backends."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
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


def test_api_keys_are_created_listed_and_revoked(kkod):
    assert _add_office(kkod).exit_code == 0
    created = kkod("central", "office", "key", "create", "--krid", KRID, "--name", "Iktató DMS")
    assert created.exit_code == 0, created.output
    token = next(line for line in created.stdout.splitlines() if line.startswith("kkod_"))
    ministry = kkod("central", "office", "key", "create", "--ministry", "--name", "BM")
    assert ministry.exit_code == 0
    listed = json.loads(kkod("central", "office", "key", "list", "--json").stdout)
    assert [(k["kind"], k["krid"], k["name"]) for k in listed] == [
        ("office", KRID, "Iktató DMS"),
        ("ministry", None, "BM"),
    ]
    assert token[22:] not in kkod("central", "office", "key", "list").stdout  # never the secret
    assert token[5:21] == listed[0]["key_id"]
    revoked = kkod("central", "office", "key", "revoke", listed[0]["key_id"])
    assert revoked.exit_code == 0 and "Visszavonva" in revoked.output
    again = json.loads(kkod("central", "office", "key", "list", "--json", "--krid", KRID).stdout)
    assert again[0]["revoked_at"] is not None
    assert kkod("central", "office", "key", "revoke", "0123456789abcdef").exit_code == 2
    both = kkod("central", "office", "key", "create", "--ministry", "--krid", KRID)
    assert both.exit_code == 2
    unknown = kkod("central", "office", "key", "create", "--krid", "999999")
    assert unknown.exit_code == 2 and "Nincs ilyen hivatali kapu" in unknown.output


def test_the_inbox_shows_what_arrived_and_saves_a_document(kkod, db_url, tmp_path):
    from kkod.central.delivery import deliver
    from kkod.central.models import Office
    from kkod.central.registry import NewAccount, add_person
    from kkod.central.service import open_central

    assert _add_office(kkod).exit_code == 0
    engine = open_part("central")
    add_person(engine, Person4T("Kovács Péter", "Kovács Péter", "Szabó Mária", "Eger", "1985.03.12"),
               [NewAccount("kovacs.peter", "kp@example.hu")])  # fmt: skip
    central = open_central()
    from kkod.fourt.canonical import canonical

    code = central.connect_one(KRID, canonical(Person4T(
        "Kovács Péter", "Kovács Péter", "Szabó Mária", "Eger", "1985.03.12")).match_key()).code  # fmt: skip
    with engine.begin() as conn:
        office_id = conn.scalar(select(Office.id).where(Office.krid == KRID))
        deliver(conn, office_id, code, "proba.txt", "text/plain", "Próba ő ű".encode())
    empty = kkod("central", "inbox", "--account", "kovacs.peter", "--json")
    [entry] = json.loads(empty.stdout)
    assert (entry["filename"], entry["sender_krid"], entry["size"]) == (
        "proba.txt",
        KRID,
        len("Próba ő ű".encode()),
    )
    shown = kkod("central", "inbox", "--account", "kovacs.peter")
    assert "proba.txt" in shown.output and "PMHIV" in shown.output
    saved = kkod("central", "inbox", "--account", "kovacs.peter", "--show",
                 str(entry["document_id"]), "--save", str(tmp_path / "le.txt"))  # fmt: skip
    assert saved.exit_code == 0 and (tmp_path / "le.txt").read_text() == "Próba ő ű"
    assert kkod("central", "inbox", "--account", "nincs.ilyen").exit_code == 1


def test_serve_refuses_half_a_tls_setup_and_a_bad_address(kkod, tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text("-")
    half = kkod("central", "serve", "--tls-cert", str(cert))
    assert half.exit_code == 2 and "--tls-key" in half.output
    bad = kkod("central", "serve", "--listen", "localhost")
    assert bad.exit_code == 2 and "GÉP:PORT" in bad.output
