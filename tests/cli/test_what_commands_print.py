"""What every command prints, read as an officer or an operator reads it: the installed ``kkod``
run as a real process on a good input and on a refused one, through the whole procedure.

Nothing on the terminal may be a library's warning, a traceback, a path into site-packages or
an English sentence; the only English words allowed are names the README shows (option names,
file names). A library that starts printing on import (pyHanko did, with cryptography 51) or a
Click message that slips through fails this test, also with the newest releases (make upgrade).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import selectors
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kkod.mail.server import start_mailbox_server
from kkod.ministry.generation import WRITER_PROCESS_FROM_BYTES

from ..mail.conftest import free_port

KKOD = str(Path(sys.executable).with_name("kkod"))
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

# Words of English sentences and of Python's and Click's messages that are not Hungarian words
# too ("a", "is", "be", "it", "had", "most", "fog" are; so they are not listed).
ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "for",
        "with",
        "not",
        "this",
        "that",
        "these",
        "those",
        "are",
        "was",
        "were",
        "been",
        "will",
        "would",
        "should",
        "could",
        "cannot",
        "from",
        "into",
        "your",
        "you",
        "please",
        "error",
        "errors",
        "warning",
        "warnings",
        "invalid",
        "missing",
        "option",
        "options",
        "usage",
        "argument",
        "arguments",
        "command",
        "commands",
        "does",
        "exist",
        "exists",
        "directory",
        "show",
        "message",
        "exit",
        "try",
        "deprecated",
        "value",
        "values",
        "such",
        "required",
        "default",
        "unexpected",
        "extra",
        "got",
        "unable",
        "parse",
        "input",
        "valid",
        "integer",
        "string",
        "file",
        "files",
        "path",
        "support",
        "removed",
        "future",
        "release",
        "use",
        "modern",
        "signature",
        "algorithm",
        "traceback",
        "raise",
        "none",
        "true",
        "false",
        "type",
        "failed",
        "found",
        "unknown",
        "expected",
        "which",
        "when",
        "then",
        "there",
        "than",
        "has",
        "have",
        "must",
        "may",
        "aborted",
        "abort",
        "help",
        "how",
        "what",
        "why",
        "or",
        "by",
        "an",
        "at",
        "no",
    ]
)
# Names the README shows in code (`--from`, `signer.p12`, `KKOD_TRUST_ROOTS`) may be English.
OPTION_NAME = re.compile(r"(?<![\w-])--?[a-z][\w-]*")
README_NAMES = frozenset(
    word.lower()
    for span in re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", README, flags=re.S))
    for word in re.findall(r"\w+", OPTION_NAME.sub(" ", span))
)
# A line of kkod's own log on a server's console: "2026-12-06 10:00:00,123 INFO kkod.…: …".
KKOD_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ kkod[\w.]*: ")


def problems_in(text: str, *, json_output: bool = False) -> list[str]:
    """What an officer should never see in ``text``."""
    found = [
        f"{marker!r}"
        for marker in ("Warning", "Traceback", "site-packages", "Error:", "Exception")
        if marker in text
    ]
    if json_output:
        text = "\n".join(_strings(json.loads(text)))
    for line in text.splitlines():
        if KKOD_LOG_LINE.match(line):
            # kkod's own log lines are English today (issue 12: operator logs in Hungarian).
            continue
        bare = OPTION_NAME.sub(" ", line)
        english = sorted(
            {w for w in re.findall(r"\w+", bare.lower()) if w in ENGLISH and w not in README_NAMES}
        )
        if english:
            found.append(f"English {english} in: {line.strip()}")
    return found


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@dataclass
class Terminal:
    """Runs ``kkod`` in a folder of its own and keeps what each run printed."""

    folder: Path
    env: dict[str, str]
    seen: list[tuple[str, list[str]]] = field(default_factory=list)

    def __call__(self, *args: object, codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        words = [str(a) for a in args]
        done = subprocess.run(
            [KKOD, *words], cwd=self.folder, env=self.env, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode in codes, (
            f"kkod {' '.join(words)} → {done.returncode}\n{done.stderr}"
        )
        self.read(words, done.stdout, done.stderr)
        return done

    def read(self, words: list[str], stdout: str, stderr: str) -> None:
        shown = str(self.folder)
        stdout, stderr = stdout.replace(shown, "MAPPA"), stderr.replace(shown, "MAPPA")
        self.seen.append(
            (
                " ".join(words).replace(shown, "MAPPA"),
                problems_in(stdout, json_output="--json" in words) + problems_in(stderr),
            )
        )

    def report(self) -> str:
        return "\n".join(f"kkod {w}:\n  " + "\n  ".join(p) for w, p in self.seen if p)


@pytest.fixture
def kkod(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KKOD_") and key not in ("COLUMNS", "LINES")
    }
    env |= {
        "KKOD_DATA_DIR": str(tmp_path / "adatok"),
        "COLUMNS": "400",  # no table cell wraps, so every sentence is read whole
        "KKOD_TRUST_ROOTS": json.dumps([str(tmp_path / "pki" / "ca.pem")]),
    }
    return Terminal(tmp_path, env)


KRID, ORG, ORG_ID = "612345", "Példa Megyei Hivatal", "VATHU-15714514"
SENDER = "hr@pelda.gov.hu"


def _start_smtpd(kkod: Terminal) -> tuple[subprocess.Popen, int]:
    """``kkod ministry smtpd`` on a free port; returns once it says it listens."""
    server = subprocess.Popen(
        [KKOD, "ministry", "smtpd", "--listen", f"127.0.0.1:{free_port()}"],
        cwd=kkod.folder, env=kkod.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with selectors.DefaultSelector() as selector:
        selector.register(server.stdout, selectors.EVENT_READ)
        assert selector.select(timeout=60), "kkod ministry smtpd did not start"
    first = server.stdout.readline()
    port = re.search(r"127\.0\.0\.1:(\d+)", first)
    assert port, first
    kkod.seen.append(("ministry smtpd (indulás)", problems_in(first)))
    return server, int(port[1])


def _start_serve(kkod: Terminal, port: int) -> subprocess.Popen:
    """``kkod ministry serve`` on ``port``; returns once it answers."""
    import httpx

    from tests.processes import wait_until

    server = subprocess.Popen(
        [KKOD, "ministry", "serve", "--listen", f"127.0.0.1:{port}"],
        cwd=kkod.folder, env=kkod.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip

    def answers() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/allapot/x").status_code == 404
        except httpx.TransportError:
            assert server.poll() is None, server.communicate()
            return False

    wait_until(answers, what="kkod ministry serve")
    return server


def _has_xlsx(message: Path) -> bool:
    parsed = email.message_from_bytes(message.read_bytes(), policy=email.policy.default)
    return any((a.get_filename() or "").endswith(".xlsx") for a in parsed.iter_attachments())


@pytest.mark.slow
def test_every_command_prints_only_hungarian(kkod, tmp_path):
    mailbox_folder = tmp_path / "postafiok"
    relay_port = free_port()
    relay = start_mailbox_server(mailbox_folder, port=relay_port)
    kkod.env |= {"KKOD_SMTP_HOST": "127.0.0.1", "KKOD_SMTP_PORT": str(relay_port)}
    status_port = free_port()  # where the acknowledgements' status links point
    kkod.env["KKOD_STATUS_BASE_URL"] = f"http://127.0.0.1:{status_port}"
    (tmp_path / "szoveg.xlsx").write_text("Ez nem táblázat.\n", encoding="utf-8")
    (tmp_path / "fajl.txt").write_text("x", encoding="utf-8")
    try:
        kkod("--version")
        kkod("--help")
        kkod("employer", codes=(2,))  # a group alone: its commands

        # The central system and the certificates.
        kkod("central", "seed", "--people", "400", "--seed", "1")
        kkod("central", "seed", "--people", "sok", codes=(2,))
        office = ("central", "office", "add", "--krid", KRID, "--short-name", "PMHIV",
                  "--org", ORG, "--email-domain", "pelda.gov.hu", "--org-id", ORG_ID)  # fmt: skip
        kkod(*office)
        kkod(*office, codes=(2,))  # already there
        kkod("central", "office", "list")
        kkod("central", "office", "list", "--json")
        kkod("central", "office", "list", "--nincs-ilyen", codes=(2,))
        staff = ("central", "office", "user")
        kkod(*staff, "add", "--krid", KRID, "--name", "kiss.anna", "--full-name", "Kiss Anna")
        kkod(*staff, "add", "--krid", KRID, "--name", "kiss.anna", codes=(2,))  # already there
        kkod(*staff, "add", "--krid", "999999", "--name", "kiss.anna", codes=(2,))
        kkod(*staff, "add", "--krid", KRID, "--name", "Kiss Anna", codes=(2,))
        kkod(*staff, "list", "--krid", KRID)
        kkod(*staff, "unlock", "--krid", KRID, "--name", "kiss.anna")
        kkod(*staff, "remove", "--krid", KRID, "--name", "kiss.anna")
        kkod(*staff, "remove", "--krid", KRID, "--name", "kiss.anna", codes=(2,))
        sample = ("central", "sample-table", "--krid", KRID, "--rows", "25", "--seed", "3")
        kkod(*sample, "--error-rate", "0,3", "-o", "tabla.xlsx", "--truth", "igazsag.csv",
             "--declarations", "nyilatkozatok.csv")  # fmt: skip
        kkod(*sample[:3], "--krid", "999999", *sample[5:], "-o", "mas.xlsx", codes=(2,))
        kkod("pki", "demo-ca", "pki", "--org", ORG, "--org-id", ORG_ID)
        kkod("pki", "demo-ca", "fajl.txt", "--org", ORG, "--org-id", ORG_ID, codes=(2,))

        # The employer prepares the table and the declaration.
        kkod("template", "ures.xlsx", "--rows", "5")
        kkod("template", "pki", codes=(2,))
        (tmp_path / "dolgozok.csv").write_bytes(
            "Törzsszám;Név;Születési név;Anyja neve;Születési hely, idő;Beosztás\r\n"
            "T-1;Kiss Anna;;Szabó Mária;Eger, 1985.03.12;referens\r\n".encode("cp1250")
        )
        kkod("employer", "from-export", "dolgozok.csv", "-o", "exportbol.xlsx")
        kkod("employer", "from-export", "dolgozok.csv", "-o", "exportbol.xlsx", codes=(2,))
        kkod("employer", "from-export", "dolgozok.csv", "-o", "masik.xlsx",
             "--map", "Beosztás=Viselt név", codes=(2,))  # fmt: skip
        kkod("employer", "from-export", "szoveg.xlsx", "-o", "masik.xlsx", codes=(2,))
        kkod("employer", "serve", "--listen", "0.0.0.0:8765", codes=(2,))  # never off this computer
        kkod("validate", "tabla.xlsx", "--report", "ellenorzes.html", codes=(1,))
        kkod("validate", "tabla.xlsx", "--declarations", "nyilatkozatok.csv",
             "--fix", "javitott.xlsx", "--json")  # fmt: skip
        kkod("validate", "javitott.xlsx")
        kkod("validate", "tabla.xlsx", "--review", "-o", "atnezett.xlsx", codes=(0, 1))
        kkod("validate", "tabla.xlsx", "--review", codes=(2,))
        kkod("validate", "szoveg.xlsx", codes=(2,))
        declaration = ("employer", "declaration", "--org", ORG, "--short-name", "PMHIV",
                       "--krid", KRID, "--contact-name", "Kiss Anna", "--contact-email", SENDER)  # fmt: skip
        kkod(*declaration, "--table", "javitott.xlsx", "-o", "nyilatkozat.pdf",
             "--seat", "1051 Budapest, Példa utca 1.", "--signer-position", "főigazgató",
             "--place", "Budapest", "--sign", "pki/signer.p12")  # fmt: skip
        kkod(*declaration, "--table", "javitott.xlsx", "-o", "alairatlan.pdf")
        kkod(*declaration, "--table", "szoveg.xlsx", "-o", "rossz.pdf", codes=(2,))
        kkod("pki", "verify", "nyilatkozat.pdf", "--org-id", ORG_ID)
        kkod("pki", "verify", "alairatlan.pdf", codes=(1,))
        kkod("pki", "verify", "szoveg.xlsx", codes=(1, 2))

        # The request goes to the ministry by email, and by hand.
        server, port = _start_smtpd(kkod)
        try:
            submit = ("employer", "submit", "--to", "ehr@bm.gov.hu", "--from", SENDER,
                      "--smtp", f"127.0.0.1:{port}")  # fmt: skip
            kkod(*submit, "--table", "javitott.xlsx", "--declaration", "nyilatkozat.pdf",
                 "--save-eml", "kerelem.eml")  # fmt: skip
            kkod(*submit, "--table", "tabla.xlsx", "--declaration", "nyilatkozat.pdf", codes=(1,))
        finally:
            server.send_signal(signal.SIGTERM)
            out, err = server.communicate(timeout=60)
        kkod.read(["ministry", "smtpd"], out, err)
        kkod("ministry", "smtpd", "--listen", "127.0.0.1:sok", codes=(2,))
        held = kkod("ministry", "upload", "--table", "javitott.xlsx",
                    "--declaration", "alairatlan.pdf", "--from", SENDER).stdout  # fmt: skip
        (waiting,) = set(
            re.findall(r"KK-\d{4}-\d+", held)
        )  # an unsigned one waits for the operator
        kkod(
            "ministry", "reject", waiting, "--reason", "A nyilatkozat nincs aláírva.", "--no-reply"
        )
        kkod("ministry", "approve", waiting, codes=(1, 2))  # no longer waiting
        kkod("ministry", "upload", "--table", "javitott.xlsx", "--declaration", "szoveg.xlsx",
             "--from", SENDER, codes=(1, 2))  # fmt: skip

        # The ministry works the queue and replies; the operator looks.
        kkod("ministry", "worker", "--once")
        kkod("ministry", "worker", "--poll", "sok", codes=(2,))
        listed = kkod("ministry", "requests").stdout
        kkod("ministry", "requests", "--status", "ismeretlen", codes=(2,))
        for reference in sorted(set(re.findall(r"KK-\d{4}-\d+", listed))):
            kkod("ministry", "show", reference)
        kkod("ministry", "show", "KK-1999-999999", codes=(2,))
        for reference in sorted(set(re.findall(r"KK-\d{4}-\d+", listed))):
            kkod("ministry", "resend", reference, codes=(0, 2))  # 2: no answer to that one
        kkod("ministry", "resend", "KK-1999-999999", codes=(2,))
        kkod("generate", "javitott.xlsx", "--krid", KRID)
        kkod("generate", "javitott.xlsx", "--krid", "999999", codes=(2,))

        # The employer follows the request on the status page.
        acknowledgement, *_ = sorted(
            m for m in mailbox_folder.glob("*.eml") if b".atvetel@" in m.read_bytes()
        )
        kkod("employer", "status", acknowledgement, codes=(1,))  # the page is not served yet
        kkod("employer", "status", "KK-1999-999999", codes=(2,))
        kkod("employer", "status")  # no link known yet
        kkod("employer", "status", "valami", codes=(2,))
        kkod("ministry", "serve", "--listen", "127.0.0.1:sok", codes=(2,))
        kkod("ministry", "operator", "list")  # none yet
        kkod("ministry", "operator", "add", "--name", "nagy.peter", "--full-name", "Nagy Péter")
        kkod("ministry", "operator", "add", "--name", "nagy.peter", codes=(2,))  # already there
        kkod("ministry", "operator", "add", "--name", "Nagy Péter", codes=(2,))
        kkod("ministry", "operator", "list")
        page = _start_serve(kkod, status_port)
        try:
            first = kkod("employer", "status", acknowledgement).stdout
            (reference,) = set(re.findall(r"KK-\d{4}-\d+", first))
            kkod("employer", "status", reference)
            kkod("employer", "status")
        finally:
            page.send_signal(signal.SIGTERM)
            out, err = page.communicate(timeout=60)
        kkod.read(["ministry", "serve"], out, err)

        # The employer imports the reply and works the leftovers.
        (reply,) = [m for m in mailbox_folder.glob("*.eml") if _has_xlsx(m)]  # not the refusal
        kkod("employer", "import", reply, "--leftovers", "maradek.xlsx")
        kkod("employer", "import", "szoveg.xlsx", codes=(2,))
        kkod("employer", "list")
        kkod("employer", "list", "--leftovers-only")
        kkod("employer", "list", "--status", "ismeretlen", codes=(2,))
        kkod("employer", "export", "--format", "csv", "-o", "nyilvantartas.csv")
        kkod("employer", "export", "--format", "xml", codes=(2,))
        kkod("employer", "connect", "HR-NINCS-ILYEN", codes=(1, 2))
        kkod("central", "connect", "--krid", KRID, "--current-name", "Kiss Anna",
             "--birth-name", "Nagy Anna", "--mother-name", "Szabó Mária",
             "--birth-place", "Budapest 11", "--birth-date", "1985.03.12", codes=(0, 1))  # fmt: skip
        kkod("central", "connect", "--krid", "999999", "--current-name", "Kiss Anna",
             "--birth-name", "Nagy Anna", "--mother-name", "Szabó Mária",
             "--birth-place", "Eger", "--birth-date", "1985.03.12", codes=(2,))  # fmt: skip
    finally:
        relay.stop()
    assert len(kkod.seen) > 45
    assert not kkod.report(), kkod.report()


def test_a_big_table_written_by_a_child_process_prints_nothing_more(kkod):
    """From 256 KiB the filled table is written by a child process (kkod.background): its
    start and end leave nothing on the screen either (no ResourceWarning at exit)."""
    kkod("central", "seed", "--people", "5000", "--seed", "2")
    kkod("central", "office", "add", "--krid", KRID, "--short-name", "PMHIV", "--org", ORG)
    kkod("central", "sample-table", "--krid", KRID, "--rows", "5000", "--seed", "4",
         "-o", "nagy.xlsx")  # fmt: skip
    assert (kkod.folder / "nagy.xlsx").stat().st_size >= WRITER_PROCESS_FROM_BYTES
    done = kkod("generate", "nagy.xlsx", "--krid", KRID)
    assert "nagy-kodokkal.xlsx" in done.stdout
    assert kkod.report() == ""


def test_the_check_catches_a_library_warning_and_clicks_english():
    """The reader itself: what pyHanko printed with cryptography 51, and Click's frame."""
    warned = (
        "/x/.venv/lib/python3.11/site-packages/pyhanko/sign/signers/pdf_cms.py:20: "
        "CryptographyDeprecationWarning: DSA is deprecated and support will be removed in a "
        "future release. Use a more modern signature algorithm.\n"
        "  from cryptography.hazmat.primitives.asymmetric.dsa import DSAPrivateKey\n"
    )
    found = problems_in(warned)
    assert "'Warning'" in found and "'site-packages'" in found
    assert any("English" in p for p in found)
    assert problems_in("Usage: kkod validate [OPTIONS] TABLE\nTry 'kkod validate --help'")
    assert problems_in("Hiba: Missing option '--krid'.")
    assert not problems_in("Hiba: Hiányzik a --krid kapcsoló. Súgó: kkod generate --help")
    assert not problems_in("Aláíró tanúsítvány és kulcs  MAPPA/pki/signer.p12")
