"""Importing replies (bare .xlsx and .eml) into the register, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest

from kkod.employer.database import open_register, transaction
from kkod.employer.importer import import_reply
from kkod.employer.models import Status
from kkod.employer.register import employees, find_employee
from kkod.errors import KkodError
from kkod.mail.message import XLSX_TYPE, Attachment, build_message


def test_a_bare_reply_sets_codes_and_lists_leftovers_with_unknown_reason(
    db_url, make_table, make_reply, code_for
):
    engine = open_register(db_url)
    reply = make_reply(make_table(), {2: code_for(1), 4: code_for(3), 6: code_for(5)})
    outcome = import_reply(engine, reply)
    assert outcome.counts == {
        "rows": 5,
        "coded": 3,
        "no_match": 0,
        "multiple": 0,
        "invalid": 0,
        "unknown": 2,
    }
    assert outcome.previously_imported_at is None and not outcome.unchanged
    with transaction(engine) as session:
        assert find_employee(session, "HR-001").kapcsolati_kod == code_for(1)
        assert find_employee(session, "HR-005").status == Status.KODOLT
        assert len(employees(session)) == 5
    left = {item.belso_azonosito: item for item in outcome.leftovers}
    assert "HR-002" in left and len(left) == 2
    generated = next(key for key in left if key.startswith("GEN-"))
    assert left[generated].viselt_nev == "Horváth Zoltán"
    assert left["HR-002"].status == Status.KOD_NELKUL
    assert "nézze meg a minisztérium jelentését" in left["HR-002"].reason


def test_importing_the_same_reply_twice_changes_nothing(db_url, make_table, make_reply, code_for):
    engine = open_register(db_url)
    reply = make_reply(make_table(), {2: code_for(1)})
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
    db_url, make_table, make_reply, code_for
):
    engine = open_register(db_url)
    sloppy = code_for(1).replace("-", "").lower()
    import_reply(engine, make_reply(make_table(), {2: sloppy}))
    with transaction(engine) as session:
        assert find_employee(session, "HR-001").kapcsolati_kod == code_for(1)


def test_the_same_belso_azonosito_twice_is_an_error(db_url, make_table, make_reply, staff):
    engine = open_register(db_url)
    staff = [staff[0], ("HR-001", staff[1][1])]
    with pytest.raises(KkodError, match=r"HR-001.*2\. és 3\. sor"):
        import_reply(engine, make_reply(make_table(staff), {}))


def test_a_reply_email_is_read_from_its_table_attachment(
    db_url, make_table, make_reply, tmp_path, code_for
):
    engine = open_register(db_url)
    reply = make_reply(make_table(), {2: code_for(1), 3: code_for(2)})
    message = build_message(
        sender="ehr@bm.gov.hu",
        to="hr@pelda.hu",
        subject="Re: Példa Hivatal – kapcsolati kódok igénylése",
        text="A kapcsolati kódok elkészültek.",
        attachments=[Attachment("Kapcsolati_kod_adattablazat.xlsx", XLSX_TYPE, reply.read_bytes())],
        in_reply_to="<request-1@pelda.hu>",
    )
    eml = tmp_path / "valasz.eml"
    eml.write_bytes(message.as_bytes())
    outcome = import_reply(engine, eml)
    assert outcome.reply.reference == "<request-1@pelda.hu>"
    assert outcome.reply.table_sha256 == hashlib.sha256(reply.read_bytes()).hexdigest()
    with transaction(engine) as session:
        employee = find_employee(session, "HR-002")
        assert employee.kapcsolati_kod == code_for(2)
        assert employee.last_reference == "<request-1@pelda.hu>"
        assert employee.history[-1].source == "import: valasz.eml"


def test_an_email_without_a_table_is_a_clear_error(db_url, tmp_path):
    engine = open_register(db_url)
    message = build_message(
        sender="ehr@bm.gov.hu", to="hr@pelda.hu", subject="Elutasítva", text="Hiányzik az aláírás."
    )
    eml = tmp_path / "elutasitas.eml"
    eml.write_bytes(message.as_bytes())
    with pytest.raises(KkodError, match="nincs visszaküldött"):
        import_reply(engine, eml)


@pytest.mark.parametrize("report_name", ["indoklas.xlsx", "indoklas.csv"])
def test_the_reason_report_in_the_email_gives_each_leftover_its_reason(
    db_url, make_table, make_reply, code_for, tmp_path, report_name
):
    from kkod.reports import Report, write_report

    engine = open_register(db_url)
    reply = make_reply(make_table(), {2: code_for(1), 6: code_for(5)})
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
    assert outcome.reply.report_found
    assert outcome.counts["multiple"] == 1 and outcome.counts["no_match"] == 2
    assert outcome.counts["unknown"] == 0
    left = {item.belso_azonosito: item for item in outcome.leftovers}
    assert left["HR-002"].status == Status.TOBB_TALALAT
    assert left["HR-002"].reason == "Több Ügyfélkapu-fiók tartozik a 4T adatokhoz."
    assert "fölösleges Ügyfélkapu-fiókjait" in left["HR-002"].next_step
    assert left["HR-003"].status == Status.NINCS_TALALAT
    generated = next(item for key, item in left.items() if key.startswith("GEN-"))
    assert generated.status == Status.NINCS_TALALAT and "nincs aktív" in generated.reason
