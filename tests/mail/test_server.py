"""The intake server answers 250 only after the message is durably in the spool; the mailbox saves .eml."""

from __future__ import annotations

import logging
import os
import smtplib
import threading

import pytest

from kkod.exchange.subject import is_request_subject, request_subject
from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message, parse_message
from kkod.mail.server import start_intake_server, start_mailbox_server, wait_for_messages
from kkod.mail.smtp import MailError, SmtpTarget, send_message
from kkod.mail.spool import Spool

TABLE = Attachment(
    "Kapcsolati kód adattáblázat – Példa Hivatal.xlsx", XLSX_TYPE, os.urandom(40_000)
)
DECLARATION = Attachment(
    "Munkáltatói nyilatkozat – aláírt.pdf", PDF_TYPE, b"%PDF-1.7\n" + os.urandom(9_000)
)
PERSONAL = "Kovácsné Szabó Éva, született Budapest 11, 1985.03.12"


def _request():
    return build_message(
        sender="Példa Hivatal Iktató <Iktato@Pelda.gov.hu>",
        to="ehr@bm.gov.hu",
        subject=request_subject("Példa Hivatal"),
        text=f"Tisztelt Belügyminisztérium!\n\nMegjegyzés: {PERSONAL}\n",
        attachments=[TABLE, DECLARATION],
    )


def _target(controller) -> SmtpTarget:
    return SmtpTarget("127.0.0.1", controller.port)


def test_request_round_trip_through_the_intake(intake, spool):
    send_message(_request(), _target(intake))
    [entry] = spool.pending()
    assert entry.envelope_from == "Iktato@Pelda.gov.hu"
    assert entry.recipients == ("ehr@bm.gov.hu",)
    parsed = parse_message(entry.raw())
    assert parsed.sender == "iktato@pelda.gov.hu"
    assert is_request_subject(parsed.subject, "Példa Hivatal")
    assert parsed.attachments == [TABLE, DECLARATION]
    assert PERSONAL in parsed.text


def test_the_file_is_complete_on_disk_before_the_client_gets_250(spool):
    """The client's sendmail returns only after the spool holds the whole message."""
    seen_in_callback = []
    controller = start_intake_server(
        spool, port=0, on_stored=lambda entry: seen_in_callback.append(entry.raw())
    )
    raw = _request().as_bytes()
    try:
        with smtplib.SMTP("127.0.0.1", controller.port) as client:
            client.sendmail("iktato@pelda.gov.hu", ["ehr@bm.gov.hu"], raw)
            on_disk = [entry.raw() for entry in spool.pending()]  # right after the 250
    finally:
        controller.stop()
    assert on_disk == [raw]
    assert seen_in_callback == [raw]


class _GatedSpool(Spool):
    """A spool whose store waits for a signal, to watch what the client sees meanwhile."""

    def __init__(self, folder):
        super().__init__(folder)
        self.entered = threading.Event()
        self.release = threading.Event()

    def store(self, raw, **kwargs):
        self.entered.set()
        assert self.release.wait(30)
        return super().store(raw, **kwargs)


def test_no_reply_while_the_message_is_being_stored(tmp_path):
    spool = _GatedSpool(tmp_path / "spool")
    controller = start_intake_server(spool, port=0)
    returned = threading.Event()
    outcome = []

    def client() -> None:
        try:
            send_message(_request(), _target(controller))
            outcome.append([e.raw() for e in spool.pending()])
        except Exception as error:  # reported through outcome, checked below
            outcome.append(error)
        returned.set()

    thread = threading.Thread(target=client)
    thread.start()
    try:
        assert spool.entered.wait(30)
        assert not returned.wait(0.5), "the client got an answer before the message was stored"
        spool.release.set()
        thread.join(30)
    finally:
        spool.release.set()
        controller.stop()
    [stored] = outcome
    assert len(stored) == 1 and parse_message(stored[0]).attachments == [TABLE, DECLARATION]


def test_unwritable_spool_answers_451_and_stores_nothing(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    (folder / "new").write_bytes(b"")  # a file where the folder must be: nothing can be written
    if os.geteuid() != 0:
        folder.chmod(0o500)
    spool = Spool(folder)
    controller = start_intake_server(spool, port=0)
    try:
        with (
            smtplib.SMTP("127.0.0.1", controller.port) as client,
            pytest.raises(smtplib.SMTPDataError) as caught,
        ):
            client.sendmail("iktato@pelda.gov.hu", ["ehr@bm.gov.hu"], _request().as_bytes())
        assert caught.value.smtp_code == 451
        with pytest.raises(MailError) as mail_error:
            send_message(_request(), _target(controller))
        assert mail_error.value.temporary
        assert mail_error.value.smtp_code == 451
    finally:
        controller.stop()
        folder.chmod(0o700)
    assert not list(folder.rglob("*.eml"))
    assert not list(folder.rglob("*.part"))


def test_callback_failure_does_not_change_the_250(spool):
    def broken(entry):
        raise RuntimeError("a feldolgozás elromlott")

    controller = start_intake_server(spool, port=0, on_stored=broken)
    try:
        send_message(_request(), _target(controller))
    finally:
        controller.stop()
    assert len(spool.pending()) == 1


def test_no_message_content_in_any_log(spool, caplog):
    caplog.set_level(logging.DEBUG)
    controller = start_intake_server(spool, port=0)
    message = _request()
    try:
        send_message(message, _target(controller))
    finally:
        controller.stop()
    [entry] = spool.pending()
    logged = caplog.text
    assert entry.id in logged  # the log does say what was stored, and which message it was
    assert f"üzenet={message['Message-ID']} " in logged
    assert "Kovácsné" not in logged and "Kov=C3=A1csn" not in logged and "1985.03.12" not in logged
    body = entry.raw().split(b"\r\n\r\n", 1)[1]
    for line in body.split(b"\r\n"):
        if len(line) > 40:
            assert line.decode("ascii", "replace") not in logged


def test_mailbox_saves_each_message_as_eml(mailbox, mailbox_dir):
    first = _request()
    second = _request()
    send_message(first, _target(mailbox))
    send_message(second, _target(mailbox))
    paths = wait_for_messages(mailbox_dir, 2, timeout=10)
    assert [p.suffix for p in paths] == [".eml", ".eml"]
    assert paths[0].name < paths[1].name
    assert [parse_message(p.read_bytes()).message_id for p in paths] == [
        first["Message-ID"],
        second["Message-ID"],
    ]
    assert parse_message(paths[0].read_bytes()).attachments == [TABLE, DECLARATION]


def test_waiting_for_mail_that_never_comes(mailbox_dir):
    with pytest.raises(MailError, match="nem érkezett meg 1 üzenet"):
        wait_for_messages(mailbox_dir, 1, timeout=0.1)


def test_busy_port_is_a_hungarian_error(intake, tmp_path):
    with pytest.raises(MailError, match="a port már foglalt"):
        start_mailbox_server(tmp_path / "postafiok", port=intake.port)
