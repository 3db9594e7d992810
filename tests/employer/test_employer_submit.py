"""``kkod employer submit``: validated table + declaration over real SMTP (aiosmtpd on loopback)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.employer.database import open_register, transaction
from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table
from kkod.employer.models import Status
from kkod.employer.register import META_KRID, META_ORGANISATION, employees, find_employee, get_meta
from kkod.exchange.subject import is_request_subject, request_subject
from kkod.fourt.model import Person4T
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, parse_message
from kkod.mail.server import mailbox_messages, start_mailbox_server, wait_for_messages
from kkod.pki.demo_ca import make_demo_ca
from kkod.pki.signing import sign_pdf

ORG = "Példa Vármegyei Kormányhivatal"
KRID = "600100"
PASSPHRASE = "Jelszó-2024".encode()
runner = CliRunner()


def _text(result) -> str:
    """The command's output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture
def mailbox(tmp_path):
    """The ministry's side of the wire: a real SMTP server on an ephemeral loopback port."""
    folder = tmp_path / "bm-postafiok"
    server = start_mailbox_server(folder, "127.0.0.1", 0)
    yield folder, f"127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> Path:
    pki = make_demo_ca(
        tmp_path_factory.mktemp("pki"),
        organisation=ORG,
        organisation_id="VATHU-15000000",
        signer_name="Szőke Örs",
        passphrase=PASSPHRASE,
    )
    return pki.signer_p12


def _declaration(table: Path, out: Path, signer: Path | None = None) -> Path:
    data = declaration_data_for_table(
        table,
        organisation=ORG,
        short_name="PELDAKH",
        krid=KRID,
        contact_name="Kovács Éva",
        contact_email="hr@pelda.gov.hu",
    )
    pdf = build_declaration_pdf(data)
    out.write_bytes(sign_pdf(pdf, signer, PASSPHRASE) if signer else pdf)
    return out


def _submit(table, declaration, smtp, *extra):
    return runner.invoke(
        app,
        [
            "employer", "submit",
            "--table", str(table), "--declaration", str(declaration),
            "--to", "ehr@bm.gov.hu", "--from", "hr@pelda.gov.hu", "--smtp", smtp,
            *extra,
        ],
    )  # fmt: skip


def test_a_valid_table_arrives_with_both_attachments_byte_identical(
    employer_env, mailbox, make_table, signer, tmp_path
):
    folder, smtp = mailbox
    table = make_table()
    declaration = _declaration(table, tmp_path / "nyilatkozat.pdf", signer)
    saved = tmp_path / "out" / "kerelem.eml"
    result = _submit(table, declaration, smtp, "--save-eml", str(saved))
    assert result.exit_code == 0, _text(result)
    [arrived] = wait_for_messages(folder, 1, timeout=10)
    message = parse_message(arrived.read_bytes())
    assert message.subject == request_subject(ORG) and is_request_subject(message.subject, ORG)
    assert message.sender == "hr@pelda.gov.hu"
    by_type = {a.content_type: a for a in message.attachments}
    assert set(by_type) == {XLSX_TYPE, PDF_TYPE}
    assert by_type[XLSX_TYPE].data == table.read_bytes()
    assert by_type[XLSX_TYPE].filename == table.name
    assert by_type[PDF_TYPE].data == declaration.read_bytes()
    assert by_type[PDF_TYPE].filename == "nyilatkozat.pdf"
    assert KRID in message.text and "5 sor" in message.text
    assert parse_message(saved.read_bytes()).message_id == message.message_id
    engine = open_register(employer_env)
    with transaction(engine) as session:
        assert get_meta(session, META_KRID) == KRID
        assert get_meta(session, META_ORGANISATION) == ORG
        registered = employees(session)
        assert len(registered) == 5
        assert {e.status for e in registered} == {Status.FUGGOBEN}
        assert {e.last_reference for e in registered} == {message.message_id}
        assert find_employee(session, "HR-002").history[0].source == f"submit: {table.name}"


