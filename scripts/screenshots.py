"""Regenerate docs/screens/*.png: every page of kkod's web apps, in Debian's Chromium.

Each app is an :class:`App` in :data:`APPS`: how to serve it on demo data (a context manager
yielding its URL and a way to log in), and its :class:`Shot` list — a file name, the page to
open and what to do there first. Add a party's pages by appending an App.

    .venv/bin/python scripts/screenshots.py            # every app
    .venv/bin/python scripts/screenshots.py kapu       # one app by name
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test helpers: a loopback server, the browser's settings

from tests.apiserver import serving  # noqa: E402
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, log_in  # noqa: E402

SCREENS = ROOT / "docs" / "screens"
VIEWPORT = {"width": 1100, "height": 900}


@dataclass(frozen=True)
class Shot:
    file: str  # docs/screens/<file>.png
    path: str  # the page opened first ("" : stay where the previous shot left off)
    act: Callable | None = None  # what to do on the page before the picture (gets the page)
    logged_in: bool = True


@dataclass(frozen=True)
class Served:
    url: str
    log_in: Callable  # log_in(page): logs the demo user in


@dataclass(frozen=True)
class App:
    name: str
    serve: Callable[[], contextmanager]  # () -> context manager yielding Served
    shots: list[Shot] = field(default_factory=list)


# -- the Hivatali kapu pages (kkod central serve) ---------------------------------------------

KOVACS = ("Kovács Péter", "Kovács Péter", "Szabó Mária", "Budapest 11", "1985.03.12")
MOLNAR = ("Molnár Katalin", "Molnár Katalin", "Lakatos Judit", "Győr", "1999.02.28")
FIELDS = ("viselt_nev", "szuletesi_nev", "anyja_szuletesi_neve", "szuletesi_hely", "szuletesi_ido")


@contextmanager
def serve_kapu() -> Iterator[Served]:
    from kkod.central.interface import OfficeInfo
    from kkod.central.registry import NewAccount, add_office, add_person
    from kkod.central.service import InProcessCentral
    from kkod.central.staff import staff_logins
    from kkod.config import Settings
    from kkod.db import make_engine, migrate
    from kkod.fourt.canonical import canonical
    from kkod.fourt.model import Person4T
    from kkod.web.central.app import create_app

    with tempfile.TemporaryDirectory(prefix="kkod-screens-") as folder:
        url = f"sqlite:///{Path(folder) / 'central.sqlite3'}"
        # A fixed code secret: the same demo people get the same codes in every picture.
        settings = Settings(data_dir=Path(folder), central_database_url=url, code_secret="5a" * 32)
        engine = make_engine(url)
        migrate(engine, "central")
        add_office(engine, OfficeInfo("500100", "PMHIV", "Példa Megyei Hivatal"))
        add_person(engine, Person4T(*KOVACS), [NewAccount("kovacs.peter", "kp@example.hu")])
        add_person(
            engine,
            Person4T(*MOLNAR),
            [NewAccount("molnar.k1", "mk1@example.hu"), NewAccount("molnar.k2", "mk2@example.hu")],
        )
        extra = [
            ("Nagy Jánosné", "Tóth Éva", "Horváth Ilona", "Debrecen", "1962.07.01"),
            ("Farkas Zoltán", "Farkas Zoltán", "Balogh Erzsébet", "Pécs", "1977.11.05"),
            ("Szabó Anna", "Szabó Anna", "Kiss Erika", "Szeged", "1991.04.23"),
        ]
        user = staff_logins(engine, settings).add_user("500100", "kiss.anna", "Kiss Anna")
        with serving(create_app(settings)) as base:
            central = InProcessCentral(engine, _secret(settings), settings.code_key_id)
            for i, person in enumerate(extra):
                add_person(engine, Person4T(*person), [NewAccount(f"demo{i}", f"d{i}@example.hu")])
                central.connect_one("500100", canonical(Person4T(*person)).match_key())
            yield Served(
                base,
                lambda page: log_in(
                    page, base, "kiss.anna", user.password, user.totp_secret, realm="PMHIV"
                ),
            )
        engine.dispose()


def _secret(settings) -> bytes:
    from kkod.central.secret import load_secret

    return load_secret(settings)


def _fill(person, *, place: str | None = None, born: str | None = None) -> Callable:
    def act(page) -> None:
        values = list(person)
        values[3] = place or values[3]
        values[4] = born or values[4]
        for name, value in zip(FIELDS, values, strict=True):
            page.locator(f"#{name}").fill(value)

    return act


def _then(*steps: Callable) -> Callable:
    def act(page) -> None:
        for step in steps:
            step(page)

    return act


def _click(role: str, name: str) -> Callable:
    return lambda page: page.get_by_role(role, name=name).click()


def _verify_code(page) -> None:
    code = page.locator("td.mono").first.inner_text()
    page.goto(page.url.split("/kapcsolatok")[0] + "/kod-ellenorzes")
    page.get_by_label("Kapcsolati kód").fill(code)
    page.get_by_role("button", name="Ellenőrzés").click()


KAPU = App(
    "kapu",
    serve_kapu,
    [
        Shot("bejelentkezes", "/bejelentkezes", logged_in=False),
        Shot("kapcsolat", "/kapcsolat"),
        Shot(
            "kapcsolat-ellenorzes",
            "/kapcsolat",
            _then(
                _fill(KOVACS, place="Budapest XI. ker.", born="1985.13.45"),
                _click("button", "Ellenőrzés"),
            ),
        ),
        Shot(
            "kapcsolat-kod",
            "/kapcsolat",
            _then(_fill(KOVACS), _click("button", "Kapcsolat létrehozása")),
        ),
        Shot(
            "kapcsolat-nincs-kod",
            "/kapcsolat",
            _then(_fill(MOLNAR), _click("button", "Kapcsolat létrehozása")),
        ),
        Shot("kapcsolatok", "/kapcsolatok"),
        Shot("kod-ellenorzes", "/kapcsolatok", _verify_code),
    ],
)

# -- the ministry console and the status page (kkod ministry serve) ----------------------------

STATUS_TOKEN = "Demo-allapot-hivatkozas-0123456789abcdefghij"  # 43 characters, like a real one
YEAR = datetime.now(UTC).year  # the demo requests' references: KK-<year>-00000N


@contextmanager
def serve_console() -> Iterator[Served]:
    from kkod.config import Settings
    from kkod.db import make_engine, migrate
    from kkod.mail.message import XLSX_TYPE, Attachment
    from kkod.ministry.acknowledgement import token_hash
    from kkod.ministry.models import RequestStatus, SignatureKind
    from kkod.ministry.operators import REALM, operator_logins
    from kkod.ministry.replies import codes_reply
    from kkod.ministry.store import Counts, NewRequest, RequestStore
    from kkod.web.ministry.app import create_app

    with tempfile.TemporaryDirectory(prefix="kkod-screens-") as folder:
        ministry = f"sqlite:///{Path(folder) / 'ministry.sqlite3'}"
        central = f"sqlite:///{Path(folder) / 'central.sqlite3'}"
        migrate(make_engine(central), "central")
        settings = Settings(
            data_dir=Path(folder), ministry_database_url=ministry, central_database_url=central
        )
        store = RequestStore.open(settings)
        office = {"organisation": "Példa Megyei Hivatal", "short_name": "PMHIV", "krid": "500100"}

        def request(n: int, status, **more):
            new = NewRequest(
                dedupe_key=f"demo-{n}", channel="email", sender="iktato@pelda-hivatal.hu",
                status=status, subject="Példa Megyei Hivatal – kapcsolati kódok igénylése",
                table_filename="kapcsolati_kod_tabla.xlsx", table_sha256=f"{n:02d}" * 32,
                rows=120, **office, **more,
            )  # fmt: skip
            return store.record(new)[0]

        request(
            1, RequestStatus.BEERKEZETT, signature_kind=str(SignatureKind.PADES),
            status_token_sha256=token_hash(STATUS_TOKEN),
        )  # fmt: skip
        claimed = store.claim_next("gep-1")
        counts = Counts(rows=120, coded=108, no_match=8, multiple=3, invalid=1)
        table = Attachment("kapcsolati_kod_tabla-kodokkal.xlsx", XLSX_TYPE, b"PK")
        report = Attachment("kapcsolati_kod_tabla-jelentes.xlsx", XLSX_TYPE, b"PK")
        store.finish(
            claimed.id, "gep-1", counts, codes_reply(claimed, counts, table, report, settings)
        )
        request(
            2, RequestStatus.ELUTASITVA,
            reason="A nyilatkozat elektronikus aláírása nem ellenőrizhető: az aláíró tanúsítványa "
            "nem megbízható kiadótól származik.",
        )  # fmt: skip
        request(
            3, RequestStatus.ALAIRAS_ELLENORZESRE_VAR,
            signature_kind=str(SignatureKind.UNSIGNED_KKOD),
            reason="A nyilatkozaton nincs elektronikus aláírás: a kezelő ellenőrzi az aláírást.",
        )  # fmt: skip
        user = operator_logins(store.engine, settings).add_user(REALM, "nagy.peter", "Nagy Péter")
        app = create_app(settings)
        with serving(app) as base:
            yield Served(
                base,
                lambda page: log_in(page, base, "nagy.peter", user.password, user.totp_secret),
            )
        store.engine.dispose()


KONZOL = App(
    "konzol",
    serve_console,
    [
        Shot("konzol-bejelentkezes", "/bejelentkezes", logged_in=False),
        Shot("allapot", f"/allapot/{STATUS_TOKEN}", logged_in=False),
        Shot("allapot-ismeretlen", "/allapot/" + "x" * 43, logged_in=False),
        Shot("konzol-kerelmek", "/kerelmek"),
        Shot("konzol-kerelem", f"/kerelmek/KK-{YEAR}-000001"),
        Shot("konzol-jovahagyas", f"/kerelmek/KK-{YEAR}-000003"),
        Shot("konzol-feltoltes", "/feltoltes"),
    ],
)

# -- the employer's workbench (kkod employer serve) --------------------------------------------

WORKBENCH_EXPORT = (
    "Törzsszám;Vezetéknév;Keresztnév;Születési név;Anyuka;Születési hely, idő;Beosztás\r\n"
    "T-004512;Kovacs;Janos;;Szabó Mária;Debrecen, 1985-03-12;referens\r\n"
    "T-004513;Varga;Éva;Varga  Éva;Fekete Ilona;Debrecn, 1972.11.02;ügyintéző\r\n"
    "T-004514;Tóth;Béla;Tóth Béla;Molnar Erzsebet;Pécs, 1990.01.30;osztályvezető\r\n"
    "T-004515;Kiss;Anna;Nagy Anna;Tóth Pálné;Budapest, 1979.06.21;titkár\r\n"
)


@contextmanager
def serve_workbench() -> Iterator[Served]:
    from kkod.employer.workbench import Workbench
    from kkod.web.employer.access import Access, loopback_hosts
    from kkod.web.employer.app import create_app

    with tempfile.TemporaryDirectory(prefix="kkod-screens-") as folder:
        export = Path(folder) / "dolgozok.csv"
        export.write_bytes(WORKBENCH_EXPORT.encode("cp1250"))
        (Path(folder) / "munkapad").mkdir()
        access = Access(frozenset())
        app = create_app(Workbench(Path(folder) / "munkapad", "kiss.anna"), access)
        with serving(app) as base:
            access.hosts = loopback_hosts(int(base.rsplit(":", 1)[1]))

            def enter(page) -> None:
                page.goto(f"{base}/belepes?t={access.token}")
                page.set_input_files("#fajl", str(export))

            yield Served(base, enter)


def _upload(page) -> None:
    page.get_by_role("button", name="Feltöltés").click()


def _make_table(page) -> None:
    page.select_option("#oszlop-4", "anyja_szuletesi_neve")
    page.get_by_role("button", name="Táblázat készítése").click()


WORKBENCH = App(
    "munkapad",
    serve_workbench,
    [
        Shot("munkapad-feltoltes", ""),
        Shot("munkapad-megfeleltetes", "", _upload),
        Shot("munkapad-ellenorzes", "", _make_table),
    ],
)

APPS: list[App] = [KAPU, KONZOL, WORKBENCH]


def take(app: App, browser) -> list[Path]:
    written = []
    with app.serve() as served:
        context = browser.new_context(viewport=VIEWPORT, locale="hu-HU")
        page = context.new_page()
        signed_in = False
        for shot in sorted(app.shots, key=lambda s: s.logged_in):  # logged-out pages first
            if shot.logged_in and not signed_in:
                served.log_in(page)
                signed_in = True
            if shot.path:
                page.goto(served.url + shot.path)
            if shot.act:
                shot.act(page)
            page.wait_for_load_state()
            target = SCREENS / f"{shot.file}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
        context.close()
    return written


def main(names: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    chosen = [app for app in APPS if not names or app.name in names]
    if not chosen:
        print(f"Ismeretlen alkalmazás; választható: {', '.join(a.name for a in APPS)}")
        return 2
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for app in chosen:
                for path in take(app, browser):
                    print(path.relative_to(ROOT))
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
