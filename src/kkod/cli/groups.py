"""The root Typer app and its command groups; command modules attach themselves to these."""

from __future__ import annotations

from typing import Annotated

import typer

from kkod.cli.frame import KkodTyper

app = KkodTyper(name="kkod")  # its help is _start's docstring
central_app = KkodTyper(
    help="A központi nyilvántartás (Ügyfélkapu-fiókok, hivatali kapuk, kapcsolatok)."
)
ministry_app = KkodTyper(help="A minisztérium: kérelmek fogadása, ellenőrzése, feldolgozása.")
employer_app = KkodTyper(help="A munkáltató: nyilatkozat, beküldés, kódok importja, nyilvántartás.")
pki_app = KkodTyper(help="Tanúsítványok a nyilatkozat aláírásához (bemutató CA).")


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        from kkod.cli.common import console

        console.print(f"kkod {version('kkod')}")
        raise typer.Exit()


@app.callback()
def _start(
    _version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version, help="A kkod verziója."),
    ] = False,
) -> None:
    """Kapcsolati kódok tömeges generálása: táblázat, ellenőrzés, generálás, kérelmek.

    Példa: kkod template tablazat.xlsx
    Példa: kkod validate tablazat.xlsx --fix javitott.xlsx
    """
    from kkod import logs

    logs.setup()


app.add_typer(central_app, name="central")
app.add_typer(ministry_app, name="ministry")
app.add_typer(employer_app, name="employer")
app.add_typer(pki_app, name="pki")
