"""``kkod ministry …``: the intake SMTP server, uploads, the worker, and the operator's request views."""

from __future__ import annotations

import logging
import signal
import threading
import unicodedata
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kkod.cli.common import console, err_console, fail, progress, reports_errors
from kkod.cli.groups import ministry_app

STATUS_HELP = "Állapot: beérkezett, elutasítva, feldolgozás alatt, kész (ékezet nélkül is)."


def _setup_logging() -> None:
    from kkod import logs

    logs.setup(console_level=logging.INFO)  # the servers tell the operator what they do


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("_", " ")


def _status(text: str | None):
    from kkod.ministry.models import RequestStatus

    if text is None:
        return None
    wanted = _fold(text)
    for status in RequestStatus:
        folded = _fold(str(status))
        if folded == wanted or (len(wanted) >= 3 and folded.startswith(wanted)):
            return status
    raise fail(f"Ismeretlen állapot: „{text}”. {STATUS_HELP}", 2)


def _open():
    from kkod.config import get_settings
    from kkod.ministry.store import RequestStore

    settings = get_settings()
    return settings, RequestStore.open(settings)


def _open_central(settings):
    from kkod.central.service import open_central

    return open_central(settings)


@ministry_app.command("smtpd")
@reports_errors
def smtpd(
    listen: str = typer.Option(
        "127.0.0.1:2525", "--listen", help="Cím és port (HOST:PORT), ahol a kérelmeket fogadja."
    ),
    with_worker: bool = typer.Option(
        False, "--with-worker", help="A feldolgozó is ebben a folyamatban fut (beágyazott üzemmód)."
    ),
    poll: float = typer.Option(
        5.0, "--poll", help="A feldolgozó ennyi másodpercenként nézi a sort."
    ),
    worker_id: str | None = typer.Option(
        None,
        "--worker-id",
        help="A beágyazott feldolgozó azonosítója (alapértelmezés: <gépnév>-smtpd).",
    ),
) -> None:
    """A minisztérium SMTP-fogadója: minden levelet tartósan eltárol, ellenőriz és kérelemként rögzít."""
    from kkod.mail.smtp import SmtpTarget
    from kkod.ministry.intake_server import IntakeService, spool_folder
    from kkod.pki.verify import load_trust_roots

    _setup_logging()
    settings, store = _open()
    load_trust_roots(settings.trust_roots)  # fail now, not at the first message
    central = _open_central(settings)
    target = SmtpTarget.parse(listen)
    service = IntakeService(store, central, settings)
    recovered = service.sweep()
    if recovered:
        err_console.print(
            f"Újraindítás: {recovered} korábban fogadott levél feldolgozva a levélsorból."
        )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    worker_thread = None
    if with_worker:
        from kkod.ministry.worker import default_worker_id

        embedded_id = worker_id or f"{default_worker_id()}-smtpd"
        worker = _worker(store, central, settings, embedded_id, spool_folder(settings))
        worker_thread = threading.Thread(target=worker.run_forever, args=(stop, poll), daemon=True)
        worker_thread.start()

    def started(controller) -> None:
        console.print(
            f"A kérelmek fogadása fut: {target.host}:{controller.port}"
            + (" (a feldolgozóval együtt)" if with_worker else "")
            + ". Leállítás: Ctrl+C."
        )

    try:
        service.serve(target.host, target.port, stop, on_started=started)
    finally:
        stop.set()
        if worker_thread is not None:
            worker_thread.join(timeout=60)
    console.print("A fogadó leállt.")


def _worker(store, central, settings, worker_id, spool_folder):
    from kkod.ministry.worker import Worker

    return Worker(store, central, settings, worker_id=worker_id, spool_folder=spool_folder)


