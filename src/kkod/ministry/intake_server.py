"""The ministry's intake service: the SMTP server, its durable spool, and ingesting what arrives.

A message is answered ``250`` only once it is fsync'd into the spool; it is then checked and
stored as a request and moved to the spool's ``done/``. Anything still pending (a crash
between the two, or a transient failure while ingesting) is ingested on start and swept again
every minute; ingesting the same message twice is harmless (dedupe key).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from kkod import logs
from kkod.central.interface import Central
from kkod.config import Settings
from kkod.ministry.failures import describe, disk_full
from kkod.ministry.intake import EMAIL_ACTOR, TRANSIENT_ERRORS, ingest
from kkod.ministry.store import RequestStore
from kkod.ministry.wakeup import warm_up
from kkod.workspace import remove_stale

log = logging.getLogger(__name__)

SWEEP_EVERY = 60.0
# What checking the first message would import: imported when the server starts instead, so
# that the first request is not slower than the others (about 0.1–0.2 s of imports).
_CHECKS_IMPORT = (
    "kkod.mail.message",
    "kkod.mail.loops",
    "kkod.mail.containers",
    "kkod.ministry.checks",
    "kkod.exchange.declaration",
    "kkod.exchange.subject",
    "kkod.pki.verify",
    "kkod.pki.pdfcheck",
    "kkod.pki.orgid",
    "kkod.table.reader",
    "pyhanko.pdf_utils.reader",
    "pyhanko.sign.validation",
    "pyhanko.sign.diff_analysis",
    "pyhanko.sign.ades.report",
    "pyhanko_certvalidator",
)


def spool_folder(settings: Settings) -> Path:
    """Where the intake keeps received messages: ``<data_dir>/spool``."""
    return settings.data_dir / "spool"


class IntakeService:
    """Receives requests by SMTP into a spool and ingests them into the request store."""

    def __init__(self, store: RequestStore, central: Central, settings: Settings) -> None:
        from kkod.mail.spool import Spool

        self.store = store
        self.central = central
        self.settings = settings
        self.spool = Spool(spool_folder(settings))

    def ingest_entry(self, entry) -> bool:
        """Ingest one spooled message and mark it done; false (kept pending) when that failed.

        Only a transient fault (the database unreachable) keeps a message pending. Anything
        else that escapes the checks is filed in the log and the message is kept for the
        operator as a request of its own (``áttekintésre vár``), so it is neither lost nor
        retried for ever.
        """
        try:
            ingest(
                entry.raw(),
                entry.envelope_from,
                store=self.store,
                central=self.central,
                settings=self.settings,
            )
        except Exception as error:
            # A passing fault (the database away, a full disk): the message stays in the spool
            # for the next sweep. Anything else: kept for the operator, never lost.
            if not isinstance(error, TRANSIENT_ERRORS) and disk_full(error) is None:
                if not self._hold_unprocessable(entry, error):
                    return False
                self.spool.done(entry)
                return True
            log.error(
                "levélsor=%s esemény=nincs_rögzítve hiba=%s (a levél a levélsorban marad)",
                entry.id,
                logs.quote(describe(error, self.settings.data_dir, "ministry intake")),
            )
            return False
        self.spool.done(entry)
        return True

    def _hold_unprocessable(self, entry, error: Exception) -> bool:
        from kkod.logs import file_unexpected
        from kkod.ministry.models import Channel, RequestStatus
        from kkod.ministry.store import NewRequest

        reference, _ = file_unexpected(error, "intake")
        log.error(
            "levélsor=%s esemény=váratlan_hiba hivatkozás=%s (a levél a kezelőre vár)",
            entry.id,
            reference,
        )
        held = NewRequest(
            dedupe_key=f"spool:{entry.id}",
            channel=str(Channel.EMAIL),
            sender=entry.envelope_from.strip("<>")[:320],
            status=RequestStatus.ATTEKINTESRE_VAR,
            reason=(
                "A levelet nem sikerült feldolgozni (váratlan hiba); a levél a levélsor done/ "
                f"mappájában van: {entry.path.name}."
            ),
            operator_note=f"Váratlan hiba, hivatkozás a naplóban: {reference}.",
            audit_detail=f"csatorna: e-mail, levélsor: {entry.id}",
        )
        try:
            self.store.record(held, None, actor=EMAIL_ACTOR)
        except Exception as again:  # the store itself fails: keep the message for the next sweep
            log.error(
                "levélsor=%s esemény=nincs_rögzítve hiba=%s (a levél a levélsorban marad)",
                entry.id,
                logs.quote(describe(again, self.settings.data_dir, "ministry intake")),
            )
            return False
        return True

    def sweep(self) -> int:
        """Ingest every pending spooled message (after a crash or a failure); returns how many.

        First removes the work folders of dead processes (a killed intake's table copies)."""
        remove_stale(self.settings.data_dir)
        ingested = sum(1 for entry in self.spool.pending() if self.ingest_entry(entry))
        if ingested:
            log.info("esemény=levélsor_feldolgozva levelek=%d", ingested)
        return ingested

    def start(self, host: str, port: int):
        """Start the SMTP server (``port=0``: any free port); the caller ``.stop()``s it."""
        from kkod.mail.server import start_intake_server

        warm_up(_CHECKS_IMPORT)
        return start_intake_server(self.spool, host, port, on_stored=self.ingest_entry)

    def serve(self, host: str, port: int, stop: threading.Event, on_started=None) -> None:
        """Run the SMTP server until ``stop`` is set, sweeping the spool every minute."""
        controller = self.start(host, port)
        if on_started is not None:
            on_started(controller)
        try:
            last = time.monotonic()
            while not stop.wait(1.0):
                if time.monotonic() - last >= SWEEP_EVERY:
                    last = time.monotonic()
                    self.sweep()
        finally:
            controller.stop()
