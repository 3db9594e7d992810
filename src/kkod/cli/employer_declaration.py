"""``kkod employer declaration``: the "Munkáltatói nyilatkozat" PDF for a table, signed on request."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kkod.cli.common import cells, console, reports_errors
from kkod.cli.groups import employer_app
from kkod.cli.options import TableOption
from kkod.cli.values import INPUT_FILE, OUTPUT_FILE


@employer_app.command("declaration")
@reports_errors
def declaration(
    org: Annotated[
        str, typer.Option("--org", metavar="SZERVEZET", help="A szervezet teljes neve.")
    ],
    short_name: Annotated[
        str,
        typer.Option("--short-name", metavar="RÖVID-NÉV", help="A hivatali kapu rövid neve."),
    ],
    krid: Annotated[
        str, typer.Option("--krid", metavar="KRID", help="A hivatali kapu KRID azonosítója.")
    ],
    contact_name: Annotated[
        str, typer.Option("--contact-name", metavar="NÉV", help="A kapcsolattartó neve.")
    ],
    contact_email: Annotated[
        str,
        typer.Option("--contact-email", metavar="E-MAIL-CÍM", help="A kapcsolattartó e-mail-címe."),
    ],
    table: TableOption,
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="NYILATKOZAT.pdf",
            parser=OUTPUT_FILE,
            help="A nyilatkozat PDF-fájlja.",
        ),
    ],
    sign: Annotated[
        Path | None,
        typer.Option(
            "--sign",
            metavar="ALÁÍRÓ.p12",
            parser=INPUT_FILE,
            help="Aláírás ezzel a tanúsítvánnyal (.p12); nélküle aláíratlan PDF készül.",
        ),
    ] = None,
    pass_env: Annotated[
        str | None,
        typer.Option(
            "--pass-env",
            metavar="VÁLTOZÓ",
            help="A .p12 jelszavát tartalmazó környezeti változó neve; alapértelmezés: bemutató jelszó.",
        ),
    ] = None,
) -> None:
    """Munkáltatói nyilatkozat (PDF) készítése a táblázathoz: sorok száma, SHA-256, aláírás.

    Példa: kkod employer declaration --org "Példa Megyei Hivatal" --short-name PMHIV --krid 612345 --contact-name "Kiss Anna" --contact-email hr@pelda.gov.hu --table tablazat.xlsx -o nyilatkozat.pdf --sign alairo.p12 --pass-env KKOD_P12_JELSZO
    """
    from kkod.atomic import atomic_write_bytes
    from kkod.cli.pki import passphrase_from_env
    from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table

    data = declaration_data_for_table(
        table,
        organisation=org,
        short_name=short_name,
        krid=krid,
        contact_name=contact_name,
        contact_email=contact_email,
    )
    pdf = build_declaration_pdf(data)
    signed_by = "— (aláíratlan)"
    if sign is not None:
        from kkod.pki.signing import sign_pdf, signer_identity

        passphrase, _is_demo = passphrase_from_env(pass_env)
        who = signer_identity(sign, passphrase)
        pdf = sign_pdf(pdf, sign, passphrase)
        signed_by = ", ".join(
            part for part in (who.name, who.organisation, who.organisation_id) if part
        )
    atomic_write_bytes(output, pdf)

    summary = Table(title="Munkáltatói nyilatkozat elkészült", show_header=False)
    summary.add_column(style="bold")
    summary.add_column(overflow="fold")
    for row in (
        ("Szervezet", data.organisation),
        ("Hivatali kapu", f"{data.short_name} (KRID: {data.krid})"),
        ("Táblázat", data.table_filename),
        ("Adatsorok", data.rows),
        ("SHA-256", data.table_sha256),
        ("Aláírta", signed_by),
        ("Nyilatkozat", output),
    ):
        summary.add_row(*cells(*row))
    console.print(summary)
