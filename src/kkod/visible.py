"""Text from outside (cells, file names, subjects, certificates) made safe and visible to show.

Control, format and separator characters are written as tags (``[TAB]``, ``[ESC]``,
``[U+202E]``), so nothing from a file can move a terminal's cursor, reverse the text
around it, or hide in a message. The CLI puts such text into ``rich.text.Text`` objects
(:func:`kkod.cli.common.plain`), which Rich never reads as markup.
"""

from __future__ import annotations

import unicodedata

_NAMED = {
    "\t": "[TAB]",
    "\n": "[LF]",
    "\r": "[CR]",
    "\x1b": "[ESC]",
    "\x00": "[NUL]",
    "\x7f": "[DEL]",
    "\xa0": "[NBSP]",
    "\u00ad": "[SHY]",
    "\u200b": "[ZWSP]",
    "\u200c": "[ZWNJ]",
    "\u200d": "[ZWJ]",
    "\u2060": "[WJ]",
    "\ufeff": "[BOM]",
}
# Unicode categories never shown raw: control, format (bidi, zero-width), line/paragraph
# separators, surrogates (undecodable bytes) and private use.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})


def visible(text: str, *, keep_newlines: bool = False, spaces: bool = False) -> str:
    """``text`` with every hidden character as a tag; ``keep_newlines`` leaves ``\\n`` as is
    (for kkod's own multi-line messages); ``spaces`` also tags no-break and other odd spaces
    (for showing a cell value whose spacing matters)."""
    if text.isprintable() and (keep_newlines or "\n" not in text):
        return text
    out: list[str] = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char in _NAMED and (spaces or char != "\xa0"):
            out.append(_NAMED[char])
        elif unicodedata.category(char) in _HIDDEN_CATEGORIES or (
            spaces and unicodedata.category(char) == "Zs" and char != " "
        ):
            out.append(f"[U+{ord(char):04X}]")
        else:
            out.append(char)
    return "".join(out)
