"""The 4T fields as command-line options, shared by every command that takes a person's 4T
(``kkod central connect``, ``kkod employer edit``)."""

from __future__ import annotations

from typing import Annotated

import typer

# English option names like every other option; the Hungarian spellings still work (hidden).
ViseltNev = Annotated[
    str | None,
    typer.Option("--current-name", "--viselt-nev", metavar="NÉV", help="Viselt név."),
]
SzuletesiNev = Annotated[
    str | None,
    typer.Option("--birth-name", "--szuletesi-nev", metavar="NÉV", help="Születési név."),
]
AnyjaNeve = Annotated[
    str | None,
    typer.Option("--mother-name", "--anyja-neve", metavar="NÉV", help="Anyja születési neve."),
]
SzuletesiHely = Annotated[
    str | None,
    typer.Option(
        "--birth-place", "--szuletesi-hely", metavar="HELY", help="Születési hely (Budapest NN)."
    ),
]
SzuletesiIdo = Annotated[
    str | None,
    typer.Option(
        "--birth-date", "--szuletesi-ido", metavar="DÁTUM", help="Születési idő (éééé.hh.nn)."
    ),
]


def fourt_fields(
    viselt_nev: str | None,
    szuletesi_nev: str | None,
    anyja_neve: str | None,
    szuletesi_hely: str | None,
    szuletesi_ido: str | None,
) -> dict[str, str | None]:
    """The options' values by ``Person4T`` field name."""
    return {
        "viselt_nev": viselt_nev,
        "szuletesi_nev": szuletesi_nev,
        "anyja_szuletesi_neve": anyja_neve,
        "szuletesi_hely": szuletesi_hely,
        "szuletesi_ido": szuletesi_ido,
    }
