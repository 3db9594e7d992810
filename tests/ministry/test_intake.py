"""Intake checks: a valid request is queued; each kind of bad request is rejected with its own
reason, and the rejection reply (sent by the worker over real SMTP) says what to fix."""

from __future__ import annotations

import email
import email.policy
import hashlib

import pytest

from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment
from kkod.ministry.intake import ingest, ingest_upload
from kkod.ministry.models import OutboxStatus, ReplyKind, RequestStatus
from kkod.ministry.worker import Worker
from kkod.table.writer import patch_cells

from .conftest import KRID, ORGANISATION, SENDER, SHORT_NAME


def _ingest(world, raw, envelope_from=SENDER):
    return ingest(
        raw, envelope_from, store=world.store, central=world.central, settings=world.settings
    )


@pytest.fixture
def world(world):
    """The ministry world with room for many automatic rejections to one sender."""
    world.settings = world.settings.model_copy(update={"auto_rejections_per_hour": 100})
    return world


def _modified_table(world) -> bytes:
    """The table with the header of column F renamed (the template's format changed)."""
    changed = world.folder / "modositott.xlsx"
    patch_cells(world.table, changed, {(1, "F"): "Leánykori név"})
    return changed.read_bytes()


def _tampered(pdf: bytes) -> bytes:
    position = pdf.index(b"/Creator (") + len(b"/Creator (")
    return pdf[:position] + b"X" + pdf[position + 1 :]


def test_a_valid_request_is_queued_with_its_files(world):
    result = _ingest(world, world.email(message_id="<keres-1@pelda-kormanyhivatal.hu>"))
    request = result.request
    assert result.created
    assert request.status == RequestStatus.BEERKEZETT and request.reason is None
    assert (request.krid, request.organisation, request.short_name) == (
        KRID,
        ORGANISATION,
        SHORT_NAME,
    )
    assert request.sender == SENDER and request.rows == 6
    assert world.store.table_of(request.id) == world.table.read_bytes()
    assert request.table_sha256 == hashlib.sha256(world.table.read_bytes()).hexdigest()
    assert world.store.reply_of(request.id) is None  # no reply until the codes are ready


def test_the_same_email_twice_is_one_request(world):
    raw = world.email(message_id="<ugyanaz@pelda-kormanyhivatal.hu>")
    first = _ingest(world, raw)
    second = _ingest(world, raw)
    assert first.created and not second.created
    assert second.request.id == first.request.id
    assert len(world.store.list()) == 1
    # without a Message-ID the bytes decide
    raw_without_id = raw.replace(b"Message-ID:", b"X-Old-Message-ID:")
    a = _ingest(world, raw_without_id)
    b = _ingest(world, raw_without_id)
    assert a.created and not b.created and len(world.store.list()) == 2


def test_the_subject_may_name_the_short_name_with_underscores(world):
    result = _ingest(world, world.email(subject=f"{SHORT_NAME}_kapcsolati_kodok"))
    assert result.request.status == RequestStatus.BEERKEZETT


CASES = {
    "tampered": "sérült",
    "untrusted": "nem elfogadott tanúsítványkiadótól",
    "wrong_organisation": "nem a nyilatkozatban megnevezett szervezethez",
    "wrong_subject": "tárgya nem felel meg",
    "subject_without_organisation": "tárgyából hiányzik a szervezet neve",
    "no_declaration": "Hiányzik az aláírt munkáltatói nyilatkozat",
    "no_table": "Hiányzik a kitöltött",
    "two_tables": "pontosan egy táblázatot",
    "modified_table": "nem az eredeti",
    "unknown_krid": "nem ismert",
    "row_count": "adatsort tartalmaz",
    "sha256": "SHA-256 ellenőrzőösszege nem egyezik",
}


def _bad_email(world, case: str) -> bytes:
    table = world.table.read_bytes()
    good = world.declaration()
    pdf = lambda data: Attachment("nyilatkozat.pdf", PDF_TYPE, data)  # noqa: E731
    xlsx = lambda data, name="tabla.xlsx": Attachment(name, XLSX_TYPE, data)  # noqa: E731
    match case:
        case "tampered":
            return world.email(declaration=_tampered(good))
        case "untrusted":
            return world.email(declaration=world.declaration(world.pki.untrusted_signer))
        case "wrong_organisation":
            return world.email(declaration=world.declaration(world.pki.other_org_signer))
        case "wrong_subject":
            return world.email(subject="Dokumentumok")
        case "subject_without_organisation":
            return world.email(subject="Kapcsolati kódok igénylése")
        case "no_declaration":
            return world.email(attachments=[xlsx(table)])
        case "no_table":
            return world.email(attachments=[pdf(good)])
        case "two_tables":
            return world.email(attachments=[xlsx(table), xlsx(table, "masik.xlsx"), pdf(good)])
        case "modified_table":
            return world.email(table=_modified_table(world))
        case "unknown_krid":
            return world.email(declaration=world.declaration(krid="999999"))
        case "row_count":
            return world.email(declaration=world.declaration(rows=world.data.rows + 1))
        case "sha256":
            return world.email(declaration=world.declaration(table_sha256="ab" * 32))
    raise AssertionError(case)


