"""``kkod central``: seed the registry, make sample tables, manage offices, connect one person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
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
from kkod.cli.fourt_options import (
    AnyjaNeve,
    SzuletesiHely,
    SzuletesiIdo,
    SzuletesiNev,
    ViseltNev,
)
from kkod.cli.frame import KkodTyper
from kkod.cli.groups import central_app
from kkod.cli.values import (
    INPUT_FILE,
    OUTPUT_FILE,
    SERVER_ADDRESS,
    Decimal,
    WholeNumber,
    host_and_port,
)
from kkod.hungarian import moment, with_article

office_app = KkodTyper(help="Hivatali kapuk (KRID, rövid név, szervezet) kezelése.")
central_app.add_typer(office_app, name="office")


def _engine():
    from kkod.db import open_part

    return open_part("central")


@central_app.command("seed")
@reports_errors
def seed(
    people: Annotated[
        int,
        typer.Option(
            "--people",
            metavar="SZÁM",
            parser=WholeNumber(1),
            help="Ennyi szintetikus személy kerül a nyilvántartásba.",
        ),
    ],
    seed_value: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="SZÁM",
            parser=WholeNumber(),
            help="A véletlengenerátor magja (ugyanaz a mag → ugyanaz a nyilvántartás).",
        ),
    ] = None,
) -> None:
    """Valószerű szintetikus nyilvántartás: személyek 4T adatokkal és Ügyfélkapu-fiókokkal.

    Példa: kkod central seed --people 200000 --seed 1
    """
    from kkod.central.synthetic import seed_registry

    engine = _engine()
    with progress() as bar:
        task = bar.add_task("Nyilvántartás feltöltése", total=people)
        result = seed_registry(
            engine,
            people,
            seed=seed_value,
            progress=lambda done, _total: bar.update(task, completed=done),
        )
    console.print(
        Text.assemble(
            ("Kész:", "green"),
            f" {_n(result.people)} személy, {_n(result.accounts)} fiók, "
            f"{result.twins} azonos 4T-jű pár; {f'{result.seconds:.1f}'.replace('.', ',')} s ",
            f"({_n(round(result.people_per_second))} személy/s).",
        )
    )


# The expected results of a sample table, as the officer reads them.
RESULT_WORDS = {
    "KOD": "kód",
    "NINCS_TALALAT": "nincs találat",
    "TOBB_TALALAT": "több találat",
    "HIBAS_SOR": "hibás sor",
}


def _n(value: int) -> str:
    """A number with Hungarian thousands separators (space)."""
    return f"{value:,}".replace(",", "\u00a0")


@central_app.command("sample-table")
@reports_errors
def sample_table(
    krid: Annotated[
        str,
        typer.Option(
            "--krid",
            metavar="KRID",
            help="A hivatali kapu KRID-je, amelynek a táblázat készül.",
        ),
    ],
    rows: Annotated[
        int,
        typer.Option(
            "--rows",
            metavar="SZÁM",
            parser=WholeNumber(1, 1_048_575),
            help="A táblázat sorainak száma.",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="TÁBLA.xlsx",
            parser=OUTPUT_FILE,
            help="A készülő táblázat (.xlsx).",
        ),
    ],
    error_rate: Annotated[
        float,
        typer.Option(
            "--error-rate",
            metavar="ARÁNY",
            parser=Decimal(0, 1),
            help="A hibás sorok aránya 0 és 1 között, pl. 0,05.",
        ),
    ] = 0.05,
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            metavar="IGAZSÁG.csv",
            parser=OUTPUT_FILE,
            help="Igazságfájl (CSV): soronként a személy, a várt eredmény és a hiba.",
        ),
    ] = None,
    declarations: Annotated[
        Path | None,
        typer.Option(
            "--declarations",
            metavar="NYILATKOZATOK.csv",
            parser=OUTPUT_FILE,
            help="A dolgozók saját nyilatkozatai (CSV) a helyes 4T adatokkal, a kkod validate --declarations számára.",
        ),
    ] = None,
    seed_value: Annotated[
        int | None,
        typer.Option(
            "--seed", metavar="SZÁM", parser=WholeNumber(), help="A véletlengenerátor magja."
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Minta „Kapcsolati kód adattáblázat” a nyilvántartás személyeiből, valós hibákkal.

    Példa: kkod central sample-table --krid 612345 --rows 2000 --error-rate 0,05 -o tablazat.xlsx --truth igazsag.csv
    """
    from kkod.central.sample_table import write_sample_table
    from kkod.outputs import claim_outputs

    with claim_outputs(output, truth, declarations, force=force) as claim, progress() as bar:
        engine = _engine()
        task = bar.add_task("Mintatáblázat készítése", total=None)
        result = write_sample_table(
            engine,
            output,
            krid=krid,
            rows=rows,
            error_rate=error_rate,
            truth=truth,
            declarations=declarations,
            seed=seed_value,
        )
        bar.update(task, total=1, completed=1)
    announce_kept(claim)
    console.print(
        Text.assemble(("Kész:", "green"), " ", plain(result.path), f" ({result.rows} sor)")
    )
    if result.mistakes:
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(result.mistakes.items()))
        console.print(plain(f"Beillesztett hibák: {kinds}"))
    expected = ", ".join(
        f"{RESULT_WORDS.get(r, r.value)}: {n}" for r, n in sorted(result.expected.items())
    )
    console.print(plain(f"Várt eredmény hibátlan táblánál: {expected}"))
    if result.truth:
        console.print(Text.assemble("Igazságfájl: ", plain(result.truth)))
    if declarations:
        console.print(Text.assemble("Dolgozói nyilatkozatok: ", plain(declarations)))


