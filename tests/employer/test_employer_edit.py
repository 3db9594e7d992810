"""``kkod employer edit``: a leftover's 4T corrected (checked, audited) before connecting it one
by one, and a code made by hand in the Hivatali kapu stored — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kkod.central.codes import LEGACY_CHECK_ALPHABET, encode, format_code
from kkod.central.interface import MatchResult
from kkod.employer.connect import connect_employee
from kkod.employer.database import open_register, transaction
from kkod.employer.edit import EditRefused, edit_employee
from kkod.employer.importer import import_reply
from kkod.employer.models import Audit, Status
from kkod.employer.register import EDIT_SOURCE, find_employee
from kkod.errors import KkodError

runner = CliRunner()


def _text(result) -> str:
    return " ".join(result.output.split())


@pytest.fixture
def register(db_url, make_table, make_reply_eml, staff, code_for):
    """HR-002's birth place was mistyped (Debrecn): the reply found no account for it."""
    typo = [
        (belso, dataclasses.replace(p, szuletesi_hely="Debrecn") if belso == "HR-002" else p)
        for belso, p in staff
    ]
    engine = open_register(db_url)
    import_reply(engine, make_reply_eml(make_table(typo), {2: code_for(1)}))
    return engine


def test_a_corrected_birth_place_lets_the_leftover_be_connected(register, central, krid):
    outcome = edit_employee(register, "HR-002", {"szuletesi_hely": "Debrecen"})
    assert outcome.changed == ["H"] and not outcome.remaining
    with transaction(register) as session:
        employee = find_employee(session, "HR-002")
        assert employee.szuletesi_hely == "Debrecen"
        assert employee.status == Status.NINCS_TALALAT  # until it is connected
        last = employee.history[-1]
        assert (last.what, last.old_value, last.new_value, last.source) == (
            "4T",
            None,
            "H",
            EDIT_SOURCE,
        )  # the column, never the values
        details = session.scalars(select(Audit.detail).where(Audit.action == "edit")).all()
        assert details == ["id=HR-002 columns=H code=nem"]
    connected = connect_employee(register, central, "HR-002", krid=krid)
    assert connected.result is MatchResult.KOD


def test_a_safe_fix_is_applied_and_said(register):
    outcome = edit_employee(register, "HR-002", {"szuletesi_hely": "  Debrecen "})
    assert [f.rule for f in outcome.fixed] and outcome.changed == ["H"]
    with transaction(register) as session:
        assert find_employee(session, "HR-002").szuletesi_hely == "Debrecen"


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"szuletesi_ido": "1972.13.45"}, "I (Születési idő)"),
        ({"anyja_szuletesi_neve": "Fekete Józsefné"}, "G (Anyja születési neve)"),
        ({"viselt_nev": "Tóth"}, "D (Viselt név)"),
    ],
)
def test_an_edit_that_breaks_a_4t_rule_changes_nothing(register, fields, says):
    with pytest.raises(EditRefused, match="semmit sem változtattam") as refused:
        edit_employee(register, "HR-002", fields)
    assert says in refused.value.message and refused.value.exit_code == 2
    with transaction(register) as session:
        employee = find_employee(session, "HR-002")
        assert employee.szuletesi_ido == "1972.11.02" and employee.viselt_nev == "Tóth Pálné"
        assert all(h.source != EDIT_SOURCE for h in employee.history)


def test_a_code_made_by_hand_in_the_hivatali_kapu_is_stored(register, code_for):
    outcome = edit_employee(register, "HR-003", {}, code=code_for(33).lower().replace("-", ""))
    assert outcome.code == code_for(33)
    with transaction(register) as session:
        employee = find_employee(session, "HR-003")
        assert employee.kapcsolati_kod == code_for(33) and employee.status == Status.KODOLT
        assert [h.what for h in employee.history][-2:] == ["kód", "állapot"]


def test_a_typed_code_must_carry_today_s_check_symbol(register):
    data = encode(7)[:16]
    old_form = format_code(data + LEGACY_CHECK_ALPHABET[7 % 37])
    with pytest.raises(KkodError, match="ellenőrző jele"):
        edit_employee(register, "HR-003", {}, code=old_form)


def test_nothing_to_edit_or_an_unknown_id_is_exit_2(register):
    with pytest.raises(EditRefused, match="Nincs mit módosítani"):
        edit_employee(register, "HR-002", {})
    with pytest.raises(KkodError, match="Nincs ilyen belső azonosító") as unknown:
        edit_employee(register, "HR-404", {"szuletesi_hely": "Pécs"})
    assert unknown.value.exit_code == 2


def test_the_cli_edits_and_names_the_next_command(
    db_url, make_table, make_reply_eml, code_for, employer_env
):
    from kkod.cli.app import app

    import_reply(open_register(employer_env), make_reply_eml(make_table(), {2: code_for(1)}))
    result = runner.invoke(
        app,
        ["employer", "edit", "HR-005", "--szuletesi-hely", "Budapest XI. ker."],
    )
    assert result.exit_code == 0, _text(result)
    assert "Javítva" in _text(result) and "kkod employer connect HR-005" in _text(result)
    with transaction(open_register(employer_env)) as session:
        assert find_employee(session, "HR-005").szuletesi_hely == "Budapest 11"
    refused = runner.invoke(app, ["employer", "edit", "HR-005", "--szuletesi-ido", "1999.02.30"])
    assert refused.exit_code == 2 and "semmit sem változtattam" in _text(refused)
    coded = runner.invoke(app, ["employer", "edit", "HR-005", "--kapcsolati-kod", code_for(9)])
    assert coded.exit_code == 0 and code_for(9) in _text(coded)
