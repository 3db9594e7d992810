"""The subject convention of a request email (SPEC §6): the organisation's name and "kapcsolati kódok"."""

from __future__ import annotations

import re
import unicodedata

REQUEST_PHRASE = "kapcsolati kódok"
"""The words every request subject must contain (accents, case, ``_`` vs space ignored)."""

PROCEDURE_TAG = "BM_kapcsolati_kódok"
"""The procedure's own tag for the subject (the seed's example), carried by every request."""

_NON_WORD = re.compile(r"[\W_]+")
_REPLY_PREFIX = re.compile(r"^\s*(re|vá|va|válasz|valasz|aw|sv)\s*:", re.IGNORECASE)


def fold(text: str) -> str:
    """``text`` reduced for tolerant comparison: no accents, case-folded, words joined by one space.

    Underscores, hyphens, dashes and other punctuation count as spaces, so ``BM_kapcsolati_kódok``
    and ``bm – Kapcsolati Kodok`` fold to the same words.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def _contains_words(haystack: str, needle: str) -> bool:
    """Whether the folded ``needle`` starts at a word start in the folded ``haystack``.

    Only the start is anchored: Hungarian suffixes may follow (``kapcsolati kódokat``,
    ``Példa Hivatalnak``). A space may be lost or added anywhere inside the needle: mail
    clients fold and unfold long subjects differently (``kapcsolatikódok``, ``Vámhiva tal``).
    """
    letters = needle.replace(" ", "")
    if not letters:
        return False
    pattern = r"\s?".join(re.escape(ch) for ch in letters)
    return re.search(r"(?:^|\s)" + pattern, haystack) is not None


def request_subject(organisation: str) -> str:
    """The subject an employer's request carries, with the procedure's tag.

    E.g. ``Példa Hivatal – kapcsolati kódok igénylése (BM_kapcsolati_kódok)``.
    """
    name = " ".join(organisation.split())
    return f"{name} – kapcsolati kódok igénylése ({PROCEDURE_TAG})"


def is_request_subject(subject: str, organisation: str | None = None) -> bool:
    """Whether ``subject`` follows the convention, optionally also naming ``organisation``.

    Accents, case, ``_`` versus space and punctuation are ignored; ``organisation`` must appear
    as whole leading words (suffixes allowed), so ``BM`` does not match inside ``ABM``.
    """
    folded = fold(subject)
    if not _contains_words(folded, fold(REQUEST_PHRASE)):
        return False
    if organisation is None:
        return True
    return _contains_words(folded, fold(organisation))


def reply_subject(subject: str) -> str:
    """The subject of a reply to ``subject``: ``Re: `` prefixed once (an existing prefix is kept)."""
    subject = " ".join(subject.split())
    if _REPLY_PREFIX.match(subject):
        return subject
    return f"Re: {subject}"
