"""What every CLI command shares: the Rich consoles, error reporting, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from kkod.errors import KkodError

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, exit_code: int = 1) -> typer.Exit:
    """Print a Hungarian error on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]Hiba:[/] {message}")
    return typer.Exit(exit_code)


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`KkodError` raised by the work into a clean message and its exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except KkodError as error:
            raise fail(error.message, error.exit_code) from None

    return wrapper


@contextmanager
def progress(enabled: bool = True) -> Iterator[Progress]:
    """A Rich progress bar on stderr (silent when ``enabled`` is false, e.g. with ``--json``)."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not enabled,
        transient=False,
    )
    with bar:
        yield bar
