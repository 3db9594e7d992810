"""The employer's whole round: the ministry generates on a real central registry, the reply email
(filled table + reason report) is imported, and a leftover is connected once its cause is gone."""

from __future__ import annotations

from kkod.central.interface import EXPLANATION, MatchResult
from kkod.central.registry import NewAccount, add_person, set_account_active
from kkod.employer.connect import connect_employee
from kkod.employer.database import open_register, transaction
from kkod.employer.importer import import_reply
from kkod.employer.models import Status
from kkod.employer.register import find_employee
from kkod.mail.message import XLSX_TYPE, Attachment, build_message
from kkod.ministry.generation import generate


def test_generated_codes_and_reasons_arrive_in_the_register(
    db_url, central, krid, make_table, staff, tmp_path
):
    people = dict(staff)
    add_person(central.engine, people["HR-001"], [NewAccount("kiss.anna", "ka@example.hu")])
    table = make_table()
    result = generate(
        table,
        krid,
        central,
        tmp_path / "kodokkal.xlsx",
        tmp_path / "jelentes.xlsx",
        "<kerelem-1@pelda.hu>",
    )
    by_row = {r.row: r for r in result.rows}
    assert by_row[2].result is MatchResult.KOD and by_row[4].result is MatchResult.TOBB_TALALAT

    reply = build_message(
        sender="ehr@bm.gov.hu",
        to="hr@pelda.hu",
        subject="Re: Példa Hivatal – kapcsolati kódok igénylése",
        text=f"Elkészült: {result.coded} kód.",
        attachments=[
            Attachment("tablazat-kodokkal.xlsx", XLSX_TYPE, result.output.read_bytes()),
            Attachment("tablazat-jelentes.xlsx", XLSX_TYPE, result.report.read_bytes()),
        ],
        in_reply_to="<kerelem-1@pelda.hu>",
    )
    eml = tmp_path / "valasz.eml"
    eml.write_bytes(reply.as_bytes())
    engine = open_register(db_url)
    outcome = import_reply(engine, eml)

    assert outcome.reply.report_found and outcome.counts["unknown"] == 0
    assert outcome.counts["coded"] == result.coded
    assert outcome.counts["multiple"] == result.multiple == 1
    assert outcome.counts["no_match"] == result.no_match == 2
    with transaction(engine) as session:
        assert find_employee(session, "HR-001").kapcsolati_kod == by_row[2].code
        assert find_employee(session, "HR-002").kapcsolati_kod == by_row[3].code
        several = find_employee(session, "HR-003")
        assert several.status == Status.TOBB_TALALAT
        assert several.reason == EXPLANATION[MatchResult.TOBB_TALALAT]
        assert find_employee(session, "HR-005").status == Status.NINCS_TALALAT
    assert {item.belso_azonosito for item in outcome.leftovers} >= {"HR-003", "HR-005"}

    # The employee closes the second Ügyfélkapu account; connecting one by one now gives a code.
    set_account_active(central.engine, "kovacs.b2", False)
    connected = connect_employee(engine, central, "HR-003", krid=krid)
    assert connected.result is MatchResult.KOD
    with transaction(engine) as session:
        employee = find_employee(session, "HR-003")
        assert employee.status == Status.KODOLT and employee.kapcsolati_kod == connected.code
        assert [h.source for h in employee.history][-1] == f"connect (KRID {krid})"
    # Importing the old reply again never takes that code away.
    assert import_reply(engine, eml).unchanged
