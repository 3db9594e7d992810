"""The worker: claim a queued request, generate its codes, reply to the sender, purge old tables.

Crash safety (docs/ministry.md): a claim is a lease, so a request whose worker died is
claimed again when the lease expires (at once by a restarted worker with the same id);
generation is idempotent (the same table gives the same codes); the request becomes
``kész`` in the same transaction that stores its one reply in the outbox; a reply is marked
sent right after the relay's 250 and always carries the same Message-ID. The table and the
outputs live in a private work folder under the data folder (:mod:`kkod.workspace`); a full
disk gives the request back to the queue with the reason, to be done once there is room.

The operator's log lines are Hungarian ``key=value`` lines (``kérelem=KK-2026-000123
esemény=kész sorok=120 kód=110``): references, counts and reasons, never personal data.
"""

from __future__ import annotations

import errno
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kkod import logs
from kkod.background import reused_children
from kkod.central.interface import Central, UnknownOffice
from kkod.config import Settings, get_settings
from kkod.errors import KkodError, TableError
from kkod.mail.message import XLSX_TYPE, Attachment
from kkod.mail.smtp import MailError, Relay, SmtpTarget, backoff_delays
from kkod.ministry.checks import xlsx_filename
from kkod.ministry.failures import describe
from kkod.ministry.models import Request, utcnow
from kkod.ministry.replies import codes_reply, rejection_reply, report_attachment
from kkod.ministry.store import DEFAULT_LEASE, Counts, OutgoingReply, RequestStore
from kkod.ministry.wakeup import WakeUp, warm_up
from kkod.oserrors import free_space
from kkod.table.columns_codec import ColumnsUnreadable, decode_columns
from kkod.table.reader import FourTColumns
from kkod.workspace import disk_full, no_space, remove_stale, work_folder

if TYPE_CHECKING:
    from kkod.ministry.generation import KeyMaker

log = logging.getLogger(__name__)
quote = logs.quote

PURGE_EVERY = timedelta(hours=1)
_GENERATION_IMPORT = (
    "kkod.ministry.generation",
    "kkod.ministry.replies",
    "kkod.reports",
    "kkod.table.reader",
    "kkod.table.writer",
    "xlsxwriter",
)
RETRY_CAP_SECONDS = 300.0
# Distinct names whose match-key forms a worker keeps from request to request (about 50 MB);
# past it, they are forgotten and kept anew.
WARM_NAMES = 200_000
# A request's files on disk at the most: the table's copy, the filled table (about as big),
# the reason report and the report writer's temporary files.
SPACE_PER_TABLE_BYTE = 3
SPACE_BESIDES = 1024 * 1024


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


# The audit action when a failed request could not even be given back to the queue.
FAILED_ACTION = "feldolgozás sikertelen"

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


