"""`make demo-web`: the demo of `make demo`, then the web servers on loopback until Ctrl+C.

Starts `kkod central serve` (the central API and the Hivatali kapu pages) and `kkod ministry
serve` (the operators' console and the employers' status page) on the demo's data, makes a
demo operator (and a demo office user where the central pages have logins), and prints the
addresses, the logins with a TOTP code computed now, and the demo request's status link.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo  # the script next to this one

CENTRAL_PORT = int(os.environ.get("DEMO_CENTRAL_PORT", "8000"))
MINISTRY_PORT = int(os.environ.get("DEMO_MINISTRY_PORT", "8001"))


def serve(env: dict[str, str], kkod) -> None:
    """Start both servers on the demo's data and wait for Ctrl+C."""
    from kkod.exchange.status import find_link
    from kkod.mail.message import parse_message

    logins = [
        (
            "Minisztériumi konzol",
            MINISTRY_PORT,
            None,
            _new_login(
                env,
                "ministry",
                "operator",
                "add",
                "--name",
                "demo.kezelo",
                "--full-name",
                "Demo Kezelő",
            ),
        )
    ]
    office_user = _new_login(
        env,
        "central",
        "office",
        "user",
        "add",
        "--krid",
        demo.KRID,
        "--name",
        "demo.ugyintezo",
        "--full-name",
        "Demo Ügyintéző",
    )
    if office_user is not None:
        logins.append(("Hivatali kapu", "127.0.0.1", CENTRAL_PORT, demo.SHORT_NAME, office_user))
    servers = []
    for part, port in (("central", CENTRAL_PORT), ("ministry", MINISTRY_PORT)):
        demo.console.rule(f"[bold cyan]kkod {part} serve --listen 127.0.0.1:{port}", align="left")
        process = subprocess.Popen(
            [demo.KKOD, part, "serve", "--listen", f"127.0.0.1:{port}"], env=env
        )
        servers.append(process)
        demo._wait_for_port(port, process)
    letter = parse_message((demo.OUT / "06-visszaigazolas.eml").read_bytes())
    demo.console.print()
    demo.console.print("[bold]A kiszolgálók futnak (leállítás: Ctrl+C).")
    demo.console.print(f"  Központi rendszer API:     http://127.0.0.1:{CENTRAL_PORT}/api/v1/docs")
    demo.console.print(f"  Hivatali kapu oldalai:     http://127.0.0.1:{CENTRAL_PORT}/")
    demo.console.print(f"  Minisztériumi konzol:      http://localhost:{MINISTRY_PORT}/")
    demo.console.print(f"  A bemutató kérelem állapota: {find_link(letter.text)}")
    # The two apps' session cookies have one name, and a cookie is per host, not per port:
    # the console on "localhost" keeps both logins alive in one browser.
    for title, host, port, office, (username, password, secret) in logins:
        demo.console.print(f"[bold]{title}[/] (http://{host}:{port}/bejelentkezes):")
        if office:
            demo.console.print(f"  Hivatali kapu rövid neve: {office}")
        demo.console.print(f"  Felhasználónév: {username}   Jelszó: {password}")
        demo.console.print(
            f"  Hitelesítő kód most: {pyotp.TOTP(secret).now()} "
            f"(a kód 30 másodpercig él; a titok a hitelesítő alkalmazásba: {secret})"
        )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl+C does
    try:
        servers[0].wait()  # until Ctrl+C (or the server ends)
    except KeyboardInterrupt:
        pass
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            process.wait(timeout=30)
        demo.console.print("A kiszolgálók leálltak.")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _new_login(env: dict[str, str], *command: str) -> tuple[str, str, str] | None:
    """A login made with ``kkod *command``: (user name, password, TOTP secret); ``None`` when
    this version has no such command."""
    from urllib.parse import parse_qs, urlparse

    done = subprocess.run([demo.KKOD, *command], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return None
    lines = done.stdout.splitlines()
    marker = next(i for i, line in enumerate(lines) if line.startswith("Jelszó"))
    uri = next(line for line in lines if line.startswith("otpauth://"))
    username = command[command.index("--name") + 1]
    return username, lines[marker + 1].strip(), parse_qs(urlparse(uri).query)["secret"][0]


if __name__ == "__main__":
    os.environ.setdefault("DEMO_STATUS_PORT", str(MINISTRY_PORT))
    os.environ.setdefault("DEMO_PEOPLE", "20000")
    os.environ.setdefault("DEMO_ROWS", "200")
    raise SystemExit(demo.main(after=serve))