def test_each_bad_request_is_rejected_with_its_own_reason_and_told_so(world, mailbox):
    references = {}
    for case in CASES:
        result = _ingest(world, _bad_email(world, case))
        request = result.request
        assert request.status == RequestStatus.ELUTASITVA, case
        assert CASES[case] in request.reason, (case, request.reason)
        assert world.store.table_of(request.id) is None  # a rejected table is not kept
        reply = world.store.reply_of(request.id)
        assert reply.kind == ReplyKind.REJECTION and reply.recipient == SENDER
        references[request.reference] = (case, request.reason)
    reasons = [reason for _, reason in references.values()]
    assert len(set(reasons)) == len(reasons), "every check has its own reason"

    Worker(world.store, world.central, world.settings, worker_id="teszt").run_once()
    delivered = mailbox.handler.wait_for(len(CASES))
    assert len(delivered) == len(CASES)
    for item in delivered:
        assert item.rcpt_tos == [SENDER]
        message = email.message_from_bytes(item.raw, policy=email.policy.default)
        case, reason = references[message["X-Kkod-Reference"]]
        body = message.get_body(("plain",)).get_content()
        assert reason in body, case
        assert "elutasít" in message["Subject"]
    assert all(
        world.store.reply_of(world.store.get(ref).id).status == OutboxStatus.SENT
        for ref in references
    )


def test_signature_problems_each_name_a_different_fix(world):
    seen = set()
    for case in ("tampered", "untrusted", "wrong_organisation"):
        seen.add(_ingest(world, _bad_email(world, case)).request.reason)
    assert len(seen) == 3


def test_an_upload_passes_the_same_checks(world, tmp_path):
    declaration = tmp_path / "nyilatkozat.pdf"
    declaration.write_bytes(world.declaration())
    result = ingest_upload(
        world.table,
        declaration,
        SENDER,
        store=world.store,
        central=world.central,
        settings=world.settings,
    )
    assert result.request.status == RequestStatus.BEERKEZETT and result.request.channel == "upload"
    again = ingest_upload(
        world.table,
        declaration,
        SENDER,
        store=world.store,
        central=world.central,
        settings=world.settings,
    )
    assert not again.created and again.request.id == result.request.id
    declaration.write_bytes(world.declaration(world.pki.untrusted_signer))
    rejected = ingest_upload(
        world.table,
        declaration,
        SENDER,
        store=world.store,
        central=world.central,
        settings=world.settings,
    )
    assert rejected.request.status == RequestStatus.ELUTASITVA
    assert "nem elfogadott tanúsítványkiadótól" in rejected.request.reason


@pytest.mark.parametrize("header", ["Reply-To", "Cc"])
def test_the_sender_is_the_from_address_whatever_else_is_set(world, header):
    raw = world.email(extra_headers={header: "valaki.mas@example.org"})
    request = _ingest(world, raw).request
    assert request.sender == SENDER


def test_garbage_without_files_is_kept_for_the_operator_not_answered(world):
    result = ingest(
        b"\x00\xff nem level \r\n\r\n",
        "Kuldo <kuldo@example.hu>",
        store=world.store,
        central=world.central,
        settings=world.settings,
    )
    request = result.request
    assert request.status == RequestStatus.ATTEKINTESRE_VAR
    assert "Nem kérelem" in request.reason
    assert world.store.reply_of(request.id) is None


def test_an_unreadable_request_is_rejected_and_answered_to_the_envelope_sender(world):
    result = ingest(
        b"Subject: kapcsolati kodok\r\nContent-Type: multipart/mixed\r\n\r\nxx",
        "Kuldo <kuldo@example.hu>",
        store=world.store,
        central=world.central,
        settings=world.settings,
    )
    request = result.request
    assert request.status == RequestStatus.ELUTASITVA
    assert request.sender == "kuldo@example.hu"
    assert world.store.reply_of(request.id).recipient == "kuldo@example.hu"