def _read_before(stored: bytes | None) -> FourTColumns | None:
    """What the intake read from the request's table; ``None`` (the table is read again) when
    it was not kept (an older version's request) or cannot be decoded."""
    if stored is None:
        return None
    try:
        return decode_columns(stored)
    except ColumnsUnreadable:
        log.warning("esemény=táblaadat_olvashatatlan ok=%s", quote("a táblázatot újra beolvassuk"))
        return None


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
        self._started = False
        self._stage: str | None = None  # the generation stage of the request at hand
        self._keys: KeyMaker | None = None  # kept warm for all the requests of this worker

    @property
    def central(self) -> Central:
        if callable(self._central) and not hasattr(self._central, "match_and_issue"):
            self._central = self._central()
        return self._central  # type: ignore[return-value]

    def retry_in(self, attempts: int) -> float:
        """Seconds until the next try after the ``attempts``-th failure (the retry settings)."""
        return retry_delay(attempts, self.settings.retry_delay, self.settings.retry_max_delay)

    # -- requests ---------------------------------------------------------------------------

    def process_next(self, summary: RoundSummary | None = None) -> Request | None:
        """Claim and process one request; ``None`` when the queue is empty."""
        summary = summary if summary is not None else RoundSummary()
        request = self.store.claim_next(self.worker_id, self.lease)
        if request is None:
            return None
        self._stage = None
        log.info(
            "kérelem=%s esemény=feldolgozás kísérlet=%d feldolgozó=%s",
            request.reference,
            request.attempts,
            quote(self.worker_id),
        )
        try:
            self._process(request, summary)
        except _LeaseLost:
            log.warning(
                "kérelem=%s esemény=átengedve feldolgozó=%s ok=%s",
                request.reference,
                quote(self.worker_id),
                quote("a foglalás lejárt, a kérelmet egy másik feldolgozó vette át"),
            )
        except REJECTING_ERRORS as error:
            # The request itself cannot be processed (e.g. the office was removed since intake).
            reply = rejection_reply(request, error.message, self.settings)
            if self.store.reject_claimed(request.id, self.worker_id, error.message, reply):
                summary.rejected.append(request.reference)
                log.info("kérelem=%s esemény=elutasítva", request.reference)
        except Exception as error:
            self._give_back(request, error, summary)
        return request

    def _give_back(self, request: Request, error: Exception, summary: RoundSummary) -> None:
        """Put a request that failed for a reason of ours (not of the request) back in the
        queue, to be tried again after the retry delay; the reason goes to the log and the audit."""
        delay = self.retry_in(request.attempts)
        what = describe(error, self.settings.data_dir, "ministry worker")
        log.error(
            "kérelem=%s esemény=visszaadva szakasz=%s újra=%gmp hiba=%s",
            request.reference,
            quote(self._stage or "Előkészítés"),
            delay,
            quote(what),
        )
        note = f"{what} Újra {delay:.0f} mp múlva."
        retry_at = utcnow() + timedelta(seconds=delay)
        try:
            self.store.release(request.id, self.worker_id, retry_at, note)
        except Exception as failure:
            if disk_full(failure) is None:
                raise
            # The request store is on the full disk too: changing the request's row (which
            # holds its table) needs more room than there is. The reason still goes into the
            # audit trail (a small row); the request stays claimed, and this worker's next
            # round takes it up again.
            self.store.audit(request.id, self.worker_id, FAILED_ACTION, note)
        summary.released.append(request.reference)

    def _process(self, request: Request, summary: RoundSummary) -> None:
        table_bytes, columns = request.table_xlsx, request.table_columns  # loaded by the claim
        if table_bytes is None:
            raise TableGone(
                "A kérelem táblázata már nem áll rendelkezésre (a megőrzési idő lejárt); "
                "küldje el újra a kérelmet."
            )
        needed = SPACE_PER_TABLE_BYTE * len(table_bytes) + SPACE_BESIDES
        free = free_space(Path(self.settings.data_dir))
        if free is not None and free < needed:  # fail at once, not after the work
            raise no_space(
                OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), self.settings.data_dir, needed
            )
        try:
            counts, reply = self._generate(request, table_bytes, _read_before(columns))
            finished = self.store.finish(request.id, self.worker_id, counts, reply)
        except Exception as error:
            full = disk_full(error)
            if full is None:
                raise
            raise no_space(full, self.settings.data_dir, needed) from error
        if not finished:
            raise _LeaseLost
        summary.finished.append(request.reference)
        log.info(
            "kérelem=%s esemény=kész sorok=%d kód=%d nincs_találat=%d több_találat=%d hibás=%d",
            request.reference,
            counts.rows,
            counts.coded,
            counts.no_match,
            counts.multiple,
            counts.invalid,
        )

    def _generate(
        self, request: Request, table_bytes: bytes, columns: FourTColumns | None
    ) -> tuple[Counts, OutgoingReply]:
        """The request's codes and reply, made in a private work folder (removed after);
        ``columns``: what the intake read from the table, if it kept it."""
        from kkod.ministry.generation import KeyMaker, generate

        if self._keys is None:
            self._keys = KeyMaker(limit=WARM_NAMES)
        renew = self._lease_keeper(request)
        self._stage = "Táblázat másolása"
        with work_folder("worker", self.settings.data_dir) as folder:
            name = xlsx_filename(request.table_filename or "tablazat.xlsx")
            table = folder / name
            table.write_bytes(table_bytes)
            stem = Path(name).stem
            output = folder / "out" / f"{stem}-kodokkal.xlsx"
            report = folder / "out" / f"{stem}-jelentes.xlsx"
            result = generate(
                table,
                request.krid,
                self.central,
                output,
                report,
                reference=request.reference,
                progress=renew,
                actor=f"ministry:{self.worker_id}",
                durable=False,  # read back into the reply, then the folder is removed
                columns=columns,
                keys=self._keys,
            )
            counts = Counts(
                rows=len(result.rows),
                coded=result.coded,
                no_match=result.no_match,
                multiple=result.multiple,
                invalid=result.invalid,
            )
            self._stage = "Válasz összeállítása"
            reply = codes_reply(
                request,
                counts,
                Attachment(output.name, XLSX_TYPE, output.read_bytes()),
                report_attachment(report.name, report.read_bytes()),
                self.settings,
            )
        self._stage = "Eredmény rögzítése"
        return counts, reply

    def _lease_keeper(self, request: Request) -> Callable[[str, int, int], None]:
        """A progress callback that renews the lease and stops work when it was lost."""
        every = self.lease.total_seconds() / 3
        last = [time.monotonic()]

        def note(stage: str, done: int, total: int) -> None:
            self._stage = stage
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
        with Relay(self.smtp) as relay:  # one conversation for the replies due together
            return self._send_due(relay, summary)

    def _send_due(self, relay: Relay, summary: RoundSummary) -> int:
        sent, more = 0, True
        while more:
            reply, more = self.store.claim_reply_and_more(self.worker_id)
            if reply is None:
                break
            try:
                relay.send_stored(reply.raw, envelope_to=[reply.recipient])
            except MailError as error:
                delay = self.retry_in(reply.attempts)
                log.warning(
                    "üzenet=%s esemény=küldési_hiba kísérlet=%d újra=%gmp hiba=%s",
                    reply.message_id,
                    reply.attempts,
                    delay,
                    quote(error.message),
                )
                retry_at = utcnow() + timedelta(seconds=delay)
                self.store.mark_failed(reply.id, self.worker_id, error.message, retry_at)
                summary.send_failures += 1
                if error.temporary:
                    break
                continue
            self.store.mark_sent(reply.id, self.worker_id)
            sent += 1
            summary.sent += 1
            log.info("üzenet=%s esemény=elküldve", reply.message_id)
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
        remove_stale(self.settings.data_dir)  # a killed worker's copies of tables
        days = self.settings.retention_days
        purged = self.store.purge_expired(days, actor=self.worker_id)
        if self.spool_folder is not None:
            from kkod.mail.spool import Spool

            purged += Spool(self.spool_folder).purge_done(utcnow() - timedelta(days=days))
        if purged:
            log.info("esemény=megőrzés_lejárt törölve=%d megőrzési_idő=%dnap", purged, days)
        return purged

    # -- loops ------------------------------------------------------------------------------

    def start(self) -> None:
        """What a worker does once when it starts: remove the work folders of dead processes,
        open the central system and import what generating a request needs (the first
        request is then as quick as the others)."""
        if not self._started:
            remove_stale(self.settings.data_dir)
            self.central  # noqa: B018 - opened now, not when the first request waits
            warm_up(_GENERATION_IMPORT)
            self._started = True
            log.info("feldolgozó=%s esemény=indul", quote(self.worker_id))

    def run_once(self) -> RoundSummary:
        """Process every queued request, sending each reply right after it is stored; then purge."""
        self.start()
        summary = RoundSummary()
        # One SMTP conversation for the round, opened at its first reply: a busy round's
        # replies do not each pay a connection, a greeting and a QUIT (the relay makes the
        # conversation again if the server closed it while a big request was generated).
        with Relay(self.smtp) as relay:
            self._send_due(relay, summary)
            while self.process_next(summary) is not None:
                self._send_due(relay, summary)
            self._send_due(relay, summary)
        summary.purged = self.purge()
        return summary

    def run_forever(self, stop: threading.Event, poll: float = 5.0) -> None:
        """Run rounds until ``stop`` is set. An idle worker waits for the next request queued
        (by this process, or on PostgreSQL by any) and at most ``poll`` seconds: the poll
        still finds requests given back with a retry time, and those of other SQLite processes."""
        from kkod.ministry.generation import BIG_TABLE_WRITER

        wake = WakeUp(self.store.engine, self.store.arrivals, stop)
        try:
            # One writer process for the big requests, not one each; started now.
            with reused_children(ready_for=BIG_TABLE_WRITER):
                self._rounds(stop, poll, wake)
        finally:
            wake.close()
        log.info("feldolgozó=%s esemény=leállt", quote(self.worker_id))

    def _rounds(self, stop: threading.Event, poll: float, wake: WakeUp) -> None:
        failures = 0
        while not stop.is_set():
            wake.clear()  # an arrival from here on cuts the idle wait short
            try:
                summary = self.run_once()
            except Exception as error:  # e.g. the database unreachable, the disk full
                failures += 1
                wait = max(poll, self.retry_in(failures))
                log.error(
                    "feldolgozó=%s esemény=hiba újra=%gmp hiba=%s",
                    quote(self.worker_id),
                    wait,
                    quote(describe(error, self.settings.data_dir, "ministry worker")),
                )
                stop.wait(wait)
                continue
            failures = 0
            if not (summary.finished or summary.rejected or summary.sent):
                wake.wait(poll)
