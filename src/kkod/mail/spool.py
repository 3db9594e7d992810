"""A durable folder of received messages: each is fsync'd and renamed into place before it counts.

Layout: ``new/`` holds pending messages, ``done/`` the handled ones (kept), one ``<id>.eml`` file
each. The file is the received message exactly, preceded by one ``X-Kkod-Spool:`` header line
holding the envelope as JSON, so a mail client still opens it. See docs/mail.md.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kkod.atomic import atomic_write_bytes, fsync_dir
from kkod.errors import KkodError
from kkod.hungarian import article

SPOOL_HEADER = b"X-Kkod-Spool: "
SPOOL_FORMAT = 1


class SpoolError(KkodError):
    """A spool file is unreadable or not one kkod wrote."""


@dataclass(frozen=True)
class SpoolEntry:
    """One stored message: its id (sorts by arrival), its file and the SMTP envelope."""

    id: str
    path: Path
    envelope_from: str
    recipients: tuple[str, ...]
    received_at: datetime
    size: int = 0

    def raw(self) -> bytes:
        """The message exactly as received (the spool header line removed)."""
        return _split(self.path.read_bytes(), self.path)[1]

    @classmethod
    def load(cls, path: Path) -> SpoolEntry:
        """Read the envelope of the spool file at ``path`` (the message itself stays on disk)."""
        with open(path, "rb") as handle:
            first = handle.readline()
        meta = _meta(first, path)
        return cls(
            id=meta["id"],
            path=path,
            envelope_from=meta["envelope_from"],
            recipients=tuple(meta["recipients"]),
            received_at=datetime.fromisoformat(meta["received_at"]),
            size=int(meta["size"]),
        )


def _meta(first_line: bytes, path: Path) -> dict:
    if not first_line.startswith(SPOOL_HEADER):
        raise SpoolError(
            f"{article(path).capitalize()} {path} fájl nem a kkod levélsorából való (hiányzik az X-Kkod-Spool sor)."
        )
    try:
        meta = json.loads(first_line[len(SPOOL_HEADER) :].decode("ascii"))
        if meta.get("v") != SPOOL_FORMAT:
            raise ValueError(meta.get("v"))
        return meta
    except (ValueError, UnicodeDecodeError) as error:
        raise SpoolError(
            f"{article(path).capitalize()} {path} fájl X-Kkod-Spool sora hibás ({error})."
        ) from None


def _split(content: bytes, path: Path) -> tuple[dict, bytes]:
    end = content.find(b"\n")
    if end < 0:
        raise SpoolError(f"{article(path).capitalize()} {path} fájl csonka.")
    meta = _meta(content[: end + 1], path)
    raw = content[end + 1 :]
    if len(raw) != int(meta["size"]):
        raise SpoolError(
            f"{article(path).capitalize()} {path} fájl csonka: {len(raw)} bájt a várt {meta['size']} helyett."
        )
    return meta, raw


class Spool:
    """A folder of messages, durable: write tmp → fsync → rename → fsync dir (via ``atomic_write``).

    Safe to use from several threads and processes: every entry has a unique id and every
    move is one rename.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.new_dir = self.folder / "new"
        self.done_dir = self.folder / "done"
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def _ensure_dirs(self) -> None:
        self.new_dir.mkdir(parents=True, exist_ok=True)
        self.done_dir.mkdir(parents=True, exist_ok=True)

    def _new_id(self, received_at: datetime) -> str:
        with self._lock:
            n = next(self._counter)
        return f"{received_at:%Y%m%dT%H%M%S%fZ}-{os.getpid()}-{n:06d}-{uuid.uuid4().hex[:8]}"

    def store(self, raw: bytes, *, envelope_from: str, recipients: Sequence[str]) -> SpoolEntry:
        """Store ``raw`` durably; returns only once the file is complete, fsync'd and in ``new/``.

        Raises ``OSError`` when the disk refuses (the SMTP server then answers 4xx).
        """
        self._ensure_dirs()
        received_at = datetime.now(UTC)
        entry_id = self._new_id(received_at)
        meta = {
            "v": SPOOL_FORMAT,
            "id": entry_id,
            "envelope_from": envelope_from,
            "recipients": list(recipients),
            "received_at": received_at.isoformat(),
            "size": len(raw),
        }
        newline = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
        header = SPOOL_HEADER + json.dumps(meta, ensure_ascii=True).encode("ascii") + newline
        path = self.new_dir / f"{entry_id}.eml"
        atomic_write_bytes(path, header + raw)
        return SpoolEntry(
            id=entry_id,
            path=path,
            envelope_from=envelope_from,
            recipients=tuple(recipients),
            received_at=received_at,
            size=len(raw),
        )

    def pending(self) -> list[SpoolEntry]:
        """Entries not yet marked done, oldest first."""
        return self._entries(self.new_dir)

    def handled(self) -> list[SpoolEntry]:
        """Entries marked done, oldest first."""
        return self._entries(self.done_dir)

    def _entries(self, folder: Path) -> list[SpoolEntry]:
        if not folder.is_dir():
            return []
        paths = sorted(p for p in folder.glob("*.eml") if not p.name.startswith("."))
        entries = []
        for path in paths:
            try:
                entries.append(SpoolEntry.load(path))
            except FileNotFoundError:  # moved to done/ by another process meanwhile
                continue
        return entries

    def get(self, entry_id: str) -> SpoolEntry | None:
        """The entry with ``entry_id``, pending or done, or ``None``."""
        for folder in (self.new_dir, self.done_dir):
            try:
                return SpoolEntry.load(folder / f"{entry_id}.eml")
            except FileNotFoundError:
                continue
        return None

    def is_done(self, entry: SpoolEntry) -> bool:
        """Whether ``entry`` has been marked done."""
        return (self.done_dir / f"{entry.id}.eml").exists()

    def purge_done(self, received_before: datetime) -> int:
        """Delete handled messages received before ``received_before`` (retention); returns how many.

        Pending messages are never deleted: they have not been answered yet.
        """
        if not self.done_dir.is_dir():
            return 0
        removed = 0
        for path in self.done_dir.glob("*.eml"):
            received = _entry_time(path.stem)
            if received is not None and received < received_before:
                path.unlink(missing_ok=True)
                removed += 1
        if removed:
            fsync_dir(self.done_dir)
        return removed

    def done(self, entry: SpoolEntry) -> None:
        """Move ``entry`` to ``done/`` (kept there); doing it twice is harmless."""
        self._ensure_dirs()
        source = self.new_dir / f"{entry.id}.eml"
        target = self.done_dir / f"{entry.id}.eml"
        try:
            os.replace(source, target)
        except FileNotFoundError:
            if target.exists():
                return
            raise SpoolError(
                f"{article(entry.id).capitalize()} {entry.id} üzenet nincs a levélsorban ({self.folder})."
            ) from None
        fsync_dir(self.done_dir)
        fsync_dir(self.new_dir)


def _entry_time(entry_id: str) -> datetime | None:
    try:
        return datetime.strptime(entry_id.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None
