"""``kkod validate``: check a filled table's 4T data, optionally fix, report, cross-check."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from kkod.cli.common import console, err_console, reports_errors
from kkod.cli.groups import app

SHOWN_FINDINGS = 30
_STYLE = {"hiba": "bold red", "figyelmeztetés": "yellow", "tájékoztatás": "cyan"}


@app.command("validate")
@reports_errors
def validate(
    table: Annotated[
        Path,
        typer.Argument(help="A kitöltött „Kapcsolati kód adattáblázat” (.xlsx)."),
    ],
    fix: Annotated[
        Path | None,
        typer.Option(
            "--fix",
            help="Javított példány írása ide: a biztonságos javítások, --declarations mellett a nyilatkozat szerinti értékek is; csak ezek a cellák változnak.",
            dir_okay=False,
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="A megállapítások jelentése (.xlsx, .csv vagy .html).", dir_okay=False
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Eredmény JSON-ban a szabványos kimenetre.")
    ] = False,
    declarations: Annotated[
        Path | None,
        typer.Option(
            "--declarations",
            help="A dolgozók saját nyilatkozata szerinti 4T adatok (.csv vagy .xlsx) az összevetéshez.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """A 4T adatok ellenőrzése. Kilépési kód: 0 nincs hiba, 1 van hiba, 2 a fájl nem olvasható / nem a sablon."""
    from kkod.employer.validation import validate_table, write_findings_report, write_fixed_table
    from kkod.reports import check_format

    if report is not None:
        check_format(report)  # before anything is written
    result = validate_table(table, declarations=declarations)
    fixed_cells = write_fixed_table(result, fix) if fix is not None else None
    if report is not None:
        write_findings_report(report, result)

    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        _render(result, fixed_cells, report)
    raise typer.Exit(1 if result.has_errors else 0)


def _render(result, fixed_cells: int | None, report: Path | None) -> None:
    from rich.table import Table

    from kkod.employer.validation import summary_lines
    from kkod.fourt.rules import RULES

    shown = result.findings[:SHOWN_FINDINGS]
    if shown:
        details = Table(title="Megállapítások", show_lines=False)
        for heading in ("Cella", "Szabály", "Üzenet", "Érték", "Javaslat"):
            details.add_column(heading, overflow="fold")
        for f in shown:
            style = _STYLE.get(str(f.severity), "")
            details.add_row(
                f"{f.column}{f.row}",
                f"[{style}]{f.rule}[/]",
                f.message,
                f.value,
                f.suggestion or "",
            )
        console.print(details)
        if len(result.findings) > len(shown):
            more = len(result.findings) - len(shown)
            console.print(f"… és még {more} megállapítás (a teljes lista: --report).")

    summary = Table(title="Összesítés szabályonként")
    summary.add_column("Szabály")
    summary.add_column("Súlyosság")
    summary.add_column("Megnevezés")
    summary.add_column("Darab", justify="right")
    for rule_id, count in result.counts_by_rule():
        rule = RULES[rule_id]
        style = _STYLE.get(str(rule.severity), "")
        summary.add_row(rule_id, f"[{style}]{rule.severity}[/]", rule.title, str(count))
    if result.findings:
        console.print(summary)

    for line in summary_lines(result):
        console.print(line)
    if fixed_cells is not None:
        by_rule: dict[str, int] = {}
        for rules in result.fixed_by.values():
            for rule_id in rules:
                by_rule[rule_id] = by_rule.get(rule_id, 0) + 1
        counts = ", ".join(f"{rule_id}: {n}" for rule_id, n in sorted(by_rule.items()))
        console.print(
            f"[green]Javítva:[/] {fixed_cells} cella ({counts or 'nem kellett javítani'})."
        )
    if report is not None:
        console.print(f"Jelentés: {report}")
    if result.has_errors:
        err_console.print(f"[bold red]{result.errors} hiba[/] — a táblázat így nem küldhető be.")
