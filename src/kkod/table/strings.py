"""The workbook's shared strings (``xl/sharedStrings.xml``): checked against the limits before
a parser reads them all, and looked up one by one for the header rows."""

from __future__ import annotations

import io
import re

from lxml import etree

from kkod.table.limits import TableLimits, amount
from kkod.table.sheet_xml import SheetProblem, text_longer_than

_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.\-]*:)?)sst\b([^>]*)>")
_COUNT_ATTR = re.compile(rb"\b(?:uniqueCount|count)\s*=\s*[\"']\s*(\d+)")


def check_shared_strings(data: bytes, limits: TableLimits) -> None:
    """Refuse more shared strings than :attr:`TableLimits.max_shared_strings` (counted, and as
    the part declares them: a parser reserves room for the declared count) or one longer than
    :attr:`TableLimits.max_cell_chars`. Raises :class:`SheetProblem`."""
    if not data:
        return
    root = _ROOT.search(data, 0, 4096)
    prefix = root[1] if root else b""
    declared = max((int(n) for n in _COUNT_ATTR.findall(root[2])), default=0) if root else 0
    counted = sum(data.count(b"<" + prefix + b"si" + end) for end in (b">", b" ", b"/>"))
    strings = max(declared, counted)
    if strings > limits.max_shared_strings:
        raise SheetProblem(
            f"a megosztott szövegek táblája {amount(strings)} szöveget tartalmaz vagy jelez, "
            f"legfeljebb {amount(limits.max_shared_strings)} lehet",
            "max_shared_strings",
        )
    length = text_longer_than(data, limits.max_cell_chars)
    if length is not None:
        raise SheetProblem(
            f"a megosztott szövegek egyike {amount(length)} karakteres, legfeljebb {amount(limits.max_cell_chars)} "
            "lehet (ennyit az Excel is legfeljebb egy cellába)",
            "max_cell_chars",
        )


class SharedStrings:
    """Shared strings by index, parsed only as far as the highest index asked for."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._strings: list[str] = []
        self._events = None
        self._done = not data

    def get(self, index: int) -> str | None:
        while index >= len(self._strings) and not self._done:
            self._next()
        return self._strings[index] if 0 <= index < len(self._strings) else None

    def _next(self) -> None:
        if self._events is None:
            self._events = etree.iterparse(
                io.BytesIO(self._data),
                events=("end",),
                tag="{*}si",
                resolve_entities=False,
                no_network=True,
                huge_tree=False,
            )
        try:
            _, element = next(self._events)
        except (StopIteration, etree.XMLSyntaxError):
            self._done = True
            return
        self._strings.append(_text(element))
        element.clear(keep_tail=False)


def _text(si: etree._Element) -> str:
    """A string item's text: its ``t`` and its runs' ``t``, never the phonetic runs (``rPh``)."""
    parts = []
    for child in si:
        local = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if local == "t":
            parts.append(child.text or "")
        elif local == "r":
            parts.extend(t.text or "" for t in child if etree.QName(t).localname == "t")
    return "".join(parts)
