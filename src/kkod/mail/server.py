"""SMTP servers on aiosmtpd: the ministry's durable intake (250 only after fsync) and a local mailbox."""

from __future__ import annotations

import asyncio
import errno
import itertools
import logging
import socket
import ssl
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, Envelope, Session

from kkod import logs
from kkod.atomic import atomic_write_bytes
from kkod.hungarian import article
from kkod.mail.message import headers_of
from kkod.mail.smtp import MailError
from kkod.mail.spool import Spool, SpoolEntry
from kkod.oserrors import explain, reason

log = logging.getLogger(__name__)

MAX_SIZE = 50 * 1024 * 1024
"""Largest message accepted by default (bytes); larger ones get ``552``."""

SERVER_NAME = "kkod"

# aiosmtpd logs every DATA line at DEBUG: message contents (and so personal data) must never
# reach a log. Its INFO lines (each connection, in English) are left out too: the intake
# logs each message it stores, in Hungarian.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class _KkodSMTP(SMTP):
    """aiosmtpd's protocol with a size-limit reply that says what the limit is, and its DATA
    read in blocks.

    aiosmtpd reads a message line by line, ≈ 2 µs a line: 4 ms of the intake's CPU for a
    request's 150 KB, more than storing it. Here the message is read up to each ``.<CR><LF>``
    (the end is the one that is a line of its own), and the lines' limit, the size limit and
    the dots' transparency (RFC 5321 4.5.2) are applied to the whole: the same answers and the
    same content as aiosmtpd's, and what a client pipelined after the end stays for the next
    command.
    """

    async def push(self, status: Any) -> None:
        if isinstance(status, str) and status.startswith("552 "):
            status = (
                f"552 5.3.4 Message too big: this server accepts at most "
                f"{self.data_size_limit} bytes"
            )
        await super().push(status)

    async def smtp_DATA(self, arg: str) -> None:
        if self._decode_data or "DATA" not in self._handle_hooks:  # not kkod's handlers
            await super().smtp_DATA(arg)
            return
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            data, too_much = await _data_lines(self._reader, self.data_size_limit)
        except asyncio.CancelledError:  # the connection was lost during DATA
            self._writer.close()
            raise
        # As aiosmtpd: a line over the limit seen before the size limit was passed is told first.
        if _longest_line(data) > self.line_length_limit:
            await self.push("500 Line too long (see RFC5321 4.5.3.1.6)")
            self._set_post_data_state()
            return
        if too_much:
            await self.push("552 Error: Too much mail data")
            self._set_post_data_state()
            return
        content = _unstuffed(data)
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)


_DOT_LINE_END = b".\r\n"


async def _data_lines(reader: asyncio.StreamReader, limit: int | None) -> tuple[bytes, bool]:
    """DATA's lines as sent, up to the line that is a lone dot (not included), and whether they
    were more than ``limit`` bytes: then only those before the limit are kept."""
    kept = bytearray()
    size = 0
    too_much = False
    tail = b"\r\n"  # the last bytes read: DATA's first line starts after a line's end
    while True:
        try:
            piece = await reader.readuntil(_DOT_LINE_END)
        except asyncio.LimitOverrunError as over:  # no ".<CR><LF>" within the reader's limit
            piece = await reader.readexactly(over.consumed)
            ended = False
        else:
            ended = (tail + piece[-5:])[-5:] == b"\r\n" + _DOT_LINE_END
        if ended:
            piece = piece[: -len(_DOT_LINE_END)]
        size += len(piece)
        if not too_much:
            if limit and size > limit:
                too_much = True
            else:
                kept += piece
        if ended:
            return bytes(kept), too_much
        tail = (tail + piece[-4:])[-4:]


def _longest_line(data: bytes) -> int:
    """The longest line's length with its ``<CR><LF>``."""
    return max(map(len, data.split(b"\r\n"))) + 2 if data else 0


def _unstuffed(data: bytes) -> bytes:
    """Each line's leading dot removed (the sender doubled it, RFC 5321 4.5.2)."""
    if data.startswith(b"."):
        data = data[1:]
    return data.replace(b"\r\n.", b"\r\n")


class KkodController(Controller):
    """A threaded aiosmtpd controller that binds its socket in the caller's thread.

    A busy port therefore fails at once with ``OSError``; ``port=0`` picks a free port, read back
    from ``.port``.
    """

    _socket: socket.socket | None = None

    def factory(self) -> SMTP:
        return _KkodSMTP(self.handler, **self.SMTP_kwargs)

    def start(self) -> None:
        family = socket.getaddrinfo(self.hostname, self.port, type=socket.SOCK_STREAM)[0][0]
        self._socket = socket.create_server((self.hostname, self.port), family=family)
        self.port = self._socket.getsockname()[1]
        try:
            super().start()
        except BaseException:
            self._socket.close()
            raise

    def _create_server(self) -> Any:
        return self.loop.create_server(
            self._factory_invoker, sock=self._socket, ssl=self.ssl_context
        )


def _message_id(raw: bytes) -> str:
    """The message's Message-ID for the log, from its header (in its first 64 KiB)."""
    try:
        headers = headers_of(raw, 65536)
        return " ".join(str(headers.get("Message-ID", "?")).split()) or "?"
    except Exception:
        return "?"


