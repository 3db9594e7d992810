"""No mail loops (RFC 3834): automatic messages of every common shape, sent through the real SMTP
intake, are kept for the operator and never answered; kkod's own replies say they are automatic."""

from __future__ import annotations

import email
import email.policy
import smtplib
from email.message import EmailMessage

import pytest

from kkod.ministry.intake_server import IntakeService
from kkod.ministry.models import RequestStatus
from kkod.ministry.worker import Worker

from .conftest import MINISTRY, ORGANISATION, SENDER


def _deliver(world, raw: bytes, mail_from: str) -> object:
    """Send ``raw`` through a real intake SMTP server with this envelope sender; the request."""
    service = IntakeService(world.store, world.central, world.settings)
    server = service.start("127.0.0.1", 0)
    try:
        with smtplib.SMTP("127.0.0.1", server.port) as client:
            client.sendmail(mail_from, [MINISTRY], raw)
    finally:
        server.stop()
    entry = service.spool.handled()[-1]
    assert entry.envelope_from == (mail_from or "<>") and service.spool.pending() == []
    return world.store.list()[0]  # the newest


def _bounce(world) -> bytes:
    """A delivery report as Postfix writes it, carrying our whole request back."""
    original = world.email()
    return (
        b"From: MAILER-DAEMON@mail.pelda-kormanyhivatal.hu (Mail Delivery System)\r\n"
        + f"To: {SENDER}\r\n".encode()
        + b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mail.pelda-kormanyhivatal.hu>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B0"\r\n\r\n'
        b"--B0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        b"This is the mail system at host mail.pelda-kormanyhivatal.hu.\r\n"
        b"--B0\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mail.pelda-kormanyhivatal.hu\r\n\r\n"
        b"Final-Recipient: rfc822; ehr@bm.gov.hu\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--B0\r\nContent-Type: message/rfc822\r\n\r\n" + original + b"\r\n--B0--\r\n"
    )


def _read_receipt() -> bytes:
    receipt = EmailMessage()
    receipt["From"] = f"Varga Judit <{SENDER}>"
    receipt["To"] = MINISTRY
    receipt["Subject"] = f"Olvasási visszaigazolás: {ORGANISATION} – kapcsolati kódok igénylése"
    receipt["Message-ID"] = "<mdn-1@pelda-kormanyhivatal.hu>"
    receipt.set_content("Az üzenetet elolvasták.")
    receipt.make_mixed()
    receipt.replace_header(
        "Content-Type", 'multipart/report; report-type="disposition-notification"'
    )
    notification = EmailMessage()
    notification.set_payload(
        "Final-Recipient: rfc822; iktato@pelda-kormanyhivatal.hu\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\n"
    )
    notification["Content-Type"] = "message/disposition-notification"
    receipt.attach(notification)
    return receipt.as_bytes()


def _with_headers(world, sender: str = SENDER, **headers: str) -> bytes:
    return world.email(
        sender=sender,
        extra_headers={name.replace("_", "-"): value for name, value in headers.items()},
    )


SHAPES = {
    "out_of_office": (
        lambda world: _with_headers(world, Auto_Submitted="auto-replied"),
        SENDER,
        "Auto-Submitted: auto-replied",
    ),
    "auto_generated": (
        lambda world: _with_headers(world, Auto_Submitted="auto-generated"),
        SENDER,
        "Auto-Submitted: auto-generated",
    ),
    "bounce_with_our_request_inside": (lambda world: _bounce(world), "", "MAIL FROM:<>"),
    "bounce_from_mailer_daemon": (
        lambda world: _bounce(world),
        "mailer-daemon@mail.pelda-kormanyhivatal.hu",
        "Kézbesítési jelentés",
    ),
    "read_receipt": (lambda world: _read_receipt(), SENDER, "Olvasási visszaigazolás"),
    "precedence_bulk": (
        lambda world: _with_headers(world, Precedence="bulk"),
        SENDER,
        "Precedence: bulk",
    ),
    "precedence_junk": (
        lambda world: _with_headers(world, Precedence="junk"),
        SENDER,
        "Precedence: junk",
    ),
    "mailing_list": (
        lambda world: _with_headers(world, Precedence="list", List_Id="<hr.pelda.hu>"),
        SENDER,
        "Precedence: list",
    ),
    "list_id_only": (
        lambda world: _with_headers(world, List_Id="<hirlevel.pelda.hu>"),
        SENDER,
        "List-Id",
    ),
    "postmaster": (
        lambda world: _with_headers(world, sender="postmaster@pelda-kormanyhivatal.hu"),
        "postmaster@pelda-kormanyhivatal.hu",
        "levelezőrendszer",
    ),
    "our_own_address": (
        lambda world: _with_headers(world, sender=MINISTRY),
        MINISTRY,
        "saját címe",
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_automatic_mail_is_kept_for_the_operator_and_never_answered(world, mailbox, shape):
    build, mail_from, why = SHAPES[shape]
    request = _deliver(world, build(world), mail_from)
    assert request.status == RequestStatus.ATTEKINTESRE_VAR, request.reason
    assert why in request.reason
    assert world.store.reply_of(request.id) is None
    summary = Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    assert summary.sent == 0 and mailbox.handler.messages == []


def test_auto_submitted_no_is_a_person_and_is_answered(world, mailbox):
    request = _deliver(world, _with_headers(world, Auto_Submitted="no"), SENDER)
    assert request.status == RequestStatus.BEERKEZETT


def test_every_automatic_reply_says_so(world, mailbox):
    rejected = _deliver(world, world.email(subject="Dokumentumok"), SENDER)
    assert rejected.status == RequestStatus.ELUTASITVA
    accepted = _deliver(world, world.email(message_id="<jo@pelda-kormanyhivatal.hu>"), SENDER)
    assert accepted.status == RequestStatus.BEERKEZETT
    Worker(world.store, world.central, world.settings, worker_id="w").run_once()
    replies = mailbox.handler.wait_for(2)
    for delivered in replies:
        message = email.message_from_bytes(delivered.raw, policy=email.policy.default)
        assert message["Auto-Submitted"] == "auto-replied"
        assert message["X-Auto-Response-Suppress"] == "All"
