"""The per-office limit holds across two server processes on one database (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

import httpx
import pytest
from sqlalchemy import select

from kkod.central.models import AuditEntry
from tests.apiserver import serve_process
from tests.central.conftest import API_KEY_SECRET, KOVACS, SECRET

from .conftest import KRID, new_key

pytestmark = pytest.mark.slow

LIMIT = 12


def test_two_server_processes_share_one_offices_limit(central, engine, db_url, tmp_path):
    token = new_key(engine, KRID)
    env = {
        "KKOD_DATA_DIR": str(tmp_path / "serve-data"),
        "KKOD_LOG_DIR": str(tmp_path / "logs"),
        "KKOD_CENTRAL_DATABASE_URL": db_url,
        "KKOD_CODE_SECRET": SECRET.hex(),
        "KKOD_API_KEY_SECRET": API_KEY_SECRET,
        "KKOD_API_CONNECT_PER_MINUTE": str(LIMIT),
    }
    headers = {"Authorization": f"Bearer {token}"}
    with serve_process(env) as first, serve_process(env) as second:
        clients = [httpx.Client(base_url=url, headers=headers) for url in (first, second)]

        def connect(n: int) -> httpx.Response:
            return clients[n % 2].post(f"/api/v1/offices/{KRID}/connections", json=asdict(KOVACS))

        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(connect, range(3 * LIMIT)))
        for client in clients:
            client.close()
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == LIMIT, statuses
    assert statuses.count(429) == 2 * LIMIT, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 200} == {
        responses[statuses.index(200)].json()["code"]
    }
    assert all(1 <= int(r.headers["retry-after"]) <= 60 for r in responses if r.status_code == 429)
    with engine.connect() as conn:
        audited = conn.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "api.connect_person")
        ).all()
    assert sorted(audited) == sorted(["result=KOD"] * LIMIT + ["status=429"] * (2 * LIMIT))