class IntakeHandler:
    """aiosmtpd handler: store each message durably in the spool, then answer ``250``."""

    def __init__(self, spool: Spool, on_stored: Callable[[SpoolEntry], None] | None = None) -> None:
        self.spool = spool
        self.on_stored = on_stored

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = bytes(envelope.original_content or b"")
        loop = asyncio.get_running_loop()
        try:
            entry = await loop.run_in_executor(
                None,
                lambda: self.spool.store(
                    raw, envelope_from=envelope.mail_from or "", recipients=envelope.rcpt_tos
                ),
            )
        except Exception as error:
            log.error(
                "üzenet=%s feladó=%s méret=%d esemény=nincs_tárolva válasz=451 hiba=%s",
                logs.quote(_message_id(raw)),
                logs.quote(envelope.mail_from),
                len(raw),
                logs.quote(_storage_error(error, self.spool.folder)),
            )
            return "451 4.3.0 Temporary failure storing the message, please try again later"
        log.info(
            "üzenet=%s feladó=%s méret=%d esemény=tárolva levélsor=%s",
            logs.quote(_message_id(raw)),
            logs.quote(envelope.mail_from),
            len(raw),
            entry.id,
        )
        if self.on_stored is not None:
            try:
                await loop.run_in_executor(None, self.on_stored, entry)
            except Exception as error:
                reference, _ = logs.file_unexpected(error, "intake on_stored")
                log.error(
                    "levélsor=%s esemény=hiba napló=%s (a levél a levélsorban marad)",
                    entry.id,
                    reference,
                )
        return f"250 2.0.0 OK: queued as {entry.id}"


def _storage_error(error: Exception, folder: Path) -> str:
    """Why the spool could not store a message, in Hungarian (the disk, usually)."""
    if isinstance(error, OSError):
        return explain(error, error.filename or folder)
    reference, _ = logs.file_unexpected(error, "intake spool")
    return f"váratlan hiba ({type(error).__name__}), napló: {reference}"


def start_intake_server(
    spool: Spool,
    host: str = "127.0.0.1",
    port: int = 2525,
    *,
    on_stored: Callable[[SpoolEntry], None] | None = None,
    max_size: int = MAX_SIZE,
    tls_context: ssl.SSLContext | None = None,
    require_starttls: bool = False,
    authenticator: Callable[..., Any] | None = None,
    auth_required: bool = False,
    auth_require_tls: bool = True,
) -> KkodController:
    """Start the ministry's intake SMTP server in a background thread; the caller ``.stop()``s it.

    ``250`` is answered only after the message is fsync'd into ``spool``; a storage failure gets
    ``451`` (the sender retries); larger than ``max_size`` gets ``552``. ``on_stored(entry)`` runs
    in a worker thread before the ``250`` goes out; its errors are logged and do not change it.
    ``port=0`` picks a free port (see ``controller.port``).
    """
    controller = KkodController(
        IntakeHandler(spool, on_stored),
        hostname=host,
        port=port,
        server_hostname=SERVER_NAME,
        data_size_limit=max_size,
        tls_context=tls_context,
        require_starttls=require_starttls,
        authenticator=authenticator,
        auth_required=auth_required,
        auth_require_tls=auth_require_tls,
    )
    _start(controller, host)
    return controller


def _start(controller: KkodController, host: str) -> None:
    try:
        controller.start()
    except OSError as error:
        why = {
            errno.EADDRINUSE: "a port már foglalt",
            errno.EACCES: "nincs jogosultság a porthoz",
            errno.EADDRNOTAVAIL: "a cím nem ehhez a géphez tartozik",
        }.get(error.errno or 0) or reason(error)
        raise MailError(
            f"Az SMTP-kiszolgáló nem indítható {article(host)} {host}:{controller.port} címen ({why})."
        ) from None


class MailboxHandler:
    """aiosmtpd handler: save each message atomically as ``<timestamp>-<n>.eml`` in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._counter = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = bytes(envelope.original_content or b"")
        name = f"{datetime.now():%Y%m%dT%H%M%S%f}-{next(self._counter):04d}.eml"
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, atomic_write_bytes, self.folder / name, raw)
        except Exception as error:
            log.error(
                "postafiók=%s esemény=nincs_mentve válasz=451 hiba=%s",
                logs.quote(str(self.folder)),
                logs.quote(_storage_error(error, self.folder)),
            )
            return "451 4.3.0 Temporary failure storing the message, please try again later"
        log.info(
            "üzenet=%s méret=%d esemény=mentve fájl=%s",
            logs.quote(_message_id(raw)),
            len(raw),
            logs.quote(name),
        )
        return "250 2.0.0 OK: delivered"


def start_mailbox_server(
    folder: Path, host: str = "127.0.0.1", port: int = 2526, *, max_size: int = MAX_SIZE
) -> KkodController:
    """Start a simple local mailbox (the employer's, for the demo and tests); the caller ``.stop()``s it."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    controller = KkodController(
        MailboxHandler(Path(folder)),
        hostname=host,
        port=port,
        server_hostname=SERVER_NAME,
        data_size_limit=max_size,
    )
    _start(controller, host)
    return controller


def mailbox_messages(folder: Path) -> list[Path]:
    """The ``.eml`` files saved in a mailbox folder, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.eml") if not p.name.startswith("."))


def wait_for_messages(folder: Path, count: int, timeout: float) -> list[Path]:
    """Poll ``folder`` until it holds at least ``count`` messages; returns them, oldest first.

    Raises :class:`MailError` when ``timeout`` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = mailbox_messages(folder)
        if len(found) >= count:
            return found
        if time.monotonic() >= deadline:
            raise MailError(
                f"{article(folder).capitalize()} {folder} postafiókba {timeout:g} másodperc alatt nem érkezett meg "
                f"{count} üzenet (csak {len(found)})."
            )
        time.sleep(0.05)
