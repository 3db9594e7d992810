"""``kkod ministry …``: the intake SMTP server, uploads, the worker, and the operator's request views."""

from __future__ import annotations

import logging
import signal
import threading
import unicodedata
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from kkod.cli.common import cells, console, err_console, fail, plain, progress, reports_errors
from kkod.cli.frame import KkodTyper
from kkod.cli.groups import ministry_app
from kkod.cli.options import DeclarationOption, PollOption, TableOption
from kkod.cli.values import HOST_PORT, SERVER_ADDRESS, Decimal, WholeNumber, grouped
from kkod.hungarian import moment
from kkod.ministry import words

STATUS_HELP = (
    "Állapot: beérkezett, elutasítva, feldolgozás alatt, kész, áttekintésre vár, "
    "aláírás ellenőrzésre vár (ékezet nélkül is)."
)


def _setup_logging() -> None:
    from kkod import logs

    logs.setup(console_level=logging.INFO)  # the servers tell the operator what they do
    if not logs.debug_enabled():
        # Libraries' own progress lines (migrations, SMTP sessions) are English chatter.
        # aiosmtpd's logger gets a filter: kkod.mail.server sets its level when imported.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("mail.log").addFilter(lambda record: record.levelno >= logging.WARNING)


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
        "127.0.0.1:2525",
        "--listen",
        metavar="GÉP:PORT",
        parser=HOST_PORT,
        help="Cím és port, ahol a kérelmeket fogadja.",
    ),
    with_worker: bool = typer.Option(
        False, "--with-worker", help="A feldolgozó is ebben a folyamatban fut (beágyazott üzemmód)."
    ),
    poll: PollOption = 5.0,
    worker_id: str | None = typer.Option(
        None,
        "--worker-id",
        metavar="AZONOSÍTÓ",
        help="A beágyazott feldolgozó azonosítója (alapértelmezés: GÉPNÉV-smtpd).",
    ),
) -> None:
    """A minisztérium SMTP-fogadója: minden levelet tartósan eltárol, ellenőriz és kérelemként rögzít.

    Példa: kkod ministry smtpd --listen 0.0.0.0:2525 --with-worker
    """
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
            Text.assemble(
                "A kérelmek fogadása fut: ",
                plain(f"{target.host}:{controller.port}"),
                " (a feldolgozóval együtt)" if with_worker else "",
                ". Leállítás: Ctrl+C.",
            )
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
    poll: PollOption = 5.0,
    worker_id: str | None = typer.Option(
        None,
        "--worker-id",
        metavar="AZONOSÍTÓ",
        help="A feldolgozó azonosítója; gépenként egyedi legyen (alapértelmezés: a gép neve).",
    ),
    lease: float = typer.Option(
        300.0,
        "--lease",
        metavar="MÁSODPERC",
        parser=Decimal(1, 86_400),
        help="Ennyi másodpercig foglalja a kérelmet (menet közben megújítja).",
    ),
) -> None:
    """A feldolgozó: kérelmet vesz a sorból, legenerálja a kódokat, és válaszol a feladónak.

    Példa: kkod ministry worker --once
    Példa: kkod ministry worker --worker-id gep-1 --poll 2
    """
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
        console.print(
            Text.assemble("A feldolgozó fut (", plain(work.worker_id), "). Leállítás: Ctrl+C.")
        )
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
    table = Table(title=Text.assemble("Feldolgozó (", plain(work.worker_id), ")"))
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
            Text.assemble(
                (f"{pending} válasz még nincs elküldve", "yellow"),
                " (az SMTP-továbbító nem érhető el?); a következő futás újra megpróbálja.",
            )
        )


@ministry_app.command("serve")
@reports_errors
def serve(
    listen: Annotated[
        str,
        typer.Option(
            "--listen",
            metavar="GÉP:PORT",
            parser=SERVER_ADDRESS,
            help="Cím és port, ahol a konzolt és az állapotoldalt kiszolgálja.",
        ),
    ] = "127.0.0.1:8001",
) -> None:
    """A minisztérium webes felülete: a kezelők konzolja és a munkáltatók állapotoldala.

    A konzolra a kezelők jelszóval és hitelesítő kóddal lépnek be (kkod ministry operator
    add). A visszaigazoló levelek hivatkozása a KKOD_STATUS_BASE_URL címmel kezdődik: ez
    legyen az, amelyen ez a szerver kívülről elérhető.

    Példa: kkod ministry serve --listen 127.0.0.1:8001
    """
    from kkod.cli.values import host_and_port
    from kkod.web.shared.serving import serve as serve_app

    settings, store = _open()  # migrate once, before the server starts
    store.engine.dispose()
    host, port = host_and_port(listen)
    console.print(
        Text.assemble(
            "A minisztériumi konzol itt érhető el: ",
            plain(f"http://{listen}/kerelmek"),
            "; az állapotoldalak címe: ",
            plain(settings.status_base_url.rstrip("/") + "/allapot/…"),
        )
    )
    serve_app("kkod.web.ministry.app:create_served_app", host=host, port=port)


