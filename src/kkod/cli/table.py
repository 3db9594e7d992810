"""``kkod template``: write an empty "Kapcsolati kód adattáblázat" for the employer to fill."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from kkod.cli.common import Force, announce_kept, console, fail, plain, reports_errors
from kkod.cli.groups import app
from kkod.cli.values import OUTPUT_FILE, WholeNumber
from kkod.hungarian import article


@app.command("template")
@reports_errors
def template(
    out: Annotated[
        Path,
        typer.Argument(metavar="TÁBLA.xlsx", parser=OUTPUT_FILE, help="A létrehozandó .xlsx fájl."),
    ],
    rows: Annotated[
        int,
        typer.Option(
            "--rows",
            metavar="SZÁM",
            parser=WholeNumber(1, 1_048_575),  # then at most KKOD_TABLE_MAX_ROWS
            help="Előre számozott adatsorok száma (legfeljebb annyi, ahány adatsort a kkod beolvas: KKOD_TABLE_MAX_ROWS, alapból 200 000).",
        ),
    ] = 100,
    force: Force = False,
) -> None:
    """Üres „Kapcsolati kód adattáblázat” sablon készítése kitöltési útmutatóval.

    Példa: kkod template tablazat.xlsx
    Példa: kkod template tablazat.xlsx --rows 250
    """
    from kkod import oserrors
    from kkod.outputs import claim_outputs
    from kkod.table import layout
    from kkod.table.limits import TableLimits, amount, variable
    from kkod.table.template import build_template

    most = TableLimits.from_settings().max_rows
    if rows > most:
        raise fail(
            f"Legfeljebb {amount(most)} előre számozott sor kérhető: ennyi adatsort olvas be a kkod "
            f"(beállítás: {variable('max_rows')}). Hosszabb lista a számozott sorok alá is "
            "beilleszthető.",
            2,
        )
    if out.suffix.lower() != ".xlsx":
        console.print(
            Text.assemble(
                ("Figyelem:", "yellow"),
                f" {article(out.name)} ",
                plain(f"„{out.name}”"),
                " kiterjesztése nem .xlsx.",
            )
        )
    with claim_outputs(out, force=force) as claim:
        try:
            build_template(out, rows=rows)
        except OSError as error:
            raise fail(f"A táblázat nem írható: {oserrors.explain(error, out)}.", 2) from None
    announce_kept(claim)
    console.print(
        Text.assemble(
            ("Elkészült:", "green"),
            " ",
            plain(out),
            f" — „{layout.SHEET_TITLE}” munkalap {rows} előre számozott sorral és "
            f"„{layout.GUIDE_SHEET_TITLE}” lappal.",
        )
    )
    console.print(
        f"Töltse ki a {', '.join(layout.FOURT_LETTERS)} oszlopot (a B és C nem kötelező); "
        f"a születési időt {layout.DATE_PATTERN_HINT} formában írja. Hosszabb lista a "
        "számozott sorok alá is beilleszthető; a lapon szabad sort beszúrni, rendezni és szűrni."
    )
