"""What intake keeps for the operator and what the operator decides: codes only to the office's
own addresses, the same table twice, empty tables, hand-signed declarations (approve/reject),
mail that is not a request, the hourly rejection limit, and unexpected errors."""

from __future__ import annotations

import email
import email.policy
import hashlib

import pytest
from fpdf import FPDF
from sqlalchemy.exc import OperationalError

from kkod.ministry.intake import approve_signature, ingest, reject_held_request
from kkod.ministry.models import ReplyKind, RequestStatus, SignatureKind
from kkod.ministry.worker import Worker
from kkod.table.template import build_template

from .conftest import KRID, ORGANISATION, SENDER, SHORT_NAME


def _ingest(world, raw, envelope_from=SENDER):
    return ingest(
        raw, envelope_from, store=world.store, central=world.central, settings=world.settings
    ).request


def _scanned_declaration() -> bytes:
    """A PDF as a scanner makes it: a page, no embedded data, no electronic signature."""
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=12)
    pdf.multi_cell(0, 8, "Munkáltatói nyilatkozat\nAlulírott Dr. Szabó Irén …\n(aláírás)")
    return bytes(pdf.output())


def test_codes_never_go_to_an_address_outside_the_office(world):
    request = _ingest(world, world.email(sender="valaki@gmail.com"), "valaki@gmail.com")
    assert request.status == RequestStatus.ELUTASITVA
    assert "valaki@gmail.com" in request.reason and "pelda-kormanyhivatal.hu" in request.reason
    assert "valaki@gmail.com" in request.operator_note
    assert world.store.table_of(request.id) is None
    reply = world.store.reply_of(request.id)
    message = email.message_from_bytes(reply.raw, policy=email.policy.default)
    assert reply.recipient == "valaki@gmail.com"
    assert list(message.iter_attachments()) == []  # never the table, never the declaration
    actions = [event.action for event in world.store.audit_of(request.id)]
    assert "megjegyzés a kezelőnek" in actions


def test_the_contact_address_or_any_address_of_the_office_domains_may_ask(world):
    other = "hr@szemelyugy.pelda-kormanyhivatal.hu"  # a subdomain of the registered one
    declaration = world.declaration(contact_email="kapcsolat@kulso-szolgaltato.hu")
    assert _ingest(world, world.email(sender=other, declaration=declaration)).status == (
        RequestStatus.BEERKEZETT
    )
    contact = "kapcsolat@kulso-szolgaltato.hu"
    raw = world.email(sender=contact, declaration=declaration, message_id="<masodik@kulso.hu>")
    request = _ingest(world, raw, contact)
    # the same table again, now from the declaration's contact: refused (another sender)
    assert request.status == RequestStatus.ELUTASITVA
    assert "másik címről már beküldték" in request.reason


def test_the_same_table_twice_from_the_same_sender_is_noticed_for_the_operator(world):
    first = _ingest(world, world.email(message_id="<elso@pelda-kormanyhivatal.hu>"))
    second = _ingest(world, world.email(message_id="<masodik@pelda-kormanyhivatal.hu>"))
    assert first.status == second.status == RequestStatus.BEERKEZETT
    assert first.reference in second.operator_note
    assert "Ugyanez a táblázat" in second.operator_note
    assert any(
        event.action == "megjegyzés a kezelőnek" and first.reference in event.detail
        for event in world.store.audit_of(second.id)
    )


def test_an_empty_table_is_rejected_with_a_hungarian_reason(world):
    empty = world.folder / "ures.xlsx"
    build_template(empty, 100)
    request = _ingest(world, world.email(table=empty.read_bytes()))
    assert request.status == RequestStatus.ELUTASITVA
    assert "nincs kitöltött adatsor" in request.reason


