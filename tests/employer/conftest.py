"""Fixtures of the employer tests: real tables from the template, real replies (the returned
table, the ministry's reason report, the reply email), a settings switch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from kkod.central.codes import encode, format_code
from kkod.central.interface import MatchResult, OfficeInfo
from kkod.central.registry import NewAccount, add_office, add_person
from kkod.central.service import InProcessCentral, open_central
from kkod.config import Settings
from kkod.fourt.model import Person4T
from kkod.table.layout import CODE_COLUMN, COLUMN_OF_FIELD
from kkod.table.template import build_template
from kkod.table.writer import patch_cells

KRID = "600100"  # the employer's Hivatali kapu in the seeded central registry
SECRET_HEX = "5a" * 32

# (Belső azonosító, 4T) of a small staff with real Hungarian data.
STAFF: list[tuple[str, Person4T]] = [
    ("HR-001", Person4T("Kiss Anna", "Nagy Anna", "Szabó Mária", "Budapest 11", "1985.03.12")),
    ("HR-002", Person4T("Tóth Pálné", "Varga Éva", "Fekete Ilona", "Debrecen", "1972.11.02")),
    ("HR-003", Person4T("Kovács Béla", "Kovács Béla", "Molnár Erzsébet", "Pécs", "1990.01.30")),
    ("", Person4T("Horváth Zoltán", "Horváth Zoltán", "Balogh Katalin", "Szeged", "1968.07.04")),
    ("HR-005", Person4T("Szűcs Ödön", "Szűcs Ödön", "Lakatos Júlia", "Győr", "1999.12.31")),
]


def code_for(n: int) -> str:
    """A well-formed connection code (check symbol right), distinct per ``n``."""
    return format_code(encode(1_000_003 * (n + 1)))


@pytest.fixture
def staff() -> list[tuple[str, Person4T]]:
    return list(STAFF)


@pytest.fixture(name="code_for")
def code_for_fixture() -> Callable[[int], str]:
    return code_for


@pytest.fixture
def krid() -> str:
    return KRID


@pytest.fixture
def secret_hex() -> str:
    return SECRET_HEX


@pytest.fixture
def make_table(tmp_path) -> Callable[..., Path]:
    """Write a template-based table of ``staff`` (rows from 2) to ``tmp_path/name``."""

    def make(staff: Sequence[tuple[str, Person4T]] = STAFF, name: str = "tablazat.xlsx") -> Path:
        template = tmp_path / f".template-{name}"
        build_template(template, rows=max(len(staff), 1))
        values: dict[tuple[int, str], str] = {}
        for index, (belso, person) in enumerate(staff):
            row = 2 + index
            if belso:
                values[(row, COLUMN_OF_FIELD["belso_azonosito"])] = belso
            for field in Person4T.FIELDS:
                values[(row, COLUMN_OF_FIELD[field])] = str(getattr(person, field))
        out = tmp_path / name
        patch_cells(template, out, values)
        return out

    return make


@pytest.fixture
def make_reply(tmp_path) -> Callable[..., Path]:
    """The ministry's returned table: ``table`` with ``codes`` ({row: code}) written into column E."""

    def make(table: Path, codes: dict[int, str], name: str = "VALASZ.xlsx") -> Path:
        out = tmp_path / name
        patch_cells(table, out, {(row, CODE_COLUMN): code for row, code in codes.items()})
        return out

    return make


@pytest.fixture
def make_report(tmp_path) -> Callable[..., Path]:
    """The ministry's reason report for ``table``: the rows in ``codes`` ({row: code}) coded,
    the others with ``results`` ({row: MatchResult}, default: nincs találat)."""
    from collections import Counter

    from kkod.exchange.reason_report import build_reason_report
    from kkod.ministry.generation import RowOutcome
    from kkod.reports import write_report
    from kkod.table.reader import read_table

    def make(
        table: Path,
        codes: dict[int, str],
        results: dict[int, MatchResult] | None = None,
        name: str = "VALASZ-jelentes.xlsx",
    ) -> Path:
        outcomes = [
            RowOutcome(
                r.row,
                r.belso_azonosito,
                MatchResult.KOD
                if r.row in codes
                else (results or {}).get(r.row, MatchResult.NINCS_TALALAT),
                codes.get(r.row),
                r.text("A"),
                r.person.viselt_nev,
            )
            for r in read_table(table).rows
        ]
        counts = Counter(o.result for o in outcomes)
        return write_report(tmp_path / name, build_reason_report(outcomes, table.name, counts))

    return make


@pytest.fixture
def make_reply_eml(tmp_path, make_reply, make_report) -> Callable[..., Path]:
    """The ministry's reply email: the returned table and its reason report attached."""
    from kkod.mail.message import XLSX_TYPE, Attachment, build_message

    def make(
        table: Path,
        codes: dict[int, str],
        results: dict[int, MatchResult] | None = None,
        name: str = "valasz.eml",
        in_reply_to: str = "<request-1@pelda.hu>",
    ) -> Path:
        returned = make_reply(table, codes, name=f"{Path(name).stem}-kodokkal.xlsx")
        report = make_report(table, codes, results, name=f"{Path(name).stem}-jelentes.xlsx")
        message = build_message(
            sender="ehr@bm.gov.hu",
            to="hr@pelda.hu",
            subject="Re: Példa Hivatal – kapcsolati kódok igénylése [KK-1] – kész",
            text="A kapcsolati kódok elkészültek.",
            attachments=[
                Attachment(returned.name, XLSX_TYPE, returned.read_bytes()),
                Attachment(report.name, XLSX_TYPE, report.read_bytes()),
            ],
            in_reply_to=in_reply_to,
        )
        out = tmp_path / name
        out.write_bytes(message.as_bytes())
        return out

    return make


@pytest.fixture
def central_url(db_url, tmp_path) -> str:
    """The central registry: its own SQLite file, or (on PostgreSQL) the test database."""
    return f"sqlite:///{tmp_path / 'central.sqlite3'}" if db_url.startswith("sqlite") else db_url


@pytest.fixture
def central(central_url, tmp_path, staff) -> InProcessCentral:
    """A small seeded registry: HR-002 has one account, HR-003 two, HR-005 none, others absent."""
    settings = Settings(data_dir=tmp_path / "kkod-data", code_secret=SECRET_HEX)
    found = open_central(settings, central_url)
    add_office(found.engine, OfficeInfo(KRID, "PELDAHIV", "Példa Hivatal", ("pelda.hu",)))
    people = dict(staff)
    add_person(found.engine, people["HR-002"], [NewAccount("toth.eva", "te@example.hu")])
    add_person(
        found.engine,
        people["HR-003"],
        [NewAccount("kovacs.b1", "kb1@example.hu"), NewAccount("kovacs.b2", "kb2@example.hu")],
    )
    add_person(found.engine, people["HR-005"])
    return found


@pytest.fixture
def employer_env(monkeypatch, tmp_path, db_url) -> str:
    """Point the CLI's settings at this test's register database (and a private data folder)."""
    from kkod.config import get_settings

    monkeypatch.setenv("KKOD_DATA_DIR", str(tmp_path / "kkod-data"))
    monkeypatch.setenv("KKOD_EMPLOYER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()
