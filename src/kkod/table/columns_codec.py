"""A read table's :class:`~kkod.table.reader.FourTColumns` as compact bytes and back.

The intake reads every table it accepts; it keeps what it read beside the table, so that
the worker does not parse the same file again. Only kkod writes these bytes (into its own
request store), but they are decoded as data, never as code: :mod:`marshal`'s plain values
(no object is built from a name, as :mod:`pickle` would), each checked for its type.
"""

from __future__ import annotations

import marshal
from datetime import date
from itertools import chain

from kkod.fourt.model import OpaqueCell
from kkod.table.reader import FourTColumns

# Bytes this version writes begin with it; anything else (an older version's zlib-compressed
# JSON among them) is refused, and the worker reads the table again.
_MAGIC = b"kkod-columns-2\n"
_MARSHAL_VERSION = 4  # stable since Python 3.4; every later version reads it
_PLAIN = frozenset({str, int, float, type(None)})
_TAGGED = _PLAIN | {tuple}


class ColumnsUnreadable(ValueError):
    """Bytes that are not columns this version wrote (the table is read again instead)."""


def encode_columns(columns: FourTColumns) -> bytes:
    """``columns`` as bytes for :func:`decode_columns`."""
    blocked = [(number, cells, letters) for number, (cells, letters) in columns.blocked.items()]
    head = (columns.numbers, columns.sorszam, columns.belso_azonosito, columns.kapcsolati_kod)
    try:
        # Text, numbers and empty cells, as most tables hold, go as they are: marshal writes
        # them in C, a quarter of the cost of converting cell by cell or less.
        body = marshal.dumps((False, *head, columns.fourt, blocked), _MARSHAL_VERSION)
    except ValueError:  # a date or an opaque cell: every cell converted, those two tagged
        fourt = [None if cells is None else tuple(map(_cell, cells)) for cells in columns.fourt]
        blocked = [(n, tuple(map(_cell, cells)), letters) for n, cells, letters in blocked]
        body = marshal.dumps((True, *head, fourt, blocked), _MARSHAL_VERSION)
    return _MAGIC + body


def decode_columns(data: bytes) -> FourTColumns:
    """What :func:`encode_columns` was given; :class:`ColumnsUnreadable` for anything else."""
    if not data.startswith(_MAGIC):
        raise ColumnsUnreadable("not columns of this version")
    try:
        tagged, numbers, sorszam, belso, codes, fourt, blocked = marshal.loads(
            memoryview(data)[len(_MAGIC) :]
        )
        if type(tagged) is not bool:
            raise ColumnsUnreadable("not columns of this version")
        _check_shape(numbers, sorszam, belso, codes, fourt, blocked)
        cells_types = _TAGGED if tagged else _PLAIN
        every_cell = chain(chain.from_iterable(filter(None, fourt)), *(c for _, c, _ in blocked))
        if not set(map(type, every_cell)) <= cells_types:
            raise ColumnsUnreadable("a cell of an unexpected type")
        if tagged:
            fourt = [None if cells is None else tuple(map(_value, cells)) for cells in fourt]
            blocked = [(n, tuple(map(_value, cells)), letters) for n, cells, letters in blocked]
    except ColumnsUnreadable:
        raise
    except (EOFError, ValueError, TypeError) as error:
        raise ColumnsUnreadable(str(error)) from None
    return FourTColumns(
        numbers=numbers,
        sorszam=sorszam,
        belso_azonosito=belso,
        kapcsolati_kod=codes,
        fourt=fourt,
        blocked={number: (cells, letters) for number, cells, letters in blocked},
    )


def _check_shape(numbers, sorszam, belso, codes, fourt, blocked) -> None:
    """The columns' kinds and lengths as :func:`encode_columns` writes them, checked in C's
    loops (``set(map(type, …))``), not cell by cell in Python."""
    rows = len(numbers)
    for column, kinds in (
        (numbers, {int}),
        (sorszam, {str}),
        (belso, {str}),
        (codes, {str}),
        (fourt, {tuple, type(None)}),
    ):
        if type(column) is not list or len(column) != rows or not set(map(type, column)) <= kinds:
            raise ColumnsUnreadable("the columns do not match")
    if type(blocked) is not list or not all(
        type(entry) is tuple
        and len(entry) == 3
        and type(entry[0]) is int
        and type(entry[1]) is tuple
        and type(entry[2]) is frozenset
        and set(map(type, entry[2])) <= {str}
        for entry in blocked
    ):
        raise ColumnsUnreadable("the blocked rows do not match")


def _cell(value: object) -> object:
    """A cell as a plain value: text, number and empty as they are; a date or an opaque cell
    as a tagged tuple (no cell is a tuple otherwise)."""
    if value is None or value.__class__ in (str, int, float):
        return value
    if value.__class__ is date:
        return ("date", value.toordinal())
    if value.__class__ is OpaqueCell:
        return ("opaque", value.kind)
    raise TypeError(f"a cell value of type {type(value).__name__}")


def _value(cell: object) -> object:
    if cell.__class__ is not tuple:
        return cell
    match cell:
        case ("date", int(ordinal)):
            return date.fromordinal(ordinal)
        case ("opaque", "error" | "richvalue" as kind):
            return OpaqueCell(kind)
    raise ColumnsUnreadable("a tagged cell of an unknown kind")