@office_app.command("add")
@reports_errors
def office_add(
    krid: Annotated[
        str,
        typer.Option("--krid", metavar="KRID", help="A hivatali kapu KRID-je (számjegyek)."),
    ],
    short_name: Annotated[
        str,
        typer.Option("--short-name", metavar="RÖVID-NÉV", help="A hivatali kapu rövid neve."),
    ],
    name: Annotated[
        str,
        typer.Option("--org", "--name", metavar="SZERVEZET", help="A szervezet teljes neve."),
    ],
    email_domain: Annotated[
        list[str] | None,
        typer.Option(
            "--email-domain",
            metavar="TARTOMÁNY",
            help="A szervezet e-mail-tartománya (többször is megadható).",
        ),
    ] = None,
    organisation_id: Annotated[
        str | None,
        typer.Option(
            "--org-id",
            "--organisation-id",
            metavar="AZONOSÍTÓ",
            help="A szervezet azonosítója az aláíró tanúsítványokban, pl. VATHU-15714514.",
        ),
    ] = None,
) -> None:
    """Hivatali kapu felvétele a központi nyilvántartásba.

    Példa: kkod central office add --krid 612345 --short-name PMHIV --org "Példa Megyei Hivatal" --email-domain pelda.gov.hu --org-id VATHU-15714514
    """
    from kkod.central.interface import OfficeInfo
    from kkod.central.registry import add_office

    office = add_office(
        _engine(), OfficeInfo(krid, short_name, name, tuple(email_domain or ()), organisation_id)
    )
    console.print(
        Text.assemble(
            ("Felvéve:", "green"),
            " ",
            plain(f"{office.short_name} (KRID {office.krid}) – {office.name}"),
        )
    )


@office_app.command("list")
@reports_errors
def office_list(
    as_json: Annotated[bool, typer.Option("--json", help="A lista JSON-ként.")] = False,
) -> None:
    """A nyilvántartott hivatali kapuk.

    Példa: kkod central office list
    """
    from rich.table import Table

    from kkod.central.registry import list_offices

    offices = list_offices(_engine())
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "krid": o.krid,
                        "short_name": o.short_name,
                        "name": o.name,
                        "email_domains": list(o.email_domains),
                        "organisation_id": o.organisation_id,
                    }
                    for o in offices
                ],
                ensure_ascii=False,
            )
        )
        return
    table = Table(title="Hivatali kapuk")
    for header in ("KRID", "Rövid név", "Név", "E-mail-tartományok", "Szervezet azonosítója"):
        table.add_column(header, overflow="fold")
    for o in offices:
        table.add_row(
            *cells(
                o.krid, o.short_name, o.name, ", ".join(o.email_domains), o.organisation_id or ""
            )
        )
    console.print(table)
    if not offices:
        console.print("Nincs még hivatali kapu: kkod central office add …")


