"""Operating-system errors told in Hungarian: what happened to which path, and what to do.

``explain(error)`` is the one place that turns an ``OSError`` into words an officer or an
operator understands; callers add what they were doing.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
from pathlib import Path

_REASONS: dict[int, str] = {
    errno.ENOENT: "nem található",
    errno.EACCES: "nincs hozzá jogosultság",
    errno.EPERM: "a művelet nem engedélyezett",
    errno.EISDIR: "ez egy mappa, nem fájl",
    errno.ENOTDIR: "az útvonal egyik része nem mappa",
    errno.EEXIST: "már létezik",
    errno.ENOSPC: "betelt a lemez",
    errno.EDQUOT: "elfogyott a felhasználó lemezkvótája",
    errno.EROFS: "a lemez csak olvasható",
    errno.EMFILE: "túl sok nyitott fájl",
    errno.ENAMETOOLONG: "túl hosszú a fájlnév",
    errno.EIO: "lemez- vagy adathordozó-hiba",
    errno.EFBIG: "a fájl túl nagy",
    errno.ETXTBSY: "a fájlt egy másik program használja",
    errno.EBUSY: "a fájlt vagy az eszközt egy másik program használja",
    errno.ECONNREFUSED: "a kapcsolatot a másik fél elutasította (nem fut a szolgáltatás?)",
    errno.ETIMEDOUT: "a kapcsolat időtúllépés miatt megszakadt",
    errno.EHOSTUNREACH: "a gép nem érhető el",
    errno.ENETUNREACH: "a hálózat nem érhető el",
    errno.EADDRINUSE: "a port már foglalt",
}
_ADVICE: dict[int, str] = {
    errno.ENOSPC: "szabadítson fel helyet, vagy válasszon másik lemezt",
    errno.EDQUOT: "szabadítson fel helyet, vagy kérjen nagyobb kvótát",
    errno.EACCES: "ellenőrizze a mappa és a fájl jogosultságait",
    errno.EROFS: "válasszon írható helyet",
}


def reason(error: OSError) -> str:
    """The Hungarian words for ``error``'s kind, e.g. ``betelt a lemez``."""
    if isinstance(error, socket.gaierror):  # its numbers are the resolver's, not errno's
        return "ismeretlen gépnév: a névfeloldás nem talál ilyen gépet"
    known = _REASONS.get(error.errno or -1)
    if known:
        return known
    return f"operációsrendszer-hiba ({errno.errorcode.get(error.errno or -1, error.errno)})"


def explain(error: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """``error`` as one Hungarian sentence part: the path (given, or the error's own), what
    happened, what to do, and — for a full disk — how much space is left."""
    target = path if path is not None else error.filename
    where = f"„{target}”: " if target else ""
    text = f"{where}{reason(error)}"
    if error.errno in (errno.ENOSPC, errno.EDQUOT) and target:
        free = free_space(Path(target))
        if free is not None:
            text += f" (szabad hely: {human_size(free)})"
    advice = _ADVICE.get(error.errno or -1)
    return f"{text}; {advice}" if advice else text


def free_space(path: Path) -> int | None:
    """Free bytes on the disk holding ``path`` (its nearest existing folder), if known."""
    for candidate in (path, *path.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def human_size(size: int) -> str:
    """``1536`` → ``1,5 KiB`` (Hungarian decimal comma)."""
    value = float(size)
    for unit in ("bájt", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return (
                f"{value:.0f} {unit}" if unit == "bájt" else f"{value:.1f} {unit}".replace(".", ",")
            )
        value /= 1024
    return f"{size} bájt"  # pragma: no cover - the loop always returns
