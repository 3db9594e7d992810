"""A read table's :class:`~kkod.table.reader.FourTColumns` as compact bytes and back.

The intake reads every table it accepts; it keeps what it read beside the table, so that
the worker does not parse the same file again. Only kkod writes these bytes (into its own
request store), but they are decoded as data, never as code: JSON, compressed.
"""

from __future__ import annotations

import json
import zlib
from datetime import date

from kkod.fourt.model import OpaqueCell
from kkod.table.reader import FourTColumns

_VERSION = 1


class ColumnsUnreadable(ValueError):
    """Bytes that are not columns this version wrote (the table is read again instead)."""


def encode_columns(columns: FourTColumns) -> bytes:
    """``columns`` as bytes for :func:`decode_columns`."""
    document = {
        "v": _VERSION,
        "numbers": columns.numbers,
        "sorszam": columns.sorszam,
        "belso": columns.belso_azonosito,
        "codes": columns.kapcsolati_kod,
        "fourt": [None if cells is None else [_cell(c) for c in cells] for cells in columns.fourt],
        "blocked": [
            [number, [_cell(c) for c in cells], sorted(letters)]
            for number, (cells, letters) in columns.blocked.items()
        ],
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 1)


def decode_columns(data: bytes) -> FourTColumns:
    """What :func:`encode_columns` was given; :class:`ColumnsUnreadable` for anything else."""
    try:
        document = json.loads(zlib.decompress(data))
        if document["v"] != _VERSION:
            raise ColumnsUnreadable(f"columns of version {document['v']}")
        return FourTColumns(
            numbers=document["numbers"],
            sorszam=document["sorszam"],
            belso_azonosito=document["belso"],
            kapcsolati_kod=document["codes"],
            fourt=[
                None if cells is None else tuple(_value(c) for c in cells)
                for cells in document["fourt"]
            ],
            blocked={
                number: (tuple(_value(c) for c in cells), frozenset(letters))
                for number, cells, letters in document["blocked"]
            },
        )
    except ColumnsUnreadable:
        raise
    except (zlib.error, ValueError, KeyError, TypeError) as error:
        raise ColumnsUnreadable(str(error)) from None


def _cell(value: object) -> object:
    """A cell as JSON: text, number and empty as they are; a date or an opaque cell tagged."""
    if value is None or value.__class__ in (str, int, float):
        return value
    if value.__class__ is date:
        return {"date": value.isoformat()}
    if value.__class__ is OpaqueCell:
        return {"opaque": value.kind}
    raise TypeError(f"a cell value of type {type(value).__name__}")


def _value(cell: object) -> object:
    if isinstance(cell, dict):
        if "date" in cell:
            return date.fromisoformat(cell["date"])
        return OpaqueCell(cell["opaque"])
    return cell