def test_an_unsigned_kkod_declaration_waits_and_is_processed_only_after_approval(world, mailbox):
    request = _ingest(world, world.email(declaration=world.declaration(sign=False)))
    assert request.status == RequestStatus.ALAIRAS_ELLENORZESRE_VAR
    assert request.signature_kind == SignatureKind.UNSIGNED_KKOD
    assert (request.krid, request.organisation) == (KRID, ORGANISATION)
    worker = Worker(world.store, world.central, world.settings, worker_id="w")
    assert worker.run_once().finished == []  # the worker never claims a waiting request
    with pytest.raises(Exception, match="nem az, amelyik a nyilatkozatban"):
        approve_signature(request.reference, store=world.store, central=world.central, krid="1")
    approved = approve_signature(
        request.reference, store=world.store, central=world.central, actor="kezelő (teszt)"
    )
    assert approved.status == RequestStatus.BEERKEZETT
    assert len(worker.run_once().finished) == 1
    [delivered] = mailbox.handler.wait_for(1)
    assert delivered.rcpt_tos == [SENDER]
    events = [(e.actor, e.action) for e in world.store.audit_of(request.id)]
    assert ("kezelő (teszt)", "aláírás jóváhagyva") in events


def test_a_scanned_declaration_is_approved_with_the_fields_read_off_the_page(world):
    request = _ingest(world, world.email(declaration=_scanned_declaration()))
    assert request.status == RequestStatus.ALAIRAS_ELLENORZESRE_VAR
    assert request.signature_kind == SignatureKind.HAND_SIGNED
    assert request.krid is None and request.rows == world.data.rows
    assert world.store.table_of(request.id) == world.table.read_bytes()  # kept for processing
    sha = hashlib.sha256(world.table.read_bytes()).hexdigest()
    kwargs = {"store": world.store, "central": world.central}
    with pytest.raises(Exception, match="--krid, --rows, --sha256"):
        approve_signature(request.reference, **kwargs)
    with pytest.raises(Exception, match="nem a beérkezett táblázaté"):
        approve_signature(request.reference, krid=KRID, rows=6, sha256="00000000", **kwargs)
    with pytest.raises(Exception, match="nem egyezik"):
        approve_signature(request.reference, krid=KRID, rows=7, sha256=sha[:8], **kwargs)
    approved = approve_signature(request.reference, krid=KRID, rows=6, sha256=sha[:12], **kwargs)
    assert approved.status == RequestStatus.BEERKEZETT
    assert (approved.krid, approved.short_name, approved.organisation) == (
        KRID,
        SHORT_NAME,
        ORGANISATION,
    )


def test_a_scan_from_outside_the_office_domains_cannot_be_approved(world):
    contact = "kapcsolat@kulso-szolgaltato.hu"
    raw = world.email(sender=contact, declaration=_scanned_declaration())
    request = _ingest(world, raw, contact)
    sha = hashlib.sha256(world.table.read_bytes()).hexdigest()
    with pytest.raises(Exception, match="nem a hivatal nyilvántartott e-mail-tartományából"):
        approve_signature(
            request.reference,
            store=world.store,
            central=world.central,
            krid=KRID,
            rows=6,
            sha256=sha,
        )


def test_the_operator_rejects_with_a_reason_and_the_sender_is_told(world):
    request = _ingest(world, world.email(declaration=_scanned_declaration()))
    rejected, answered = reject_held_request(
        request.reference,
        "A szkennelt nyilatkozaton nincs aláírás.",
        store=world.store,
        settings=world.settings,
        actor="kezelő (teszt)",
    )
    assert answered and rejected.status == RequestStatus.ELUTASITVA
    reply = world.store.reply_of(request.id)
    assert reply.kind == ReplyKind.REJECTION
    message = email.message_from_bytes(reply.raw, policy=email.policy.default)
    assert "nincs aláírás" in message.get_body(("plain",)).get_content()
    with pytest.raises(Exception, match="csak"):
        reject_held_request(request.reference, "újra", store=world.store, settings=world.settings)


def test_approve_and_reject_on_the_command_line(world, tmp_path):
    from tests.ministry.test_ministry_cli import _kkod

    waiting = _ingest(world, world.email(declaration=world.declaration(sign=False)))
    held = _ingest(world, world.email(subject="Köszönjük", attachments=[]))
    assert held.status == RequestStatus.ATTEKINTESRE_VAR
    listed = _kkod(world, "requests", "--status", "attekintesre")
    assert listed.returncode == 0 and held.reference in listed.stdout
    assert waiting.reference not in listed.stdout
    ok = _kkod(world, "approve", waiting.reference)
    assert ok.returncode == 0, ok.stderr
    assert world.store.get(waiting.id).status == RequestStatus.BEERKEZETT
    again = _kkod(world, "approve", waiting.reference)
    assert again.returncode == 2 and "csak" in again.stderr
    closed = _kkod(world, "reject", held.reference, "--reason", "Nem kérelem, köszönő levél.")
    assert closed.returncode == 0 and "Válasz nem megy" in closed.stdout
    assert world.store.reply_of(held.id) is None
    shown = _kkod(world, "show", held.reference)
    assert "Nem kérelem" in shown.stdout and "válasz nélkül" in shown.stdout
    assert _kkod(world, "approve", "KK-1999-999999").returncode == 2


