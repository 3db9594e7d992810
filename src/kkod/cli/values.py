"""What a command-line value must be, checked as it is read, with a Hungarian reason.

Each kkod parameter that can be wrong before any work starts (a file, a folder, a number, a
choice) names one of these as its ``parser``: ``typer.Option(parser=INPUT_FILE)``. A wrong
value raises :class:`Refused`, which :mod:`kkod.cli.frame` shows as "A --rows kapcsoló
értéke nem jó: …" with exit code 2 — never Typer's English, never a traceback later on
(``kkod generate . --krid 1``: a folder where a table belongs).
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from kkod import oserrors


class Refused(typer.BadParameter):
    """A value kkod refuses; the message is Hungarian and may quote the value (shown plain)."""


def _quoted(value: object) -> str:
    return f"„{value}”"


class _PathValue:
    """A path given on the command line, checked for what it must be."""

    kind = ""  # "input" or "output": whether the command reads it or writes it

    def __call__(self, value: Any) -> Path:
        text = str(value)
        if not text.strip():
            raise Refused("üres; adjon meg egy fájlnevet.")
        if "\x00" in text:
            raise Refused("a név nem megengedett karaktert tartalmaz.")
        path = Path(text)
        try:
            self.check(path, text)
        except OSError as error:
            raise Refused(oserrors.explain(error, text) + ".") from None
        return path

    def check(self, path: Path, text: str) -> None:
        raise NotImplementedError


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None


class InputFile(_PathValue):
    """A file the command reads: it must exist and be a file."""

    kind = "input"

    def check(self, path: Path, text: str) -> None:
        found = _stat(path)
        if found is None:
            raise Refused(f"nincs ilyen fájl: {_quoted(text)}.")
        if stat.S_ISDIR(found.st_mode):
            raise Refused(f"{_quoted(text)} egy mappa, nem fájl.")


class OutputFile(_PathValue):
    """A file the command writes: not a folder; missing folders on its way are created, but
    none of them may be a file."""

    kind = "output"

    def check(self, path: Path, text: str) -> None:
        if text.endswith(("/", os.sep)) or path.name in ("", ".", ".."):
            raise Refused(f"{_quoted(text)} egy mappa; adjon meg fájlnevet is.")
        found = _stat(path)
        if found is not None and stat.S_ISDIR(found.st_mode):
            raise Refused(f"{_quoted(text)} egy mappa; adjon meg fájlnevet is.")
        _check_folders(path.parent)


class OutputFolder(_PathValue):
    """A folder the command writes into: it may be new, but it is not a file."""

    kind = "output"

    def check(self, path: Path, text: str) -> None:
        found = _stat(path)
        if found is not None and not stat.S_ISDIR(found.st_mode):
            raise Refused(f"{_quoted(text)} egy fájl, nem mappa.")
        _check_folders(path.parent)


def _check_folders(folder: Path) -> None:
    """The nearest existing folder on the way to ``folder`` is a folder, not a file."""
    for ancestor in (folder, *folder.parents):
        found = _stat(ancestor)
        if found is None:
            continue
        if not stat.S_ISDIR(found.st_mode):
            raise Refused(f"{_quoted(ancestor)} egy fájl, nem mappa.")
        return


INPUT_FILE = InputFile()
OUTPUT_FILE = OutputFile()
OUTPUT_FOLDER = OutputFolder()


def _number_text(value: Any) -> str:
    """The written number without spaces used as thousands separators."""
    return re.sub(r"[\s\u00a0\u202f_]", "", str(value))


def grouped(number: float) -> str:
    """A number with Hungarian thousands separators: ``1 048 575``, ``0,5``."""
    if isinstance(number, float) and not number.is_integer():
        return f"{number:,}".replace(",", "\u00a0").replace(".", ",")
    return f"{int(number):,}".replace(",", "\u00a0")


class _Bounded:
    """A number between ``minimum`` and ``maximum`` (either may be open)."""

    def __init__(self, minimum: float | None = None, maximum: float | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def bounds(self, number: float, noun: str) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                need = f"{grouped(low)} és {grouped(high)} közötti {noun} kell"
            elif low is not None:
                need = f"legalább {grouped(low)} kell"
            else:
                need = f"legfeljebb {grouped(high)} lehet"  # type: ignore[arg-type]
            raise Refused(f"{need}, nem {_quoted(grouped(number))}.")


class WholeNumber(_Bounded):
    """A whole number (spaces as thousands separators allowed: ``200 000``)."""

    def __call__(self, value: Any) -> int:
        if isinstance(value, bool):
            raise Refused(f"{_quoted(value)} nem egész szám.")
        if isinstance(value, int):
            number = value
        else:
            text = _number_text(value)
            if not re.fullmatch(r"[+-]?\d+", text):
                raise Refused(f"{_quoted(value)} nem egész szám.")
            number = int(text)
        self.bounds(number, "egész szám")
        return number


class Decimal(_Bounded):
    """A number, with a decimal comma or point (``0,05`` or ``0.05``)."""

    def __call__(self, value: Any) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            text = _number_text(value).replace(",", ".")
            if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
                raise Refused(f"{_quoted(value)} nem szám.")
            number = float(text)
        if not math.isfinite(number):
            raise Refused(f"{_quoted(value)} nem szám.")
        self.bounds(number, "szám")
        return number


class Choice:
    """One of a few words (case and accents as written in ``choices``, compared case-folded)."""

    def __init__(self, choices: Iterable[str] | type[Enum]) -> None:
        self.enum = choices if isinstance(choices, type) and issubclass(choices, Enum) else None
        self.choices = tuple(str(c.value) for c in choices) if self.enum else tuple(choices)  # type: ignore[union-attr]

    def __call__(self, value: Any) -> Any:
        if self.enum is not None and isinstance(value, self.enum):
            return value
        wanted = str(value).strip().casefold()
        for choice in self.choices:
            if choice.casefold() == wanted:
                return self.enum(choice) if self.enum else choice
        raise Refused(f"{_quoted(value)} nem választható; lehet: {', '.join(self.choices)}.")


class HostPort:
    """A server address, ``GÉP:PORT`` (``[::1]:2525`` for IPv6); with ``port_required`` false
    the host alone means port 25 (an SMTP server's)."""

    def __init__(self, *, port_required: bool = False, example: str = "127.0.0.1:2525") -> None:
        self.port_required, self.example = port_required, example

    def __call__(self, value: Any) -> str:
        from kkod.mail.smtp import MailError, SmtpTarget

        text = str(value)
        wrong = Refused(f"{_quoted(text)} nem GÉP:PORT alakú cím (például {self.example}).")
        if self.port_required and ":" not in text.rpartition("]")[2]:
            raise wrong
        try:
            SmtpTarget.parse(text)
        except MailError:
            raise wrong from None
        return text


HOST_PORT = HostPort()
SERVER_ADDRESS = HostPort(port_required=True, example="127.0.0.1:8000")


def host_and_port(listen: str) -> tuple[str, int]:
    """``GÉP:PORT`` (already checked by its option's parser) as the two parts."""
    from kkod.mail.smtp import SmtpTarget

    target = SmtpTarget.parse(listen)
    return target.host, target.port
