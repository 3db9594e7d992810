"""Outside text is shown as written and never interpreted (SPEC §7, issue 14 item 2)."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from kkod.cli.common import plain
from kkod.visible import visible


def test_plain_hungarian_text_is_unchanged():
    assert visible("Kovács Ferenc [szül. Kovács]") == "Kovács Ferenc [szül. Kovács]"


def test_control_and_bidi_characters_become_tags():
    assert visible("a\tb\x1b[31mc\u202ed\u200be") == "a[TAB]b[ESC][31mc[U+202E]d[ZWSP]e"
    assert visible("két\nsor") == "két[LF]sor"
    assert visible("két\nsor", keep_newlines=True) == "két\nsor"


def test_odd_spaces_are_tagged_only_when_asked():
    assert visible("Nagy\xa0Anna") == "Nagy\xa0Anna"
    assert visible("Nagy\xa0Anna\u2009", spaces=True) == "Nagy[NBSP]Anna[U+2009]"


def _printed(*renderables) -> str:
    out = io.StringIO()
    Console(file=out, width=200, color_system=None, emoji=False).print(*renderables)
    return out.getvalue().rstrip("\n")


def test_rich_prints_bracketed_text_as_written():
    for text in ("[/]", "[bold]x[/bold]", "[link=https://example.org]itt[/link]", "a [b] c\\"):
        assert _printed("Érték:", plain(text)) == f"Érték: {text}"
    assert _printed(plain(":warning:")) == ":warning:"


@given(st.text())
def test_nothing_from_outside_reaches_the_terminal_raw(text):
    shown = _printed(plain(text))
    assert "\x1b" not in shown
    assert all(c == "\n" or unicodedata_ok(c) for c in shown)


def unicodedata_ok(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}