@ministry_app.command("worker")
@reports_errors
def worker(
    once: bool = typer.Option(
        False, "--once", help="Feldolgozza a sorban állókat, elküldi a válaszokat, majd kilép."
    ),
    poll: float = typer.Option(5.0, "--poll", help="Ennyi másodpercenként nézi a sort, ha üres."),
    worker_id: str | None = typer.Option(
        None,
        "--worker-id",
        help="A feldolgozó azonosítója; gépenként egyedi legyen (alapértelmezés: a gép neve).",
    ),
    lease: float = typer.Option(
        300.0, "--lease", help="Ennyi másodpercig foglalja a kérelmet (menet közben megújítja)."
    ),
) -> None:
    """A feldolgozó: kérelmet vesz a sorból, legenerálja a kódokat, és válaszol a feladónak."""
    from datetime import timedelta

    from kkod.ministry.intake_server import spool_folder
    from kkod.ministry.worker import Worker

    _setup_logging()
    settings, store = _open()
    spool = spool_folder(settings)
    work = Worker(
        store,
        lambda: _open_central(settings),
        settings,
        worker_id=worker_id,
        lease=timedelta(seconds=lease),
        spool_folder=spool if spool.is_dir() else None,
    )
    if not once:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        console.print(f"A feldolgozó fut ({work.worker_id}). Leállítás: Ctrl+C.")
        work.run_forever(stop, poll)
        return
    with progress() as bar:
        tasks: dict[tuple[str, str], int] = {}

        def note(reference: str, stage: str, done: int, total: int) -> None:
            key = (reference, stage)
            if key not in tasks:
                tasks[key] = bar.add_task(f"{reference}: {stage}", total=total)
            bar.update(tasks[key], completed=done, total=total)

        work.progress = note
        summary = work.run_once()
    table = Table(title=f"Feldolgozó ({work.worker_id})")
    table.add_column("Eredmény")
    table.add_column("Darab", justify="right")
    table.add_row("Elkészült kérelem", str(len(summary.finished)))
    table.add_row("Feldolgozáskor elutasítva", str(len(summary.rejected)))
    table.add_row("Később újra (hiba)", str(len(summary.released)))
    table.add_row("Elküldött válasz", str(summary.sent))
    table.add_row("Sikertelen küldés", str(summary.send_failures))
    table.add_row("Megőrzési idő miatt törölve", str(summary.purged))
    console.print(table)
    pending = store.pending_replies()
    if pending:
        err_console.print(
            f"[yellow]{pending} válasz még nincs elküldve[/] (az SMTP-továbbító nem érhető el?); "
            "a következő futás újra megpróbálja."
        )


@ministry_app.command("upload")
@reports_errors
def upload(
    table: Annotated[Path, typer.Option("--table", help="A kitöltött táblázat (.xlsx).")],
    declaration: Annotated[
        Path, typer.Option("--declaration", help="Az aláírt munkáltatói nyilatkozat (PDF).")
    ],
    sender: Annotated[
        str, typer.Option("--from", help="A kérelmező e-mail-címe: a válasz ide megy.")
    ],
) -> None:
    """Más úton (pl. adathordozón) átadott kérelem rögzítése, ugyanazokkal az ellenőrzésekkel."""
    from kkod.ministry.intake import ingest_upload
    from kkod.ministry.models import RequestStatus

    settings, store = _open()
    result = ingest_upload(
        table, declaration, sender, store=store, central=_open_central(settings), settings=settings
    )
    request = result.request
    again = "" if result.created else " (ezt a kérelmet már korábban rögzítettük)"
    console.print(
        f"Kérelem: [bold]{request.reference}[/] – állapot: [bold]{request.status}[/]{again}"
    )
    if request.status == RequestStatus.ELUTASITVA:
        console.print(f"[red]Elutasítás oka:[/] {request.reason}")
        console.print("Az elutasító választ a feldolgozó küldi el a kérelmezőnek.")
        raise typer.Exit(1)


