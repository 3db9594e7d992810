"""A national day: ~400 requests from 36 public bodies sent at once over SMTP to the real intake,
processed by ``kkod ministry worker``s on a throwaway PostgreSQL against 1,000,000 people,
the replies received over SMTP; against one bare ``kkod generate`` of as many rows, same run.

Sizes as issue 15 measured them: 396 requests of 20–500 rows (median ≈ 114) and 14 of
2,000–20,000, ≈ 150,000 rows in all. Before the burst, one 100-row request on the idle
system gives the email → reply time. The day runs with 2 workers (the target), then 1 and 4
(``BENCH_NATIONAL_WORKERS``); each run on a fresh request store and with no connections yet
(every request issues its codes, as on the day), and each between two bare generates (A B A).
``BENCH_NATIONAL_SCALE`` (e.g. 0.1) shrinks the day for a trial, ``BENCH_PEOPLE`` the registry.
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import shutil
import smtplib
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from common import KKOD, WORK, createdb, postgresql_server, run_measured
from loadgen_ports import free_port

from kkod.mail.message import headers_of
from kkod.mail.server import KkodController
from kkod.ministry.acknowledgement import is_acknowledgement

SECRET_HEX = "5a" * 32
PASSPHRASE = b"bench-jelszo"
MINISTRY = "kapcsolatikod@bm.gov.hu"
BODIES = 36
SMALL, LARGE = 396, 14
PROBE_ROWS = 100
BARE_KRID = "699999"
SENDERS = 32  # SMTP clients sending the burst at once
DAY_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Body:
    krid: str
    name: str
    short_name: str
    domain: str
    organisation_id: str

    @property
    def sender(self) -> str:
        return f"iktato@{self.domain}"


def _bodies() -> list[Body]:
    return [
        Body(
            krid=f"6{n:05d}",
            name=f"Mérési {n}. Kormányhivatal",
            short_name=f"MKH{n}",
            domain=f"hivatal{n:02d}.example.hu",
            organisation_id=f"VATHU-{16000000 + n}",
        )
        for n in range(1, BODIES + 1)
    ]


def request_sizes(scale: float, seed: int = 15) -> list[int]:
    """The day's request sizes: lognormal small ones (median ≈ 114), log-uniform large ones."""
    rng = random.Random(seed)
    small = [min(500, max(20, round(rng.lognormvariate(4.74, 0.75)))) for _ in range(SMALL)]
    large = [round(10 ** rng.uniform(3.301, 4.301)) for _ in range(LARGE)]
    sizes = small[: max(1, round(SMALL * scale))] + large[: max(1, round(LARGE * scale))]
    rng.shuffle(sizes)
    return sizes