@ministry_app.command("upload")
@reports_errors
def upload(
    table: TableOption,
    declaration: DeclarationOption,
    sender: Annotated[
        str,
        typer.Option(
            "--from", metavar="E-MAIL-CÍM", help="A kérelmező e-mail-címe: a válasz ide megy."
        ),
    ],
) -> None:
    """Más úton (pl. adathordozón) átadott kérelem rögzítése, ugyanazokkal az ellenőrzésekkel.

    Példa: kkod ministry upload --table tablazat.xlsx --declaration nyilatkozat.pdf --from hr@pelda.gov.hu
    """
    from kkod.ministry.intake import ingest_upload
    from kkod.ministry.models import RequestStatus

    settings, store = _open()
    result = ingest_upload(
        table, declaration, sender, store=store, central=_open_central(settings), settings=settings
    )
    request = result.request
    again = "" if result.created else " (ezt a kérelmet már korábban rögzítettük)"
    console.print(
        Text.assemble(
            "Kérelem: ",
            plain(request.reference, "bold"),
            " – állapot: ",
            plain(request.status, "bold"),
            again,
        )
    )
    if request.status == RequestStatus.ELUTASITVA:
        console.print(
            Text.assemble(
                ("Elutasítás oka:", "red"), " ", plain(request.reason, keep_newlines=True)
            )
        )
        console.print("Az elutasító választ a feldolgozó küldi el a kérelmezőnek.")
        raise typer.Exit(1)
    if request.status in (RequestStatus.ALAIRAS_ELLENORZESRE_VAR, RequestStatus.ATTEKINTESRE_VAR):
        console.print(Text.assemble("A kezelő döntésére vár: ", plain(request.reason)))


