"""An operator's session is no office's and an office user's is no operator's: each party keeps
its sessions in its own database, so a cookie of one opens nothing at the other (even on the
same host, where a browser would send it to both)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.web.browser import totp_code

KAPU_KRID = "600100"


@pytest.fixture
def kapu(tmp_path) -> Iterator[tuple[str, object]]:
    """The Hivatali kapu pages on a registry of their own, with one office user."""
    from kkod.central.interface import OfficeInfo
    from kkod.central.registry import add_office
    from kkod.central.staff import staff_logins
    from kkod.config import Settings
    from kkod.db import make_engine, migrate
    from kkod.web.central.app import create_app
    from tests.apiserver import serving

    folder = tmp_path / "kapu"
    folder.mkdir()
    url = f"sqlite:///{folder / 'central.sqlite3'}"
    settings = Settings(
        data_dir=folder, central_database_url=url, code_secret="5a" * 32, api_key_secret="6b" * 32
    )
    engine = make_engine(url)
    migrate(engine, "central")
    add_office(engine, OfficeInfo(KAPU_KRID, "KAPU", "Kapu Hivatal"))
    user = staff_logins(engine, settings).add_user(KAPU_KRID, "kiss.anna", "Kiss Anna")
    with serving(create_app(settings)) as base:
        yield base, user
    engine.dispose()


def _session_cookie(client: httpx.Client, name: str) -> str:
    return next(c.value for c in client.cookies.jar if c.name == name)


def test_an_operators_session_cannot_act_as_an_office_and_back(console, kapu):
    kapu_url, office_user = kapu
    operator = console.client()
    assert operator.get("/kerelmek").status_code == 200
    stolen = _session_cookie(operator, "kkod_konzol")
    # Each app names its own cookie; the operator's token under the kapu's name is no session.
    at_kapu = httpx.get(kapu_url + "/kapcsolat", cookies={"kkod_kapu": stolen})
    assert at_kapu.status_code == 303 and at_kapu.headers["location"] == "/bejelentkezes"

    office = httpx.Client(base_url=kapu_url)
    login_page = office.get("/bejelentkezes").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    logged_in = office.post(
        "/bejelentkezes",
        data={"csrf_token": token, "realm": "KAPU", "username": "kiss.anna",
              "password": office_user.password, "code": totp_code(office_user.totp_secret)},
    )  # fmt: skip
    assert logged_in.status_code == 303
    assert office.get("/kapcsolat").status_code == 200
    at_console = httpx.get(
        console.url + "/kerelmek", cookies={"kkod_konzol": _session_cookie(office, "kkod_kapu")}
    )
    assert at_console.status_code == 303 and at_console.headers["location"] == "/bejelentkezes"
    # The operator's own session still works: nothing was shared or overwritten server-side.
    assert operator.get("/kerelmek").status_code == 200
