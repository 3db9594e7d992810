"""A served API's log file: access lines for every request, and no 4T however a client sends it."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import asdict
from urllib.parse import quote

import httpx
import pytest

from tests.apiserver import serve_process
from tests.central.conftest import API_KEY_SECRET, FOURT_SENT, KOVACS, SECRET, TWIN

from .conftest import KRID, new_key

pytestmark = pytest.mark.slow


@contextmanager
def quiet_client_log():
    logger = logging.getLogger("httpx")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def test_the_log_file_names_routes_never_4t(central, engine, db_url, tmp_path):
    token = new_key(engine, KRID)
    logs = tmp_path / "logs"
    env = {
        "KKOD_DATA_DIR": str(tmp_path / "serve-data"),
        "KKOD_LOG_DIR": str(logs),
        "KKOD_CENTRAL_DATABASE_URL": db_url,
        "KKOD_CODE_SECRET": SECRET.hex(),
        "KKOD_API_KEY_SECRET": API_KEY_SECRET,
    }
    with (
        serve_process(env) as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client,
    ):
        path = f"/api/v1/offices/{KRID}/connections"
        assert client.post(path, json=asdict(KOVACS)).json()["result"] == "KOD"
        assert client.post(path, json=asdict(TWIN) | {"viselt_nev": "Takács"}).status_code == 422
        # A careless client puts 4T where it never belongs: in the query and in the path. (Its
        # own request log is its business, and kept out of this run's log check.)
        with quiet_client_log():
            assert client.get(path, params=asdict(KOVACS)).status_code == 200
            assert client.get(f"{path}/{quote(KOVACS.viselt_nev)}").status_code in (404, 405)
            anyja = quote(KOVACS.anyja_szuletesi_neve)
            assert httpx.get(f"{url}/api/v1/me?anyja={anyja}").status_code == 401
    text = (logs / "kkod.log").read_text(encoding="utf-8")
    access = [line for line in text.splitlines() if "kkod.web.access" in line]
    assert len(access) >= 5
    assert any("POST /api/v1/offices/{krid}/connections 200" in line for line in access)
    assert any("GET /api/v1/me 401" in line for line in access)
    assert not [value for value in FOURT_SENT if value in text]
    assert quote(KOVACS.viselt_nev) not in text and "Takács" not in text
