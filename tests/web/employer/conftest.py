"""The workbench served for real (uvicorn on 127.0.0.1, in a thread); the browser is the shared
one (tests/web/browser.py: Debian's Chromium through Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kkod.employer.workbench import Workbench
from kkod.web.employer.access import Access, loopback_hosts
from kkod.web.employer.app import create_app

from ...apiserver import serving


@dataclass
class Served:
    base: str
    access: Access
    bench: Workbench

    @property
    def entry(self) -> str:
        return f"{self.base}/belepes?t={self.access.token}"


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    yield from _serve(tmp_path)


def _serve(tmp_path, register=None, connect_through=None) -> Iterator[Served]:
    folder = tmp_path / "munkapad"
    folder.mkdir()
    bench = Workbench(folder, "kiss.anna")
    access = Access(frozenset())
    with serving(create_app(bench, access, register, connect_through)) as base:
        access.hosts = loopback_hosts(int(base.rsplit(":", 1)[1]))  # the port serving chose
        yield Served(base, access, bench)


# The employer tests' register and central system (a reply imported, a seeded registry).
from ...employer import conftest as _employer  # noqa: E402

staff, krid, code_for_fixture = _employer.staff, _employer.krid, _employer.code_for_fixture
central, central_url = _employer.central, _employer.central_url
make_table, make_reply, make_report = (
    _employer.make_table,
    _employer.make_reply,
    _employer.make_report,
)
make_reply_eml = _employer.make_reply_eml


@pytest.fixture
def served_register(tmp_path, db_url, central, make_table, make_reply_eml, code_for) -> Iterator:
    """The workbench with the register after a reply that coded only HR-001."""
    from kkod.employer.database import open_register, transaction
    from kkod.employer.importer import import_reply
    from kkod.employer.register import META_KRID, set_meta

    engine = open_register(db_url)
    import_reply(engine, make_reply_eml(make_table(), {2: code_for(1)}))
    with transaction(engine) as session:
        set_meta(session, META_KRID, "600100")
    yield from _serve(tmp_path, engine, lambda: central)
