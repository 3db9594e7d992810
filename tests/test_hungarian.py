"""Hungarian articles, dates and times as kkod's texts write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kkod.hungarian import article, day, moment, with_article


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # Numbers are read aloud: egy, öt, ötven, ötszáz, ezer, egymillió start with a vowel.
        ("1", "az"), ("5", "az"), ("50", "az"), ("500", "az"), ("1000", "az"),
        ("1 000", "az"), ("5 000", "az"), ("1000000", "az"), ("1.", "az"),
        # kettő, száz, tíz, tizenegy, százötven, tízezer, nulla do not.
        ("2", "a"), ("100", "a"), ("10", "a"), ("11", "a"), ("150", "a"), ("10 000", "a"),
        ("0", "a"), ("2026.12.02.", "a"),
        # Words by their first sound, accents included.
        ("ügyfélkapu", "az"), ("Eger", "az"), ("Őrbottyán", "az"), ("Úr", "az"),
        ("Kovács", "a"), ("táblázat", "a"), ("„Eger”", "az"), ("(Debrecen)", "a"),
        # Abbreviations: letter by letter when they have no vowel, as a word when they do.
        ("SMTP", "az"), ("XML", "az"), ("SZTK", "az"), ("PDF", "a"), ("HTML", "a"), ("BM", "a"),
        ("KRID", "a"), ("ELTE", "az"),
        # A lone letter is its name: ef, el, iksz; dé, gé.
        ("F", "az"), ("L", "az"), ("x.xlsx", "az"), ("D", "a"), ("G", "a"), ("E", "az"),
        # Option names and environment variables as written on the command line.
        ("--org", "az"), ("--krid", "a"), ("KKOD_SMTP_PASSWORD", "a"),
    ],
)  # fmt: skip
def test_the_article_follows_the_first_sound(word, expected):
    assert article(word) == expected


def test_with_article_and_a_capital_for_a_sentence():
    assert with_article(5) == "az 5"
    assert with_article("KRID", capital=True) == "A KRID"
    assert with_article("„ügyfelek.xlsx”", capital=True) == "Az „ügyfelek.xlsx”"


def test_a_date_as_hungarians_write_it():
    assert day(date(2026, 12, 2)) == "2026.12.02."


def test_a_moment_is_in_budapest_with_its_zone():
    assert moment(datetime(2026, 12, 2, 13, 5, tzinfo=UTC)) == "2026.12.02. 14:05 CET"
    # Summer time; a naive value is UTC, as the stores keep it.
    assert moment(datetime(2026, 7, 1, 22, 30, 15), seconds=True) == "2026.07.02. 00:30:15 CEST"
    assert moment(None) == ""


def test_no_text_of_kkod_says_a_z_instead_of_the_article():
    """Issue 12: the right article, never "a(z)" — kept so by looking at every source file."""
    from pathlib import Path

    import kkod

    root = Path(kkod.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*"))
        if path.suffix in {".py", ".html", ".txt"} and path.name != "hungarian.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "a(z)" in line.lower()
    ]
    assert offenders == []
