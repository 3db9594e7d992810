"""Outputs that never replace a file without asking: every command that writes files claims them here.

An output that already exists, or that is one of the command's own inputs, is refused unless
the user said ``--force``; then the old file is kept beside it as ``NAME.bak.EXT`` (or
``NAME.bak-2.EXT``, … when that exists too) before anything is written. All outputs are
checked before any work starts, so a refused command writes nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kkod.atomic import atomic_write
from kkod.errors import KkodError
from kkod.hungarian import article
from kkod.oserrors import explain

FORCE_OPTION = "--force"


class OutputRefused(KkodError):
    """An output would replace an existing file or an input (unusable input: exit code 2)."""

    exit_code = 2


@dataclass(slots=True)
class Claim:
    """The outputs a command may write, and the backups made of files they replace."""

    targets: list[Path]
    backups: list[tuple[Path, Path]] = field(default_factory=list)  # (target, backup)

    @property
    def kept(self) -> list[str]:
        """One Hungarian line per replaced file, naming where its old content is."""
        return [f"A korábbi „{t.name}” megmaradt: {b}" for t, b in self.backups]


@contextmanager
def claim_outputs(
    *targets: Path | None, force: bool, inputs: Iterable[Path | None] = ()
) -> Iterator[Claim]:
    """Check ``targets`` (``None`` entries are skipped) before a command writes them.

    Raises :class:`OutputRefused` when two outputs are the same file, an output is a folder,
    or — without ``force`` — an output exists or is one of ``inputs``. With ``force`` each
    existing output is first copied to a free ``.bak`` name. If the work then fails while an
    output is still the old file, its needless backup is removed again.
    """
    paths = [Path(t) for t in targets if t is not None]
    sources = [Path(i) for i in inputs if i is not None]
    _refuse_repeated(paths)
    problems = []
    for path in paths:
        if path.is_dir():
            raise OutputRefused(f"A kimenet („{path}”) egy mappa; adjon meg fájlnevet.")
        if any(_same(path, source) for source in sources):
            problems.append(f"„{path}” a parancs bemenete is: felülírná az eredetit.")
        elif path.exists():
            problems.append(f"„{path}” már létezik.")
    if problems and not force:
        raise OutputRefused(
            "Nem írok felül meglévő fájlt: "
            + " ".join(problems)
            + f" Adjon meg másik fájlnevet, vagy a {FORCE_OPTION} kapcsolóval írja felül "
            "(a régi fájl .bak néven megmarad)."
        )
    claim = Claim(paths)
    try:
        for path in paths:
            if path.exists():
                claim.backups.append((path, _back_up(path)))
        yield claim
    except BaseException:
        for target, backup in claim.backups:
            if target.exists() and _same(target, backup, content=True):
                backup.unlink(missing_ok=True)
        raise


def backup_name(path: Path) -> Path:
    """The first free ``NAME.bak.EXT``, ``NAME.bak-2.EXT``, … beside ``path``."""
    number = 1
    while True:
        tag = ".bak" if number == 1 else f".bak-{number}"
        candidate = path.with_name(f"{path.stem}{tag}{path.suffix}")
        if not candidate.exists():
            return candidate
        number += 1


def free_name(path: Path) -> Path:
    """``path`` if nothing is there, else the first free ``NAME-2.EXT``, ``NAME-3.EXT``, …

    For outputs the user did not name (a report written beside a table): never replaces a file.
    """
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _back_up(path: Path) -> Path:
    backup = backup_name(path)
    try:
        with atomic_write(backup) as tmp:
            shutil.copy2(path, tmp)
    except OSError as error:
        raise KkodError(
            f"{article(path.name).capitalize()} „{path.name}” biztonsági másolata nem készült el ({explain(error)}); "
            "nem írtam felül semmit."
        ) from None
    return backup


def _refuse_repeated(paths: list[Path]) -> None:
    for index, path in enumerate(paths):
        for other in paths[:index]:
            if _same(path, other):
                raise OutputRefused(
                    f"Két kimenet ugyanaz a fájl („{path}”); adjon meg különböző fájlneveket."
                )


def _same(a: Path, b: Path, *, content: bool = False) -> bool:
    """Whether ``a`` and ``b`` name the same file (or, with ``content``, hold the same bytes)."""
    try:
        if content:
            return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        return False
    return a.resolve() == b.resolve()
