"""What the commands that make web users share: the user name's rule, and what they print once
(the password and the authenticator app's QR code with its provisioning URI)."""

from __future__ import annotations

import io
import re

import typer

from kkod.cli.common import console, fail
from kkod.logins.store import NewUser

USERNAME = re.compile(r"[a-z0-9._\-]{2,100}")


def check_username(name: str, example: str) -> None:
    """Refuse (exit code 2) a user name outside :data:`USERNAME`."""
    if not USERNAME.fullmatch(name):
        raise fail(
            "A felhasználónév 2–100 jel: kisbetű, szám, pont, kötőjel vagy aláhúzás "
            f"(pl. {example}).",
            2,
        )


def show_new_login(new: NewUser, *, password: bool = True) -> None:
    """The password (unless the user typed it) and the authenticator's setup, shown only now."""
    import qrcode

    if password:
        console.print("Jelszó (csak most látható, adja át személyesen):")
        typer.echo(new.password)
    console.print("A hitelesítő alkalmazás beállítása – olvassa be ezt a QR-kódot:")
    qr = qrcode.QRCode(border=2)
    qr.add_data(new.provisioning_uri)
    buffer = io.StringIO()
    qr.print_ascii(out=buffer, invert=True)
    typer.echo(buffer.getvalue())
    console.print("Vagy adja meg kézzel a hitelesítő alkalmazásban ezt a címet:")
    typer.echo(new.provisioning_uri)
