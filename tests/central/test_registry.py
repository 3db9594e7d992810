"""The registry's schema and upkeep on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from kkod.central.interface import OfficeInfo
from kkod.central.models import Account, AuditEntry, Person
from kkod.central.registry import (
    NewAccount,
    RegistryError,
    add_office,
    add_person,
    list_offices,
    set_account_active,
)
from kkod.db import alembic_config, head_revision, migrate

from ..migrations import downgrade
from .conftest import KOVACS, KRID, key


@pytest.mark.parametrize("part", ["central", "ministry", "employer"])
def test_the_head_revision_read_from_the_files_is_alembics(part):
    from alembic.script import ScriptDirectory

    config = alembic_config(part)
    assert head_revision(part) == ScriptDirectory.from_config(config).get_current_head()


def test_migrations_create_the_registry_and_run_twice(engine):
    migrate(engine, "central")  # already at head: nothing to do, no error
    tables = set(inspect(engine).get_table_names())
    assert {
        "central_offices",
        "central_people",
        "central_accounts",
        "central_connections",
        "central_audit",
        "central_alembic_version",
    } <= tables
    indexes = {i["name"] for i in inspect(engine).get_indexes("central_people")}
    assert "ix_central_people_match_key" in indexes


def test_offices_are_added_listed_and_unique(engine):
    add_office(
        engine, OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal", ("@Pelda.gov.hu",), "VATHU-1")
    )
    [office] = list_offices(engine)
    assert office == OfficeInfo(KRID, "PMHIV", "Példa Megyei Hivatal", ("pelda.gov.hu",), "VATHU-1")
    with pytest.raises(RegistryError, match="Már van"):
        add_office(engine, OfficeInfo(KRID, "X", "Y"))
    with pytest.raises(RegistryError, match="számjegy"):
        add_office(engine, OfficeInfo("12a", "X", "Y"))


def test_a_person_is_stored_as_given_with_the_match_key_of_the_canonical_form(engine):
    messy = KOVACS.__class__(
        "  kovács  péter ", "Kovács Péter", "Szabó Mária", "Bp. XI. ker.", "1985-03-12"
    )
    person_id = add_person(engine, messy, [NewAccount("kp", "kp@example.hu")])
    with engine.connect() as conn:
        person = conn.execute(select(Person).where(Person.id == person_id)).one()
        assert person.viselt_nev == "  kovács  péter "
        assert person.match_key == key(KOVACS)
        assert conn.scalar(select(func.count()).select_from(Account)) == 1


def test_an_unreadable_person_is_refused(engine):
    with pytest.raises(RegistryError):
        add_person(
            engine, KOVACS.__class__("Kovács Péter", "", "Szabó Mária", "Pécs", "1985.02.30")
        )


def test_closing_an_account_and_the_audit_has_no_4t_values(engine):
    add_person(engine, KOVACS, [NewAccount("kp", "kp@example.hu")])
    set_account_active(engine, "kp", False)
    with engine.connect() as conn:
        assert conn.scalar(select(Account.active)) is False
        details = " ".join(conn.scalars(select(AuditEntry.detail)).all())
    assert "account_close" not in details  # the action is in its own column
    for value in ("Kovács", "Szabó", "1985"):
        assert value not in details
    with pytest.raises(RegistryError):
        set_account_active(engine, "nincs-ilyen", False)


def test_connections_have_no_foreign_keys_and_the_migration_goes_back_and_forth(engine):
    """Issuing checks no office and account row by row (ADR 0008); down and up again work."""

    def foreign_keys() -> set[str]:
        return {
            fk["referred_table"] for fk in inspect(engine).get_foreign_keys("central_connections")
        }

    assert foreign_keys() == set()
    downgrade(engine, "central", "central_office_staff_logins")
    assert foreign_keys() == {"central_offices", "central_accounts"}
    migrate(engine, "central")
    assert foreign_keys() == set()