@ministry_app.command("requests")
@reports_errors
def requests(
    status: str | None = typer.Option(None, "--status", metavar="ÁLLAPOT", help=STATUS_HELP),
    limit: int = typer.Option(
        200,
        "--limit",
        metavar="SZÁM",
        parser=WholeNumber(1),
        help="Legfeljebb ennyi kérelem (a legújabbak).",
    ),
) -> None:
    """A kérelmek listája (személyes adatok nélkül).

    Példa: kkod ministry requests
    Példa: kkod ministry requests --status elutasítva --limit 20
    """
    wanted = _status(status)
    _, store = _open()
    rows = store.list(wanted, limit=limit)
    # Readable at 80 columns: the reference never wraps; the date over the time, the
    # organisation over the sender share a cell each; per row the rows and the codes (the
    # reasons for the rest are in "kkod ministry show").
    table = Table(title="Kérelmek", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("Hivatkozás", no_wrap=True)
    table.add_column("Állapot", min_width=11)
    table.add_column("Beérkezett", no_wrap=True)
    table.add_column("Szervezet (KRID), feladó", overflow="fold", ratio=1)
    table.add_column("Sor", justify="right")
    table.add_column("Kód", justify="right")
    for r in rows:
        date, _, time = moment(r.received_at).partition(" ")
        organisation = Text.assemble(
            plain(r.organisation or "–"), f" ({r.krid})" if r.krid else "", "\n", plain(r.sender)
        )
        table.add_row(
            plain(r.reference),
            _status_label(r.status),
            Text(f"{date}\n{time}"),
            organisation,
            *("–" if v is None else grouped(v) for v in (r.rows, r.coded)),
        )
    console.print(table)
    console.print(f"{len(rows)} kérelem" + (f" ({wanted} állapotban)" if wanted else "") + ".")


def _status_label(status: str) -> Text:
    colour = {
        "kész": "green",
        "elutasítva": "red",
        "feldolgozás alatt": "yellow",
        "áttekintésre vár": "magenta",
        "aláírás ellenőrzésre vár": "magenta",
    }.get(status, "cyan")
    return plain(status, colour)


@ministry_app.command("show")
@reports_errors
def show(
    ident: str = typer.Argument(
        ...,
        metavar="HIVATKOZÁS",
        help="A kérelem hivatkozása (pl. KK-2026-000123) vagy száma.",
    ),
) -> None:
    """Egy kérelem részletei, a válasz állapota és a teljes naplója.

    Példa: kkod ministry show KK-2026-000123
    """
    _, store = _open()
    request = store.get(ident)
    if request is None:
        raise fail(f"Nincs ilyen kérelem: {ident}.", 2)
    details = Table(show_header=False, title=Text.assemble("Kérelem ", plain(request.reference)))
    details.add_column("Mező", style="bold")
    details.add_column("Érték", overflow="fold")
    fields = [
        ("Állapot", _status_label(request.status)),
        (
            _reason_label(request.status),
            plain(request.reason, keep_newlines=True) if request.reason else None,
        ),
        ("Megjegyzés a kezelőnek", request.operator_note),
        ("Csatorna", words.channel(request.channel)),
        ("Aláírás", request.signature_kind),
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
        (
            "Feldolgozó / kísérletek",
            f"{words.actor(request.claimed_by) or '–'} / {request.attempts}",
        ),
        ("Táblázat törölve", _when(request.purged_at)),
    ]
    events = store.audit_of(request.id)
    failure = _last_failure(request, events)
    if failure:
        fields.insert(1, ("Legutóbbi hiba", failure))
    from kkod.ministry.models import ReplyKind

    for label, kind in (("Visszaigazolás", ReplyKind.ACKNOWLEDGEMENT), ("Válasz", None)):
        reply = store.reply_of(request.id, kind)
        if reply is not None:
            sent = reply.status == "sent"
            state = f"elküldve {_when(reply.sent_at)}" if sent else "küldésre vár"
            fields.append((label, f"{state} → {reply.recipient} ({reply.attempts}. kísérlet)"))
            if reply.last_error and not sent:
                fields.append(("Utolsó küldési hiba", reply.last_error))
    for name, value in fields:
        if value:
            details.add_row(name, value if isinstance(value, Text) else plain(value))
    console.print(details)
    audit = Table(title="Napló")
    for header in ("Időpont", "Ki", "Mit", "Részletek"):
        audit.add_column(header, overflow="fold")
    for event in events:
        audit.add_row(
            *cells(
                _when(event.at),
                words.actor(event.actor),
                words.readable(event.action),
                words.readable(event.detail),
            )
        )
    console.print(audit)


def _last_failure(request, events) -> str | None:
    """Why a request is not done yet: why its last try failed (a full disk, the database
    down), if one did."""
    if request.status in ("kész", "elutasítva"):
        return None
    failed = ("visszaadva a sorba", "feldolgozás sikertelen")
    return next((e.detail for e in reversed(events) if e.action in failed), None)


def _reason_label(status: str) -> str:
    return "Elutasítás oka" if status == "elutasítva" else "Ok"


@ministry_app.command("approve")
@reports_errors
def approve(
    ident: str = typer.Argument(
        ..., metavar="HIVATKOZÁS", help="Az aláírás ellenőrzésére váró kérelem hivatkozása."
    ),
    krid: str | None = typer.Option(
        None, "--krid", metavar="KRID", help="Szkennelt nyilatkozatnál: a rajta álló KRID."
    ),
    rows: int | None = typer.Option(
        None,
        "--rows",
        metavar="SZÁM",
        parser=WholeNumber(0),
        help="Szkennelt nyilatkozatnál: a rajta álló adatsorszám.",
    ),
    sha256: str | None = typer.Option(
        None,
        "--sha256",
        metavar="ELLENŐRZŐÖSSZEG",
        help="Szkennelt nyilatkozatnál: a rajta álló SHA-256 (legalább az első 8 jegye).",
    ),
) -> None:
    """Kézzel aláírt nyilatkozat jóváhagyása: a kérelem ezután kerül feldolgozásra.

    Példa: kkod ministry approve KK-2026-000123
    Példa: kkod ministry approve KK-2026-000124 --krid 612345 --rows 120 --sha256 3f2a9c1e
    """
    from kkod.ministry.intake import approve_signature

    settings, store = _open()
    request = approve_signature(
        ident, store=store, central=_open_central(settings), krid=krid, rows=rows, sha256=sha256
    )
    console.print(
        Text.assemble("Jóváhagyva, a kérelem feldolgozásra vár: ", plain(request.reference))
    )
    console.print(
        Text.assemble("Szervezet: ", plain(request.organisation), " – KRID: ", plain(request.krid))
    )


@ministry_app.command("reject")
@reports_errors
def reject(
    ident: str = typer.Argument(
        ..., metavar="HIVATKOZÁS", help="A kezelőre váró kérelem hivatkozása."
    ),
    reason: str = typer.Option(
        ...,
        "--reason",
        metavar="INDOKLÁS",
        help="Az elutasítás oka magyarul: a feladó ezt olvassa a válaszban.",
    ),
    reply: bool | None = typer.Option(
        None,
        "--reply/--no-reply",
        help="Menjen-e válasz a feladónak (alapértelmezés: aláírás-ellenőrzésnél igen, "
        "áttekintésre váró levélnél nem).",
    ),
) -> None:
    """Kézzel aláírt nyilatkozatú vagy áttekintésre váró kérelem elutasítása (naplózva).

    Példa: kkod ministry reject KK-2026-000123 --reason "A nyilatkozatot nem a szervezet vezetője írta alá."
    """
    from kkod.ministry.intake import reject_held_request

    settings, store = _open()
    request, answered = reject_held_request(
        ident, reason, store=store, settings=settings, reply=reply
    )
    console.print(Text.assemble("Elutasítva: ", plain(request.reference)))
    console.print(
        "Az elutasító választ a feldolgozó küldi el a feladónak."
        if answered
        else "Válasz nem megy a feladónak."
    )


@ministry_app.command("resend")
@reports_errors
def resend(
    ident: str = typer.Argument(..., metavar="HIVATKOZÁS", help="A kérelem hivatkozása."),
) -> None:
    """A kérelem válaszának (kódok vagy elutasítás) újraküldése, ugyanazzal az üzenetazonosítóval (naplózva).

    Példa: kkod ministry resend KK-2026-000123
    """
    from kkod.ministry.console import resend_reply
    from kkod.ministry.intake import operator_actor

    _, store = _open()
    reply = resend_reply(store, ident, operator_actor())
    console.print(
        Text.assemble(
            "A választ a feldolgozó újra elküldi ide: ",
            plain(reply.recipient),
            " (",
            plain(reply.message_id),
            ").",
        )
    )


def _counts(request) -> str | None:
    if request.coded is None:
        return str(request.rows) if request.rows is not None else None
    return f"{request.rows} / {request.coded} / {request.no_match} / {request.multiple} / {request.invalid}"


def _when(value) -> str:
    return moment(value, seconds=True)


operator_app = KkodTyper(
    help="A minisztériumi konzol kezelői: létrehozás (jelszó és hitelesítő alkalmazás), lista.",
    no_args_is_help=True,
)
ministry_app.add_typer(operator_app, name="operator")


def _operator_logins():
    from kkod.ministry.operators import operator_logins

    settings, store = _open()
    return operator_logins(store.engine, settings)


@operator_app.command("add")
@reports_errors
def operator_add(
    name: Annotated[
        str,
        typer.Option("--name", metavar="NÉV", help="A felhasználónév, amellyel bejelentkezik."),
    ],
    full_name: Annotated[
        str | None,
        typer.Option("--full-name", metavar="NÉV", help="A kezelő teljes neve a fejlécben."),
    ] = None,
) -> None:
    """Új kezelő a minisztériumi konzolra: jelszó és a hitelesítő alkalmazás QR-kódja.

    A jelszó és a QR-kód csak most jelenik meg. A kezelő a QR-kódot a hitelesítő
    alkalmazásával (pl. FreeOTP, Microsoft Authenticator) olvassa be.

    Példa: kkod ministry operator add --name nagy.peter --full-name "Nagy Péter"
    """
    from kkod.cli.logins import check_username, show_new_login
    from kkod.ministry.operators import REALM

    check_username(name, "nagy.peter")
    new = _operator_logins().add_user(REALM, name, full_name or name, actor="cli")
    console.print(Text.assemble(("Új kezelő", "green"), ": ", plain(new.user.username)))
    show_new_login(new)


@operator_app.command("list")
@reports_errors
def operator_list() -> None:
    """A konzol kezelői: név, létrehozás, utolsó bejelentkezés, zárolás.

    Példa: kkod ministry operator list
    """
    users = _operator_logins().users()
    if not users:
        console.print("Nincs még kezelő: kkod ministry operator add --name …")
        return
    table = Table(title="A konzol kezelői")
    for header in ("Felhasználónév", "Név", "Létrehozva", "Utolsó bejelentkezés", "Zárolva eddig"):
        table.add_column(header, overflow="fold")
    for user in users:
        table.add_row(
            *cells(
                user.username,
                user.display_name,
                _when(user.created_at),
                _when(user.last_login_at),
                _when(user.locked_until),
            )
        )
    console.print(table)
