"""Why something could not be done now, in Hungarian, for the operator's log and the audit trail.

The worker and the intake give a request back to the queue (or keep a message in the spool)
when something of ours fails: the database, the disk, the configuration. What they record
says what failed and where, never personal data; an error kkod did not foresee is filed in
the log with its traceback under a reference (:func:`kkod.logs.file_unexpected`).
"""

from __future__ import annotations

from pathlib import Path

from kkod import logs
from kkod.errors import KkodError
from kkod.oserrors import explain
from kkod.workspace import disk_full, no_space


def describe(error: BaseException, data_dir: Path, where: str = "ministry") -> str:
    """What went wrong, in Hungarian, for the operator and the audit trail (no personal data:
    an error kkod did not foresee is filed in the log under a reference instead)."""
    if isinstance(error, KkodError):
        return error.message
    full = disk_full(error)
    if full is not None:
        return no_space(full, data_dir).message
    if isinstance(error, OSError):
        return f"Operációsrendszer-hiba: {explain(error)}."
    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(error, OperationalError | InterfaceError):
        first = str(error.orig).strip().splitlines()[0][:200] if error.orig else ""
        return "Az adatbázis nem érhető el, vagy hibát jelzett" + (f" ({first})." if first else ".")
    reference, _ = logs.file_unexpected(error, where)
    return f"Váratlan hiba ({type(error).__name__}); részletek a naplóban: {reference}."