@central_app.command("connect")
@reports_errors
def connect(
    krid: Annotated[str, typer.Option("--krid", metavar="KRID", help="A hivatali kapu KRID-je.")],
    viselt_nev: ViseltNev = None,
    szuletesi_nev: SzuletesiNev = None,
    anyja_neve: AnyjaNeve = None,
    szuletesi_hely: SzuletesiHely = None,
    szuletesi_ido: SzuletesiIdo = None,
    as_json: Annotated[bool, typer.Option("--json", help="Az eredmény JSON-ként.")] = False,
) -> None:
    """Egy személy kapcsolása: kapcsolati kód vagy az ok, amiért nincs (közeli találatot nem mutat).

    A hiányzó 4T adatokat a parancs bekéri.

    Példa: kkod central connect --krid 612345
    Példa: kkod central connect --krid 612345 --current-name "Kiss Anna" --birth-name "Nagy Anna" --mother-name "Szabó Mária" --birth-place "Budapest 11" --birth-date 1985.03.12
    """
    from kkod.central.interface import EXPLANATION, NEXT_STEP, MatchResult, UnknownOffice, Via
    from kkod.central.service import open_central
    from kkod.fourt.canonical import canonical
    from kkod.fourt.model import Person4T

    central = open_central()
    if central.office(krid) is None:
        raise UnknownOffice(krid)
    person = Person4T(
        viselt_nev if viselt_nev is not None else typer.prompt("Viselt név"),
        szuletesi_nev if szuletesi_nev is not None else typer.prompt("Születési név"),
        anyja_neve if anyja_neve is not None else typer.prompt("Anyja születési neve"),
        szuletesi_hely if szuletesi_hely is not None else typer.prompt("Születési hely"),
        szuletesi_ido if szuletesi_ido is not None else typer.prompt("Születési idő (éééé.hh.nn)"),
    )
    form = canonical(person)
    outcome = central.connect_one(
        krid, form.match_key() if form else None, via=Via.MANUAL, actor="cli"
    )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "result": outcome.result.value,
                    "code": outcome.code,
                    "explanation": EXPLANATION[outcome.result],
                },
                ensure_ascii=False,
            )
        )
    elif outcome.result is MatchResult.KOD:
        console.print(Text.assemble("Kapcsolati kód: ", plain(outcome.code, "bold green")))
    else:
        console.print(Text(EXPLANATION[outcome.result], "yellow"))
        console.print(f"Teendő: {NEXT_STEP[outcome.result]}")
    if outcome.result is not MatchResult.KOD:
        raise typer.Exit(1)


key_app = KkodTyper(
    help="A központi API kulcsai: hivatali kapuké és a minisztériumé (létrehozás, lista, visszavonás).",
    no_args_is_help=True,
)
office_app.add_typer(key_app, name="key")


def _api_key_secret():
    from kkod.central.secret import load_api_key_secret
    from kkod.config import get_settings

    return load_api_key_secret(get_settings())


