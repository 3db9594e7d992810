"""The kinds of problem only the central API answers with (the shared ones: ``kkod.web.shared.problems``)."""

from __future__ import annotations

from kkod.web.shared.problems import problem_kind

UNKNOWN_OFFICE = problem_kind(
    "unknown-office",
    404,
    "Ismeretlen hivatali kapu",
    "A címben megadott KRID-del nincs hivatali kapu a központi rendszerben.",
)
NOT_CONNECTED = problem_kind(
    "not-connected",
    404,
    "Nincs ilyen kapcsolat",
    "A kapcsolati kód nem tartozik a hivatali kapu kapcsolatai közé (ismeretlen, hibás, "
    "vagy más hivatali kapué — a három esetet a rendszer nem különbözteti meg).",
)
ACCOUNT_CLOSED = problem_kind(
    "account-closed",
    409,
    "Megszűnt Ügyfélkapu-fiók",
    "A kapcsolati kódhoz tartozó Ügyfélkapu-fiók megszűnt: nem fogad dokumentumot. A "
    "foglalkoztatottal új kapcsolatot kell létrehozni.",
)
DOCUMENT_TOO_LARGE = problem_kind(
    "document-too-large",
    413,
    "Túl nagy dokumentum",
    "A próbadokumentum nagyobb a szerveren beállított legnagyobb méretnél.",
)
