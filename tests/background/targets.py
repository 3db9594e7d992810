"""Writer targets the background tests run, in a child process too (importable by name)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kkod.atomic import atomic_write
from kkod.errors import KkodError


class TargetError(KkodError):
    """What the failing targets raise."""


class Unpicklable(Exception):
    def __init__(self, handle) -> None:
        super().__init__("unpicklable")
        self.handle = handle  # a lambda: pickling fails


def write_lines(path: str, batches: Iterable[list[str]]) -> None:
    """All batches' lines into ``path``, once the last batch has come."""
    lines = [line for batch in batches for line in batch]
    with atomic_write(Path(path)) as tmp:
        tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def fail_before_batches(path: str, batches: Iterable[list[str]]) -> None:
    raise TargetError(f"nem olvasható: {Path(path).name}")


def fail_on(bad: str, batches: Iterable[list[str]]) -> None:
    for batch in batches:
        if bad in batch:
            raise TargetError(f"hibás sor: {bad}")


def fail_unpicklable(_path: str, batches: Iterable[list[str]]) -> None:
    for _ in batches:
        raise Unpicklable(lambda: None)


def hang(path: str, batches: Iterable[list[str]]) -> None:
    """Writes its pid, then waits for batches forever (the test kills it)."""
    import os

    Path(path).write_text(str(os.getpid()))
    for _ in batches:
        pass


def never_reads(batches: Iterable[list[str]]) -> None:
    """Hangs before taking any batch."""
    import time

    time.sleep(3600)


def pid_then_sleep(path: str, batches: Iterable[list[str]]) -> None:
    """Writes its pid, then sleeps without reading its input (only a signal ends it)."""
    import os
    import time

    Path(path).write_text(str(os.getpid()))
    time.sleep(3600)
