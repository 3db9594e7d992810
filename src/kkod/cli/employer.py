"""``kkod employer …``: submit a request, import the reply, export the register, connect one, list."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from kkod.cli.common import cells, console, err_console, fail, plain, reports_errors
from kkod.cli.groups import employer_app
from kkod.cli.options import DeclarationOption, TableOption
from kkod.cli.values import HOST_PORT, INPUT_FILE, OUTPUT_FILE, Choice
from kkod.hungarian import moment, with_article


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def _register():
    from kkod.employer.database import open_register

    return open_register()


@employer_app.command("submit")
@reports_errors
def submit_command(
    table: TableOption,
    declaration: DeclarationOption,
    to: Annotated[
        str,
        typer.Option(
            "--to", metavar="E-MAIL-CÍM", help="A minisztérium címe, ahová a kérelem megy."
        ),
    ],
    sender: Annotated[
        str,
        typer.Option("--from", metavar="E-MAIL-CÍM", help="A feladó címe; a válasz ide érkezik."),
    ],
    smtp: Annotated[
        str,
        typer.Option(
            "--smtp",
            metavar="GÉP:PORT",
            parser=HOST_PORT,
            help="Az SMTP-kiszolgáló címe és portja.",
        ),
    ],
    starttls: Annotated[
        bool, typer.Option("--starttls", help="STARTTLS titkosítás használata.")
    ] = False,
    user: Annotated[
        str | None, typer.Option("--user", metavar="FELHASZNÁLÓ", help="SMTP felhasználónév.")
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            metavar="VÁLTOZÓ",
            help="Annak a környezeti változónak a neve, amely az SMTP-jelszót tartalmazza.",
        ),
    ] = None,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            metavar="SZERVEZET",
            help="A szervezet neve a tárgyban (alapértelmezés: a nyilatkozatból).",
        ),
    ] = None,
    save_eml: Annotated[
        Path | None,
        typer.Option(
            "--save-eml",
            metavar="LEVÉL.eml",
            parser=OUTPUT_FILE,
            help="Az elküldött levél másolata .eml fájlként ide kerül.",
        ),
    ] = None,
) -> None:
    """Kérelem beküldése: ellenőrzi a táblázatot, majd elküldi a táblázatot és a nyilatkozatot.

    Példa: kkod employer submit --table tablazat.xlsx --declaration nyilatkozat.pdf --to ehr@bm.gov.hu --from hr@pelda.gov.hu --smtp mail.pelda.gov.hu:587 --starttls
    """
    from kkod.employer.submit import SubmitRequest, submit_request
    from kkod.mail.smtp import MailError, SmtpTarget

    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise fail(
                f"{with_article(password_env, capital=True)} környezeti változó nincs beállítva "
                "(SMTP-jelszó)."
            )
    target = SmtpTarget.parse(smtp, starttls=starttls, user=user, password=password)
    request = SubmitRequest(
        table=table,
        declaration=declaration,
        to=to,
        sender=sender,
        organisation=org,
        save_eml=save_eml,
    )
    try:
        result = submit_request(request, target, _register())
    except MailError as error:
        raise fail(f"A levél nem ment el: {error.message}", 1) from None
    summary = Table(title="Kérelem elküldve", show_header=False)
    summary.add_column("", style="bold")
    summary.add_column("")
    summary.add_row(*cells("Tárgy", result.subject))
    summary.add_row(*cells("Címzett", to))
    summary.add_row(*cells("Szervezet", result.organisation))
    summary.add_row(*cells("KRID", result.krid or "—"))
    summary.add_row("Sorok", str(result.rows))
    summary.add_row("Figyelmeztetések", str(result.warnings))
    summary.add_row(*cells("Üzenet-azonosító", result.message_id))
    summary.add_row("Méret", f"{result.size:,} bájt".replace(",", " "))
    if result.saved_eml:
        summary.add_row(*cells("Másolat", result.saved_eml))
    for note in result.notes:
        err_console.print(Text.assemble(("Megjegyzés:", "yellow"), " ", plain(note)))
    console.print(summary)
    console.print(
        "A sorok „függőben” állapotba kerültek; a választ így importálja: kkod employer import VÁLASZ.eml"
    )


@employer_app.command("import")
@reports_errors
def import_command(
    reply: Annotated[
        Path,
        typer.Argument(
            metavar="VÁLASZ",
            parser=INPUT_FILE,
            help="A minisztérium válasza: a visszaküldött .xlsx vagy a levél (.eml).",
        ),
    ],
    leftovers: Annotated[
        Path | None,
        typer.Option(
            "--leftovers",
            metavar="LISTA",
            parser=OUTPUT_FILE,
            help="A kód nélkül maradt sorok listája ide (.xlsx, .csv vagy .html).",
        ),
    ] = None,
) -> None:
    """A válasz importja a nyilvántartásba: kódok, állapotok, előzmények; a maradék sorok teendőivel.

    Példa: kkod employer import valasz.eml
    Példa: kkod employer import valasz.eml --leftovers maradek.xlsx
    """
    from kkod.employer.importer import import_reply

    outcome = import_reply(_register(), reply)
    counts = outcome.counts
    summary = Table(
        title=Text.assemble("Import: ", plain(outcome.reply.file_name)), show_header=False
    )
    summary.add_column("", style="bold")
    summary.add_column("", justify="right")
    summary.add_row("Sorok", str(counts["rows"]))
    summary.add_row("Kódolt", Text(str(counts["coded"]), "green"))
    summary.add_row("Nincs találat", str(counts["no_match"]))
    summary.add_row("Több találat", str(counts["multiple"]))
    summary.add_row("Hibás sor", str(counts["invalid"]))
    if counts["unknown"]:
        summary.add_row("Kód nélkül, ok ismeretlen", str(counts["unknown"]))
    summary.add_row("Új a nyilvántartásban", str(outcome.summary.created))
    summary.add_row("Változások", str(outcome.summary.changes))
    console.print(summary)
    if not outcome.reply.report_found and counts["unknown"]:
        console.print(
            Text.assemble(
                ("A válasz nem tartalmazott indoklást:", "yellow"),
                " a kód nélküli sorok oka ismeretlen — nézze meg a minisztérium jelentését "
                "(a válaszlevél mellékletét).",
            )
        )
    if outcome.unchanged and outcome.previously_imported_at is not None:
        when = moment(outcome.previously_imported_at)
        console.print(f"Ezt a választ már importálta ({when}): a nyilvántartás nem változott.")
    elif outcome.unchanged:
        console.print("A nyilvántartás már naprakész volt: nem változott semmi.")
    _print_leftovers(outcome.leftovers)
    if leftovers is not None:
        _write_leftovers(leftovers, outcome.leftovers, outcome.reply.file_name)
        console.print(Text.assemble("Maradék sorok listája: ", plain(leftovers)))


def _print_leftovers(items) -> None:
    """Every leftover on one line each; the reason and the next step once per status (they
    are the same for every employee with that status)."""
    if not items:
        console.print(Text("Minden sor kapott kapcsolati kódot.", "green"))
        return
    table = Table(title=f"Kód nélkül maradt foglalkoztatottak ({len(items)})")
    for header in ("Sor", "Belső azonosító", "Viselt név", "Állapot"):
        table.add_column(header, overflow="fold")
    for item in items:
        table.add_row(*cells(item.row or "", item.belso_azonosito, item.viselt_nev, item.status))
    console.print(table)
    legend = Table(title="Okok és teendők", show_lines=True)
    for header in ("Állapot", "Sorok", "Ok", "Teendő"):
        legend.add_column(header, overflow="fold")
    by_status: dict[str, list] = {}
    for item in items:
        by_status.setdefault(item.status, []).append(item)
    for status, group in by_status.items():
        first = group[0]
        step = (
            first.next_step.replace(first.belso_azonosito, "AZONOSÍTÓ")
            if first.belso_azonosito
            else first.next_step
        )
        legend.add_row(*cells(status, len(group), first.reason, step))
    console.print(legend)


def _write_leftovers(path: Path, items, source: str) -> None:
    from kkod.reports import Report, write_report

    write_report(
        path,
        Report(
            title="Kód nélkül maradt sorok",
            headers=("Sor", "Belső azonosító", "Viselt név", "Állapot", "Ok", "Teendő"),
            rows=[
                (i.row, i.belso_azonosito, i.viselt_nev, i.status, i.reason, i.next_step)
                for i in items
            ],
            summary=(f"Forrás: {source}", f"Kód nélkül maradt: {len(items)}"),
        ),
    )


@employer_app.command("export")
@reports_errors
def export_command(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format", metavar="FORMÁTUM", parser=Choice(ExportFormat), help="csv vagy json."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FÁJL",
            parser=OUTPUT_FILE,
            help="A kimeneti fájl (alapértelmezés: a szabványos kimenet).",
        ),
    ] = None,
) -> None:
    """A nyilvántartás kiadása más iratkezelő rendszereknek (CSV: UTF-8 BOM-mal, ';'; vagy JSON).

    Példa: kkod employer export --format csv -o nyilvantartas.csv
    """
    from kkod.atomic import atomic_write_bytes
    from kkod.employer.database import transaction
    from kkod.employer.export import export_records, render

    with transaction(_register()) as session:
        records = export_records(session)
    data = render(records, fmt.value)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    atomic_write_bytes(output, data)
    err_console.print(Text.assemble(f"{len(records)} foglalkoztatott kiírva: ", plain(output)))


@employer_app.command("connect")
@reports_errors
def connect_command(
    belso_azonosito: Annotated[
        str, typer.Argument(metavar="AZONOSÍTÓ", help="A foglalkoztatott belső azonosítója.")
    ],
    krid: Annotated[
        str | None,
        typer.Option(
            "--krid",
            metavar="KRID",
            help="A munkáltató hivatali kapujának KRID-je (alapértelmezés: a tárolt).",
        ),
    ] = None,
) -> None:
    """Egy foglalkoztatott kapcsolása a tárolt 4T alapján: kódot tárol, vagy megmondja, miért nincs.

    Példa: kkod employer connect HR-0042
    """
    from kkod.central.interface import MatchResult
    from kkod.central.service import open_central
    from kkod.config import get_settings
    from kkod.employer.connect import connect_employee

    outcome = connect_employee(
        _register(), open_central(get_settings()), belso_azonosito, krid=krid
    )
    if outcome.result is MatchResult.KOD:
        changed = "" if outcome.changes else " (már a nyilvántartásban volt)"
        console.print(
            Text.assemble(
                ("Kapcsolati kód", "green"),
                " (",
                plain(outcome.belso_azonosito),
                ", KRID ",
                plain(outcome.krid),
                "): ",
                plain(outcome.code, "bold"),
                changed,
            )
        )
        if outcome.previous_code and outcome.previous_code != outcome.code:
            console.print(
                Text.assemble(
                    "A korábbi kód (", plain(outcome.previous_code), ") az előzményekben megmaradt."
                )
            )
        return
    console.print(
        Text.assemble(
            ("Nincs kód", "yellow"),
            " (",
            plain(outcome.belso_azonosito),
            "): ",
            plain(outcome.explanation),
        )
    )
    console.print(Text.assemble("Teendő: ", plain(outcome.next_step)))
    raise typer.Exit(1)


@employer_app.command("list")
@reports_errors
def list_command(
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="ÁLLAPOT",
            help="Csak ezek az állapotok (ismételhető): kódolt, nincs találat, több találat, hibás sor, kód nélkül, függőben.",
        ),
    ] = None,
    leftovers_only: Annotated[
        bool,
        typer.Option(
            "--leftovers-only", help="Csak a kód nélkül maradt foglalkoztatottak, teendőkkel."
        ),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FÁJL",
            parser=OUTPUT_FILE,
            help="A lista ide is (.xlsx, .csv vagy .html).",
        ),
    ] = None,
) -> None:
    """A nyilvántartás: foglalkoztatottak, kódok, állapotok és teendők.

    Példa: kkod employer list --leftovers-only
    Példa: kkod employer list --status "nincs találat" --report maradek.xlsx
    """
    from kkod.employer.database import transaction
    from kkod.employer.models import LEFTOVER_STATUSES, Status
    from kkod.employer.register import employees, next_step_of, reason_of

    wanted: list[Status] = []
    for name in status or []:
        try:
            wanted.append(Status(name.strip().lower()))
        except ValueError:
            allowed = ", ".join(s.value for s in Status)
            raise fail(f"Ismeretlen állapot: „{name}” (lehet: {allowed}).", 2) from None
    if leftovers_only:
        wanted = [s for s in (wanted or LEFTOVER_STATUSES) if s in LEFTOVER_STATUSES]
    with transaction(_register()) as session:
        rows = [
            (
                e.belso_azonosito,
                e.viselt_nev,
                e.kapcsolati_kod or "",
                e.status,
                reason_of(e),
                next_step_of(e),
            )
            for e in employees(session, wanted or None)
        ]
    headers = ("Belső azonosító", "Viselt név", "Kapcsolati kód", "Állapot", "Ok", "Teendő")
    table = Table(title=f"Nyilvántartás ({len(rows)} foglalkoztatott)")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*cells(*row))
    console.print(table)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[3]] = counts.get(row[3], 0) + 1
    console.print(
        ", ".join(f"{name}: {n}" for name, n in sorted(counts.items())) or "A nyilvántartás üres."
    )
    if report is not None:
        from kkod.reports import Report, write_report

        write_report(report, Report(title="Nyilvántartás", headers=headers, rows=rows))
        console.print(Text.assemble("Lista: ", plain(report)))
