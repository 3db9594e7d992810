"""``kkod generate``: the ministry's core operation on one table, from the command line."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Annotated

import typer

from kkod.bulk import cyclic_gc_paused
from kkod.cli.common import Force, announce_kept, console, plain, progress, reports_errors
from kkod.cli.groups import app
from kkod.cli.values import INPUT_FILE, OUTPUT_FILE


@app.command("generate")
@reports_errors
def generate_command(
    table: Annotated[
        Path,
        typer.Argument(
            metavar="TÁBLA.xlsx",
            parser=INPUT_FILE,
            help="A kitöltött „Kapcsolati kód adattáblázat” (.xlsx).",
        ),
    ],
    krid: Annotated[
        str,
        typer.Option(
            "--krid",
            metavar="KRID",
            help="A hivatali kapu KRID-je, amelynek a kódok készülnek.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="KIMENET.xlsx",
            parser=OUTPUT_FILE,
            help="A kódokkal kitöltött táblázat (alapértelmezés: TÁBLA-kodokkal.xlsx).",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="JELENTÉS",
            parser=OUTPUT_FILE,
            help="Indoklás a kód nélküli sorokhoz: .xlsx, .csv vagy .html (alapértelmezés: TÁBLA-jelentes.xlsx).",
        ),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option("--reference", metavar="HIVATKOZÁS", help="A kérelem azonosítója a naplóhoz."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Az eredmény JSON-ként a szabványos kimenetre.")
    ] = False,
    force: Force = False,
) -> None:
    """Kapcsolati kódok generálása egy táblázathoz: az E oszlop kitöltése és indoklás a többi sorhoz.

    Példa: kkod generate tablazat.xlsx --krid 612345
    Példa: kkod generate tablazat.xlsx --krid 612345 -o kodokkal.xlsx --report indoklas.html
    """
    from kkod.ministry.generation import default_output, default_report, generate
    from kkod.outputs import claim_outputs

    def central():  # opened by generate() while it reads the table
        from kkod.central.service import open_central

        return open_central()

    output = output or default_output(table)
    report = report or default_report(table)
    with (
        claim_outputs(output, report, force=force, inputs=(table,)) as claim,
        progress(enabled=not as_json) as bar,
    ):
        tasks: dict[str, int] = {}

        def note(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        # The collector stays off to the end: what the run leaves lives until the process ends,
        # and a pass over it would take a tenth of a second after a big table.
        with cyclic_gc_paused():
            result = generate(
                table, krid, central, output, report, reference=reference, progress=note
            )
            gc.freeze()
    announce_kept(claim)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    _print_summary(result)


def _print_summary(result) -> None:
    from rich.table import Table
    from rich.text import Text

    summary = Table(title="Generálás eredménye", show_header=True, header_style="bold")
    summary.add_column("")
    summary.add_column("sor", justify="right")
    summary.add_row("Összes sor", str(len(result.rows)))
    summary.add_row(Text("Kapcsolati kód elkészült", "green"), str(result.coded))
    summary.add_row("Nincs találat (nincs ügyfélkapu)", str(result.no_match))
    summary.add_row("Több találat (több fiók)", str(result.multiple))
    summary.add_row(Text("Hibás sor", "red"), str(result.invalid))
    console.print(summary)
    console.print(Text.assemble("Kitöltött táblázat: ", plain(result.output, "bold")))
    console.print(Text.assemble("Indoklás: ", plain(result.report, "bold")))
