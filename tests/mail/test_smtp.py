"""Sending over real SMTP: To-only envelopes, STARTTLS and AUTH, Hungarian errors, retries."""

from __future__ import annotations

import itertools
import random

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from kkod.config import Settings
from kkod.errors import KkodError
from kkod.mail.message import XLSX_TYPE, Attachment, build_message, parse_message
from kkod.mail.server import start_intake_server, start_mailbox_server
from kkod.mail.smtp import (
    MailError,
    Relay,
    SmtpTarget,
    backoff_delays,
    send_message,
    send_stored,
    send_with_retries,
)
from kkod.mail.spool import Spool

from .conftest import free_port


def _reply(size: int = 100):
    return build_message(
        sender="ehr@bm.gov.hu",
        to="iktato@pelda.gov.hu",
        subject="Re: Példa Hivatal – kapcsolati kódok igénylése",
        text="A kitöltött táblázatot csatoljuk.",
        attachments=[Attachment("eredmény.xlsx", XLSX_TYPE, b"x" * size)],
    )


def _target(controller, **options) -> SmtpTarget:
    return SmtpTarget("127.0.0.1", controller.port, **options)


def test_envelope_goes_to_the_to_address_only(intake, spool):
    message = _reply()
    message["Cc"] = "masolat@pelda.gov.hu"
    message["Bcc"] = "titkos@pelda.gov.hu"
    send_message(message, _target(intake))
    [entry] = spool.pending()
    assert entry.recipients == ("iktato@pelda.gov.hu",)
    assert entry.envelope_from == "ehr@bm.gov.hu"
    assert b"titkos@pelda.gov.hu" not in entry.raw()  # smtplib drops the Bcc header


def test_explicit_envelope_recipients_win(intake, spool):
    send_message(_reply(), _target(intake), envelope_to=["masik@pelda.gov.hu"])
    assert spool.pending()[0].recipients == ("masik@pelda.gov.hu",)


def test_a_stored_message_goes_out_byte_for_byte(intake, spool):
    """The worker sends its replies as stored: nothing parsed or refolded, every resend the
    same bytes; the envelope sender is the From: address, a line starting with a dot survives."""
    raw = build_message(
        sender="ehr@bm.gov.hu",
        to="iktato@pelda.gov.hu",
        subject="Re: Példa Hivatal – kapcsolati kódok igénylése " + "hosszú " * 20,
        text="Első sor.\n.pont az elején\n",
        attachments=[Attachment("eredmény.xlsx", XLSX_TYPE, b"x" * 5000)],
    ).as_bytes()
    assert b"\r\n" in raw and b"\n.pont" in raw.replace(b"\r\n", b"\n")
    send_stored(raw, _target(intake), envelope_to=["iktato@pelda.gov.hu"])
    send_stored(raw, _target(intake), envelope_to=["iktato@pelda.gov.hu"])
    first, second = spool.pending()
    assert first.raw().endswith(raw) and second.raw().endswith(raw)
    assert (first.envelope_from, first.recipients) == ("ehr@bm.gov.hu", ("iktato@pelda.gov.hu",))


class _Conversations:
    """An SMTP server's handler that notes which conversation (session) brought each message."""

    def __init__(self) -> None:
        self.sessions: list[int] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.sessions.append(id(session))
        return "250 OK"


def _counting_server(port: int | None = None):
    from aiosmtpd.controller import Controller

    handler = _Conversations()
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller, handler


def test_replies_due_together_go_in_one_conversation():
    """The worker's relay keeps its connection for the replies that follow (one EHLO, and on a
    real relay one TLS handshake and login), where single sends open one each."""
    controller, seen = _counting_server()
    raw = _reply().as_bytes()
    try:
        with Relay(_target(controller)) as relay:
            for _ in range(3):
                relay.send_stored(raw, envelope_to=["iktato@pelda.gov.hu"])
        send_stored(raw, _target(controller), envelope_to=["iktato@pelda.gov.hu"])
        send_stored(raw, _target(controller), envelope_to=["iktato@pelda.gov.hu"])
    finally:
        controller.stop()
    assert len(seen.sessions) == 5
    assert len(set(seen.sessions[:3])) == 1
    assert len(set(seen.sessions)) == 3