@dataclass
class Sink:
    """The employers' mail server: records when each reply arrives, by the request it answers.
    The acknowledgements (the "beérkezett" letters, ADR 0010) are counted apart: a request is
    answered by its reply with the codes."""

    arrived: dict[str, list[float]] = field(default_factory=dict)
    acknowledged: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.monotonic()
        # The header only: the sink shares the machine with what it measures.
        headers = headers_of(envelope.original_content)
        answered = str(headers.get("In-Reply-To", "")).strip()
        ack = is_acknowledgement(str(headers.get("Message-ID", "")))
        with self.changed:
            (self.acknowledged if ack else self.arrived).setdefault(answered, []).append(now)
            self.changed.notify_all()
        return "250 2.0.0 OK"

    def wait_for(self, ids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not ids <= self.arrived.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = len(ids - self.arrived.keys())
                    raise RuntimeError(f"{missing} replies did not arrive in {timeout:.0f} s")
                self.changed.wait(left)


def run() -> dict:
    people = int(os.environ.get("BENCH_PEOPLE", 1_000_000))
    scale = float(os.environ.get("BENCH_NATIONAL_SCALE", 1.0))
    workers_runs = [int(w) for w in os.environ.get("BENCH_NATIONAL_WORKERS", "2,1,4").split(",")]
    folder = WORK / "national"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    server = postgresql_server()
    try:
        day = _prepare(server, folder, people, scale)
        figures: dict[str, object] = {
            "registry people": people,
            "requests": len(day.requests),
            "public bodies": BODIES,
            "rows in all": day.rows,
            "request rows, median": statistics.median(day.sizes),
            "load average before the runs (2 cores, shared)": round(os.getloadavg()[0], 1),
        }
        results = {}
        for workers in workers_runs:
            # A B A: the bare generate just before and just after the day, averaged, so that a
            # change in the shared machine's load during the day hits both sides.
            before = _bare_generate(server, day)
            found = _national_day(server, day, workers)
            after = _bare_generate(server, day)
            bare = Measured((before.seconds + after.seconds) / 2, (before.cpu + after.cpu) / 2)
            found["bare generate seconds (same rows, mean of one just before and one after)"] = (
                round(bare.seconds, 2)
            )
            found["bare generate CPU seconds (with PostgreSQL)"] = round(bare.cpu, 2)
            found["bare generate seconds, before / after the day"] = (
                f"{before.seconds:.2f} / {after.seconds:.2f}"
            )
            found["throughput / bare generate"] = round(
                (day.rows / found.pop("_seconds")) / (day.rows / bare.seconds), 2
            )
            found["fixed CPU per request, ms (CPU beyond the bare per-row cost)"] = round(
                1000 * (found.pop("_cpu") - bare.cpu) / len(day.requests), 1
            )
            results[workers] = found
            figures.update({f"{workers} worker(s): {k}": v for k, v in found.items()})
    finally:
        server.remove()
    checks = []
    if 2 in results:
        two = results[2]
        probe = two["idle 100-row request, email → reply seconds"]
        share = two["throughput / bare generate"]
        fixed = two["fixed CPU per request, ms (CPU beyond the bare per-row cost)"]
        checks = [
            (
                f"a {PROBE_ROWS}-row request, idle: email → reply ≤ 0.5 s (measured {probe} s)",
                probe <= 0.5,
            ),
            (
                "national day with 2 workers ≥ 60 % of one bare generate's throughput "
                f"(measured {share:.0%})",
                share >= 0.60,
            ),
            (f"fixed CPU per request ≤ 40 ms (measured {fixed} ms)", fixed <= 40),
        ]
    for workers, found in results.items():
        checks.append(
            (
                f"{workers} worker(s): nothing lost, nothing answered twice (lost "
                f"{found['lost']}, duplicated {found['duplicated']})",
                found["lost"] == 0 and found["duplicated"] == 0,
            )
        )
    return {
        "title": f"National day: {len(day.requests)} requests over SMTP, {people:,} people, "
        "PostgreSQL",
        "figures": figures,
        "checks": checks,
    }


@dataclass
class Day:
    folder: Path
    central_url: str
    ca_cert: Path
    sizes: list[int]
    requests: list[tuple[str, bytes]]  # (Message-ID, the email)
    probe: tuple[str, bytes]
    bare_table: Path
    rows: int = 0
    # Each email's envelope sender, known when it was built: the senders do not parse the
    # emails during the day (that cost the cores what kkod was measured on).
    senders: dict[str, str] = field(default_factory=dict)


def _prepare(server, folder: Path, people: int, scale: float) -> Day:
    from kkod.central.interface import OfficeInfo
    from kkod.central.registry import add_office
    from kkod.central.synthetic import seed_registry
    from kkod.db import make_engine, migrate
    from kkod.pki.demo_ca import make_demo_ca, make_signer

    url = createdb(server, "central")
    engine = make_engine(url)
    migrate(engine, "central")
    print(f"  seeding {people:,} people (PostgreSQL)", flush=True)
    seed_registry(engine, people, seed=2026)
    bodies = _bodies()
    for body in bodies:
        add_office(
            engine,
            OfficeInfo(body.krid, body.short_name, body.name, (body.domain,), body.organisation_id),
        )
    add_office(engine, OfficeInfo(BARE_KRID, "BARE", "Mérési Hivatal"))
    ca = make_demo_ca(
        folder / "ca",
        organisation=bodies[0].name,
        organisation_id=bodies[0].organisation_id,
        signer_name="Mérési Aláíró",
        passphrase=PASSPHRASE,
    )
    signers = {
        body.krid: make_signer(
            folder / "ca" / body.krid,
            ca,
            organisation=body.name,
            organisation_id=body.organisation_id,
            signer_name="Mérési Aláíró",
            passphrase=PASSPHRASE,
        )
        for body in bodies
    }
    sizes = request_sizes(scale)
    print(f"  building {len(sizes)} signed requests, {sum(sizes):,} rows", flush=True)
    requests = [
        _request(engine, folder, bodies[i % BODIES], signers, rows, i)
        for i, rows in enumerate(sizes)
    ]
    probe = _request(engine, folder, bodies[0], signers, PROBE_ROWS, 10_000)
    bare = folder / "bare.xlsx"
    from kkod.central.sample_table import write_sample_table

    write_sample_table(engine, bare, krid=BARE_KRID, rows=sum(sizes), error_rate=0.05, seed=7)
    engine.dispose()
    senders = {m: bodies[i % BODIES].sender for i, (m, _) in enumerate(requests)}
    senders[probe[0]] = bodies[0].sender
    return Day(folder, url, ca.ca_cert, sizes, requests, probe, bare, sum(sizes), senders)


def _request(engine, folder: Path, body: Body, signers, rows: int, index: int):
    from kkod.central.sample_table import write_sample_table
    from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table
    from kkod.exchange.subject import request_subject
    from kkod.mail.message import PDF_TYPE, XLSX_TYPE, Attachment, build_message
    from kkod.pki.signing import sign_pdf

    table = folder / "tables" / f"kapcsolati_kod_tabla_{index}.xlsx"
    table.parent.mkdir(exist_ok=True)
    write_sample_table(engine, table, krid=body.krid, rows=rows, error_rate=0.05, seed=index)
    data = declaration_data_for_table(
        table,
        organisation=body.name,
        short_name=body.short_name,
        krid=body.krid,
        contact_name="Mérési Judit",
        contact_email=body.sender,
    )
    pdf = sign_pdf(build_declaration_pdf(data), signers[body.krid], PASSPHRASE)
    message_id = f"<kerelem-{index}@{body.domain}>"
    message = build_message(
        sender=body.sender,
        to=MINISTRY,
        subject=request_subject(body.name),
        text="Tisztelt Minisztérium! Mellékelten küldjük a kérelmünket.",
        attachments=[
            Attachment(table.name, XLSX_TYPE, table.read_bytes()),
            Attachment("nyilatkozat.pdf", PDF_TYPE, pdf),
        ],
        message_id=message_id,
    )
    return message_id, message.as_bytes()


def _reset_connections(url: str) -> None:
    """No office connected to anyone yet: every request of the next run issues its codes."""
    from sqlalchemy.engine import make_url

    from kkod.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE central_connections CASCADE")
        databases = (
            conn.exec_driver_sql(
                "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"
            )
            .scalars()
            .all()
        )
    engine.dispose()
    # PostgreSQL's own background work after the last run (checkpoint, autovacuum) done now,
    # not counted as the next run's CPU: in every database of the server, the request store
    # of the day just ended too (its autovacuum once doubled the bare generate after a day).
    for name in databases:
        database = make_engine(make_url(url).set(database=name).render_as_string(False))
        with database.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        database.dispose()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CHECKPOINT")
    engine.dispose()


@dataclass
class Measured:
    seconds: float
    cpu: float  # of the command and of PostgreSQL


def _bare_generate(server, day: Day) -> Measured:
    _reset_connections(day.central_url)
    env = {
        "KKOD_DATA_DIR": str(day.folder / "bare-data"),
        "KKOD_LOG_DIR": str(day.folder / "bare-logs"),
        "KKOD_CODE_SECRET": SECRET_HEX,
        "KKOD_CENTRAL_DATABASE_URL": day.central_url,
        # The whole day in one table may exceed an office's 200,000-row limit.
        "KKOD_TABLE_MAX_ROWS": "1000000",
    }
    argv = [KKOD, "generate", str(day.bare_table), "--krid", BARE_KRID, "--json", "--force",
            "-o", str(day.folder / "bare-kodokkal.xlsx"),
            "--report", str(day.folder / "bare-jelentes.xlsx")]  # fmt: skip
    before = _cpu(resource.RUSAGE_CHILDREN) + _pg_cpu(server)
    seconds, _ = run_measured(argv, env=env)
    return Measured(seconds, _cpu(resource.RUSAGE_CHILDREN) + _pg_cpu(server) - before)


def _national_day(server, day: Day, workers: int) -> dict:
    _reset_connections(day.central_url)
    store_db = f"ministry_{workers}_{int(time.time())}"
    createdb(server, store_db)
    from kkod.ministry.store import RequestStore

    RequestStore.open(url=server.url(store_db)).engine.dispose()  # migrated before they start
    sink = Sink()
    sink_port = free_port()
    # kkod's server class reads DATA in blocks: the sink costs the machine less.
    controller = KkodController(sink, hostname="127.0.0.1", port=sink_port)
    controller.start()
    intake_port = free_port()
    env = {
        "KKOD_DATA_DIR": str(day.folder / f"ministry-{workers}"),
        "KKOD_LOG_DIR": str(day.folder / f"ministry-{workers}-logs"),
        "KKOD_CODE_SECRET": SECRET_HEX,
        "KKOD_CENTRAL_DATABASE_URL": day.central_url,
        "KKOD_MINISTRY_DATABASE_URL": server.url(store_db),
        "KKOD_TRUST_ROOTS": f'["{day.ca_cert}"]',
        "KKOD_MINISTRY_ADDRESS": MINISTRY,
        "KKOD_SMTP_HOST": "127.0.0.1",
        "KKOD_SMTP_PORT": str(sink_port),
    }
    commands = [[KKOD, "ministry", "smtpd", "--listen", f"127.0.0.1:{intake_port}"]]
    commands += [
        [KKOD, "ministry", "worker", "--worker-id", f"meres-{n}", "--poll", "5"]
        for n in range(workers)
    ]
    try:
        with _started(commands, env, day.folder / f"run-{workers}") as processes:
            probe_id, probe_raw = day.probe
            start = time.monotonic()
            _send(intake_port, day.senders[probe_id], probe_raw)
            sink.wait_for({probe_id}, 120)
            probe_seconds = sink.arrived[probe_id][0] - start
            split_before = _cpu_split(processes, server)
            own_before = _cpu(resource.RUSAGE_SELF)
            sent: dict[str, float] = {}
            first = time.monotonic()
            with ThreadPoolExecutor(SENDERS) as pool:
                for message_id, raw in day.requests:
                    pool.submit(
                        _send_timed, intake_port, message_id, day.senders[message_id], raw, sent
                    )
            sink.wait_for(set(sent) | {m for m, _ in day.requests}, DAY_TIMEOUT)
            seconds = max(sink.arrived[m][-1] for m, _ in day.requests) - first
            split = [
                b - a for a, b in zip(split_before, _cpu_split(processes, server), strict=True)
            ]
            cpu = sum(split)
            own = _cpu(resource.RUSAGE_SELF) - own_before
            statuses = _statuses(server.url(store_db))
    finally:
        controller.stop()
    ids = [m for m, _ in day.requests]
    latencies = sorted(sink.arrived[m][0] - sent[m] for m in ids)
    replies = sum(len(sink.arrived.get(m, [])) for m in ids)
    return {
        "idle 100-row request, email → reply seconds": round(probe_seconds, 3),
        "day seconds (first email sent → last reply)": round(seconds, 2),
        "rows/s": round(day.rows / seconds),
        "requests/min": round(len(ids) / seconds * 60),
        "latency p50 s": round(statistics.median(latencies), 2),
        "latency p95 s": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "latency max s": round(latencies[-1], 2),
        "lost": len([m for m in ids if m not in sink.arrived]),
        "duplicated": replies - len([m for m in ids if m in sink.arrived]),
        "request statuses": statuses,
        "CPU seconds (intake, workers, PostgreSQL)": round(cpu, 1),
        "CPU ms per request: intake / workers / PostgreSQL": " / ".join(
            f"{1000 * part / len(ids):.1f}" for part in split
        ),
        "the bench's own CPU seconds during the day (senders, sink; not counted above)": round(
            own, 1
        ),
        "_seconds": seconds,
        "_cpu": cpu,
    }


def _send(port: int, sender: str, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
        client.sendmail(sender, [MINISTRY], raw)


def _send_timed(
    port: int, message_id: str, sender: str, raw: bytes, sent: dict[str, float]
) -> None:
    sent[message_id] = time.monotonic()
    _send(port, sender, raw)


def _statuses(url: str) -> dict[str, int]:
    from kkod.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT status, COUNT(*) FROM ministry_requests GROUP BY status"
        ).all()
    engine.dispose()
    return dict(rows)


@contextlib.contextmanager
def _started(commands, env, folder: Path) -> Iterator[list[psutil.Process]]:
    folder.mkdir(parents=True, exist_ok=True)
    processes, logs = [], []
    try:
        for n, argv in enumerate(commands):
            log = folder / f"{n}.out"
            logs.append(log)
            with log.open("w") as out:
                processes.append(
                    subprocess.Popen(
                        argv, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
                    )
                )
        deadline = time.monotonic() + 120
        for process, log in zip(processes, logs, strict=True):
            while "Leállítás: Ctrl+C" not in log.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{log} did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.1)
        yield [psutil.Process(p.pid) for p in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _cpu_of(process: psutil.Process) -> float:
    with contextlib.suppress(psutil.NoSuchProcess):
        t = process.cpu_times()
        return t.user + t.system + t.children_user + t.children_system
    return 0.0


def _tree_cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        total += _cpu_of(process)
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(_cpu_of(child) for child in process.children(recursive=True))
    return total


def _cpu_split(processes: list[psutil.Process], server) -> tuple[float, float, float]:
    """CPU so far of the intake (the first process), the workers, and PostgreSQL."""
    return _tree_cpu(processes[:1]), _tree_cpu(processes[1:]), _pg_cpu(server)


def _pg_cpu(server) -> float:
    """PostgreSQL's CPU so far: the postmaster, its live backends, and the ones that exited."""
    pid = int((server.data / "postmaster.pid").read_text().split()[0])
    return _tree_cpu([psutil.Process(pid)])


def _cpu(who: int) -> float:
    """CPU seconds so far of this process (``RUSAGE_SELF``) or its ended children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
