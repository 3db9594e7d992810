"""``kkod pki``: the demo CA and signer certificates, and checking a declaration's signature."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from kkod.cli.common import Force, announce_kept, cells, console, plain, reports_errors
from kkod.cli.groups import pki_app
from kkod.cli.values import INPUT_FILE, OUTPUT_FOLDER
from kkod.errors import KkodError
from kkod.hungarian import with_article

DEMO_PASSPHRASE_TEXT = "kkod-demo"


def passphrase_from_env(var: str | None) -> tuple[bytes, bool]:
    """The passphrase in environment variable ``var``; the demo passphrase when ``var`` is None.

    Returns the passphrase and whether it is the demo one.
    """
    if var is None:
        return DEMO_PASSPHRASE_TEXT.encode(), True
    value = os.environ.get(var)
    if value is None:
        raise KkodError(
            f"{with_article(var, capital=True)} környezeti változó nincs beállítva (ebben "
            "kellene lennie a jelszónak)."
        )
    return value.encode("utf-8"), False


@pki_app.command("demo-ca")
@reports_errors
def demo_ca(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="MAPPA",
            parser=OUTPUT_FOLDER,
            help="Ebbe a mappába kerül a ca.pem, a ca.key és a signer.p12.",
        ),
    ],
    org: Annotated[
        str,
        typer.Option(
            "--org", metavar="SZERVEZET", help="A szervezet teljes neve (a tanúsítvány O mezője)."
        ),
    ],
    org_id: Annotated[
        str,
        typer.Option(
            "--org-id",
            metavar="AZONOSÍTÓ",
            help="A szervezet azonosítója (organizationIdentifier), pl. VATHU-15714514.",
        ),
    ],
    signer: Annotated[
        str,
        typer.Option("--signer", metavar="NÉV", help="Az aláíró neve (a tanúsítvány CN mezője)."),
    ] = "Bemutató Aláíró",
    pass_env: Annotated[
        str | None,
        typer.Option(
            "--pass-env",
            metavar="VÁLTOZÓ",
            help="A jelszót tartalmazó környezeti változó neve; alapértelmezés: bemutató jelszó.",
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Bemutató tanúsítványkiadó (CA) és aláíró tanúsítvány (.p12) készítése egy szervezetnek.

    Példa: kkod pki demo-ca pki --org "Példa Megyei Hivatal" --org-id VATHU-15714514
    """
    from kkod.outputs import claim_outputs
    from kkod.pki.demo_ca import CA_CERT_FILE, CA_KEY_FILE, SIGNER_FILE, make_demo_ca

    passphrase, is_demo = passphrase_from_env(pass_env)
    files = (folder / name for name in (CA_CERT_FILE, CA_KEY_FILE, SIGNER_FILE))
    with claim_outputs(*files, force=force) as claim:
        pki = make_demo_ca(
            folder,
            organisation=org,
            organisation_id=org_id,
            signer_name=signer,
            passphrase=passphrase,
        )
    announce_kept(claim)
    table = Table(title="Bemutató PKI elkészült", show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    rows = [
        ("CA tanúsítvány (megbízható gyökér)", pki.ca_cert),
        ("CA kulcs (jelszóval védett)", pki.ca_key),
        ("Aláíró tanúsítvány és kulcs", pki.signer_p12),
        ("Szervezet", f"{org} ({org_id})"),
        ("Aláíró", signer),
    ]
    if is_demo:
        rows.append(
            ("Jelszó", f"{DEMO_PASSPHRASE_TEXT} (bemutató jelszó — éles használatra nem alkalmas)")
        )
    else:
        rows.append(("Jelszó", f"{with_article(pass_env)} környezeti változóból"))
    for row in rows:
        table.add_row(*cells(*row))
    console.print(table)


@pki_app.command("verify")
@reports_errors
def verify(
    declaration: Annotated[
        Path,
        typer.Argument(
            metavar="NYILATKOZAT.pdf", parser=INPUT_FILE, help="Az aláírt nyilatkozat (PDF)."
        ),
    ],
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            metavar="CA.pem",
            parser=INPUT_FILE,
            help="Megbízható CA-tanúsítvány (PEM/DER); többször is megadható. Alapértelmezés: KKOD_TRUST_ROOTS.",
        ),
    ] = None,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            metavar="SZERVEZET",
            help="A szervezet neve, amelyhez az aláírónak tartoznia kell.",
        ),
    ] = None,
    org_id: Annotated[
        str | None,
        typer.Option(
            "--org-id",
            metavar="AZONOSÍTÓ",
            help="A szervezet azonosítója (organizationIdentifier).",
        ),
    ] = None,
) -> None:
    """Egy nyilatkozat aláírásának ellenőrzése (sértetlen, megbízható, a szervezeté-e).

    Példa: kkod pki verify nyilatkozat.pdf --trust pki/ca.pem --org-id VATHU-15714514
    """
    from kkod.config import get_settings
    from kkod.exchange.declaration import read_declaration
    from kkod.pki.verify import membership_problem, verify_declaration_signature

    try:
        pdf = declaration.read_bytes()
    except OSError:
        raise KkodError(f"A nyilatkozat nem olvasható: {declaration}.") from None
    settings = get_settings()
    roots = list(trust) if trust else list(settings.trust_roots)
    verdict = verify_declaration_signature(
        pdf, roots, avdh_seals=settings.avdh_seals, max_bytes=settings.declaration_max_bytes
    )
    table = Table(
        title=Text.assemble("Aláírás ellenőrzése: ", plain(declaration.name)), show_header=False
    )
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row(
        "Eredmény",
        Text("érvényes", "green") if verdict.ok else Text("nem fogadható el", "red"),
    )
    if verdict.reason:
        table.add_row(*cells("Ok", verdict.reason))
    table.add_row(*cells("Aláíró", verdict.signer_name or "—"))
    if verdict.avdh:
        table.add_row("Hitelesítés", "AVDH (az aláíró a hitelesített személy)")
    table.add_row(*cells("Aláíró szervezete", verdict.signer_organisation or "—"))
    table.add_row(*cells("Szervezet azonosítója", verdict.signer_organisation_id or "—"))
    belongs = True
    if verdict.ok and (org or org_id):
        if org is None:
            try:
                org = read_declaration(pdf).organisation
            except RecursionError:
                raise KkodError(
                    "A nyilatkozat adatmelléklete rendellenesen mélyen egymásba ágyazott, nem "
                    "olvasható ki."
                ) from None
        problem = membership_problem(verdict, organisation=org, organisation_id=org_id)
        belongs = problem is None
        table.add_row(
            "A szervezethez tartozik", Text("igen", "green") if belongs else Text("nem", "red")
        )
        if problem:
            table.add_row(*cells("Eltérés", problem))
    console.print(table)
    if not (verdict.ok and belongs):
        raise typer.Exit(1)
