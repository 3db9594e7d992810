"""``kkod employer connect``: one register entry through a real in-process central system."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kkod.central.interface import MatchResult
from kkod.employer.connect import connect_employee
from kkod.employer.database import open_register, transaction
from kkod.employer.importer import import_reply
from kkod.employer.models import Status
from kkod.employer.register import META_KRID, find_employee, get_meta
from kkod.errors import KkodError

runner = CliRunner()


def _text(result) -> str:
    """The command's output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture
def register(db_url, make_table, make_reply_eml, code_for):
    """The register after a reply that coded only HR-001 and found nobody else."""
    engine = open_register(db_url)
    import_reply(engine, make_reply_eml(make_table(), {2: code_for(1)}))
    return engine


def test_a_leftover_with_one_account_gets_its_code_stored(register, central, krid):
    outcome = connect_employee(register, central, "HR-002", krid=krid)
    assert outcome.result is MatchResult.KOD and outcome.changes == 2
    with transaction(register) as session:
        employee = find_employee(session, "HR-002")
        assert employee.kapcsolati_kod == outcome.code and employee.status == Status.KODOLT
        assert employee.history[-2].what == "kód"
        assert employee.history[-1].source == f"connect (KRID {krid})"
        assert get_meta(session, META_KRID) == krid  # remembered for next time
    again = connect_employee(register, central, "HR-002")  # the KRID from the register now
    assert again.code == outcome.code and again.changes == 0


def test_several_accounts_or_none_give_the_reason_and_never_a_code(register, central, krid):
    several = connect_employee(register, central, "HR-003", krid=krid)
    none = connect_employee(register, central, "HR-005", krid=krid)
    absent = connect_employee(register, central, "HR-001", krid=krid)  # coded by the reply already
    assert (several.result, several.code) == (MatchResult.TOBB_TALALAT, None)
    assert (none.result, none.code) == (MatchResult.NINCS_TALALAT, None)
    assert "Ügyfélkapu+" in none.next_step and "kkod employer connect HR-005" in none.next_step
    assert "kkod employer edit HR-003 --kapcsolati-kod" in several.next_step
    with transaction(register) as session:
        assert find_employee(session, "HR-003").status == Status.TOBB_TALALAT
        assert find_employee(session, "HR-005").status == Status.NINCS_TALALAT
        assert find_employee(session, "HR-005").kapcsolati_kod is None
        # the central system does not know HR-001 (the reply's code came from elsewhere): it says so
        assert absent.result is MatchResult.NINCS_TALALAT
        assert find_employee(session, "HR-001").kapcsolati_kod is None


def test_without_a_krid_it_asks_for_one_and_a_wrong_one_changes_nothing(register, central, krid):
    with pytest.raises(KkodError, match="--krid"):
        connect_employee(register, central, "HR-002")
    with pytest.raises(KkodError, match="999999"):
        connect_employee(register, central, "HR-002", krid="999999")
    with transaction(register) as session:
        assert get_meta(session, META_KRID) is None
        assert find_employee(session, "HR-002").status == Status.NINCS_TALALAT


def test_an_unknown_id_is_a_clear_error(register, central, krid):
    with pytest.raises(KkodError, match="Nincs ilyen belső azonosító"):
        connect_employee(register, central, "HR-404", krid=krid)


def test_the_cli_stores_the_code_or_exits_1_with_the_reason(
    register, central, central_url, employer_env, monkeypatch, krid, secret_hex
):
    from kkod.cli.app import app

    monkeypatch.setenv("KKOD_CENTRAL_DATABASE_URL", central_url)
    monkeypatch.setenv("KKOD_CODE_SECRET", secret_hex)
    coded = runner.invoke(app, ["employer", "connect", "HR-002", "--krid", krid])
    assert coded.exit_code == 0, _text(coded)
    with transaction(register) as session:
        code = find_employee(session, "HR-002").kapcsolati_kod
    assert code and code in _text(coded)
    refused = runner.invoke(app, ["employer", "connect", "HR-003"])
    assert refused.exit_code == 1
    assert "Több találat" in _text(refused) and "Teendő" in _text(refused)


def test_the_cli_connects_through_the_central_api_with_the_offices_key(
    register, central, central_url, employer_env, monkeypatch, krid, secret_hex, tmp_path
):
    """KKOD_CENTRAL_URL and the office's key: only the match key travels, the code comes back."""
    from kkod.central.apikeys import KeyKind, create_key
    from kkod.cli.app import app
    from kkod.config import Settings, get_settings
    from kkod.web.central.app import create_app
    from tests.apiserver import serving

    pepper = bytes.fromhex("77" * 32)
    token = create_key(central.engine, pepper, kind=KeyKind.OFFICE, krid=krid).token
    settings = Settings(
        data_dir=tmp_path / "central-data",
        central_database_url=central_url,
        code_secret=secret_hex,
        api_key_secret=pepper.hex(),
    )
    with serving(create_app(settings)) as url:
        monkeypatch.setenv("KKOD_CENTRAL_URL", url)
        monkeypatch.setenv("KKOD_CENTRAL_API_KEY", token)
        get_settings.cache_clear()
        coded = runner.invoke(app, ["employer", "connect", "HR-002", "--krid", krid])
        refused = runner.invoke(app, ["employer", "connect", "HR-003"])
    assert coded.exit_code == 0, _text(coded)
    with transaction(register) as session:
        code = find_employee(session, "HR-002").kapcsolati_kod
    assert code and code in _text(coded)
    assert central.lookup_code(krid, code).connected
    assert refused.exit_code == 1 and "Több találat" in _text(refused)
