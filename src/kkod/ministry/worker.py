"""The worker: claim a queued request, generate its codes, reply to the sender, purge old tables.

Crash safety (docs/ministry.md): a claim is a lease, so a request whose worker died is
claimed again when the lease expires (at once by a restarted worker with the same id);
generation is idempotent (the same table gives the same codes); the request becomes
``kész`` in the same transaction that stores its one reply in the outbox; a reply is marked
sent right after the relay's 250 and always carries the same Message-ID.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import logging
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from kkod.central.interface import Central, UnknownOffice
from kkod.config import Settings, get_settings
from kkod.errors import KkodError, TableError
from kkod.mail.message import XLSX_TYPE, Attachment
from kkod.mail.smtp import MailError, SmtpTarget, backoff_delays, send_message
from kkod.ministry.checks import xlsx_filename
from kkod.ministry.models import Request, utcnow
from kkod.ministry.replies import codes_reply, rejection_reply, report_attachment
from kkod.ministry.store import DEFAULT_LEASE, Counts, RequestStore

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)
RETRY_CAP_SECONDS = 300.0


def default_worker_id() -> str:
    """The host name: a restarted worker on the same machine takes its own claims back at once."""
    return socket.gethostname() or "worker"


def retry_delay(attempts: int, base: float = 2.0, cap: float = RETRY_CAP_SECONDS) -> float:
    """Seconds to wait after the ``attempts``-th failure (exponential, capped)."""
    delays = backoff_delays(base=base, cap=cap)
    return next(itertools.islice(delays, max(attempts, 1) - 1, None))


class _LeaseLost(Exception):
    """Another worker holds the request now; this worker stops working on it."""


class TableGone(KkodError):
    """The stored table was purged before the request was processed."""


# Problems of the request itself: it is rejected with the error's Hungarian message. Any
# other error (configuration, database, a bug) gives the request back to the queue instead.
REJECTING_ERRORS: tuple[type[KkodError], ...] = (TableError, UnknownOffice, TableGone)


@dataclass(slots=True)
class RoundSummary:
    """What one round of the worker did (counts only)."""

    finished: list[str] = field(default_factory=list)  # references
    rejected: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    sent: int = 0
    send_failures: int = 0
    purged: int = 0


class Worker:
    """One worker on a request store, reaching the central system through ``central``."""

    def __init__(
        self,
        store: RequestStore,
        central: Central | Callable[[], Central],
        settings: Settings | None = None,
        *,
        worker_id: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        smtp: SmtpTarget | None = None,
        spool_folder: Path | None = None,
        progress: Callable[[str, str, int, int], None] | None = None,
    ) -> None:
        self.store = store
        self._central = central
        self.settings = settings or get_settings()
        self.worker_id = worker_id or default_worker_id()
        self.lease = lease
        self.smtp = smtp or SmtpTarget.from_settings(self.settings)
        self.spool_folder = spool_folder
        self.progress = progress
        self._last_purge: float | None = None

    @property
    def central(self) -> Central:
        if callable(self._central) and not hasattr(self._central, "match_and_issue"):
            self._central = self._central()
        return self._central  # type: ignore[return-value]

    # -- requests ---------------------------------------------------------------------------

    def process_next(self, summary: RoundSummary | None = None) -> Request | None:
        """Claim and process one request; ``None`` when the queue is empty."""
        summary = summary if summary is not None else RoundSummary()
        request = self.store.claim_next(self.worker_id, self.lease)
        if request is None:
            return None
        log.info(
            "worker %s processing %s (attempt %d)",
            self.worker_id,
            request.reference,
            request.attempts,
        )
        try:
            self._process(request, summary)
        except _LeaseLost:
            log.warning(
                "worker %s lost the lease on %s; left to its new owner",
                self.worker_id,
                request.reference,
            )
        except REJECTING_ERRORS as error:
            # The request itself cannot be processed (e.g. the office was removed since intake).
            reply = rejection_reply(request, error.message, self.settings.ministry_address)
            if self.store.reject_claimed(request.id, self.worker_id, error.message, reply):
                summary.rejected.append(request.reference)
                log.info("request %s rejected while processing", request.reference)
        except Exception as error:
            delay = retry_delay(request.attempts)
            what = error.message if isinstance(error, KkodError) else type(error).__name__
            note = f"{what}; újra {delay:.0f} mp múlva"
            retry_at = utcnow() + timedelta(seconds=delay)
            self.store.release(request.id, self.worker_id, retry_at, note)
            summary.released.append(request.reference)
            log.error(
                "request %s failed (%s); queued again in %.0f s", request.reference, what, delay
            )
        return request

    def _process(self, request: Request, summary: RoundSummary) -> None:
        from kkod.ministry.generation import generate

        table_bytes = self.store.table_of(request.id)
        if table_bytes is None:
            raise TableGone(
                "A kérelem táblázata már nem áll rendelkezésre (a megőrzési idő lejárt); "
                "küldje el újra a kérelmet."
            )
        renew = self._lease_keeper(request)
        with tempfile.TemporaryDirectory(prefix="kkod-worker-") as folder:
            name = xlsx_filename(request.table_filename or "tablazat.xlsx")
            table = Path(folder) / name
            table.write_bytes(table_bytes)
            stem = Path(name).stem
            output = Path(folder) / "out" / f"{stem}-kodokkal.xlsx"
            report = Path(folder) / "out" / f"{stem}-jelentes.xlsx"
            result = generate(
                table,
                request.krid,
                self.central,
                output,
                report,
                reference=request.reference,
                progress=renew,
                actor=f"ministry:{self.worker_id}",
            )
            counts = Counts(
                rows=len(result.rows),
                coded=result.coded,
                no_match=result.no_match,
                multiple=result.multiple,
                invalid=result.invalid,
            )
            reply = codes_reply(
                request,
                counts,
                Attachment(output.name, XLSX_TYPE, output.read_bytes()),
                report_attachment(report.name, report.read_bytes()),
                self.settings.ministry_address,
            )
        if self.store.finish(request.id, self.worker_id, counts, reply):
            summary.finished.append(request.reference)
            log.info(
                "request %s done: %d rows, %d coded", request.reference, counts.rows, counts.coded
            )
        else:
            raise _LeaseLost

    def _lease_keeper(self, request: Request) -> Callable[[str, int, int], None]:
        """A progress callback that renews the lease and stops work when it was lost."""
        every = self.lease.total_seconds() / 3
        last = [time.monotonic()]

        def note(stage: str, done: int, total: int) -> None:
            if self.progress is not None:
                self.progress(request.reference, stage, done, total)
            if time.monotonic() - last[0] >= every:
                if not self.store.renew_lease(request.id, self.worker_id, self.lease):
                    raise _LeaseLost
                last[0] = time.monotonic()

        return note

    # -- outbox -----------------------------------------------------------------------------

    def send_due(self, summary: RoundSummary | None = None) -> int:
        """Send every reply that is due; stop at the first temporary failure (relay down)."""
        summary = summary if summary is not None else RoundSummary()
        sent = 0
        while (reply := self.store.claim_reply(self.worker_id)) is not None:
            message = email.message_from_bytes(reply.raw, policy=email.policy.SMTP)
            try:
                send_message(message, self.smtp, envelope_to=[reply.recipient])
            except MailError as error:
                delay = retry_delay(reply.attempts)
                retry_at = utcnow() + timedelta(seconds=delay)
                self.store.mark_failed(reply.id, self.worker_id, error.message, retry_at)
                summary.send_failures += 1
                log.warning(
                    "reply %s not sent (attempt %d): %s; next try in %.0f s",
                    reply.message_id,
                    reply.attempts,
                    error.message,
                    delay,
                )
                if error.temporary:
                    break
                continue
            self.store.mark_sent(reply.id, self.worker_id)
            sent += 1
            summary.sent += 1
            log.info("reply %s sent", reply.message_id)
        return sent

    # -- retention --------------------------------------------------------------------------

    def purge(self, force: bool = False) -> int:
        """Delete stored tables past ``retention_days`` (at most once an hour unless forced)."""
        now = time.monotonic()
        if (
            not force
            and self._last_purge is not None
            and now - self._last_purge < PURGE_EVERY.total_seconds()
        ):
            return 0
        self._last_purge = now
        days = self.settings.retention_days
        purged = self.store.purge_expired(days, actor=self.worker_id)
        if self.spool_folder is not None:
            from kkod.mail.spool import Spool

            purged += Spool(self.spool_folder).purge_done(utcnow() - timedelta(days=days))
        if purged:
            log.info("purged %d stored tables/messages older than %d days", purged, days)
        return purged

    # -- loops ------------------------------------------------------------------------------

    def run_once(self) -> RoundSummary:
        """Process every queued request, sending each reply right after it is stored; then purge."""
        summary = RoundSummary()
        self.send_due(summary)
        while self.process_next(summary) is not None:
            self.send_due(summary)
        self.send_due(summary)
        summary.purged = self.purge()
        return summary

    def run_forever(self, stop: threading.Event, poll: float = 5.0) -> None:
        """Run rounds until ``stop`` is set, waiting ``poll`` seconds between idle rounds."""
        log.info("worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                summary = self.run_once()
            except KkodError as error:  # e.g. the database is unreachable for a moment
                log.error("worker round failed: %s", error.message)
                summary = RoundSummary()
            except Exception as error:
                log.error("worker round failed: %s", type(error).__name__)
                summary = RoundSummary()
            if not (summary.finished or summary.rejected or summary.sent):
                stop.wait(poll)
        log.info("worker %s stopped", self.worker_id)