@key_app.command("create")
@reports_errors
def key_create(
    krid: Annotated[
        str | None,
        typer.Option("--krid", metavar="KRID", help="A hivatali kapu KRID-je, amelyé a kulcs."),
    ] = None,
    name: Annotated[
        str,
        typer.Option("--name", metavar="NÉV", help="A kulcs neve a listákban, pl. a DMS neve."),
    ] = "",
    ministry: Annotated[
        bool,
        typer.Option(
            "--ministry",
            help="A minisztérium feldolgozójának kulcsa (tömeges egyeztetés minden hivatali "
            "kapunál); --krid nélkül.",
        ),
    ] = False,
) -> None:
    """Új API-kulcs: csak most jelenik meg, a rendszer csak a lenyomatát tárolja.

    Példa: kkod central office key create --krid 500100 --name "Iktató DMS"
    Példa: kkod central office key create --ministry --name "BM feldolgozó"
    """
    from kkod.central.apikeys import KeyKind, create_key

    if ministry == (krid is not None):
        raise fail(
            "Adja meg vagy a --krid, vagy a --ministry kapcsolót (a kettő közül pontosan egyet).", 2
        )
    issued = create_key(
        _engine(),
        _api_key_secret(),
        kind=KeyKind.MINISTRY if ministry else KeyKind.OFFICE,
        krid=krid,
        name=name,
        actor="cli",
    )
    whose = (
        "a minisztérium" if ministry else f"{with_article(issued.info.krid)} KRID-ű hivatali kapu"
    )
    console.print(
        Text.assemble(
            ("Új API-kulcs", "green"),
            f" ({whose} kulcsa, azonosító: ",
            plain(issued.info.key_id),
            "):",
        )
    )
    typer.echo(issued.token)
    console.print(
        "Most másolja ki: a kulcs többé nem jeleníthető meg (csak a lenyomatát tároljuk). "
        "Használata: Authorization: Bearer <kulcs>."
    )


@key_app.command("list")
@reports_errors
def key_list(
    krid: Annotated[
        str | None,
        typer.Option("--krid", metavar="KRID", help="Csak ennek a hivatali kapunak a kulcsai."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A lista JSON-ként.")] = False,
) -> None:
    """Az API-kulcsok (titok nélkül): azonosító, fajta, hivatali kapu, név, állapot.

    Példa: kkod central office key list --krid 500100
    """
    from rich.table import Table

    from kkod.central.apikeys import list_keys

    keys = list_keys(_engine(), krid)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "key_id": k.key_id,
                        "kind": str(k.kind),
                        "krid": k.krid,
                        "name": k.name,
                        "created_at": k.created_at.isoformat(),
                        "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                    }
                    for k in keys
                ],
                ensure_ascii=False,
            )
        )
        return
    table = Table(title="API-kulcsok")
    table.add_column("Azonosító", no_wrap=True)
    for header in ("Fajta", "KRID", "Név", "Létrehozva", "Állapot"):
        table.add_column(header)
    for k in keys:
        table.add_row(
            *cells(
                k.key_id,
                "minisztérium" if k.kind == "ministry" else "hivatali kapu",
                k.krid or "",
                k.name,
                moment(k.created_at),
                "aktív" if k.active else f"visszavonva {moment(k.revoked_at)}",
            )
        )
    console.print(table)
    if not keys:
        console.print("Nincs még API-kulcs: kkod central office key create --krid …")


@key_app.command("revoke")
@reports_errors
def key_revoke(
    key_id: Annotated[
        str,
        typer.Argument(metavar="KULCSAZONOSÍTÓ", help="A kulcs azonosítója (a listából)."),
    ],
) -> None:
    """Egy API-kulcs visszavonása: azonnal érvénytelen minden szerverfolyamatban.

    Példa: kkod central office key revoke k_3f9a2c71
    """
    from kkod.central.apikeys import revoke_key

    info = revoke_key(_engine(), key_id, actor="cli")
    console.print(
        Text.assemble(
            ("Visszavonva:", "green"),
            " ",
            plain(info.key_id),
            " (",
            plain(info.krid or "minisztérium"),
            ")",
        )
    )


user_app = KkodTyper(
    help="A hivatali kapuk webes felületének felhasználói: létrehozás (jelszó és hitelesítő "
    "alkalmazás), lista, feloldás, törlés.",
    no_args_is_help=True,
)
office_app.add_typer(user_app, name="user")

UserKrid = Annotated[
    str,
    typer.Option("--krid", metavar="KRID", help="A hivatali kapu KRID-je, amelynek a munkatársa."),
]
UserName = Annotated[
    str,
    typer.Option("--name", metavar="NÉV", help="A felhasználónév, amellyel bejelentkezik."),
]


def _staff_logins():
    from kkod.central.staff import staff_logins
    from kkod.config import get_settings

    return staff_logins(_engine(), get_settings())


