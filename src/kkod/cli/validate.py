"""``kkod validate``: check a filled table's 4T data, optionally fix, report, cross-check."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from kkod.cli.common import (
    Force,
    announce_kept,
    console,
    err_console,
    fail,
    plain,
    reports_errors,
    shown_value,
)
from kkod.cli.groups import app
from kkod.cli.values import INPUT_FILE, OUTPUT_FILE

SHOWN_FINDINGS = 30
_STYLE = {"hiba": "bold red", "figyelmeztetés": "yellow", "tájékoztatás": "cyan"}
_SEVERITY_ORDER = {"hiba": 0, "figyelmeztetés": 1, "tájékoztatás": 2}


@app.command("validate")
@reports_errors
def validate(
    table: Annotated[
        Path,
        typer.Argument(
            metavar="TÁBLA.xlsx",
            parser=INPUT_FILE,
            help="A kitöltött „Kapcsolati kód adattáblázat” (.xlsx).",
        ),
    ],
    fix: Annotated[
        Path | None,
        typer.Option(
            "--fix",
            metavar="JAVÍTOTT.xlsx",
            parser=OUTPUT_FILE,
            help="Javított példány írása ide: a biztonságos javítások, --declarations mellett a nyilatkozat szerinti értékek is; csak ezek a cellák változnak. A végén kiírt számok és a kilépési kód a javított példányé.",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="JELENTÉS",
            parser=OUTPUT_FILE,
            help="A megállapítások jelentése (.xlsx, .csv vagy .html).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Eredmény JSON-ban a szabványos kimenetre.")
    ] = False,
    declarations: Annotated[
        Path | None,
        typer.Option(
            "--declarations",
            metavar="NYILATKOZATOK",
            parser=INPUT_FILE,
            help="A dolgozók saját nyilatkozata szerinti 4T adatok (.csv vagy .xlsx) az összevetéshez.",
        ),
    ] = None,
    review: Annotated[
        bool,
        typer.Option(
            "--review",
            help="A javítási javaslatok egyenkénti elbírálása (elfogad / saját érték / kihagy); "
            "csak az elfogadott cellák változnak a -o táblázatban, a döntések mellé kerülnek "
            "(NÉV.dontesek.csv).",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="JAVÍTOTT.xlsx",
            parser=OUTPUT_FILE,
            help="--review mellett: a javított táblázat.",
        ),
    ] = None,
    force: Force = False,
) -> None:
    """A 4T adatok ellenőrzése. Kilépési kód: 0 nincs hiba, 1 van hiba, 2 a fájl nem olvasható / nem a sablon.

    A hibák állnak elöl; szabályonként a teendő, a végén a következő lépés parancsa.

    Példa: kkod validate tablazat.xlsx
    Példa: kkod validate tablazat.xlsx --fix javitott.xlsx --report ellenorzes.html
    Példa: kkod validate tablazat.xlsx --review -o javitott.xlsx
    """
    if review or output is not None:
        if not (review and output is not None):
            raise fail("A --review és a -o csak együtt adható meg (--review -o JAVÍTOTT.xlsx).", 2)
        if fix is not None or report is not None or as_json:
            raise fail("A --review mellett nem adható meg --fix, --report vagy --json.", 2)
        from kkod.cli.review import review as run_review

        run_review(table, output, declarations, force)
        return
    from kkod.employer.validation import validate_table, write_findings_report, write_fixed_table
    from kkod.outputs import claim_outputs
    from kkod.reports import check_format

    if report is not None:
        check_format(report)  # before anything is written
    with claim_outputs(fix, report, force=force, inputs=(table, declarations)) as claim:
        result = validate_table(table, declarations=declarations)
        fixed_cells = write_fixed_table(result, fix) if fix is not None else None
        if report is not None:
            write_findings_report(report, result)
    announce_kept(claim)
    # What the officer goes on with: the fixed copy when there is one.
    final = validate_table(fix, declarations=declarations) if fix is not None else result

    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        _render(result, final, fixed_cells, report)
    raise typer.Exit(1 if final.has_errors else 0)


def _errors_first(findings):
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER.get(str(f.severity), 9), f.row))


def _render(result, final, fixed_cells: int | None, report: Path | None) -> None:
    from kkod.employer.validation import summary_lines

    findings = _errors_first(result.findings)
    shown = findings[:SHOWN_FINDINGS]
    if shown:
        details = Table(title="Megállapítások (a hibák elöl)", show_lines=False)
        for heading in ("Cella", "Szabály", "Üzenet", "Érték", "Javaslat"):
            details.add_column(heading, overflow="fold")
        for f in shown:
            details.add_row(
                f"{f.column}{f.row}",
                Text(f.rule, _STYLE.get(str(f.severity), "")),
                plain(f.message),
                shown_value(f.value),
                shown_value(f.suggestion) if f.suggestion is not None else "",
            )
        console.print(details)
        if len(findings) > len(shown):
            more = len(findings) - len(shown)
            console.print(f"… és még {more} megállapítás (a teljes lista: --report).")
    if result.findings:
        console.print(_rule_summary(result))

    if fixed_cells is None:
        for line in summary_lines(result):
            console.print(plain(line))
    else:
        console.print(_fixed_line(result, fixed_cells))
        console.print(Text("A javított példány ellenőrzése:", "bold"))
        for line in summary_lines(final):
            console.print(plain(line))
    if report is not None:
        console.print(Text.assemble("Jelentés: ", plain(report)))
    _next_step(result, final)


def _rule_summary(result) -> Table:
    """Each rule that fired, errors first: how many, what it is, and what to do (Teendő)."""
    from kkod.fourt.rules import RULES

    summary = Table(title="Összesítés szabályonként", box=box.SIMPLE_HEAD)
    summary.add_column("Szabály")
    summary.add_column("Súlyosság")
    summary.add_column("Darab", justify="right")
    summary.add_column("Megnevezés és teendő", ratio=1)
    counts = result.counts_by_rule()
    counts.sort(key=lambda item: (_SEVERITY_ORDER.get(str(RULES[item[0]].severity), 9), item[0]))
    for rule_id, count in counts:
        rule = RULES[rule_id]
        style = _STYLE.get(str(rule.severity), "")
        what = Text.assemble((rule.title, "bold"), "\n", ("Teendő: ", "italic"), rule.fix)
        summary.add_row(rule_id, Text(str(rule.severity), style), str(count), what)
    return summary


def _fixed_line(result, fixed_cells: int) -> Text:
    by_rule: dict[str, int] = {}
    for rules in result.fixed_by.values():
        for rule_id in rules:
            by_rule[rule_id] = by_rule.get(rule_id, 0) + 1
    counts = ", ".join(f"{rule_id}: {n}" for rule_id, n in sorted(by_rule.items()))
    return Text.assemble(
        ("Javítva:", "green"), f" {fixed_cells} cella ({counts or 'nem kellett javítani'})."
    )


def _command(*words: object) -> Text:
    return plain(shlex.join(str(w) for w in words), "bold")


def _next_step(result, final) -> None:
    """After a run with errors: what to do, and the command line to run next."""
    from kkod.fourt.rules import AUTO_FIX_RULES

    if not final.has_errors or final.empty:
        return  # an empty table: summary_lines said what to fill in
    declared = ("--declarations", result.declarations) if result.declarations else ()
    fixable = any(
        f.rule in AUTO_FIX_RULES or (f.rule == "X01" and f.suggestion is not None)
        for f in result.findings
    )
    err_console.print(
        Text.assemble((f"{final.errors} hiba", "bold red"), " — a táblázat így nem küldhető be.")
    )
    if result is final and fixable:
        suggested = result.path.with_name(f"{result.path.stem}-javitott{result.path.suffix}")
        err_console.print(
            "Teendő: javítsa a hibás cellákat (fent: hiba), majd írja ki a javított példányt "
            "a biztonságos javításokkal:"
        )
        command = _command("kkod", "validate", result.path, *declared, "--fix", suggested)
    else:
        where = " a javított példányban" if result is not final else ""
        err_console.print(
            f"Teendő: javítsa a hibás cellákat (fent: hiba){where}, majd ellenőrizze újra:"
        )
        command = _command("kkod", "validate", final.path, *declared)
    # Whole, on its own line: the terminal may wrap it, a copy of it has no line break.
    err_console.print(Text.assemble("  ", command), soft_wrap=True)