def test_a_kept_conversation_the_server_closed_is_made_again():
    """A relay that closed the kept connection meanwhile (restarted, an idle timeout): the next
    message goes through on a new one, not as a failure."""
    controller, first = _counting_server()
    port = controller.port
    raw = _reply().as_bytes()
    with Relay(_target(controller)) as relay:
        relay.send_stored(raw, envelope_to=["iktato@pelda.gov.hu"])
        controller.stop()  # closes the conversation from the server's side
        controller, second = _counting_server(port)
        try:
            relay.send_stored(raw, envelope_to=["iktato@pelda.gov.hu"])
            relay.send_stored(raw, envelope_to=["iktato@pelda.gov.hu"])
        finally:
            controller.stop()
    assert len(first.sessions) == 1
    assert len(second.sessions) == 2 and len(set(second.sessions)) == 1


class _FewPerConversation(_Conversations):
    """A relay that takes two messages a connection and answers ``421`` to a third (as
    Exchange does at its limit)."""

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        if self.sessions.count(id(session)) >= 2:
            return "421 4.7.0 Too many messages in this connection"
        envelope.mail_from = address
        return "250 OK"


def test_a_relay_closing_at_its_limit_or_ours_gets_a_new_conversation(monkeypatch):
    from aiosmtpd.controller import Controller

    from kkod.mail import smtp

    handler = _FewPerConversation()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    raw = _reply().as_bytes()
    try:
        with Relay(_target(controller)) as relay:
            for _ in range(5):
                relay.send_stored(raw, envelope_to=["iktato@pelda.gov.hu"])
        assert len(handler.sessions) == 5
        assert [handler.sessions.count(s) for s in dict.fromkeys(handler.sessions)] == [2, 2, 1]
        handler.sessions.clear()
        monkeypatch.setattr(smtp, "MESSAGES_PER_CONVERSATION", 1)
        with Relay(_target(controller)) as relay:
            for _ in range(3):
                relay.send_stored(raw, envelope_to=["iktato@pelda.gov.hu"])
        assert len(set(handler.sessions)) == 3  # our own limit: a new one for each
    finally:
        controller.stop()


def test_a_relay_that_is_down_is_still_a_temporary_failure_with_a_kept_conversation():
    controller, _ = _counting_server()
    raw = _reply().as_bytes()
    with Relay(_target(controller)) as relay:
        relay.send_stored(raw, envelope_to=["iktato@pelda.gov.hu"])
        controller.stop()
        with pytest.raises(MailError, match="nem érhető el") as caught:
            relay.send_stored(raw, envelope_to=["iktato@pelda.gov.hu"])
    assert caught.value.temporary


def test_a_stored_message_to_a_non_ascii_address_needs_smtputf8(spool):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    plain = Controller(Sink(), hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=False)
    plain.start()
    try:
        with pytest.raises(MailError, match="SMTPUTF8"):
            send_stored(_reply().as_bytes(), _target(plain), envelope_to=["kovács@példa.hu"])
        with pytest.raises(MailError, match="nincs címzettje"):
            send_stored(_reply().as_bytes(), _target(plain), envelope_to=[])
    finally:
        plain.stop()


def test_closed_port_is_a_temporary_hungarian_error():
    target = SmtpTarget("127.0.0.1", free_port())
    with pytest.raises(MailError) as caught:
        send_message(_reply(), target)
    assert caught.value.message.startswith(
        f"Az SMTP-kiszolgáló (127.0.0.1:{target.port}) nem érhető el"
    )
    assert caught.value.temporary


def test_message_over_the_size_limit_is_refused_with_552(spool):
    controller = start_intake_server(spool, port=0, max_size=10_000)
    try:
        with pytest.raises(MailError, match="túl nagynak találta") as caught:
            send_message(_reply(size=20_000), _target(controller))
        assert caught.value.smtp_code == 552
        assert not caught.value.temporary
        assert "10000 bytes" in caught.value.message
    finally:
        controller.stop()
    assert spool.pending() == []


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"pelda-hivatal"
        and auth_data.password == "titkos jelszó ő".encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_intake(spool, tls_files):
    """An intake server that insists on STARTTLS and a login."""
    controller = start_intake_server(
        spool,
        port=0,
        tls_context=tls_files.server_context(),
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    try:
        yield controller
    finally:
        controller.stop()


def test_starttls_and_login(tls_intake, spool, tls_files):
    target = _target(
        tls_intake,
        starttls=True,
        user="pelda-hivatal",
        password="titkos jelszó ő",
        ca_file=tls_files.cert,
    )
    send_message(_reply(), target)
    [entry] = spool.pending()
    parsed = parse_message(entry.raw())
    assert parsed.attachments[0].data == b"x" * 100


def test_wrong_password_is_refused(tls_intake, tls_files):
    target = _target(
        tls_intake, starttls=True, user="pelda-hivatal", password="rossz", ca_file=tls_files.cert
    )
    with pytest.raises(MailError, match="elutasította a bejelentkezést") as caught:
        send_message(_reply(), target)
    assert not caught.value.temporary


def test_plain_connection_is_refused_when_tls_is_required(tls_intake):
    with pytest.raises(MailError) as caught:
        send_message(_reply(), _target(tls_intake))
    assert caught.value.smtp_code == 530
    assert not caught.value.temporary


def test_untrusted_certificate_is_not_accepted(tls_intake):
    with pytest.raises(MailError, match="tanúsítványa nem ellenőrizhető"):
        send_message(_reply(), _target(tls_intake, starttls=True))


def test_starttls_against_a_server_without_it(intake):
    with pytest.raises(MailError, match="nem támogatja a STARTTLS-t"):
        send_message(_reply(), _target(intake, starttls=True))


def test_message_without_recipients_is_refused(intake):
    message = _reply()
    del message["To"]
    with pytest.raises(MailError, match="nincs címzettje"):
        send_message(message, _target(intake))


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("127.0.0.1:2525", "127.0.0.1", 2525),
        ("smtp.bm.gov.hu:587", "smtp.bm.gov.hu", 587),
        ("smtp.bm.gov.hu", "smtp.bm.gov.hu", 25),
        ("[::1]:2525", "::1", 2525),
        (" localhost:25 ", "localhost", 25),
        ("host:", "host", 25),
    ],
)
def test_target_parse(text, host, port):
    target = SmtpTarget.parse(text, starttls=True)
    assert (target.host, target.port, target.starttls) == (host, port, True)


