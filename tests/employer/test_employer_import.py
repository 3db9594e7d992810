"""Importing replies (the reply email, the returned .xlsx with or without its report) into the
register, on SQLite and PostgreSQL: only codes the ministry confirms are stored, what is not a
reply is refused, and no row is entered twice."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from kkod.central.interface import MatchResult
from kkod.employer.database import open_register, transaction
from kkod.employer.edit import edit_employee
from kkod.employer.importer import import_reply
from kkod.employer.models import Status
from kkod.employer.register import (
    UNCONFIRMED_REASON,
    employees,
    find_employee,
    mark_submitted,
)
from kkod.employer.reply import NotAReply
from kkod.employer.submit import sent_rows
from kkod.errors import KkodError
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message
from kkod.table.reader import read_table
from kkod.table.writer import patch_cells


def _submitted(engine, table, reference="<request-1@pelda.hu>") -> None:
    """What ``kkod employer submit`` records: every row of ``table`` sent, függőben."""
    with transaction(engine) as session:
        mark_submitted(
            session,
            sent_rows(read_table(table)),
            source=f"submit: {table.name}",
            reference=reference,
        )


def test_the_reply_email_stores_the_confirmed_codes_and_every_leftover_s_reason(
    db_url, make_table, make_reply_eml, code_for
):
    engine = open_register(db_url)
    table = make_table()
    reply = make_reply_eml(table, {2: code_for(1), 3: code_for(2)}, {4: MatchResult.TOBB_TALALAT})
    outcome = import_reply(engine, reply)
    assert outcome.reply.reference == "<request-1@pelda.hu>"
    assert outcome.reply.codes_confirmed and outcome.reply.report_found
    assert outcome.counts == {
        "rows": 5,
        "coded": 2,
        "no_match": 2,
        "multiple": 1,
        "invalid": 0,
        "unknown": 0,
    }
    with transaction(engine) as session:
        employee = find_employee(session, "HR-002")
        assert employee.kapcsolati_kod == code_for(2) and employee.status == Status.KODOLT
        assert employee.last_reference == "<request-1@pelda.hu>" and employee.sorszam == "2"
        assert employee.history[-1].source == "import: valasz.eml"
    left = {item.belso_azonosito: item for item in outcome.leftovers}
    assert left["HR-003"].status == Status.TOBB_TALALAT
    assert "melyik ügyfélkapus fiók az övé" in left["HR-003"].next_step
    assert "kkod employer edit HR-003 --kapcsolati-kod" in left["HR-003"].next_step
    assert left["HR-005"].status == Status.NINCS_TALALAT and "DÁP" in left["HR-005"].next_step
    generated = next(item for key, item in left.items() if key.startswith("GEN-"))
    assert generated.fourt == ("Horváth Zoltán", "Horváth Zoltán", "Balogh Katalin", "Szeged",
                               "1968.07.04")  # fmt: skip
    assert generated.sorszam == "4" and generated.row == 5


def test_a_code_the_employer_typed_into_column_e_is_never_stored(
    db_url, make_table, make_reply, make_report, code_for, tmp_path
):
    engine = open_register(db_url)
    table = make_table()
    last_year = code_for(40)
    typed = tmp_path / "begepelt.xlsx"
    patch_cells(table, typed, {(3, "E"): last_year})
    # An older ministry left the typed code in the returned table; its report confirms only row 2.
    returned = make_reply(typed, {2: code_for(1)})
    report = make_report(typed, {2: code_for(1)})
    outcome = import_reply(engine, returned, report=report)
    assert [(r.row, r.unconfirmed_code) for r in outcome.unconfirmed] == [(3, last_year)]
    with transaction(engine) as session:
        assert find_employee(session, "HR-001").kapcsolati_kod == code_for(1)
        hr002 = find_employee(session, "HR-002")
        assert hr002.kapcsolati_kod is None and hr002.status == Status.NINCS_TALALAT


def test_a_bare_reply_keeps_what_it_can_and_says_what_it_could_not_know(
    db_url, make_table, make_reply, code_for
):
    engine = open_register(db_url)
    reply = make_reply(make_table(), {2: code_for(1), 4: code_for(3)})
    outcome = import_reply(engine, reply)  # never submitted through kkod: nothing confirms
    assert not outcome.reply.report_found
    assert {r.row for r in outcome.unconfirmed} == {2, 4}
    assert outcome.counts["coded"] == 0 and outcome.counts["unknown"] == 5
    with transaction(engine) as session:
        assert len(employees(session)) == 5
        hr001 = find_employee(session, "HR-001")
        assert hr001.kapcsolati_kod is None and hr001.reason == UNCONFIRMED_REASON
        assert "nézze meg a minisztérium jelentését" in find_employee(session, "HR-002").reason


def test_a_bare_reply_to_a_request_sent_through_kkod_stores_codes_of_rows_sent_empty(
    db_url, make_table, make_reply, code_for, tmp_path
):
    engine = open_register(db_url)
    typed = tmp_path / "kuldott.xlsx"
    patch_cells(make_table(), typed, {(4, "E"): code_for(30)})
    _submitted(engine, typed)
    outcome = import_reply(engine, make_reply(typed, {2: code_for(1)}))
    assert [r.row for r in outcome.stored_unreported] == [2]
    assert [r.row for r in outcome.unconfirmed] == [4]  # went out with a typed code
    with transaction(engine) as session:
        assert find_employee(session, "HR-001").kapcsolati_kod == code_for(1)
        assert find_employee(session, "HR-003").kapcsolati_kod is None


def test_the_officer_s_own_request_is_not_a_reply(db_url, make_table, tmp_path):
    from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table

    engine = open_register(db_url)
    table = make_table()
    pdf = build_declaration_pdf(
        declaration_data_for_table(
            table,
            organisation="Példa Hivatal",
            short_name="PELDAHIV",
            krid="600100",
            contact_name="Kovács Éva",
            contact_email="hr@pelda.hu",
        )
    )
    request = build_message(
        sender="hr@pelda.hu",
        to="ehr@bm.gov.hu",
        subject="Példa Hivatal – kapcsolati kódok igénylése",
        text="Kérjük a kódokat.",
        attachments=[
            Attachment(table.name, XLSX_TYPE, table.read_bytes()),
            Attachment("nyilatkozat.pdf", PDF_TYPE, pdf),
        ],
    )
    eml = tmp_path / "elkuldott.eml"
    eml.write_bytes(request.as_bytes())
    with pytest.raises(NotAReply, match="kérelem") as refused:
        import_reply(engine, eml)
    assert refused.value.exit_code == 2
    with transaction(engine) as session:
        assert employees(session) == []


def test_a_sent_message_is_recognised_by_its_message_id(
    db_url, make_table, make_reply, code_for, tmp_path
):
    engine = open_register(db_url)
    table = make_table()
    _submitted(engine, table, reference="<sent-7@pelda.hu>")
    copy = build_message(
        sender="hr@pelda.hu",
        to="ehr@bm.gov.hu",
        subject="Példa Hivatal – kapcsolati kódok igénylése",
        text="Kérjük a kódokat.",
        attachments=[
            Attachment(table.name, XLSX_TYPE, make_reply(table, {2: code_for(1)}).read_bytes())
        ],
        message_id="<sent-7@pelda.hu>",
    )
    eml = tmp_path / "masolat.eml"
    eml.write_bytes(copy.as_bytes())
    with pytest.raises(NotAReply, match="elküldött kérelem"):
        import_reply(engine, eml)


def test_an_unsent_table_is_not_a_reply(db_url, make_table):
    engine = open_register(db_url)
    with pytest.raises(NotAReply, match="egyetlen sorában sincs kapcsolati kód") as refused:
        import_reply(engine, make_table())
    assert "--report" in refused.value.message


def test_a_report_of_another_table_is_refused_and_nothing_imported(
    db_url, make_table, make_reply, make_report, staff, code_for
):
    engine = open_register(db_url)
    ours = make_table()
    other = make_table(list(reversed(staff)), name="masik.xlsx")
    with pytest.raises(NotAReply, match="nem ehhez a táblázathoz"):
        import_reply(
            engine, make_reply(ours, {2: code_for(1)}), report=make_report(other, {2: code_for(1)})
        )
    with transaction(engine) as session:
        assert employees(session) == []


def test_importing_the_same_reply_twice_changes_nothing(
    db_url, make_table, make_reply_eml, code_for
):
    engine = open_register(db_url)
    reply = make_reply_eml(make_table(), {2: code_for(1)})
    first = import_reply(engine, reply)
    with transaction(engine) as session:
        before = [
            (e.belso_azonosito, e.status, e.kapcsolati_kod, len(e.history))
            for e in employees(session)
        ]
    second = import_reply(engine, reply)
    with transaction(engine) as session:
        after = [
            (e.belso_azonosito, e.status, e.kapcsolati_kod, len(e.history))
            for e in employees(session)
        ]
    assert first.summary.changes > 0
    assert second.unchanged and second.previously_imported_at is not None
    assert before == after


def test_a_bare_reply_after_the_full_one_keeps_the_reasons(
    db_url, make_table, make_reply, make_reply_eml, code_for
):
    engine = open_register(db_url)
    table = make_table()
    import_reply(engine, make_reply_eml(table, {2: code_for(1)}, {4: MatchResult.TOBB_TALALAT}))
    import_reply(engine, make_reply(table, {2: code_for(1)}, name="csak-tabla.xlsx"))
    with transaction(engine) as session:
        assert find_employee(session, "HR-003").status == Status.TOBB_TALALAT
        assert find_employee(session, "HR-005").status == Status.NINCS_TALALAT
        assert find_employee(session, "HR-001").kapcsolati_kod == code_for(1)


def test_a_malformed_code_names_the_row_and_imports_nothing(
    db_url, make_table, make_reply, code_for
):
    engine = open_register(db_url)
    wrong = code_for(2)[:-1] + ("X" if code_for(2)[-1] != "X" else "Y")  # wrong check symbol
    reply = make_reply(make_table(), {2: code_for(1), 3: wrong})
    with pytest.raises(KkodError) as error:
        import_reply(engine, reply)
    assert "3. sor" in error.value.message and "E oszlop" in error.value.message
    assert "ellenőrző jele" in error.value.message
    with transaction(engine) as session:
        assert employees(session) == []


def test_codes_are_stored_in_display_form_whatever_way_they_were_written(
    db_url, make_table, make_reply, make_report, code_for
):
    engine = open_register(db_url)
    table = make_table()
    sloppy = code_for(1).replace("-", "").lower()
    import_reply(
        engine, make_reply(table, {2: sloppy}), report=make_report(table, {2: code_for(1)})
    )
    with transaction(engine) as session:
        assert find_employee(session, "HR-001").kapcsolati_kod == code_for(1)


def test_the_same_belso_azonosito_twice_is_an_error(
    db_url, make_table, make_reply, staff, code_for
):
    engine = open_register(db_url)
    staff = [staff[0], ("HR-001", staff[1][1])]
    with pytest.raises(KkodError, match=r"HR-001.*2\. és 3\. sor"):
        import_reply(engine, make_reply(make_table(staff), {2: code_for(1)}))


def test_an_email_without_a_table_is_a_clear_error(db_url, tmp_path):
    engine = open_register(db_url)
    message = build_message(
        sender="ehr@bm.gov.hu", to="hr@pelda.hu", subject="Elutasítva", text="Hiányzik az aláírás."
    )
    eml = tmp_path / "elutasitas.eml"
    eml.write_bytes(message.as_bytes())
    with pytest.raises(KkodError, match="nincs visszaküldött"):
        import_reply(engine, eml)


def test_the_table_attachment_is_hashed_as_received(db_url, make_table, make_reply_eml, code_for):
    from kkod.mail.message import parse_message

    engine = open_register(db_url)
    eml = make_reply_eml(make_table(), {2: code_for(1)})
    outcome = import_reply(engine, eml)
    table = next(a for a in parse_message(eml.read_bytes()).attachments if "kodokkal" in a.filename)
    assert outcome.reply.table_sha256 == hashlib.sha256(table.data).hexdigest()


@pytest.mark.parametrize("report_name", ["indoklas.xlsx", "indoklas.csv"])
def test_an_older_report_without_the_codes_sheet_gives_reasons_and_the_register_confirms_codes(
    db_url, make_table, make_reply, code_for, tmp_path, report_name
):
    from kkod.reports import Report, write_report

    engine = open_register(db_url)
    table = make_table()
    _submitted(engine, table)
    reply = make_reply(table, {2: code_for(1), 6: code_for(5)})
    report = write_report(
        tmp_path / report_name,
        Report(
            "Indoklás",
            ("Sor", "Belső azonosító", "Eredmény", "Magyarázat"),
            [
                (3, "HR-002", "TOBB_TALALAT", "Több Ügyfélkapu-fiók tartozik a 4T adatokhoz."),
                (4, "HR-003", "NINCS_TALALAT", "Nincs aktív Ügyfélkapu-fiók."),
                (5, "", "NINCS_TALALAT", ""),
            ],
        ),
    )
    message = build_message(
        sender="ehr@bm.gov.hu",
        to="hr@pelda.hu",
        subject="Re: Példa Hivatal – kapcsolati kódok igénylése",
        text="Kész.",
        attachments=[
            Attachment("tablazat.xlsx", XLSX_TYPE, reply.read_bytes()),
            Attachment(report_name, "application/octet-stream", report.read_bytes()),
        ],
    )
    eml = tmp_path / "valasz.eml"
    eml.write_bytes(message.as_bytes())
    outcome = import_reply(engine, eml)
    assert outcome.reply.report_found and not outcome.reply.codes_confirmed
    assert outcome.counts["multiple"] == 1 and outcome.counts["no_match"] == 2
    assert outcome.counts["coded"] == 2 and outcome.counts["unknown"] == 0
    left = {item.belso_azonosito: item for item in outcome.leftovers}
    assert left["HR-002"].status == Status.TOBB_TALALAT
    assert left["HR-002"].reason == "Több Ügyfélkapu-fiók tartozik a 4T adatokhoz."
    assert left["HR-003"].status == Status.NINCS_TALALAT
    generated = next(item for key, item in left.items() if key.startswith("GEN-"))
    assert generated.status == Status.NINCS_TALALAT and "nincs aktív" in generated.reason


# -- rows without a Belső azonosító: matched by Sorszám and 4T, never entered twice --------


def test_a_row_whose_belso_azonosito_was_filled_later_keeps_its_entry(
    db_url, make_table, make_reply_eml, staff, code_for
):
    engine = open_register(db_url)
    import_reply(engine, make_reply_eml(make_table(), {}, name="elso.eml"))
    filled = [(belso or "HR-004", person) for belso, person in staff]
    import_reply(
        engine, make_reply_eml(make_table(filled, name="kitoltott.xlsx"), {5: code_for(4)})
    )
    with transaction(engine) as session:
        everyone = employees(session)
        assert len(everyone) == 5  # not six: the GEN- entry became HR-004
        hr004 = find_employee(session, "HR-004")
        assert hr004.kapcsolati_kod == code_for(4) and not hr004.generated_key
        assert [h.what for h in hr004.history if h.what == "azonosító"] == ["azonosító"]


def test_a_corrected_row_without_belso_azonosito_is_found_by_its_new_4t(
    db_url, make_table, make_reply_eml, staff, code_for
):
    engine = open_register(db_url)
    wrong = [*staff[:3], ("", dataclasses.replace(staff[3][1], szuletesi_ido="1968.07.05"))]
    import_reply(engine, make_reply_eml(make_table(wrong, name="regi.xlsx"), {}, name="regi.eml"))
    with transaction(engine) as session:
        [key] = [e.belso_azonosito for e in employees(session) if e.generated_key]
    edit_employee(engine, key, {"szuletesi_ido": "1968.07.04"})
    import_reply(engine, make_reply_eml(make_table(staff[:4], name="uj.xlsx"), {5: code_for(4)}))
    with transaction(engine) as session:
        assert len(employees(session)) == 4
        entry = find_employee(session, key)
        assert entry.kapcsolati_kod == code_for(4) and entry.szuletesi_ido == "1968.07.04"
