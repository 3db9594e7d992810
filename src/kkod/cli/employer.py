"""``kkod employer …``: submit a request, import the reply, export, connect or edit one, list."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
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
    err_console,
    fail,
    plain,
    reports_errors,
)
from kkod.cli.fourt_options import (
    AnyjaNeve,
    SzuletesiHely,
    SzuletesiIdo,
    SzuletesiNev,
    ViseltNev,
    fourt_fields,
)
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
        str | None,
        typer.Option(
            "--to",
            metavar="E-MAIL-CÍM",
            help="A minisztérium címe (alapértelmezés: a KKOD_MINISTRY_ADDRESS beállítás).",
        ),
    ] = None,
    sender: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="E-MAIL-CÍM",
            help="A feladó címe; a válasz ide érkezik (--prepare-only mellett elhagyható).",
        ),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(
            "--smtp",
            metavar="GÉP:PORT",
            parser=HOST_PORT,
            help="Az SMTP-kiszolgáló címe és portja (küldéshez kell).",
        ),
    ] = None,
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
    prepare_only: Annotated[
        bool,
        typer.Option(
            "--prepare-only",
            help="Nem küldi el: a levelet a -o fájlba írja, hogy az Outlook (Exchange) piszkozatként "
            "nyissa meg és onnan küldje el.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="KERES.eml",
            parser=OUTPUT_FILE,
            help="A --prepare-only levél (.eml) ide kerül.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Hibás táblázat vagy aláíratlan nyilatkozat beküldése is; meglévő kimeneti "
            "fájl felülírása (a régi .bak néven megmarad).",
        ),
    ] = False,
) -> None:
    """Kérelem beküldése: ellenőrzi a táblázatot, majd elküldi (vagy elkészíti) a táblázatot és a nyilatkozatot tartalmazó levelet.

    Példa: kkod employer submit --table tablazat.xlsx --declaration nyilatkozat.pdf --from hr@pelda.gov.hu --smtp mail.pelda.gov.hu:587 --starttls
    Példa: kkod employer submit --table tablazat.xlsx --declaration nyilatkozat.pdf --prepare-only -o KERES.eml
    """
    from kkod.config import get_settings
    from kkod.employer.submit import SubmitRequest, submit_request
    from kkod.mail.smtp import MailError, SmtpTarget
    from kkod.outputs import claim_outputs

    if prepare_only != (output is not None):
        raise fail(
            "A --prepare-only kapcsolóhoz adja meg a levél fájlját is (-o KERES.eml), "
            "a -o csak a --prepare-only mellett használható.",
            2,
        )
    target = None
    if not prepare_only:
        if smtp is None or sender is None:
            raise fail(
                "Küldéshez adja meg az SMTP-kiszolgálót (--smtp HOST:PORT) és a feladót "
                "(--from CÍM), vagy készítse el a levelet küldés nélkül (--prepare-only "
                "-o KERES.eml).",
                2,
            )
        password = None
        if password_env:
            password = os.environ.get(password_env)
            if password is None:
                raise fail(
                    f"{with_article(password_env, capital=True)} környezeti változó nincs "
                    "beállítva (SMTP-jelszó)."
                )
        target = SmtpTarget.parse(smtp, starttls=starttls, user=user, password=password)
    request = SubmitRequest(
        table=table,
        declaration=declaration,
        to=to or get_settings().ministry_address,
        sender=sender,
        organisation=org,
        save_eml=save_eml,
        prepare_only=output,
        force=force,
    )
    with claim_outputs(output, save_eml, force=force, inputs=(table, declaration)) as claim:
        try:
            result = submit_request(request, target, _register())
        except MailError as error:
            raise fail(f"A levél nem ment el: {error.message}", 1) from None
    announce_kept(claim)
    title = "Kérelem elkészült (nincs elküldve)" if result.prepared else "Kérelem elküldve"
    summary = Table(title=title, show_header=False)
    summary.add_column("", style="bold")
    summary.add_column("")
    summary.add_row(*cells("Tárgy", result.subject))
    summary.add_row(*cells("Címzett", request.to))
    summary.add_row(*cells("Szervezet", result.organisation))
    summary.add_row(*cells("KRID", result.krid or "—"))
    summary.add_row("Sorok", str(result.rows))
    summary.add_row("Figyelmeztetések", str(result.warnings))
    if result.errors:
        summary.add_row("Hibák (--force)", Text(str(result.errors), "red"))
    summary.add_row(*cells("Üzenet-azonosító", result.message_id))
    summary.add_row("Méret", f"{result.size:,} bájt".replace(",", " "))
    if result.prepared:
        summary.add_row("Levél", plain(result.prepared))
    if result.saved_eml:
        summary.add_row("Másolat", plain(result.saved_eml))
    for note in result.notes:
        err_console.print(Text.assemble(("Megjegyzés: ", "yellow"), plain(note)))
    console.print(summary)
    if result.prepared:
        console.print(
            "Nyissa meg a levelet az Outlookban (piszkozatként nyílik), és küldje el a "
            "szervezet postafiókjából."
        )
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
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="JELENTÉS.xlsx",
            parser=INPUT_FILE,
            help="A minisztérium jelentése (…-jelentes.xlsx), ha a válasz táblázatát külön adja meg.",
        ),
    ] = None,
    leftovers: Annotated[
        Path | None,
        typer.Option(
            "--leftovers",
            metavar="LISTA",
            parser=OUTPUT_FILE,
            help="A kód nélkül maradt sorok listája ide (.xlsx, .csv vagy .html).",
        ),
    ] = None,
    force: Force = False,
) -> None:
    """A válasz importja a nyilvántartásba: kódok, állapotok, előzmények; a maradék sorok teendőivel.

    Példa: kkod employer import valasz.eml
    Példa: kkod employer import valasz.xlsx --report valasz-jelentes.xlsx --leftovers maradek.xlsx
    """
    from kkod.employer.importer import import_reply
    from kkod.employer.lists import leftovers_report
    from kkod.outputs import claim_outputs
    from kkod.reports import check_format, write_report

    if leftovers is not None:
        check_format(leftovers)
    with claim_outputs(leftovers, force=force, inputs=(reply, report)) as claim:
        outcome = import_reply(_register(), reply, report=report)
        if leftovers is not None:
            source = outcome.reply.file_name
            summary = (f"Forrás: {source}", f"Kód nélkül maradt: {len(outcome.leftovers)}")
            write_report(leftovers, leftovers_report(outcome.leftovers, summary))
    announce_kept(claim)
    _print_import(outcome)
    _print_leftovers(outcome.leftovers)
    if leftovers is not None:
        console.print(Text.assemble("Maradék sorok listája: ", plain(leftovers)))


def _print_import(outcome) -> None:
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
    if not outcome.reply.report_found:
        console.print(
            Text.assemble(
                ("A válasz a minisztérium jelentése nélkül érkezett.", "yellow"),
                " Amit nem tudhattam: "
                f"a kód nélküli sorok okát ({counts['unknown']} sor), és hogy egy E oszlopbeli "
                "kódot a minisztérium adott-e ki. Adja meg a jelentést is: kkod employer import "
                "VÁLASZ.xlsx --report JELENTÉS.xlsx (vagy importálja a válaszlevelet, .eml).",
            )
        )
    if outcome.stored_unreported:
        console.print(
            f"{len(outcome.stored_unreported)} kódot a jelentés nélkül is eltároltam: ezek a "
            "sorok a nyilvántartás szerint üres E oszloppal mentek el a kérelemben."
        )
    if outcome.unconfirmed:
        rows = Table(
            title="Nem tárolt kódok: az E oszlopban állt, de nem a minisztérium adta ki "
            "(vagy nem igazolható)"
        )
        for header in ("Sorszám", "Belső azonosító", "Viselt név", "E oszlop"):
            rows.add_column(header, overflow="fold")
        for row in outcome.unconfirmed:
            rows.add_row(
                *cells(
                    row.sorszam, row.belso_azonosito, row.person.viselt_nev, row.unconfirmed_code
                )
            )
        console.print(rows)
    if outcome.unchanged and outcome.previously_imported_at is not None:
        when = moment(outcome.previously_imported_at)
        console.print(f"Ezt a választ már importálta ({when}): a nyilvántartás nem változott.")
    elif outcome.unchanged:
        console.print("A nyilvántartás már naprakész volt: nem változott semmi.")


def _print_leftovers(items) -> None:
    """Every leftover on one line each; the reason and the next step once per status (they
    are the same for every employee with that status)."""
    from kkod.employer.register import command_argument

    if not items:
        console.print(Text("Minden sor kapott kapcsolati kódot.", "green"))
        return
    table = Table(title=f"Kód nélkül maradt foglalkoztatottak ({len(items)})")
    for header in ("Sorszám", "Belső azonosító", "Viselt név", "Állapot"):
        table.add_column(header, overflow="fold")
    for item in items:
        table.add_row(*cells(item.sorszam, item.belso_azonosito, item.viselt_nev, item.status))
    console.print(table)
    legend = Table(title="Okok és teendők", show_lines=True)
    for header in ("Állapot", "Sorok", "Ok", "Teendő"):
        legend.add_column(header, overflow="fold")
    by_status: dict[str, list] = {}
    for item in items:
        by_status.setdefault(item.status, []).append(item)
    for status, group in by_status.items():
        first = group[0]
        step = first.next_step.replace(command_argument(first.belso_azonosito), "AZONOSÍTÓ")
        legend.add_row(*cells(status, len(group), first.reason, step))
    console.print(legend)


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
    force: Force = False,
) -> None:
    """A nyilvántartás kiadása más iratkezelő rendszereknek (CSV: UTF-8 BOM-mal, ';'; vagy JSON).

    Példa: kkod employer export --format csv -o nyilvantartas.csv
    """
    from kkod.atomic import atomic_write_bytes
    from kkod.employer.database import transaction
    from kkod.employer.export import export_records, render
    from kkod.outputs import claim_outputs

    with claim_outputs(output, force=force) as claim:
        with transaction(_register()) as session:
            records = export_records(session)
        data = render(records, fmt.value)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        atomic_write_bytes(output, data)
    announce_kept(claim)
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
            help="A lista ide is, a 4T adatokkal és teendőkkel (.xlsx, .csv vagy .html).",
        ),
    ] = None,
    force: Force = False,
) -> None:
    """A nyilvántartás: foglalkoztatottak, kódok, állapotok és teendők.

    Példa: kkod employer list --leftovers-only
    Példa: kkod employer list --status "nincs találat" --report maradek.xlsx
    """
    from kkod.employer.database import transaction
    from kkod.employer.lists import entry_of, register_report
    from kkod.employer.models import LEFTOVER_STATUSES, Status
    from kkod.employer.register import employees
    from kkod.outputs import claim_outputs
    from kkod.reports import check_format, write_report

    wanted: list[Status] = []
    for name in status or []:
        try:
            wanted.append(Status(name.strip().lower()))
        except ValueError:
            allowed = ", ".join(s.value for s in Status)
            raise fail(f"Ismeretlen állapot: „{name}” (lehet: {allowed}).", 2) from None
    if leftovers_only:
        wanted = [s for s in (wanted or LEFTOVER_STATUSES) if s in LEFTOVER_STATUSES]
    if report is not None:
        check_format(report)
    with claim_outputs(report, force=force) as claim:
        with transaction(_register()) as session:
            entries = [entry_of(e) for e in employees(session, wanted or None)]
        counts: dict[str, int] = {}
        for entry in entries:
            counts[entry.status] = counts.get(entry.status, 0) + 1
        tally = ", ".join(f"{name}: {n}" for name, n in sorted(counts.items()))
        if report is not None:
            write_report(report, register_report(entries, (tally,) if tally else ()))
    announce_kept(claim)
    table = Table(title=f"Nyilvántartás ({len(entries)} foglalkoztatott)")
    for header in ("Belső azonosító", "Viselt név", "Kapcsolati kód", "Állapot", "Ok", "Teendő"):
        table.add_column(header, overflow="fold")
    for e in entries:
        table.add_row(
            *cells(
                e.belso_azonosito, e.viselt_nev, e.kapcsolati_kod, e.status, e.reason, e.next_step
            )
        )
    console.print(table)
    console.print(tally or "A nyilvántartás üres.")
    if report is not None:
        console.print(Text.assemble("Lista: ", plain(report)))


@employer_app.command("edit")
@reports_errors
def edit_command(
    belso_azonosito: Annotated[
        str, typer.Argument(metavar="AZONOSÍTÓ", help="A foglalkoztatott belső azonosítója.")
    ],
    viselt_nev: ViseltNev = None,
    szuletesi_nev: SzuletesiNev = None,
    anyja_neve: AnyjaNeve = None,
    szuletesi_hely: SzuletesiHely = None,
    szuletesi_ido: SzuletesiIdo = None,
    kapcsolati_kod: Annotated[
        str | None,
        typer.Option(
            "--code",
            "--kapcsolati-kod",
            metavar="KÓD",
            help="A hivatali kapu webes felületén kézzel létrehozott kapcsolat kódja.",
        ),
    ] = None,
) -> None:
    """Egy foglalkoztatott 4T adatainak javítása (a 4T szabályok szerint) vagy kézzel kapott kódjának rögzítése.

    Példa: kkod employer edit HR-0042 --birth-place "Budapest 11" --mother-name "Szabó Mária"
    Példa: kkod employer edit HR-0043 --code 7K3M-9XQ2-HT5W-R8P1-Z
    """
    from kkod.employer.edit import edit_employee
    from kkod.employer.register import command_argument

    given = fourt_fields(viselt_nev, szuletesi_nev, anyja_neve, szuletesi_hely, szuletesi_ido)
    fields = {name: value for name, value in given.items() if value is not None}
    outcome = edit_employee(_register(), belso_azonosito, fields, code=kapcsolati_kod)
    who = plain(outcome.belso_azonosito)
    for finding in outcome.fixed:
        console.print(
            Text.assemble(("Javítva ", "green"), f"({finding.column}): ", plain(finding.message))
        )
    for finding in outcome.warnings:
        console.print(
            Text.assemble(("Figyelem ", "yellow"), f"({finding.column}): ", plain(finding.message))
        )
    if outcome.changed:
        console.print(
            Text.assemble(
                "Módosítva (",
                who,
                "): ",
                ", ".join(outcome.changed),
                " oszlop; az előzményekben rögzítve.",
            )
        )
    elif fields:
        console.print(Text.assemble("A megadott 4T adatok már így álltak (", who, ")."))
    for finding in outcome.remaining:
        console.print(
            Text.assemble(("Még hibás ", "red"), f"({finding.column}): ", plain(finding.message))
        )
    if outcome.code:
        console.print(
            Text.assemble("Kapcsolati kód rögzítve (", who, "): ", plain(outcome.code, "bold"))
        )
    elif outcome.changed:
        console.print(
            Text.assemble(
                "A kód lekérése a javított adatokkal: kkod employer connect ",
                plain(command_argument(outcome.belso_azonosito)),
            )
        )


@employer_app.command("status")
@reports_errors
def status_command(
    request: Annotated[
        str | None,
        typer.Argument(
            metavar="KÉRELEM",
            help="A kérelem hivatkozása (KK-2026-000123), vagy először a visszaigazoló levél "
            "állapot-hivatkozása (https://…/allapot/…) vagy maga a levél (.eml). Nélküle: "
            "minden kérelem, amelynek a hivatkozását a nyilvántartás ismeri.",
        ),
    ] = None,
) -> None:
    """Hol tart a kérelem a minisztériumnál: állapot, előzmények, elutasítás oka vagy összesítés.

    Először adja meg a visszaigazoló levél hivatkozását (vagy a levelet .eml-ként); a
    nyilvántartás megjegyzi, később elég a kérelem hivatkozása.

    Példa: kkod employer status https://kkod.bm.gov.hu/allapot/Xy…
    Példa: kkod employer status KK-2026-000123
    """
    from kkod.employer.status import ask

    if request is None:
        _status_of_every_request()
        return
    asked = ask(_register(), request)
    report = asked.report
    if asked.remembered:
        console.print(
            Text.assemble(
                "A hivatkozást a nyilvántartás megjegyezte; legközelebb elég ennyi: kkod "
                "employer status ",
                plain(report.reference),
            )
        )
    summary = Table(show_header=False, title=Text.assemble("Kérelem ", plain(report.reference)))
    summary.add_column("Mező", style="bold")
    summary.add_column("Érték", overflow="fold")
    summary.add_row("Állapot", plain(report.status, "bold"))
    summary.add_row("Jelentése", plain(report.meaning))
    summary.add_row("Beérkezett", moment(report.received_at))
    if report.reason:
        summary.add_row("Az elutasítás oka", plain(report.reason, keep_newlines=True))
    if report.counts is not None:
        counts = report.counts
        for label, value in (
            ("Sorok száma", counts.rows),
            ("Kapcsolati kód elkészült", counts.coded),
            ("Nincs találat", counts.no_match),
            ("Több találat", counts.multiple),
            ("Hibás sor", counts.invalid),
        ):
            summary.add_row(label, str(value))
    console.print(summary)
    history = Table(title="Előzmények")
    history.add_column("Időpont")
    history.add_column("Állapot", overflow="fold")
    for step in report.history:
        history.add_row(*cells(moment(step.at), step.status))
    console.print(history)


def _status_of_every_request() -> None:
    """Every request whose link the register keeps, asked in turn: one line each."""
    from kkod.employer.status import ask, remembered

    engine = _register()
    references = remembered(engine)
    if not references:
        console.print(
            "A nyilvántartás még egy kérelem állapot-hivatkozását sem ismeri: adja meg a "
            "visszaigazoló levélben kapottat (kkod employer status https://…/allapot/…)."
        )
        return
    table = Table(title="A kérelmek állapota")
    for header in ("Kérelem", "Állapot", "Beérkezett", "Kód / sor"):
        table.add_column(header, overflow="fold")
    from kkod.errors import KkodError

    for reference in references:
        try:
            report = ask(engine, reference).report
        except KkodError as error:  # this one's page: said in its row, the others still asked
            table.add_row(*cells(reference, error.message, "", ""))
            continue
        counts = report.counts
        done = f"{counts.coded} / {counts.rows}" if counts is not None else "–"
        table.add_row(*cells(report.reference, report.status, moment(report.received_at), done))
    console.print(table)
