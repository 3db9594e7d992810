"""``kkod employer serve``: the employer's workbench in the browser, on this computer only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from kkod.cli.common import console, fail, plain, reports_errors
from kkod.cli.groups import employer_app
from kkod.cli.values import SERVER_ADDRESS, host_and_port
from kkod.hungarian import with_article

LOOPBACK = ("127.0.0.1", "localhost")


@employer_app.command("serve")
@reports_errors
def serve(
    listen: Annotated[
        str,
        typer.Option(
            "--listen",
            metavar="GÉP:PORT",
            parser=SERVER_ADDRESS,
            help="Ahol a munkapad figyel; csak 127.0.0.1 (ez a gép) lehet.",
        ),
    ] = "127.0.0.1:8765",
) -> None:
    """A munkapad a böngészőben: export vagy táblázat feltöltése, megfeleltetés, javaslatok
    egyenként, összevetés a nyilatkozatokkal, letöltés; a nyilvántartás a kód nélkül maradtakkal
    és a kapcsolat létrehozásával, export az iratkezelőnek. Csak ezen a gépen érhető el; a kiírt
    címet nyissa meg (egyszer használható belépési kulccsal).

    Példa: kkod employer serve
    Példa: kkod employer serve --listen 127.0.0.1:9000
    """
    import uvicorn

    from kkod.central.service import open_central
    from kkod.config import get_settings
    from kkod.employer.database import open_register
    from kkod.employer.review import current_user
    from kkod.employer.workbench import Workbench
    from kkod.web.employer.access import Access, loopback_hosts
    from kkod.web.employer.app import create_app
    from kkod.workspace import work_folder

    host, port = host_and_port(listen)
    if host not in LOOPBACK:
        raise fail(f"A munkapad csak ezen a gépen figyelhet (127.0.0.1), nem ezen: {host}.", 2)
    access = Access(loopback_hosts(port))
    # The uploads and every version of the table stay in a private work folder (kkod.workspace),
    # removed at the end — or by the next kkod process if this one is killed.
    with work_folder("munkapad") as folder:
        bench = Workbench(Path(folder), current_user())
        app = create_app(bench, access, open_register(), lambda: open_central(get_settings()))
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                access_log=False,
                log_config=None,
                server_header=False,
            )  # log_config=None: kkod.logs keeps uvicorn's English lines in the log file
        )
        listening = server.startup

        async def startup(sockets=None) -> None:
            await listening(sockets)
            if server.started:  # the address is printed once it answers
                _announce(port, access.token)

        server.startup = startup  # type: ignore[method-assign]
        server.run()
        if not server.started:
            raise fail(f"A munkapad nem indult el: {with_article(port)}. port foglalt lehet.", 1)


def _announce(port: int, token: str) -> None:
    console.print(
        Text.assemble(
            ("A munkapad elindult.", "green"),
            " Nyissa meg ezt a címet a böngészőben (egyszer használható):",
        )
    )
    console.print(plain(f"  http://127.0.0.1:{port}/belepes?t={token}"), soft_wrap=True)
    console.print("Leállítás: Ctrl+C. A feltöltött fájlok a leállításkor törlődnek.")
    console.file.flush()  # at once, also into a pipe
