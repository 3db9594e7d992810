"""The root Typer app and its command groups; command modules attach themselves to these."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="kkod",
    help="Kapcsolati kódok tömeges generálása: táblázat, ellenőrzés, generálás, kérelmek.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
central_app = typer.Typer(
    help="A központi nyilvántartás (Ügyfélkapu-fiókok, hivatali kapuk, kapcsolatok).",
    no_args_is_help=True,
)
ministry_app = typer.Typer(
    help="A minisztérium: kérelmek fogadása, ellenőrzése, feldolgozása.", no_args_is_help=True
)
employer_app = typer.Typer(
    help="A munkáltató: nyilatkozat, beküldés, kódok importja, nyilvántartás.", no_args_is_help=True
)
pki_app = typer.Typer(
    help="Tanúsítványok a nyilatkozat aláírásához (bemutató CA).", no_args_is_help=True
)


@app.callback()
def _start() -> None:
    """Kapcsolati kódok tömeges generálása: táblázat, ellenőrzés, generálás, kérelmek."""
    from kkod import logs

    logs.setup()


app.add_typer(central_app, name="central")
app.add_typer(ministry_app, name="ministry")
app.add_typer(employer_app, name="employer")
app.add_typer(pki_app, name="pki")