@pytest.mark.parametrize("text", ["", ":25", "host:abc", "host:70000", "a:b:c", "[::1", "[::1]x"])
def test_target_parse_rejects_with_a_hungarian_message(text):
    with pytest.raises(KkodError, match="Hibás SMTP-kiszolgáló cím"):
        SmtpTarget.parse(text)


def test_target_from_settings_and_label():
    settings = Settings(
        smtp_host="relay.bm.gov.hu",
        smtp_port=587,
        smtp_starttls=True,
        smtp_user="kkod",
        smtp_password="x",
    )
    target = SmtpTarget.from_settings(settings)
    assert target == SmtpTarget("relay.bm.gov.hu", 587, True, "kkod", "x")
    assert target.label == "relay.bm.gov.hu:587"
    assert "x" not in repr(target).replace("relay", "")  # the password is not in the repr
    assert SmtpTarget("::1", 25).label == "[::1]:25"


def test_backoff_delays_grow_to_the_cap():
    delays = list(itertools.islice(backoff_delays(base=2, factor=2, cap=30), 7))
    assert delays == [2, 4, 8, 16, 30, 30, 30]


def test_backoff_jitter_only_shortens():
    plain = list(itertools.islice(backoff_delays(cap=300), 12))
    jittered = list(itertools.islice(backoff_delays(cap=300, jitter=0.5, rng=random.Random(7)), 12))
    assert all(p * 0.5 <= j <= p for p, j in zip(plain, jittered, strict=True))
    assert jittered != plain


def test_backoff_rejects_nonsense():
    with pytest.raises(ValueError):
        next(backoff_delays(base=0))


def test_retries_until_the_server_comes_up(tmp_path):
    """SMTP down, then up: the message is delivered on a later attempt."""
    port = free_port()
    folder = tmp_path / "postafiok"
    started = []
    waits = []

    def sleep(delay: float) -> None:
        waits.append(delay)
        if len(waits) == 2:  # the server comes up during the second wait
            started.append(start_mailbox_server(folder, port=port))

    try:
        attempts = send_with_retries(
            _reply(), SmtpTarget("127.0.0.1", port), delays=backoff_delays(jitter=0), sleep=sleep
        )
    finally:
        for controller in started:
            controller.stop()
    assert attempts == 3
    assert waits == [2.0, 4.0]
    assert len(list(folder.glob("*.eml"))) == 1


def test_retries_give_up_after_max_attempts():
    seen = []
    with pytest.raises(MailError, match="nem érhető el"):
        send_with_retries(
            _reply(),
            SmtpTarget("127.0.0.1", free_port()),
            max_attempts=3,
            sleep=lambda delay: None,
            on_retry=lambda attempt, error, delay: seen.append(attempt),
        )
    assert seen == [1, 2]


def test_permanent_errors_are_not_retried(tmp_path):
    controller = start_intake_server(Spool(tmp_path / "s"), port=0, max_size=1000)
    seen = []
    try:
        with pytest.raises(MailError, match="túl nagy"):
            send_with_retries(
                _reply(size=5000),
                _target(controller),
                sleep=lambda delay: None,
                on_retry=lambda *args: seen.append(args),
            )
    finally:
        controller.stop()
    assert seen == []