def test_a_thank_you_to_our_letter_goes_to_the_review_list(world):
    rejected = _ingest(world, world.email(declaration=world.declaration(krid="999999")))
    ours = world.store.reply_of(rejected.id).message_id
    raw = world.email(
        subject=f"Re: {ORGANISATION} – kapcsolati kódok igénylése [{rejected.reference}]",
        attachments=[],
        extra_headers={"In-Reply-To": ours, "References": ours},
    )
    thanks = _ingest(world, raw)
    assert thanks.status == RequestStatus.ATTEKINTESRE_VAR
    assert "válasz a minisztérium levelére" in thanks.reason
    assert world.store.reply_of(thanks.id) is None


def test_a_request_that_forgot_its_files_is_still_told_what_is_missing(world):
    request = _ingest(world, world.email(attachments=[]))
    assert request.status == RequestStatus.ELUTASITVA
    assert "Hiányzik a kitöltött" in request.reason


def test_at_most_the_set_number_of_rejections_per_sender_and_hour(world):
    world.settings = world.settings.model_copy(update={"auto_rejections_per_hour": 2})
    statuses = [
        _ingest(world, world.email(subject="Dokumentumok", message_id=f"<r{n}@pelda.hu>")).status
        for n in range(3)
    ]
    assert statuses == [RequestStatus.ELUTASITVA] * 2 + [RequestStatus.ATTEKINTESRE_VAR]
    third = world.store.list()[0]
    assert world.store.reply_of(third.id) is None
    assert "KKOD_AUTO_REJECTIONS_PER_HOUR" in third.operator_note


class _BrokenCentral:
    """A central system whose office lookup fails in a way nobody foresaw."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def office(self, krid):
        raise self.error


def test_an_unexpected_error_becomes_a_rejection_with_a_log_reference(world, tmp_path, monkeypatch):
    monkeypatch.setenv("KKOD_LOG_DIR", str(tmp_path / "naplo"))
    request = ingest(
        world.email(),
        SENDER,
        store=world.store,
        central=_BrokenCentral(ValueError("váratlan")),
        settings=world.settings,
    ).request
    assert request.status == RequestStatus.ELUTASITVA
    assert "váratlan hiba" in request.reason and "H-" in request.reason
    assert "H-" in request.operator_note and "ValueError" in request.operator_note
    assert world.store.reply_of(request.id).kind == ReplyKind.REJECTION


def test_a_database_outage_leaves_the_message_pending(world):
    outage = OperationalError("SELECT 1", {}, Exception("connection refused"))
    with pytest.raises(OperationalError):
        ingest(
            world.email(),
            SENDER,
            store=world.store,
            central=_BrokenCentral(outage),
            settings=world.settings,
        )
    assert world.store.list() == []


def test_missing_trust_roots_keep_the_message_pending_not_rejected(world):
    from kkod.ministry.intake_server import IntakeService

    world.settings = world.settings.model_copy(update={"trust_roots": []})
    service = IntakeService(world.store, world.central, world.settings)
    entry = service.spool.store(world.email(), envelope_from=SENDER, recipients=["x@bm.gov.hu"])
    assert service.ingest_entry(entry) is False
    assert [e.id for e in service.spool.pending()] == [entry.id]
    assert world.store.list() == []


def test_the_audit_trail_speaks_hungarian_words_not_machine_codes(world):
    request = _ingest(world, world.email(declaration=world.declaration(world.pki.untrusted_signer)))
    details = " ".join(e.detail or "" for e in world.store.audit_of(request.id))
    assert "csatorna: e-mail" in details and "sikertelen ellenőrzés: az aláírás" in details
    assert "alairas" not in details and "email," not in details
    actors = {e.actor for e in world.store.audit_of(request.id)}
    assert actors == {"e-mail-fogadó"}
