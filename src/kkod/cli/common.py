"""What every CLI command shares: the Rich consoles, error reporting, progress bars."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, ParamSpec, TypeVar

import typer
import typer.exceptions
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from kkod.errors import KkodError
from kkod.visible import visible

# Markup and emoji off: nothing printed is ever read as markup, so a "[/]" or "[link=…]" in a
# cell or a subject is shown as written and a ":warning:" is not a picture. kkod's own styled
# text is built as rich.text.Text (Text.assemble of plain strings and (text, style) pairs).
console = Console(emoji=False, markup=False, highlight=False)
err_console = Console(stderr=True, emoji=False, markup=False, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


def plain(value: object, style: str = "", *, keep_newlines: bool = False) -> Text:
    """Text from outside (a cell, a file name, a subject) as Rich shows it: as written, never
    read as markup, hidden characters tagged (:func:`kkod.visible.visible`)."""
    return Text(visible("" if value is None else str(value), keep_newlines=keep_newlines), style)


def cells(*values: object) -> list[Text]:
    """A table row's cells: outside values through :func:`plain`, kkod's own ``Text`` as is."""
    return [value if isinstance(value, Text) else plain(value) for value in values]


def fail(message: str, exit_code: int = 1) -> typer.Exit:
    """Print a Hungarian error on stderr and return the Exit to raise.

    ``message`` is plain text (it may quote a file name or a cell): it is never read as markup.
    """
    # soft_wrap: a long path or file name stays whole (the terminal wraps it, Rich does not split it).
    err_console.print(
        Text.assemble(("Hiba:", "bold red"), " ", plain(message, keep_newlines=True)),
        soft_wrap=True,
    )
    return typer.Exit(exit_code)


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`KkodError` raised by the work into a clean message and its exit code,
    and any other error into :func:`unexpected` (never a traceback on the screen)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except KkodError as error:
            raise fail(error.message, error.exit_code) from None
        except _PASS_THROUGH:
            raise
        except BaseException as error:
            raise unexpected(error, func.__name__) from None

    return wrapper


# Typer's own ways of ending a command (Exit derives from RuntimeError; TyperException is the
# base of its bundled Click's usage errors), and the interpreter's.
_PASS_THROUGH = (typer.Exit, typer.Abort, typer.exceptions.TyperException, SystemExit)


def unexpected(error: BaseException, where: str) -> typer.Exit:
    """An error kkod did not foresee: filed in the log with a reference, told in Hungarian.

    With ``KKOD_DEBUG`` the traceback is shown too. Ctrl+C is "Megszakítva" (exit 130).
    """
    from kkod import logs

    if isinstance(error, KeyboardInterrupt):
        err_console.print("Megszakítva.", markup=False)
        return typer.Exit(130)
    reference, path = logs.file_unexpected(error, where)
    where_logged = f" A részletek a naplóban: {path}." if path else ""
    if logs.debug_enabled():
        err_console.print_exception()
    return fail(
        f"Váratlan hiba történt (hivatkozás: {reference}).{where_logged} Kérjük, jelezze a "
        "hibát az üzemeltetőnek a hivatkozással együtt."
    )


@contextmanager
def progress(enabled: bool = True) -> Iterator[Progress]:
    """A Rich progress bar on stderr (silent when ``enabled`` is false, e.g. with ``--json``)."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not enabled,
        transient=False,
    )
    with bar:
        yield bar


# Every command that writes files takes this option (see kkod.outputs.claim_outputs).
Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Meglévő kimeneti fájl felülírása; a régi fájl .bak néven megmarad.",
    ),
]


def announce_kept(claim) -> None:
    """Say where the old content of each replaced output was kept (``kkod.outputs.Claim``)."""
    for line in claim.kept:
        err_console.print(plain(line), soft_wrap=True)  # the path stays whole


# Spaces an officer cannot see but kkod treats: leading, trailing and repeated.
_SPACES_THAT_MATTER = re.compile(r"^ +| +$| {2,}")


def shown_value(value: object) -> Text:
    """A cell value as written, every space that matters visible: ``·`` for leading,
    trailing and repeated spaces, tags for the rest (``[NBSP]``, ``[TAB]``, ``[ZWSP]``)."""
    text = visible("" if value is None else str(value), spaces=True)
    return Text(_SPACES_THAT_MATTER.sub(lambda m: "·" * len(m.group()), text))