@user_app.command("add")
@reports_errors
def user_add(
    krid: UserKrid,
    name: UserName,
    full_name: Annotated[
        str | None,
        typer.Option("--full-name", metavar="NÉV", help="A munkatárs teljes neve a fejlécben."),
    ] = None,
    ask_password: Annotated[
        bool,
        typer.Option(
            "--ask-password",
            help="A jelszót most kéri be (kétszer, rejtve); enélkül a rendszer generál egyet.",
        ),
    ] = False,
) -> None:
    """Új munkatárs a hivatali kapu webes felületére: jelszó és a hitelesítő alkalmazás QR-kódja.

    A jelszó és a QR-kód csak most jelenik meg. A munkatárs a QR-kódot a hitelesítő
    alkalmazásával (pl. FreeOTP, Microsoft Authenticator) olvassa be.

    Példa: kkod central office user add --krid 500100 --name kiss.anna --full-name "Kiss Anna"
    """
    from kkod.central.staff import known_office
    from kkod.cli.logins import check_username, show_new_login

    check_username(name, "kiss.anna")
    password = None
    if ask_password:
        password = typer.prompt("Jelszó", hide_input=True, confirmation_prompt="Jelszó még egyszer")
    logins = _staff_logins()
    new = logins.add_user(
        known_office(_engine(), krid), name, full_name or name, password=password, actor="cli"
    )
    console.print(
        Text.assemble(
            ("Új felhasználó", "green"),
            ": ",
            plain(new.user.username),
            f" ({with_article(krid)} KRID-ű hivatali kapu munkatársa).",
        )
    )
    show_new_login(new, password=not ask_password)


@user_app.command("list")
@reports_errors
def user_list(
    krid: Annotated[
        str | None,
        typer.Option("--krid", metavar="KRID", help="Csak ennek a hivatali kapunak a munkatársai."),
    ] = None,
) -> None:
    """A webes felület felhasználói: hivatali kapu, név, utolsó belépés, zárolás.

    Példa: kkod central office user list --krid 500100
    """
    from datetime import UTC, datetime

    from rich.table import Table

    users = _staff_logins().users(krid)
    now = datetime.now(UTC)
    table = Table(title="A webes felület felhasználói")
    for header in ("KRID", "Felhasználónév", "Név", "Létrehozva", "Utolsó belépés", "Állapot"):
        table.add_column(header)
    for user in users:
        state = f"zárolva {moment(user.locked_until)}-ig" if user.locked(now) else "aktív"
        table.add_row(
            *cells(
                user.realm,
                user.username,
                user.display_name,
                moment(user.created_at),
                moment(user.last_login_at) or "még nem lépett be",
                state,
            )
        )
    console.print(table)
    if not users:
        console.print("Nincs még felhasználó: kkod central office user add --krid … --name …")


@user_app.command("unlock")
@reports_errors
def user_unlock(krid: UserKrid, name: UserName) -> None:
    """A sikertelen bejelentkezések miatt zárolt felhasználó feloldása.

    Példa: kkod central office user unlock --krid 500100 --name kiss.anna
    """
    user = _staff_logins().unlock_user(krid, name, actor="cli")
    console.print(Text.assemble(("Feloldva:", "green"), " ", plain(user.username)))


@user_app.command("remove")
@reports_errors
def user_remove(krid: UserKrid, name: UserName) -> None:
    """Egy felhasználó törlése: minden munkamenete azonnal véget ér.

    Példa: kkod central office user remove --krid 500100 --name kiss.anna
    """
    user = _staff_logins().remove_user(krid, name, actor="cli")
    console.print(Text.assemble(("Törölve:", "green"), " ", plain(user.username)))


