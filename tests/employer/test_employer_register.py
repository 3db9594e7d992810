"""The register: keys, statuses, history, codes never taken away by a reply — on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kkod.central.interface import MatchResult
from kkod.employer.database import open_register, transaction
from kkod.employer.models import Base, Status
from kkod.employer.register import (
    ReplyRow,
    apply_reply_rows,
    find_employee,
    leftovers,
    mark_submitted,
    next_step_of,
    record_connection,
    register_key,
)
from kkod.fourt.model import Person4T

KISS = Person4T("Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 11", "1985.03.12")
TOTH = Person4T("Tóth Pálné", "Varga Éva", "Fekete Ilona", "Debrecen", "1972.11.02")
CODE = "7K3M-9XQ2-HT5W-R8P1-Z"


def test_the_migrated_schema_is_exactly_the_models(db_url):
    engine = open_register(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": "employer_alembic_version"}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_a_row_without_belso_azonosito_gets_a_stable_generated_key():
    key, generated = register_key(None, KISS)
    assert generated and key.startswith("GEN-") and len(key) == 20
    # the same person written slightly differently is the same key (canonical 4T)
    same = Person4T("  kiss  anna ", "Nagy Anna", "Szabó Mária", "Budapest XI. ker.", "1985-03-12")
    assert register_key("", same) == (key, True)
    assert register_key(None, TOTH)[0] != key
    assert register_key(" HR-001 ", KISS) == ("HR-001", False)


def test_reply_rows_set_code_status_and_history(db_url):
    engine = open_register(db_url)
    rows = [
        ReplyRow(2, "HR-001", KISS, CODE, MatchResult.KOD),
        ReplyRow(3, "HR-002", TOTH, None, MatchResult.TOBB_TALALAT, "több fiók"),
        ReplyRow(
            4, None, Person4T("Kovács Béla", "Kovács Béla", "Molnár Éva", "Pécs", "1990.01.01")
        ),
    ]
    with transaction(engine) as session:
        summary = apply_reply_rows(session, rows, source="import: V.xlsx", reference="<r1@bm>")
    assert summary.created == 3 and summary.rows == 3
    with transaction(engine) as session:
        kiss = find_employee(session, "HR-001")
        assert kiss.kapcsolati_kod == CODE and kiss.status == Status.KODOLT
        assert [h.what for h in kiss.history] == ["létrehozva", "kód", "állapot"]
        assert kiss.history[1].new_value == CODE and kiss.history[1].source == "import: V.xlsx"
        toth = find_employee(session, "HR-002")
        assert toth.status == Status.TOBB_TALALAT and toth.reason == "több fiók"
        assert "kkod employer edit HR-002 --kapcsolati-kod" in next_step_of(toth)
        unknown = find_employee(session, summary.keys[2])
        assert unknown.status == Status.KOD_NELKUL and unknown.generated_key
        assert {e.belso_azonosito for e in leftovers(session)} == {"HR-002", summary.keys[2]}


def test_applying_the_same_rows_again_changes_nothing(db_url):
    engine = open_register(db_url)
    rows = [
        ReplyRow(2, "HR-001", KISS, CODE),
        ReplyRow(3, "HR-002", TOTH, None, MatchResult.NINCS_TALALAT),
    ]
    with transaction(engine) as session:
        first = apply_reply_rows(session, rows, source="import: V.xlsx", reference="<r1@bm>")
    with transaction(engine) as session:
        second = apply_reply_rows(session, rows, source="import: V.xlsx", reference="<r1@bm>")
        history = sum(len(e.history) for e in leftovers(session)) + len(
            find_employee(session, "HR-001").history
        )
    assert first.changes > 0
    assert second.changes == 0 and second.changed_employees == 0 and second.created == 0
    assert history == first.changes


def test_a_later_empty_reply_never_takes_away_a_code(db_url):
    engine = open_register(db_url)
    with transaction(engine) as session:
        apply_reply_rows(session, [ReplyRow(2, "HR-001", KISS, CODE)], source="a", reference=None)
    with transaction(engine) as session:
        summary = apply_reply_rows(
            session,
            [ReplyRow(2, "HR-001", KISS, None, MatchResult.NINCS_TALALAT)],
            source="b",
            reference=None,
        )
        kiss = find_employee(session, "HR-001")
        assert kiss.kapcsolati_kod == CODE and kiss.status == Status.KODOLT
    assert summary.kept_codes == 1 and summary.changes == 0


def test_changed_4t_is_recorded_by_column_without_values(db_url):
    engine = open_register(db_url)
    with transaction(engine) as session:
        apply_reply_rows(session, [ReplyRow(2, "HR-001", KISS, CODE)], source="a", reference=None)
    fixed = Person4T("Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 12", "1985.03.13")
    with transaction(engine) as session:
        apply_reply_rows(session, [ReplyRow(2, "HR-001", fixed, CODE)], source="b", reference=None)
        entry = find_employee(session, "HR-001").history[-1]
    assert (entry.what, entry.old_value, entry.new_value) == ("4T", None, "H, I")


def test_submitted_rows_are_pending_until_a_reply(db_url):
    engine = open_register(db_url)
    with transaction(engine) as session:
        mark_submitted(
            session, [ReplyRow(2, "HR-009", TOTH)], source="submit: T.xlsx", reference="<q@x>"
        )
    with transaction(engine) as session:
        employee = find_employee(session, "HR-009")
        assert employee.status == Status.FUGGOBEN and employee.last_reference == "<q@x>"
        assert "kkod employer import" in next_step_of(employee)


def test_a_connection_stores_the_code_and_a_refusal_the_reason(db_url):
    engine = open_register(db_url)
    with transaction(engine) as session:
        apply_reply_rows(
            session,
            [ReplyRow(3, "HR-002", TOTH, None, MatchResult.NINCS_TALALAT)],
            source="a",
            reference=None,
        )
    with transaction(engine) as session:
        employee = find_employee(session, "HR-002")
        assert record_connection(session, employee, MatchResult.KOD, CODE, source="connect") == 2
        assert employee.status == Status.KODOLT and employee.reason is None
        assert employee.history[-2].source == "connect"
        # the account was closed since: the central system's answer wins, the old code stays in history
        assert (
            record_connection(session, employee, MatchResult.NINCS_TALALAT, None, source="connect")
            == 2
        )
        assert employee.kapcsolati_kod is None and employee.status == Status.NINCS_TALALAT
        assert any(
            h.what == "kód" and h.old_value == CODE and h.new_value is None
            for h in employee.history
        )