def test_a_table_with_errors_is_blocked_with_its_report_and_nothing_is_sent(
    employer_env, mailbox, make_table, staff, tmp_path
):
    folder, smtp = mailbox
    bad = [
        *staff[:2],
        ("HR-010", Person4T("Nagy Péter", "Nagy Péter", "Kiss Pálné", "Budapest", "1985.13.45")),
    ]
    table = make_table(bad, name="hibas.xlsx")
    declaration = _declaration(table, tmp_path / "nyilatkozat.pdf")
    result = _submit(table, declaration, smtp)
    assert result.exit_code == 1
    assert "hiba van" in _text(result) and "nem küldtem el" in _text(result)
    report = tmp_path / "hibas-ellenorzes.xlsx"
    assert report.is_file()
    assert mailbox_messages(folder) == []
    with transaction(open_register(employer_env)) as session:
        assert employees(session) == []


def test_an_smtp_server_that_is_down_is_a_hungarian_error_and_exit_1(
    employer_env, make_table, signer, tmp_path
):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    table = make_table()
    declaration = _declaration(table, tmp_path / "nyilatkozat.pdf", signer)
    result = _submit(table, declaration, f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert "A levél nem ment el" in _text(result) and "nem érhető el" in _text(result)
    with transaction(open_register(employer_env)) as session:
        assert employees(session) == []


def test_a_declaration_made_for_another_table_is_refused(
    employer_env, mailbox, make_table, staff, tmp_path
):
    folder, smtp = mailbox
    first = make_table(staff[:2], name="elso.xlsx")
    declaration = _declaration(first, tmp_path / "nyilatkozat.pdf")
    other = make_table(staff, name="masik.xlsx")
    result = _submit(other, declaration, smtp)
    assert result.exit_code == 1
    assert "nem ehhez a táblázathoz" in _text(result)
    assert mailbox_messages(folder) == []


def test_org_overrides_the_subject_and_the_password_comes_only_from_the_environment(
    employer_env, mailbox, make_table, signer, tmp_path
):
    folder, smtp = mailbox
    table = make_table()
    declaration = _declaration(table, tmp_path / "nyilatkozat.pdf", signer)
    missing = _submit(
        table, declaration, smtp, "--user", "hr", "--password-env", "NINCS_ILYEN_VALTOZO"
    )
    assert missing.exit_code == 1 and "NINCS_ILYEN_VALTOZO" in _text(missing)
    result = _submit(table, declaration, smtp, "--org", "BM Teszt Hivatal")
    assert result.exit_code == 0, _text(result)
    [arrived] = wait_for_messages(folder, 1, timeout=10)
    assert parse_message(arrived.read_bytes()).subject == request_subject("BM Teszt Hivatal")


def test_an_empty_table_is_never_sent(employer_env, mailbox, tmp_path):
    from kkod.table.template import build_template

    folder, smtp = mailbox
    empty = build_template(tmp_path / "ures.xlsx", rows=10)
    declaration = tmp_path / "nyilatkozat.pdf"
    declaration.write_bytes(b"%PDF-1.7 szkennelt")
    result = _submit(empty, declaration, smtp, "--org", ORG, "--force")
    assert result.exit_code == 2 and "nincs egyetlen kitöltött adatsor sem" in _text(result)
    assert mailbox_messages(folder) == []


def test_a_table_with_errors_goes_only_with_force_and_says_so(
    employer_env, mailbox, make_table, staff, signer, tmp_path
):
    folder, smtp = mailbox
    bad = [
        *staff[:2],
        ("HR-010", Person4T("Nagy Péter", "Nagy Péter", "Kiss Éva", "Budapest", "1985.03.12")),
    ]
    table = make_table(bad, name="hibas.xlsx")
    (tmp_path / "hibas-ellenorzes.xlsx").write_bytes(b"a tegnapi jelentes")
    declaration = _declaration(table, tmp_path / "nyilatkozat.pdf", signer)
    blocked = _submit(table, declaration, smtp)
    assert blocked.exit_code == 1 and "--force" in _text(blocked)
    assert (tmp_path / "hibas-ellenorzes.xlsx").read_bytes() == b"a tegnapi jelentes"
    assert (tmp_path / "hibas-ellenorzes-2.xlsx").is_file()  # a report never replaces a file
    forced = _submit(table, declaration, smtp, "--force")
    assert forced.exit_code == 0, _text(forced)
    assert "1 hibával küldöm" in _text(forced)
    assert len(wait_for_messages(folder, 1, timeout=10)) == 1


def test_an_unsigned_declaration_is_not_sent_without_force(
    employer_env, mailbox, make_table, tmp_path
):
    folder, smtp = mailbox
    table = make_table()
    declaration = _declaration(table, tmp_path / "nyilatkozat.pdf")
    refused = _submit(table, declaration, smtp)
    assert refused.exit_code == 1 and "nincs aláírva" in _text(refused)
    assert mailbox_messages(folder) == []
    forced = _submit(table, declaration, smtp, "--force")
    assert forced.exit_code == 0, _text(forced)
    assert "nincs elektronikus aláírás" in _text(forced)
    [arrived] = wait_for_messages(folder, 1, timeout=10)
    assert "elektronikus aláírás nélkül" in parse_message(arrived.read_bytes()).text


def test_a_scanned_hand_signed_declaration_is_sent_with_a_warning(
    employer_env, mailbox, make_table, tmp_path
):
    folder, smtp = mailbox
    table = make_table()
    scan = tmp_path / "nyilatkozat-szkennelt.pdf"
    scan.write_bytes(b"%PDF-1.4\n% a kezzel alairt nyilatkozat szkennelt kepe\n%%EOF\n")
    result = _submit(table, scan, smtp, "--org", ORG)
    assert result.exit_code == 0, _text(result)
    assert "aláírás ellenőrzésre vár" in _text(result)
    assert len(wait_for_messages(folder, 1, timeout=10)) == 1


def test_prepare_only_writes_a_draft_for_outlook_to_the_ministry_s_address(
    employer_env, make_table, signer, tmp_path, monkeypatch
):
    from kkod.config import get_settings

    monkeypatch.setenv("KKOD_MINISTRY_ADDRESS", "kapcsolati.kod@bm.gov.hu")
    get_settings.cache_clear()
    table = make_table()
    declaration = _declaration(table, tmp_path / "nyilatkozat.pdf", signer)
    draft = tmp_path / "KERES.eml"
    result = runner.invoke(
        app,
        ["employer", "submit", "--table", str(table), "--declaration", str(declaration),
         "--prepare-only", "-o", str(draft)],
    )  # fmt: skip
    assert result.exit_code == 0, _text(result)
    assert "Outlook" in _text(result) and "nincs elküldve" in _text(result)
    raw = draft.read_bytes()
    assert b"X-Unsent: 1" in raw and b"\nFrom:" not in raw
    message = parse_message(raw)
    assert message.subject == request_subject(ORG)
    assert {a.data for a in message.attachments} == {table.read_bytes(), declaration.read_bytes()}
    assert "Kovács Éva <hr@pelda.gov.hu>" in message.text  # the contact, from the declaration
    import email

    assert email.message_from_bytes(raw)["To"] == "kapcsolati.kod@bm.gov.hu"
    with transaction(open_register(employer_env)) as session:
        assert {e.status for e in employees(session)} == {Status.FUGGOBEN}
        assert (
            find_employee(session, "HR-001").history[0].source.startswith("submit --prepare-only")
        )
    again = runner.invoke(
        app,
        ["employer", "submit", "--table", str(table), "--declaration", str(declaration),
         "--prepare-only", "-o", str(draft)],
    )  # fmt: skip
    assert again.exit_code == 2 and "már létezik" in _text(again)


def test_sending_needs_an_smtp_server_and_a_sender(employer_env, make_table, signer, tmp_path):
    table = make_table()
    declaration = _declaration(table, tmp_path / "nyilatkozat.pdf", signer)
    result = runner.invoke(
        app, ["employer", "submit", "--table", str(table), "--declaration", str(declaration)]
    )
    assert result.exit_code == 2 and "--prepare-only" in _text(result)
