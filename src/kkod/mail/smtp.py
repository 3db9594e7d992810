"""Sending email over SMTP (optionally STARTTLS and AUTH), Hungarian errors, and retry delays."""

from __future__ import annotations

import base64
import contextlib
import email.utils
import logging
import random
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from kkod.errors import KkodError
from kkod.mail.message import headers_of, recipients_of

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 60.0
"""Seconds a single SMTP conversation step may take before the attempt counts as failed."""
MESSAGES_PER_CONVERSATION = 20
"""Messages a :class:`Relay` hands over in one conversation (Exchange's default limit a
connection) before it makes a new one."""


class MailError(KkodError):
    """Sending failed; ``temporary`` says whether trying again later can help (4xx, no connection)."""

    def __init__(
        self, message: str, *, temporary: bool = False, smtp_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.smtp_code = smtp_code


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where and how to hand a message over: host, port, STARTTLS, optional login."""

    host: str
    port: int
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    """Extra CA certificate(s) (PEM) to trust for STARTTLS, e.g. a relay's own certificate."""

    @property
    def label(self) -> str:
        """``host:port`` as shown in messages (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpTarget:
        """The ministry's relay from the ``KKOD_SMTP_*`` settings."""
        ca_file = getattr(settings, "smtp_ca_file", None)
        return cls(
            host=settings.smtp_host,
            port=int(settings.smtp_port),
            starttls=bool(settings.smtp_starttls),
            user=settings.smtp_user or None,
            password=settings.smtp_password or None,
            ca_file=Path(ca_file) if ca_file else None,
        )

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        starttls: bool = False,
        user: str | None = None,
        password: str | None = None,
        ca_file: Path | None = None,
    ) -> SmtpTarget:
        """Read ``HOST:PORT`` (``[::1]:2525`` for IPv6; ``HOST`` alone means port 25)."""
        host, port = _split_host_port(text.strip())
        return cls(
            host=host, port=port, starttls=starttls, user=user, password=password, ca_file=ca_file
        )

    def tls_context(self) -> ssl.SSLContext:
        """The context STARTTLS verifies the server with: system roots plus ``ca_file``."""
        context = ssl.create_default_context()
        if self.ca_file is not None:
            context.load_verify_locations(cafile=str(self.ca_file))
        return context


def _split_host_port(text: str) -> tuple[str, int]:
    wrong = MailError(
        f"Hibás SMTP-kiszolgáló cím: „{text}”. A várt alak HOST:PORT, például 127.0.0.1:2525."
    )
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ("" if not rest else None)
        if not sep or port_text is None:
            raise wrong
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    elif ":" not in text:
        host, port_text = text, ""
    else:
        raise wrong
    if not host:
        raise wrong
    if not port_text:
        return host, 25
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise wrong
    return host, int(port_text)


