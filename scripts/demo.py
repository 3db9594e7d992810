"""`make demo`: the whole procedure end to end on the embedded default, into ./demo-output/.

Runs the real `kkod` commands one after another (each is printed, so the demo doubles as a
walk-through), with real SMTP on loopback between the employer and the ministry, and the
ministry's status page on loopback for the employer's `kkod employer status`.
`make demo-web` (scripts/demo_web.py) runs the same, then leaves the servers running.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "demo-output"
KKOD = str(Path(sys.executable).with_name("kkod"))

ORG = "Példa Vármegyei Kormányhivatal"
ORG_ID = "VATHU-15789012"
SHORT_NAME = "PVKH"
SEAT = "6722 Szeged, Rákóczi tér 1."
KRID = "612345"
EMPLOYER_ADDRESS = "hr@pelda-kormanyhivatal.hu"
MINISTRY_ADDRESS = "ehr@bm.gov.hu"
PEOPLE = int(os.environ.get("DEMO_PEOPLE", "200000"))
ROWS = int(os.environ.get("DEMO_ROWS", "2000"))
PASSPHRASE_VAR = "KKOD_DEMO_P12_PASS"

console = Console()


def main(after=None) -> int:
    """The demo; ``after(env, kkod)`` runs at the end (make demo-web: the servers)."""
    started = time.perf_counter()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    mailbox_port, intake_port = _free_port(), _free_port()
    status_port = int(os.environ.get("DEMO_STATUS_PORT") or 0) or _free_port()
    env = {
        **os.environ,
        "KKOD_DATA_DIR": str(OUT / "adatok"),
        "KKOD_TRUST_ROOTS": json.dumps([str(OUT / "pki" / "ca.pem")]),
        "KKOD_SMTP_HOST": "127.0.0.1",
        "KKOD_SMTP_PORT": str(mailbox_port),
        "KKOD_MINISTRY_ADDRESS": MINISTRY_ADDRESS,
        "KKOD_STATUS_BASE_URL": f"http://127.0.0.1:{status_port}",
        PASSPHRASE_VAR: "demo-jelszo-2026",
    }
    for key in (
        "KKOD_CENTRAL_DATABASE_URL",
        "KKOD_MINISTRY_DATABASE_URL",
        "KKOD_EMPLOYER_DATABASE_URL",
    ):
        env.pop(key, None)

    def kkod(
        *args: str, ok: tuple[int, ...] = (0,), capture: bool = False, answers: str | None = None
    ) -> subprocess.CompletedProcess:
        shown = " ".join(_short(a) for a in args)
        console.rule(f"[bold cyan]kkod {shown}", align="left")
        proc = subprocess.run(
            [KKOD, *args], env=env, text=True, stdout=subprocess.PIPE if capture else None,
            input=answers,
        )  # fmt: skip
        if proc.returncode not in ok:
            raise SystemExit(f"kkod {shown} → kilépési kód {proc.returncode}")
        return proc

    console.print(f"[bold]kkod bemutató[/] → {OUT}\n")

    # The central system and the office.
    kkod("pki", "demo-ca", str(OUT / "pki"), "--org", ORG, "--org-id", ORG_ID,
         "--signer", "Kiss Anna", "--pass-env", PASSPHRASE_VAR)  # fmt: skip
    kkod("central", "seed", "--people", str(PEOPLE), "--seed", "2026")
    kkod("central", "office", "add", "--krid", KRID, "--short-name", SHORT_NAME, "--org", ORG,
         "--email-domain", EMPLOYER_ADDRESS.split("@")[1], "--org-id", ORG_ID)  # fmt: skip

    # The employer prepares the table.
    kkod("template", str(OUT / "00-ures-sablon.xlsx"), "--rows", "50")
    raw = OUT / "01-tablazat-hr-exportbol.xlsx"
    truth = OUT / "01-igazsag.csv"
    declared = OUT / "01-dolgozoi-nyilatkozatok.csv"
    kkod("central", "sample-table", "--krid", KRID, "--rows", str(ROWS), "--error-rate", "0.2",
         "-o", str(raw), "--truth", str(truth), "--declarations", str(declared), "--seed", "7")  # fmt: skip
    kkod("validate", str(raw), "--report", str(OUT / "02-ellenorzes.html"), ok=(0, 1))
    fixed = OUT / "03-tablazat-javitott.xlsx"
    kkod("validate", str(raw), "--fix", str(fixed), "--report", str(OUT / "03-ellenorzes-javitas-utan.html"), ok=(0, 1))  # fmt: skip
    # The suggestions (accents, nearest settlement) decided one by one, as a careful officer
    # would: accepted when the employee's own declaration confirms them, rejected otherwise.
    suggested = OUT / "03-tablazat-javaslatokkal.xlsx"
    answers, confirmed, rejected = _confirmed_answers(fixed, declared)
    kkod("validate", str(fixed), "--review", "-o", str(suggested), ok=(0, 1), answers=answers)
    checked = OUT / "04-tablazat-bekuldendo.xlsx"
    kkod("validate", str(fixed), "--declarations", str(declared), "--fix", str(checked),
         "--report", str(OUT / "04-ellenorzes-nyilatkozatokkal.html"), ok=(0, 1))  # fmt: skip
    kkod("validate", str(checked), "--report", str(OUT / "04-vegso-ellenorzes.html"))

    # Match rates the ministry would get for each version (a diagnostic run of the generation).
    rates = {}
    for label, table in (
        ("javítás előtt", raw),
        ("biztonságos javítások után", fixed),
        ("javaslatok elfogadása után", suggested),
    ):
        result = kkod("generate", str(table), "--krid", KRID, "-o", str(OUT / "diagnosztika" / table.name),
                      "--report", str(OUT / "diagnosztika" / f"{table.stem}-jelentes.xlsx"), "--json",
                      capture=True)  # fmt: skip
        rates[label] = json.loads(result.stdout)

    # Declaration, request over SMTP, ministry intake and worker, reply to the employer's mailbox.
    declaration = OUT / "05-nyilatkozat.pdf"
    kkod("employer", "declaration", "--org", ORG, "--short-name", SHORT_NAME, "--krid", KRID,
         "--contact-name", "Kiss Anna", "--contact-email", EMPLOYER_ADDRESS, "--table", str(checked),
         "--seat", SEAT, "--signer-position", "humánpolitikai főosztályvezető", "--place", "Szeged",
         "-o", str(declaration), "--sign", str(OUT / "pki" / "signer.p12"), "--pass-env", PASSPHRASE_VAR)  # fmt: skip

    from kkod.mail.server import start_mailbox_server, wait_for_messages
    from kkod.ministry.acknowledgement import is_acknowledgement

    mailbox = OUT / "munkaltato-postafiok"
    mailbox_server = start_mailbox_server(mailbox, "127.0.0.1", mailbox_port)
    console.rule(
        f"[bold cyan]kkod ministry smtpd --listen 127.0.0.1:{intake_port} --with-worker",
        align="left",
    )
    ministry = subprocess.Popen(
        [KKOD, "ministry", "smtpd", "--listen", f"127.0.0.1:{intake_port}", "--with-worker"],
        env=env,
    )
    console.rule(f"[bold cyan]kkod ministry serve --listen 127.0.0.1:{status_port}", align="left")
    status_page = subprocess.Popen(
        [KKOD, "ministry", "serve", "--listen", f"127.0.0.1:{status_port}"], env=env
    )
    try:
        _wait_for_port(intake_port, ministry)
        _wait_for_port(status_port, status_page)
        kkod("employer", "submit", "--table", str(checked), "--declaration", str(declaration),
             "--to", MINISTRY_ADDRESS, "--from", EMPLOYER_ADDRESS, "--smtp", f"127.0.0.1:{intake_port}",
             "--save-eml", str(OUT / "06-keres.eml"))  # fmt: skip
        console.print(
            "[dim]A minisztérium feldolgozza a kérelmet; várjuk a választ a munkáltató postafiókjába…"
        )
        # First the acknowledgement ("beérkezett", with the status link), then the answer.
        arrived = wait_for_messages(mailbox, 2, timeout=120)
        [acknowledgement] = [m for m in arrived if is_acknowledgement(_message_id(m))]
        [reply] = [m for m in arrived if m != acknowledgement]
        shutil.copyfile(acknowledgement, OUT / "06-visszaigazolas.eml")
        shutil.copyfile(reply, OUT / "07-valasz.eml")
        kkod("ministry", "requests")
        kkod("employer", "status", str(OUT / "06-visszaigazolas.eml"))
    finally:
        for process in (ministry, status_page):
            process.terminate()
            process.wait(timeout=30)
        mailbox_server.stop()

    # The employer imports the reply.
    kkod(
        "employer",
        "import",
        str(OUT / "07-valasz.eml"),
        "--leftovers",
        str(OUT / "08-maradek-sorok.xlsx"),
    )
    kkod("employer", "export", "--format", "csv", "-o", str(OUT / "09-nyilvantartas.csv"))

    _summary(truth, rates, OUT / "07-valasz.eml", time.perf_counter() - started)
    console.print(
        f"A javaslatok közül {confirmed} elfogadva (a dolgozó nyilatkozata megerősítette), "
        f"{rejected} elutasítva (nem egyezett a nyilatkozattal)."
    )
    if after is not None:
        after(env, kkod)
    return 0


def _confirmed_answers(table: Path, declarations: Path) -> tuple[str, int, int]:
    """The answers a careful officer gives ``kkod validate --review`` on ``table``: each
    suggestion accepted (``e``) when the employee's declaration says the same, else skipped
    (``k``); and how many of each."""
    from kkod.employer.declared import read_declarations
    from kkod.employer.review import candidates
    from kkod.employer.validation import validate_table
    from kkod.fourt.canonical import canonical_name, canonical_place
    from kkod.table import layout
    from kkod.table.reader import read_table

    declared = {d.belso_azonosito: d.values for d in read_declarations(declarations)}
    ids = {r.row: r.belso_azonosito for r in read_table(table).rows}
    field_of = {c.letter: c.field for c in layout.COLUMNS}
    safe, suggestions = candidates(validate_table(table))
    lines = ["i"] if safe else []
    confirmed = 0
    for candidate in suggestions:
        name = field_of[candidate.column]
        truth = declared.get(ids.get(candidate.row, ""), {}).get(name, "")
        canonical = canonical_place if name == "szuletesi_hely" else canonical_name
        ok = bool(truth) and canonical(candidate.new) == canonical(truth)
        confirmed += ok
        lines.append("e" if ok else "k")
    return "".join(f"{line}\n" for line in lines), confirmed, len(suggestions) - confirmed


def _summary(truth: Path, rates: dict[str, dict], reply: Path, seconds: float) -> None:
    from kkod.mail.message import parse_message
    from kkod.table.reader import read_table

    expected_results = [row["vart_eredmeny"] for row in _truth_rows(truth)]
    expected = expected_results.count("KOD")
    table_bytes = next(a.data for a in parse_message(reply.read_bytes()).attachments if a.is_xlsx)
    returned = OUT / "07-valasz-tablazat.xlsx"
    returned.write_bytes(table_bytes)
    final = read_table(returned)
    coded = sum(1 for row in final.rows if row.kapcsolati_kod)
    table = Table(title="Egyezési arány a várthoz képest (igazságfájl)")
    table.add_column("tábla")
    table.add_column("sorok", justify="right")
    table.add_column("kód", justify="right")
    table.add_column("a hibátlan táblához képest", justify="right")
    for label, result in rates.items():
        table.add_row(
            label, str(result["rows"]), str(result["coded"]), _pct(result["coded"], expected)
        )
    table.add_row(
        "nyilatkozatokkal ellenőrizve (beküldve)",
        str(len(final.rows)),
        str(coded),
        _pct(coded, expected),
    )
    table.add_row("hibátlan tábla (igazság)", str(len(final.rows)), str(expected), "100 %")
    console.print(table)
    console.print(
        f"Kód nélkül maradt {len(final.rows) - coded} sor: "
        f"{expected_results.count('NINCS_TALALAT')} dolgozónak nincs Ügyfélkapuja, "
        f"{expected_results.count('TOBB_TALALAT')} dolgozónak több is van — ezeket egyenként "
        "kell kezelni: a 08-maradek-sorok.xlsx soronként megadja a 4T adatokat és a teendőt "
        "(kkod employer edit, kkod employer connect)."
    )
    console.print(f"A bemutató {seconds:.0f} s alatt futott le. Fájlok: {OUT}")


def _truth_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(2048)
        handle.seek(0)
        return list(csv.DictReader(handle, dialect=csv.Sniffer().sniff(sample, ";,")))


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def _short(arg: str) -> str:
    return arg.replace(str(OUT) + os.sep, "demo-output/")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _message_id(path: Path) -> str:
    from email.parser import BytesHeaderParser

    return str(BytesHeaderParser().parsebytes(path.read_bytes()).get("Message-ID", ""))


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("A minisztériumi fogadó kiszolgáló nem indult el.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("A minisztériumi fogadó kiszolgáló nem válaszol.")


if __name__ == "__main__":
    raise SystemExit(main())
