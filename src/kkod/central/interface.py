"""The one narrow interface through which the ministry and the employer reach the central system.

In-process (:class:`kkod.central.service.InProcessCentral`), or over the central system's
HTTP API when the parts are deployed apart (:class:`kkod.central.http_client.HttpCentral`). Requests carry only
match keys (digests of canonical 4T), never the 4T values themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kkod.errors import KkodError


class MatchResult(StrEnum):
    """The result of matching one row's 4T (SPEC §4)."""

    KOD = "KOD"
    NINCS_TALALAT = "NINCS_TALALAT"
    TOBB_TALALAT = "TOBB_TALALAT"
    HIBAS_SOR = "HIBAS_SOR"


# Why a row got no code, and what the employer does next: the ministry's reason report and
# the employer's register both say it with these words. They follow the procedure (seed
# step 4) and name no kkod command: the employer need not use kkod.
EXPLANATION: dict[MatchResult, str] = {
    MatchResult.KOD: "A kapcsolati kód elkészült.",
    MatchResult.NINCS_TALALAT: (
        "Nincs találat: ezekkel a 4T adatokkal nincs aktív ügyfélkapus fiók. Vagy nincs "
        "ügyfélkapus azonosítása, vagy valamelyik adat eltér a nyilvántartottól."
    ),
    MatchResult.TOBB_TALALAT: (
        "Több találat: a 4T adatokhoz több ügyfélkapus fiók tartozik, ezért a tömeges "
        "generálás nem választhatott közülük."
    ),
    MatchResult.HIBAS_SOR: (
        "Hibás sor: a sor nem olvasható 4T adatként (üres kötelező mező vagy érvénytelen dátum)."
    ),
}

_BY_HAND = (
    "a kapcsolatot egyenként hozza létre a hivatali kapu webes felületén vagy az "
    "iratkezelő rendszer megfelelő moduljában, a 4T adatok begépelésével, és a kapott kódot "
    "mentse el."
)

NEXT_STEP: dict[MatchResult, str] = {
    MatchResult.KOD: "",
    MatchResult.NINCS_TALALAT: (
        "Vesse össze a 4T adatokat a foglalkoztatott nyilatkozatával, és javítsa, ami eltér. "
        "Ha egyeznek, a foglalkoztatottnak előbb ügyfélkapus azonosítást kell létesítenie "
        "(Ügyfélkapu+ regisztrációval vagy a Digitális Állampolgárság (DÁP) "
        f"mobilalkalmazással). Utána {_BY_HAND}"
    ),
    MatchResult.TOBB_TALALAT: (
        "Tisztázza a foglalkoztatottal, melyik ügyfélkapus fiók az övé; utána " + _BY_HAND
    ),
    MatchResult.HIBAS_SOR: (
        "Javítsa a sor 4T adatait a foglalkoztatott nyilatkozata szerint; utána " + _BY_HAND
    ),
}


class Via(StrEnum):
    """How a connection was made."""

    BULK = "bulk"
    MANUAL = "manual"
    API = "api"
    WEB = "web"  # the Hivatali kapu pages


# How a connection was made, as the pages and reports say it.
VIA_WORDS: dict[str, str] = {
    Via.BULK: "tömeges generálás",
    Via.MANUAL: "egyenként",
    Via.API: "iratkezelő rendszer (API)",
    Via.WEB: "webes felület",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The outcome of one row; ``code`` (formatted, e.g. ``7K3M-9XQ2-HT5W-R8P1-Z``) only for KOD."""

    result: MatchResult
    code: str | None = None


@dataclass(frozen=True, slots=True)
class OfficeInfo:
    """A Hivatali kapu as the central system knows it."""

    krid: str
    short_name: str
    name: str
    email_domains: tuple[str, ...] = ()
    organisation_id: str | None = None  # the organisation identity its signing certificates carry


@dataclass(frozen=True, slots=True)
class CodeLookup:
    """What looking up a code tells an office: whether it is one of its own, live connections."""

    valid: bool  # well-formed, check symbol correct
    connected: bool  # issued to this office and the account is active


class UnknownOffice(KkodError):
    """No Hivatali kapu with this KRID."""

    exit_code = 2

    def __init__(self, krid: str) -> None:
        super().__init__(f"Ismeretlen hivatali kapu (KRID): {krid}")
        self.krid = krid


class CodesChanged(KkodError):
    """Codes handed out for a chunk were not the ones stored: another worker connected some
    of its people meanwhile, under another code key. Nothing made with them may be used."""

    def __init__(self, changed: int) -> None:
        super().__init__(
            f"Egyeztetés közben egy másik folyamat {changed} személyt más kóddal kapcsolt "
            "ugyanehhez a hivatali kapuhoz (kódkulcs-csere?). A kimenet nem készült el; "
            "futtassa újra: az újabb futás a tárolt kódokat adja."
        )
        self.changed = changed


class CodeTaken(KkodError):
    """A code derived for an account is already another account's at the same office: two
    connections may never share a code. Nothing made in that transaction may be used."""

    def __init__(self, taken: int) -> None:
        super().__init__(
            f"{taken} személy kódja ennél a hivatali kapunál már egy másik fiók kapcsolati "
            "kódja. A kódok nem készültek el; jelezze a központi rendszer üzemeltetőjének "
            "(a kódkulcs ellenőrzése szükséges)."
        )
        self.taken = taken


# Rows per chunk of a bulk match (each chunk is set-based). PostgreSQL hash-joins each chunk
# against the whole registry (one scan of its people per chunk), so it gets bigger chunks:
# 100,000 rows against 1,000,000 people took 4.66 s in chunks of 20,000, 4.42 s in chunks of
# 50,000, 4.51 s in one. SQLite looks each key up by index: 3.7 s either way, and smaller
# chunks hold less in memory (516 against 558 MiB at the peak).
CHUNK_ROWS = 20_000
SCANNING_CHUNK_ROWS = 50_000


class Central(Protocol):
    """Match-and-issue in bulk, connect one, look up a code — nothing else."""

    chunk_rows: int  # rows per chunk that :meth:`match_and_issue_chunks` matches best

    def office(self, krid: str) -> OfficeInfo | None: ...

    def match_and_issue(
        self,
        krid: str,
        keys: Sequence[bytes | None],
        *,
        via: Via = Via.BULK,
        reference: str | None = None,
        actor: str = "system",
    ) -> list[Outcome]:
        """One outcome per key, in order; a ``None`` key (unreadable row) is HIBAS_SOR.

        Raises :class:`UnknownOffice` for a wrong KRID.
        """
        ...

    def match_and_issue_chunks(
        self,
        krid: str,
        chunks: Iterable[Sequence[bytes | None]],
        *,
        via: Via = Via.BULK,
        reference: str | None = None,
        actor: str = "system",
    ) -> Iterator[list[Outcome]]:
        """:meth:`match_and_issue` of each chunk in turn, each chunk on its own (a failure
        leaves the chunks before it done). The chunks are taken lazily: the implementation
        may work on one while the caller computes the next."""
        ...

    def connect_one(
        self, krid: str, key: bytes | None, *, via: Via = Via.MANUAL, actor: str = "system"
    ) -> Outcome: ...

    def lookup_code(self, krid: str, code: str) -> CodeLookup: ...
