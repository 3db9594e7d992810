"""The central API under load, on SQLite and PostgreSQL, against a 1,000,000-person registry.

For each backend: ``kkod central serve`` in its own processes; the load generator
(``loadgen.py``, plain asyncio keep-alive connections) first measured against ``/healthz``
(a trivial endpoint: it must far outrun the figures that follow), then connect-one by 4T with
50 concurrent connections, at saturation and paced at a steady 525 requests/s (the rate
limit raised for the bench); then ``kkod generate`` on the 100,000-row table through
``HttpCentral`` and in-process, interleaved in the same run. ``BENCH_PEOPLE`` and
``BENCH_ROWS`` shrink it for a trial.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common import KKOD, WORK, central_database, run_measured
from loadgen import get, post_json, run_load

KRID = "500100"
SECRET_HEX = "5a" * 32
API_KEY_SECRET_HEX = "6b" * 32
CONNECTIONS = 50
PACED_RATE = 525
PACED_SECONDS = 20
WORKERS = {
    "sqlite": int(os.environ.get("BENCH_API_SQLITE_WORKERS", 2)),
    "postgresql": int(os.environ.get("BENCH_API_PG_WORKERS", 2)),
}
GENERATE_REPEAT = 3


@dataclass
class Registry:
    backend: str
    url: str
    folder: Path
    table: Path
    office_key: str
    ministry_key: str
    bodies: list[bytes]


def run() -> dict:
    people = int(os.environ.get("BENCH_PEOPLE", 1_000_000))
    rows = int(os.environ.get("BENCH_ROWS", 100_000))
    figures: dict[str, object] = {}
    checks: list[tuple[str, bool]] = []
    for backend in os.environ.get("BENCH_API_BACKENDS", "sqlite,postgresql").split(","):
        with _registry(backend, people, rows) as registry:
            found, passed = _bench(registry, rows)
        figures.update({f"{backend}: {name}": value for name, value in found.items()})
        checks += [(f"{backend}: {name}", ok) for name, ok in passed]
    return {
        "title": f"Central API: connect-one under load, generate over HTTP ({people:,} people)",
        "figures": figures,
        "checks": checks,
    }


def _bench(registry: Registry, rows: int) -> tuple[dict[str, object], list[tuple[str, bool]]]:
    figures: dict[str, object] = {
        "server processes": WORKERS[registry.backend],
        # This machine is shared: a load average over its 2 cores means the figures are low.
        "load average before the run": round(os.getloadavg()[0], 1),
    }
    auth = {"Authorization": f"Bearer {registry.office_key}"}
    path = f"/api/v1/offices/{KRID}/connections"
    bodies = registry.bodies
    half = len(bodies) // 2
    with _served(registry) as port:
        trivial = run_load(port, lambda _i: get("/healthz"), connections=CONNECTIONS, total=20_000)
        saturated = run_load(
            port,
            lambda i: post_json(path, bodies[i % half], auth),
            connections=CONNECTIONS,
            total=10_000,
        )
        paced = run_load(
            port,
            lambda i: post_json(path, bodies[half + i % half], auth),
            connections=CONNECTIONS,
            total=PACED_RATE * PACED_SECONDS,
            rate=PACED_RATE,
        )
        generate = _generate_both(registry, port)
    ok = paced.statuses.get(200, 0)
    figures.update(
        {
            "load generator on /healthz (trivial), requests/s": round(trivial.rate),
            "connect-one at saturation, 50 connections": saturated.summary(),
            f"connect-one paced at {PACED_RATE}/s, 50 connections": paced.summary(),
            "connect-one statuses (paced)": paced.statuses,
            **generate,
        }
    )
    ratio = generate["generate over HTTP / in-process"]
    checks = [
        (
            "load generator outruns the server ≥ 5× on a trivial endpoint",
            trivial.rate >= 5 * saturated.rate,
        ),
        (
            "connect-one sustained ≥ 500 requests/s with 50 clients "
            f"(measured {paced.rate:.0f}/s, {ok} of {paced.requests} answered 200)",
            paced.rate >= 500 and ok == paced.requests,
        ),
        (
            f"connect-one p99 ≤ 100 ms at that rate (measured {paced.percentile(99) * 1000:.0f} ms)",
            paced.percentile(99) <= 0.100,
        ),
        (
            f"kkod generate on {rows:,} rows over HTTP ≤ 1.5× in-process (measured {ratio:.2f}×)",
            ratio <= 1.5,
        ),
    ]

    return figures, checks


def _generate_both(registry: Registry, port: int) -> dict[str, object]:
    folder = registry.folder
    base = {
        "KKOD_DATA_DIR": str(folder / "client-data"),
        "KKOD_LOG_DIR": str(folder / "client-logs"),
        "KKOD_CODE_SECRET": SECRET_HEX,
    }
    in_process_env = {**base, "KKOD_CENTRAL_DATABASE_URL": registry.url}
    http_env = {
        **base,
        "KKOD_CENTRAL_URL": f"http://127.0.0.1:{port}",
        "KKOD_CENTRAL_API_KEY": registry.ministry_key,
    }

    def argv(name: str) -> list[str]:
        return [KKOD, "generate", str(registry.table), "--krid", KRID, "--json", "--force",
                "-o", str(folder / f"{name}.xlsx"), "--report", str(folder / f"{name}-r.xlsx")]  # fmt: skip

    first, _ = run_measured(argv("first"), env=in_process_env)  # issues the codes
    local, remote = [], []
    for _ in range(GENERATE_REPEAT):  # interleaved: a change in the machine's speed hits both
        local.append(run_measured(argv("local"), env=in_process_env)[0])
        remote.append(run_measured(argv("remote"), env=http_env)[0])
    from kkod.table.reader import read_table

    same = {r.row: r.kapcsolati_kod for r in read_table(folder / "local.xlsx").rows} == {
        r.row: r.kapcsolati_kod for r in read_table(folder / "remote.xlsx").rows
    }
    if not same:
        raise RuntimeError("generate over HTTP wrote other codes than in-process")
    local_s, remote_s = statistics.median(local), statistics.median(remote)
    return {
        "generate first run in-process, issuing, seconds": round(first, 2),
        f"generate in-process seconds (median of {GENERATE_REPEAT})": round(local_s, 2),
        f"generate over HTTP seconds (median of {GENERATE_REPEAT})": round(remote_s, 2),
        "generate over HTTP / in-process": round(remote_s / local_s, 2),
    }


@contextlib.contextmanager
def _registry(backend: str, people: int, rows: int) -> Iterator[Registry]:
    from kkod.central.apikeys import KeyKind, create_key
    from kkod.central.interface import OfficeInfo
    from kkod.central.registry import add_office
    from kkod.central.sample_table import write_sample_table
    from kkod.central.synthetic import seed_registry
    from kkod.db import make_engine, migrate

    folder = WORK / f"api-{backend}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with central_database(backend, folder) as url:
        engine = make_engine(url)
        migrate(engine, "central")
        print(f"  seeding {people:,} people ({backend})", flush=True)
        seed_registry(engine, people, seed=2026)
        add_office(engine, OfficeInfo(KRID, "BENCH", "Benchmark Hivatal"))
        table = folder / "tabla.xlsx"
        write_sample_table(engine, table, krid=KRID, rows=rows, error_rate=0.05, seed=1)
        pepper = bytes.fromhex(API_KEY_SECRET_HEX)
        office_key = create_key(engine, pepper, kind=KeyKind.OFFICE, krid=KRID).token
        ministry_key = create_key(engine, pepper, kind=KeyKind.MINISTRY).token
        bodies = _bodies(engine, 2 * PACED_RATE * PACED_SECONDS)
        engine.dispose()
        yield Registry(backend, url, folder, table, office_key, ministry_key, bodies)


def _bodies(engine, count: int) -> list[bytes]:
    """Connect-one bodies of registered people (most with one account: codes are issued)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT viselt_nev, szuletesi_nev, anyja_szuletesi_neve, szuletesi_hely, "
                "szuletesi_ido FROM central_people WHERE id % 7 = 3 ORDER BY id LIMIT :n"
            ),
            {"n": count},
        ).all()
    random.Random(8).shuffle(rows)
    return [
        json.dumps(
            {
                "viselt_nev": r[0],
                "szuletesi_nev": r[1],
                "anyja_szuletesi_neve": r[2],
                "szuletesi_hely": r[3],
                "szuletesi_ido": str(r[4]).replace("-", "."),
            },
            ensure_ascii=False,
        ).encode()
        for r in rows
    ]


@contextlib.contextmanager
def _served(registry: Registry) -> Iterator[int]:
    from loadgen_ports import free_port

    port = free_port()
    workers = WORKERS[registry.backend]
    env = {
        **os.environ,
        "KKOD_DATA_DIR": str(registry.folder / "server-data"),
        "KKOD_LOG_DIR": str(registry.folder / "server-logs"),
        "KKOD_CENTRAL_DATABASE_URL": registry.url,
        "KKOD_CODE_SECRET": SECRET_HEX,
        "KKOD_API_KEY_SECRET": API_KEY_SECRET_HEX,
        "KKOD_API_CONNECT_PER_MINUTE": "100000000",
        "KKOD_API_VERIFY_PER_MINUTE": "100000000",
    }
    log = registry.folder / "serve.out"
    with log.open("w") as out:
        process = subprocess.Popen(
            [KKOD, "central", "serve", "--listen", f"127.0.0.1:{port}", "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        # uvicorn's lines go to kkod's log file (the server keeps its console for the operator).
        server_log = registry.folder / "server-logs" / "kkod.log"
        while _read(server_log).count("Application startup complete") < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("kkod central serve did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""