@ministry_app.command("requests")
@reports_errors
def requests(
    status: str | None = typer.Option(None, "--status", help=STATUS_HELP),
    limit: int = typer.Option(200, "--limit", help="Legfeljebb ennyi kérelem (a legújabbak)."),
) -> None:
    """A kérelmek listája (személyes adatok nélkül)."""
    wanted = _status(status)
    _, store = _open()
    rows = store.list(wanted, limit=limit)
    table = Table(title="Kérelmek")
    for header, justify in (
        ("Hivatkozás", "left"),
        ("Állapot", "left"),
        ("Beérkezett", "left"),
        ("Feladó", "left"),
        ("Szervezet", "left"),
        ("KRID", "left"),
        ("Sorok", "right"),
        ("Kód", "right"),
        ("Nincs", "right"),
        ("Több", "right"),
        ("Hibás", "right"),
    ):
        table.add_column(header, justify=justify)
    for r in rows:
        table.add_row(
            r.reference,
            _status_label(r.status),
            r.received_at.astimezone().strftime("%Y.%m.%d %H:%M"),
            r.sender,
            r.organisation or "–",
            r.krid or "–",
            *(
                str(v) if v is not None else "–"
                for v in (r.rows, r.coded, r.no_match, r.multiple, r.invalid)
            ),
        )
    console.print(table)
    console.print(f"{len(rows)} kérelem" + (f" ({wanted} állapotban)" if wanted else "") + ".")


def _status_label(status: str) -> str:
    colour = {"kész": "green", "elutasítva": "red", "feldolgozás alatt": "yellow"}.get(
        status, "cyan"
    )
    return f"[{colour}]{status}[/]"


@ministry_app.command("show")
@reports_errors
def show(
    ident: str = typer.Argument(..., help="A kérelem hivatkozása (pl. KK-2026-000123) vagy száma."),
) -> None:
    """Egy kérelem részletei, a válasz állapota és a teljes naplója."""
    _, store = _open()
    request = store.get(ident)
    if request is None:
        raise fail(f"Nincs ilyen kérelem: {ident}.", 2)
    details = Table(show_header=False, title=f"Kérelem {request.reference}")
    details.add_column("Mező", style="bold")
    details.add_column("Érték")
    fields = [
        ("Állapot", _status_label(request.status)),
        ("Elutasítás oka", request.reason),
        ("Csatorna", request.channel),
        ("Feladó (a válasz címzettje)", request.sender),
        ("Tárgy", request.subject),
        ("Szervezet", request.organisation),
        ("Hivatali kapu", f"{request.short_name} (KRID: {request.krid})" if request.krid else None),
        ("Táblázat", request.table_filename),
        ("Táblázat SHA-256", request.table_sha256),
        ("Nyilatkozat", request.declaration_filename),
        ("Sorok / kód / nincs / több / hibás", _counts(request)),
        ("Beérkezett", _when(request.received_at)),
        ("Feldolgozás kezdete", _when(request.started_at)),
        ("Elkészült", _when(request.finished_at)),
        ("Feldolgozó / kísérletek", f"{request.claimed_by or '–'} / {request.attempts}"),
        ("Táblázat törölve", _when(request.purged_at)),
    ]
    events = store.audit_of(request.id)
    failure = _last_failure(request, events)
    if failure:  # the cell is read as markup: a path's "[" must stay text
        fields.insert(1, ("Legutóbbi hiba", escape(failure)))
    reply = store.reply_of(request.id)
    if reply is not None:
        state = "elküldve " + _when(reply.sent_at) if reply.status == "sent" else "küldésre vár"
        fields.append(("Válasz", f"{state} → {reply.recipient} ({reply.attempts}. kísérlet)"))
        if reply.last_error and reply.status != "sent":
            fields.append(("Utolsó küldési hiba", reply.last_error))
    for name, value in fields:
        if value:
            details.add_row(name, str(value))
    console.print(details)
    audit = Table(title="Napló")
    for header in ("Időpont", "Ki", "Mit", "Részletek"):
        audit.add_column(header)
    for event in events:
        audit.add_row(_when(event.at), event.actor, event.action, event.detail or "")
    console.print(audit)


def _last_failure(request, events) -> str | None:
    """Why a request is not done yet: why its last try failed (a full disk, the database
    down), if one did."""
    if request.status in ("kész", "elutasítva"):
        return None
    failed = ("visszaadva a sorba", "feldolgozás sikertelen")
    return next((e.detail for e in reversed(events) if e.action in failed), None)


def _counts(request) -> str | None:
    if request.coded is None:
        return str(request.rows) if request.rows is not None else None
    return f"{request.rows} / {request.coded} / {request.no_match} / {request.multiple} / {request.invalid}"


def _when(value) -> str:
    return value.astimezone().strftime("%Y.%m.%d %H:%M:%S") if value else ""