def send_message(
    message: EmailMessage,
    target: SmtpTarget,
    *,
    envelope_to: Sequence[str] | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> None:
    """Hand ``message`` to the SMTP server at ``target``.

    The envelope recipients are ``envelope_to`` if given, else only the addresses of the
    message's To: header (Cc/Bcc headers are never turned into recipients). The envelope sender
    is the From: address. Raises :class:`MailError` with a Hungarian message.
    """
    with Relay(target, tls_context) as relay:
        relay.send_message(message, envelope_to=envelope_to)


def send_stored(
    raw: bytes,
    target: SmtpTarget,
    *,
    envelope_to: Sequence[str],
    tls_context: ssl.SSLContext | None = None,
) -> None:
    """:meth:`Relay.send_stored` in a conversation of its own."""
    with Relay(target, tls_context) as relay:
        relay.send_stored(raw, envelope_to=envelope_to)


class Relay:
    """Conversations with the SMTP server at ``target`` for one message or several: the
    connection (EHLO, STARTTLS, login) is made for the first message and kept for the ones
    that follow (at most :data:`MESSAGES_PER_CONVERSATION`), and closed by :meth:`close` or
    after a failure. Every failure is a Hungarian :class:`MailError`."""

    def __init__(self, target: SmtpTarget, tls_context: ssl.SSLContext | None = None) -> None:
        self.target = target
        self._tls_context = tls_context
        self._client: smtplib.SMTP | None = None
        self._handed = 0  # messages handed over in the open conversation

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send_message(
        self, message: EmailMessage, *, envelope_to: Sequence[str] | None = None
    ) -> None:
        """See :func:`send_message`."""
        recipients = list(envelope_to) if envelope_to is not None else recipients_of(message)
        self._hand_over(
            lambda client: client.send_message(message, to_addrs=recipients),
            message.get("Message-ID", "?"),
            recipients,
        )

    def send_stored(self, raw: bytes, *, envelope_to: Sequence[str]) -> None:
        """Hand a message kkod built and stored (``as_bytes()`` with :data:`POLICY`: CRLF line
        ends, headers encoded) over byte for byte, as :meth:`send_message` would: the envelope
        sender is its From: address, the recipients are ``envelope_to``. Only the header block
        is read (for the From: address); nothing is rebuilt: every resend is the same bytes."""
        headers = headers_of(raw)
        sender = email.utils.parseaddr(headers.get("From", ""))[1]
        recipients = list(envelope_to)
        where = self.target.label

        def submit(client: smtplib.SMTP) -> dict:
            options: list[str] = []
            if not all(address.isascii() for address in (sender, *recipients)):
                if not client.has_extn("smtputf8"):
                    raise MailError(
                        f"Az SMTP-kiszolgáló ({where}) nem fogad ékezetes vagy más nem ASCII "
                        "karaktert tartalmazó e-mail-címet (nem támogatja az SMTPUTF8-at)."
                    )
                options = ["SMTPUTF8", "BODY=8BITMIME"]
            return client.sendmail(sender, recipients, raw, mail_options=options)

        self._hand_over(submit, headers.get("Message-ID", "?"), recipients)

    def close(self) -> None:
        """End the conversation (QUIT), quietly: the messages were handed over already."""
        client, self._client = self._client, None
        self._handed = 0
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    def _hand_over(
        self, submit: Callable[[smtplib.SMTP], dict], label: str, recipients: Sequence[str]
    ) -> None:
        """``submit`` one message to ``recipients`` on the open conversation, or a new one; a
        kept conversation that the server has closed meanwhile (an idle timeout) or is closing
        (``421``: e.g. its limit of messages a connection) is made again once."""
        if not recipients:
            raise MailError("Az üzenetnek nincs címzettje (üres a To: mező).")
        where = self.target.label
        if self._handed >= MESSAGES_PER_CONVERSATION:
            self.close()
        with _in_hungarian(self.target):
            kept = self._client is not None
            try:
                try:
                    refused = submit(self._connected())
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException) as error:
                    closing = getattr(error, "smtp_code", None) in (None, 421)
                    if not kept or not closing:
                        raise
                    self._drop()
                    refused = submit(self._connected())
            except BaseException:
                self._drop()
                raise
            self._handed += 1
        if refused:
            raise MailError(
                f"Az SMTP-kiszolgáló ({where}) nem fogadta el a címzettet: {', '.join(refused)}.",
                smtp_code=next(iter(refused.values()))[0],
            )
        log.debug(
            "üzenet=%s esemény=átadva címzettek=%d továbbító=%s", label, len(recipients), where
        )

    def _connected(self) -> smtplib.SMTP:
        if self._client is None:
            target = self.target
            client = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
            try:
                client.ehlo()
                if target.starttls:
                    if not client.has_extn("starttls"):
                        raise MailError(
                            f"Az SMTP-kiszolgáló ({target.label}) nem támogatja a STARTTLS-t."
                        )
                    client.starttls(context=self._tls_context or target.tls_context())
                    client.ehlo()
                if target.user:
                    _login(client, target.user, target.password or "")
            except BaseException:
                client.close()
                raise
            self._client = client
        return self._client

    def _drop(self) -> None:
        client, self._client = self._client, None
        self._handed = 0
        if client is not None:
            client.close()


