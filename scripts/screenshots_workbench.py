"""Screenshots of the employer's workbench for docs/employer.md (docs/img/munkapad-*.png):
the real app on 127.0.0.1 with a small synthetic export, in Debian's Chromium.

Run: .venv/bin/python scripts/screenshots_workbench.py
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
EXPORT = (
    "Törzsszám;Vezetéknév;Keresztnév;Születési név;Anyuka;Születési hely, idő;Beosztás\r\n"
    "T-004512;Kovacs;Janos;;Szabó Mária;Debrecen, 1985-03-12;referens\r\n"
    "T-004513;Varga;Éva;Varga  Éva;Fekete Ilona;Debrecn, 1972.11.02;ügyintéző\r\n"
    "T-004514;Tóth;Béla;Tóth Béla;Molnar Erzsebet;Pécs, 1990.01.30;osztályvezető\r\n"
    "T-004515;Kiss;Anna;Nagy Anna;Tóth Pálné;Budapest, 1979.06.21;titkár\r\n"
)


def main() -> int:
    from playwright.sync_api import sync_playwright

    from kkod.employer.workbench import Workbench
    from kkod.web.employer.access import Access, loopback_hosts
    from kkod.web.employer.app import create_app

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        export = Path(folder) / "dolgozok.csv"
        export.write_bytes(EXPORT.encode("cp1250"))
        (Path(folder) / "munka").mkdir()
        access = Access(loopback_hosts(port))
        app = create_app(Workbench(Path(folder) / "munka", "kiss.anna"), access)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            thread.join(0.05)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="hu-HU")
            page.goto(f"http://127.0.0.1:{port}/belepes?t={access.token}")
            page.screenshot(path=OUT / "munkapad-1-feltoltes.png", full_page=True)
            page.set_input_files("#fajl", str(export))
            page.get_by_role("button", name="Feltöltés").click()
            page.screenshot(path=OUT / "munkapad-2-megfeleltetes.png", full_page=True)
            page.select_option("#oszlop-4", "anyja_szuletesi_neve")
            page.get_by_role("button", name="Táblázat készítése").click()
            page.screenshot(path=OUT / "munkapad-3-ellenorzes.png", full_page=True)
            browser.close()
        server.should_exit = True
        thread.join(30)
    print(f"Képernyőképek: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
