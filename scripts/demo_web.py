"""`make demo-web`: the demo of `make demo`, then the web servers on loopback until Ctrl+C.

Starts `kkod central serve` (the central API) and `kkod ministry serve` (the ministry's web
app with the employers' status page) on the demo's data, and prints their addresses and the
demo request's status link.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo  # the script next to this one

CENTRAL_PORT = int(os.environ.get("DEMO_CENTRAL_PORT", "8000"))
MINISTRY_PORT = int(os.environ.get("DEMO_MINISTRY_PORT", "8001"))


def serve(env: dict[str, str], kkod) -> None:
    """Start both servers on the demo's data and wait for Ctrl+C."""
    from kkod.exchange.status import find_link
    from kkod.mail.message import parse_message

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
    demo.console.print(f"  Minisztériumi felület:     http://127.0.0.1:{MINISTRY_PORT}/")
    demo.console.print(f"  A bemutató kérelem állapota: {find_link(letter.text)}")
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


if __name__ == "__main__":
    os.environ.setdefault("DEMO_STATUS_PORT", str(MINISTRY_PORT))
    os.environ.setdefault("DEMO_PEOPLE", "20000")
    os.environ.setdefault("DEMO_ROWS", "200")
    raise SystemExit(demo.main(after=serve))
