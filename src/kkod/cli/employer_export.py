"""``kkod employer from-export``: the table built from an HR system's export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from kkod.cli.common import (
    Force,
    announce_kept,
    cells,
    console,
    fail,
    plain,
    progress,
    reports_errors,
)
from kkod.cli.groups import employer_app
from kkod.cli.values import INPUT_FILE, OUTPUT_FILE


@employer_app.command("from-export")
@reports_errors
def from_export(
    export: Annotated[
        Path,
        typer.Argument(
            metavar="EXPORT",
            parser=INPUT_FILE,
            help="A HR-rendszer exportja: .csv (UTF-8, Windows-1250 vagy ISO-8859-2; ; vagy , "
            "elválasztó) vagy .xlsx.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="TÁBLA.xlsx",
            parser=OUTPUT_FILE,
            help="A létrehozandó „Kapcsolati kód adattáblázat”.",
        ),
    ],
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="MEGFELELTETÉS",
            help="Egy oszlop célja OSZLOP=MEZŐ alakban, ha a fejléce nem ismert vagy nem egyértelmű (OSZLOP: a "
            "fejléc vagy a betűjel; MEZŐ: pl. szuletesi_hely, viselt_csaladi_nev, kihagy). "
            "Többször is megadható.",
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Adattáblázat a HR-rendszer exportjából: felismeri az oszlopokat, kiírja a választott
    megfeleltetést, majd megírja és ellenőrzi a táblázatot.

    Példa: kkod employer from-export dolgozok.csv -o tablazat.xlsx
    Példa: kkod employer from-export dolgozok.xlsx -o tablazat.xlsx --map "Szül.hely=szuletesi_hely"
    """
    from kkod.employer.hrexport.build import plan, refusal, validate_written, write_table
    from kkod.employer.validation import summary_lines
    from kkod.outputs import claim_outputs

    with claim_outputs(out, force=force, inputs=(export,)) as claim:
        planned = plan(export, overrides or ())
        _show_mapping(planned)
        if not planned.mapping.usable:
            raise refusal(planned.mapping)
        if not planned.export.rows:
            raise fail(
                f"Az exportban nincs adatsor a fejléc ({planned.export.header_line}. sor) alatt.", 2
            )
        with progress() as bar:
            task = bar.add_task("Táblázat írása", total=2)
            converted = write_table(planned, out)
            bar.update(task, advance=1, description="Táblázat ellenőrzése")
            checked = validate_written(converted, out)
            bar.update(task, advance=1, description="Kész")
    announce_kept(claim)
    _show_summary(planned, converted, out)
    for line in summary_lines(checked):
        console.print(plain(line))
    if checked.findings:
        console.print(
            Text.assemble(
                "Következő lépés: ",
                plain(
                    f"kkod validate {out} --review -o {out.with_name(out.stem + '-javitott.xlsx')}",
                    "bold",
                ),
            ),
            soft_wrap=True,
        )


def _show_mapping(planned) -> None:
    from kkod.employer.hrexport.headers import TARGETS

    export = planned.export
    table = Table(title=f"Megfeleltetés ({export.header_line}. sor a fejléc)")
    for heading in ("Oszlop", "Fejléc az exportban", "Cél a táblázatban", "Honnan"):
        table.add_column(heading)
    for a in planned.mapping.assignments:
        target = TARGETS[a.target] if a.target else "— nem kerül a táblázatba"
        style = "" if a.target else "dim"
        table.add_row(*cells(a.source.letter, a.source.header), Text(target, style), a.how)
    console.print(Text.assemble("Forrás: ", plain(export.path.name), f" — {export.kind}"))
    console.print(table)


def _show_summary(planned, converted, out: Path) -> None:
    summary = Table(title="Összesítés", show_header=False)
    summary.add_column("", style="bold")
    summary.add_column("", justify="right")
    summary.add_row("Adatsor az exportban", str(len(planned.export.rows)))
    summary.add_row("Sor a táblázatban", str(converted.rows))
    summary.add_row("Üres sor kihagyva", str(converted.empty_rows))
    summary.add_row("Dátum éééé.hh.nn alakra írva", str(converted.dates_converted))
    summary.add_row("Hely és idő szétválasztva", str(converted.places_split))
    summary.add_row("Üres születési név a viselt névből", str(converted.birth_names_copied))
    console.print(summary)
    console.print(Text.assemble(("Elkészült:", "green"), " ", plain(out)))