@contextlib.contextmanager
def _in_hungarian(target: SmtpTarget) -> Iterator[None]:
    """Every failure of an SMTP conversation with ``target`` as a Hungarian :class:`MailError`."""
    where = target.label
    try:
        yield
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) elutasította a bejelentkezést "
            f"(felhasználó: {target.user}): {_reply_text(error)}",
            smtp_code=error.smtp_code,
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) nem támogatja a bejelentkezést ezen a kapcsolaton "
            "(talán STARTTLS kell: --starttls)."
        ) from None
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        addresses = ", ".join(error.recipients)
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) nem fogadta el a címzettet: {addresses}.",
            temporary=all(400 <= code < 500 for code in codes),
            smtp_code=codes[0] if codes else None,
        ) from None
    except smtplib.SMTPSenderRefused as error:
        if error.smtp_code == 552:  # refused at MAIL FROM because of the announced SIZE
            raise _too_big(where, error) from None
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) nem fogadta el a feladót ({error.sender}): "
            f"{_reply_text(error)}",
            temporary=400 <= error.smtp_code < 500,
            smtp_code=error.smtp_code,
        ) from None
    except smtplib.SMTPResponseException as error:
        if error.smtp_code == 552:
            raise _too_big(where, error) from None
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) hibát jelzett ({error.smtp_code}): {_reply_text(error)}",
            temporary=400 <= error.smtp_code < 500,
            smtp_code=error.smtp_code,
        ) from None
    except ssl.SSLCertVerificationError as error:
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) tanúsítványa nem ellenőrizhető, ezért a titkosított "
            f"kapcsolat (STARTTLS) nem jött létre: {error.verify_message or error.reason}."
        ) from None
    except ssl.SSLError as error:
        raise MailError(
            f"A titkosított kapcsolat (STARTTLS) az SMTP-kiszolgálóval ({where}) nem jött létre: "
            f"{error.reason or error}."
        ) from None
    except smtplib.SMTPServerDisconnected:
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) váratlanul bontotta a kapcsolatot.", temporary=True
        ) from None
    except smtplib.SMTPException as error:
        raise MailError(
            f"Az SMTP-párbeszéd a kiszolgálóval ({where}) nem sikerült: {error}."
        ) from None
    except TimeoutError:
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) nem válaszolt időben.", temporary=True
        ) from None
    except OSError as error:
        raise MailError(
            f"Az SMTP-kiszolgáló ({where}) nem érhető el ({error.strerror or error}).",
            temporary=True,
        ) from None


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; a non-ASCII user or password goes as UTF-8 AUTH PLAIN (smtplib only does ASCII)."""
    try:
        user.encode("ascii")
        password.encode("ascii")
    except UnicodeEncodeError:
        if (
            not client.has_extn("auth")
            or "PLAIN" not in client.esmtp_features["auth"].upper().split()
        ):
            raise smtplib.SMTPNotSupportedError from None
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode("ascii")
        code, reply = client.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply) from None
        return
    client.login(user, password)


def _too_big(where: str, error: smtplib.SMTPResponseException) -> MailError:
    return MailError(
        f"Az SMTP-kiszolgáló ({where}) túl nagynak találta az üzenetet: {_reply_text(error)}",
        smtp_code=error.smtp_code,
    )


def _reply_text(error: smtplib.SMTPResponseException) -> str:
    reply = error.smtp_error
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", errors="replace")
    return " ".join(str(reply).split())


def backoff_delays(
    base: float = 2.0,
    factor: float = 2.0,
    cap: float = 300.0,
    *,
    jitter: float = 0.0,
    rng: random.Random | None = None,
) -> Iterator[float]:
    """Endless retry delays in seconds: ``base``, ``base*factor``, … never above ``cap``.

    With ``jitter`` (0–1) each delay is shortened by a random fraction up to ``jitter`` so
    several workers that failed together do not retry together.
    """
    if base <= 0 or factor < 1 or cap <= 0 or not 0 <= jitter <= 1:
        raise ValueError("backoff_delays needs base > 0, factor ≥ 1, cap > 0 and 0 ≤ jitter ≤ 1")
    rng = rng or random.Random()
    delay = base
    while True:
        current = min(delay, cap)
        if jitter:
            current *= 1 - jitter * rng.random()
        yield current
        delay = min(delay * factor, cap)


def send_with_retries(
    message: EmailMessage,
    target: SmtpTarget,
    *,
    envelope_to: Sequence[str] | None = None,
    tls_context: ssl.SSLContext | None = None,
    max_attempts: int | None = None,
    delays: Iterator[float] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, MailError, float], None] | None = None,
) -> int:
    """Send ``message``, retrying temporary failures with :func:`backoff_delays`; returns attempts used.

    A permanent failure (5xx, refused login, TLS failure) is raised at once; a temporary one is
    retried until ``max_attempts`` (``None``: forever). ``on_retry(attempt, error, delay)`` is
    called before each wait.
    """
    delays = delays if delays is not None else backoff_delays(jitter=0.2)
    attempt = 0
    while True:
        attempt += 1
        try:
            send_message(message, target, envelope_to=envelope_to, tls_context=tls_context)
            return attempt
        except MailError as error:
            if not error.temporary or (max_attempts is not None and attempt >= max_attempts):
                raise
            delay = next(delays)
            log.warning(
                "sending %s failed (attempt %d, temporary), retrying in %.1f s",
                message.get("Message-ID", "?"),
                attempt,
                delay,
            )
            if on_retry is not None:
                on_retry(attempt, error, delay)
            sleep(delay)