@central_app.command("inbox")
@reports_errors
def inbox(
    account: Annotated[
        str,
        typer.Option(
            "--account", metavar="FELHASZNÁLÓNÉV", help="Az Ügyfélkapu-fiók felhasználóneve."
        ),
    ],
    show: Annotated[
        int | None,
        typer.Option(
            "--show",
            metavar="AZONOSÍTÓ",
            parser=WholeNumber(1),
            help="Ennek az azonosítójú dokumentumnak a mentése --save-be.",
        ),
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save",
            metavar="FÁJL",
            parser=OUTPUT_FILE,
            help="Ide menti a --show dokumentumot.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A lista JSON-ként.")] = False,
) -> None:
    """Egy Ügyfélkapu-fiók tárhelye: a kézbesített (próba)dokumentumok.

    Példa: kkod central inbox --account kovacs.peter
    Példa: kkod central inbox --account kovacs.peter --show 1 --save proba.pdf
    """
    from rich.table import Table

    from kkod.atomic import atomic_write
    from kkod.central.delivery import document_content
    from kkod.central.delivery import inbox as read_inbox

    engine = _engine()
    if show is not None or save is not None:
        if show is None or save is None:
            raise fail("A --show és a --save csak együtt adható meg.", 2)
        data = document_content(engine, account, show)
        with atomic_write(save) as tmp:
            tmp.write_bytes(data)
        console.print(Text.assemble(("Mentve:", "green"), " ", plain(save), f" ({len(data)} bájt)"))
        return
    entries = read_inbox(engine, account)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "document_id": e.document_id,
                        "sender_krid": e.sender_krid,
                        "sender": e.sender,
                        "filename": e.filename,
                        "content_type": e.content_type,
                        "size": e.size,
                        "sha256": e.sha256,
                        "delivered_at": e.delivered_at.isoformat(),
                    }
                    for e in entries
                ],
                ensure_ascii=False,
            )
        )
        return
    table = Table(title="Tárhely")
    for header in ("Azonosító", "Feladó (KRID)", "Fájlnév", "Típus", "Méret", "Érkezett"):
        table.add_column(header)
    for e in entries:
        table.add_row(
            *cells(
                str(e.document_id),
                f"{e.sender} ({e.sender_krid})",
                e.filename,
                e.content_type,
                f"{e.size} bájt",
                moment(e.delivered_at),
            )
        )
    console.print(table)
    if not entries:
        console.print("A tárhely üres.")


@central_app.command("serve")
@reports_errors
def serve(
    listen: Annotated[
        str,
        typer.Option(
            "--listen",
            metavar="GÉP:PORT",
            parser=SERVER_ADDRESS,
            help="Cím és port, ahol az API-t kiszolgálja.",
        ),
    ] = "127.0.0.1:8000",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            metavar="SZÁM",
            parser=WholeNumber(1, 64),
            help="Ennyi szerverfolyamat fut (mind ugyanazon a porton).",
        ),
    ] = 1,
    tls_cert: Annotated[
        Path | None,
        typer.Option(
            "--tls-cert",
            metavar="FÁJL",
            parser=INPUT_FILE,
            help="A szerver TLS-tanúsítványa (PEM).",
        ),
    ] = None,
    tls_key: Annotated[
        Path | None,
        typer.Option(
            "--tls-key",
            metavar="FÁJL",
            parser=INPUT_FILE,
            help="A tanúsítvány titkos kulcsa (PEM).",
        ),
    ] = None,
) -> None:
    """A központi rendszer HTTP API-ja (/api/v1, leírás: /api/v1/docs) és a hivatali kapu
    webes felülete (/) uvicornon.

    Példa: kkod central serve --listen 127.0.0.1:8000 --workers 2
    Példa: kkod central serve --listen 0.0.0.0:8443 --tls-cert api.pem --tls-key api.key
    """
    from kkod.config import get_settings
    from kkod.web.central.context import CentralContext
    from kkod.web.shared.serving import serve as serve_app

    host, port = host_and_port(listen)
    if (tls_cert is None) != (tls_key is None):
        raise fail("A --tls-cert és a --tls-key csak együtt adható meg.", 2)
    # Migrate and make the secrets once, before any server process starts.
    CentralContext.open(get_settings()).close()
    scheme = "https" if tls_cert else "http"
    console.print(
        Text.assemble(
            "A központi API itt érhető el: ",
            plain(f"{scheme}://{listen}/api/v1"),
            " (leírás: ",
            plain(f"{scheme}://{listen}/api/v1/docs"),
            f"); {workers} folyamat.",
        )
    )
    console.print(Text.assemble("A hivatali kapu webes felülete: ", plain(f"{scheme}://{listen}/")))
    serve_app(
        "kkod.web.central.app:create_served_app",
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )
