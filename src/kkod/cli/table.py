"""``kkod template``: write an empty "Kapcsolati kód adattáblázat" for the employer to fill."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kkod.cli.common import console, fail, reports_errors
from kkod.cli.groups import app


@app.command("template")
@reports_errors
def template(
    out: Annotated[Path, typer.Argument(help="A létrehozandó .xlsx fájl.", dir_okay=False)],
    rows: Annotated[
        int, typer.Option("--rows", min=1, max=1_048_575, help="Előre számozott adatsorok száma.")
    ] = 100,
) -> None:
    """Üres „Kapcsolati kód adattáblázat” sablon készítése kitöltési útmutatóval."""
    from kkod.table import layout
    from kkod.table.template import build_template

    if out.suffix.lower() != ".xlsx":
        console.print(f"[yellow]Figyelem:[/] a(z) „{out.name}” kiterjesztése nem .xlsx.")
    try:
        build_template(out, rows=rows)
    except OSError as error:
        raise fail(f"A(z) „{out}” nem írható: {error.strerror or error}.", 2) from None
    console.print(
        f"[green]Elkészült:[/] {out} — „{layout.SHEET_TITLE}” munkalap {rows} előre számozott "
        f"sorral és „{layout.GUIDE_SHEET_TITLE}” lappal."
    )
    console.print(
        f"Töltse ki a {', '.join(layout.FOURT_LETTERS)} oszlopot (a B és C nem kötelező); "
        f"a születési időt {layout.DATE_PATTERN_HINT} formában írja."
    )
