"""``kkod central``: seed the registry, make sample tables, manage offices, connect one person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from kkod.cli.common import cells, console, plain, progress, reports_errors
from kkod.cli.frame import KkodTyper
from kkod.cli.groups import central_app
from kkod.cli.values import OUTPUT_FILE, Decimal, WholeNumber

office_app = KkodTyper(help="Hivatali kapuk (KRID, rövid név, szervezet) kezelése.")
central_app.add_typer(office_app, name="office")


def _engine():
    from kkod.db import open_part

    return open_part("central")


@central_app.command("seed")
@reports_errors
def seed(
    people: Annotated[
        int,
        typer.Option(
            "--people",
            metavar="SZÁM",
            parser=WholeNumber(1),
            help="Ennyi szintetikus személy kerül a nyilvántartásba.",
        ),
    ],
    seed_value: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="SZÁM",
            parser=WholeNumber(),
            help="A véletlengenerátor magja (ugyanaz a mag → ugyanaz a nyilvántartás).",
        ),
    ] = None,
) -> None:
    """Valószerű szintetikus nyilvántartás: személyek 4T adatokkal és Ügyfélkapu-fiókokkal.

    Példa: kkod central seed --people 200000 --seed 1
    """
    from kkod.central.synthetic import seed_registry

    engine = _engine()
    with progress() as bar:
        task = bar.add_task("Nyilvántartás feltöltése", total=people)
        result = seed_registry(
            engine,
            people,
            seed=seed_value,
            progress=lambda done, _total: bar.update(task, completed=done),
        )
    console.print(
        Text.assemble(
            ("Kész:", "green"),
            f" {_n(result.people)} személy, {_n(result.accounts)} fiók, "
            f"{result.twins} azonos 4T-jű pár; {f'{result.seconds:.1f}'.replace('.', ',')} s ",
            f"({_n(round(result.people_per_second))} személy/s).",
        )
    )


# The expected results of a sample table, as the officer reads them.
RESULT_WORDS = {
    "KOD": "kód",
    "NINCS_TALALAT": "nincs találat",
    "TOBB_TALALAT": "több találat",
    "HIBAS_SOR": "hibás sor",
}


def _n(value: int) -> str:
    """A number with Hungarian thousands separators (space)."""
    return f"{value:,}".replace(",", "\u00a0")


@central_app.command("sample-table")
@reports_errors
def sample_table(
    krid: Annotated[
        str,
        typer.Option(
            "--krid",
            metavar="KRID",
            help="A hivatali kapu KRID-je, amelynek a táblázat készül.",
        ),
    ],
    rows: Annotated[
        int,
        typer.Option(
            "--rows",
            metavar="SZÁM",
            parser=WholeNumber(1, 1_048_575),
            help="A táblázat sorainak száma.",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="TÁBLA.xlsx",
            parser=OUTPUT_FILE,
            help="A készülő táblázat (.xlsx).",
        ),
    ],
    error_rate: Annotated[
        float,
        typer.Option(
            "--error-rate",
            metavar="ARÁNY",
            parser=Decimal(0, 1),
            help="A hibás sorok aránya 0 és 1 között, pl. 0,05.",
        ),
    ] = 0.05,
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            metavar="IGAZSÁG.csv",
            parser=OUTPUT_FILE,
            help="Igazságfájl (CSV): soronként a személy, a várt eredmény és a hiba.",
        ),
    ] = None,
    declarations: Annotated[
        Path | None,
        typer.Option(
            "--declarations",
            metavar="NYILATKOZATOK.csv",
            parser=OUTPUT_FILE,
            help="A dolgozók saját nyilatkozatai (CSV) a helyes 4T adatokkal, a kkod validate --declarations számára.",
        ),
    ] = None,
    seed_value: Annotated[
        int | None,
        typer.Option(
            "--seed", metavar="SZÁM", parser=WholeNumber(), help="A véletlengenerátor magja."
        ),
    ] = None,
) -> None:
    """Minta „Kapcsolati kód adattáblázat” a nyilvántartás személyeiből, valós hibákkal.

    Példa: kkod central sample-table --krid 612345 --rows 2000 --error-rate 0,05 -o tablazat.xlsx --truth igazsag.csv
    """
    from kkod.central.sample_table import write_sample_table

    engine = _engine()
    with progress() as bar:
        task = bar.add_task("Mintatáblázat készítése", total=None)
        result = write_sample_table(
            engine,
            output,
            krid=krid,
            rows=rows,
            error_rate=error_rate,
            truth=truth,
            declarations=declarations,
            seed=seed_value,
        )
        bar.update(task, total=1, completed=1)
    console.print(
        Text.assemble(("Kész:", "green"), " ", plain(result.path), f" ({result.rows} sor)")
    )
    if result.mistakes:
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(result.mistakes.items()))
        console.print(plain(f"Beillesztett hibák: {kinds}"))
    expected = ", ".join(
        f"{RESULT_WORDS.get(r, r.value)}: {n}" for r, n in sorted(result.expected.items())
    )
    console.print(plain(f"Várt eredmény hibátlan táblánál: {expected}"))
    if result.truth:
        console.print(Text.assemble("Igazságfájl: ", plain(result.truth)))
    if declarations:
        console.print(Text.assemble("Dolgozói nyilatkozatok: ", plain(declarations)))


@office_app.command("add")
@reports_errors
def office_add(
    krid: Annotated[
        str,
        typer.Option("--krid", metavar="KRID", help="A hivatali kapu KRID-je (számjegyek)."),
    ],
    short_name: Annotated[
        str,
        typer.Option("--short-name", metavar="RÖVID-NÉV", help="A hivatali kapu rövid neve."),
    ],
    name: Annotated[
        str,
        typer.Option("--org", "--name", metavar="SZERVEZET", help="A szervezet teljes neve."),
    ],
    email_domain: Annotated[
        list[str] | None,
        typer.Option(
            "--email-domain",
            metavar="TARTOMÁNY",
            help="A szervezet e-mail-tartománya (többször is megadható).",
        ),
    ] = None,
    organisation_id: Annotated[
        str | None,
        typer.Option(
            "--org-id",
            "--organisation-id",
            metavar="AZONOSÍTÓ",
            help="A szervezet azonosítója az aláíró tanúsítványokban, pl. VATHU-15714514.",
        ),
    ] = None,
) -> None:
    """Hivatali kapu felvétele a központi nyilvántartásba.

    Példa: kkod central office add --krid 612345 --short-name PMHIV --org "Példa Megyei Hivatal" --email-domain pelda.gov.hu --org-id VATHU-15714514
    """
    from kkod.central.interface import OfficeInfo
    from kkod.central.registry import add_office

    office = add_office(
        _engine(), OfficeInfo(krid, short_name, name, tuple(email_domain or ()), organisation_id)
    )
    console.print(
        Text.assemble(
            ("Felvéve:", "green"),
            " ",
            plain(f"{office.short_name} (KRID {office.krid}) – {office.name}"),
        )
    )


@office_app.command("list")
@reports_errors
def office_list(
    as_json: Annotated[bool, typer.Option("--json", help="A lista JSON-ként.")] = False,
) -> None:
    """A nyilvántartott hivatali kapuk.

    Példa: kkod central office list
    """
    from rich.table import Table

    from kkod.central.registry import list_offices

    offices = list_offices(_engine())
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "krid": o.krid,
                        "short_name": o.short_name,
                        "name": o.name,
                        "email_domains": list(o.email_domains),
                        "organisation_id": o.organisation_id,
                    }
                    for o in offices
                ],
                ensure_ascii=False,
            )
        )
        return
    table = Table(title="Hivatali kapuk")
    for header in ("KRID", "Rövid név", "Név", "E-mail-tartományok", "Szervezet azonosítója"):
        table.add_column(header, overflow="fold")
    for o in offices:
        table.add_row(
            *cells(
                o.krid, o.short_name, o.name, ", ".join(o.email_domains), o.organisation_id or ""
            )
        )
    console.print(table)
    if not offices:
        console.print("Nincs még hivatali kapu: kkod central office add …")


@central_app.command("connect")
@reports_errors
def connect(
    krid: Annotated[str, typer.Option("--krid", metavar="KRID", help="A hivatali kapu KRID-je.")],
    viselt_nev: Annotated[
        str | None,
        typer.Option("--current-name", "--viselt-nev", metavar="NÉV", help="Viselt név."),
    ] = None,
    szuletesi_nev: Annotated[
        str | None,
        typer.Option("--birth-name", "--szuletesi-nev", metavar="NÉV", help="Születési név."),
    ] = None,
    anyja_neve: Annotated[
        str | None,
        typer.Option("--mother-name", "--anyja-neve", metavar="NÉV", help="Anyja születési neve."),
    ] = None,
    szuletesi_hely: Annotated[
        str | None,
        typer.Option(
            "--birth-place",
            "--szuletesi-hely",
            metavar="HELY",
            help="Születési hely (Budapest NN).",
        ),
    ] = None,
    szuletesi_ido: Annotated[
        str | None,
        typer.Option(
            "--birth-date",
            "--szuletesi-ido",
            metavar="DÁTUM",
            help="Születési idő (éééé.hh.nn).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Az eredmény JSON-ként.")] = False,
) -> None:
    """Egy személy kapcsolása: kapcsolati kód vagy az ok, amiért nincs (közeli találatot nem mutat).

    A hiányzó 4T adatokat a parancs bekéri.

    Példa: kkod central connect --krid 612345
    Példa: kkod central connect --krid 612345 --current-name "Kiss Anna" --birth-name "Nagy Anna" --mother-name "Szabó Mária" --birth-place "Budapest 11" --birth-date 1985.03.12
    """
    from kkod.central.interface import EXPLANATION, NEXT_STEP, MatchResult, UnknownOffice, Via
    from kkod.central.service import open_central
    from kkod.fourt.canonical import canonical
    from kkod.fourt.model import Person4T

    central = open_central()
    if central.office(krid) is None:
        raise UnknownOffice(krid)
    person = Person4T(
        viselt_nev if viselt_nev is not None else typer.prompt("Viselt név"),
        szuletesi_nev if szuletesi_nev is not None else typer.prompt("Születési név"),
        anyja_neve if anyja_neve is not None else typer.prompt("Anyja születési neve"),
        szuletesi_hely if szuletesi_hely is not None else typer.prompt("Születési hely"),
        szuletesi_ido if szuletesi_ido is not None else typer.prompt("Születési idő (éééé.hh.nn)"),
    )
    form = canonical(person)
    outcome = central.connect_one(
        krid, form.match_key() if form else None, via=Via.MANUAL, actor="cli"
    )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "result": outcome.result.value,
                    "code": outcome.code,
                    "explanation": EXPLANATION[outcome.result],
                },
                ensure_ascii=False,
            )
        )
    elif outcome.result is MatchResult.KOD:
        console.print(Text.assemble("Kapcsolati kód: ", plain(outcome.code, "bold green")))
    else:
        console.print(Text(EXPLANATION[outcome.result], "yellow"))
        console.print(f"Teendő: {NEXT_STEP[outcome.result]}")
    if outcome.result is not MatchResult.KOD:
        raise typer.Exit(1)
