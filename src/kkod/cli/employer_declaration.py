"""``kkod employer declaration``: the "Munkáltatói nyilatkozat" PDF for a table, signed on request."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from kkod.cli.common import announce_kept, cells, console, err_console, fail, reports_errors
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
    seat: Annotated[
        str | None,
        typer.Option("--seat", metavar="CÍM", help="A szervezet székhelye (cím)."),
    ] = None,
    org_id: Annotated[
        str | None,
        typer.Option(
            "--org-id",
            metavar="AZONOSÍTÓ",
            help="A szervezet azonosítója (pl. törzskönyvi azonosító vagy VATHU-15000000); "
            "aláíráskor alapértelmezés: a tanúsítványé.",
        ),
    ] = None,
    signer_name: Annotated[
        str | None,
        typer.Option(
            "--signer-name",
            metavar="NÉV",
            help="Az aláíró neve („Alulírott …”); aláíráskor alapértelmezés: a tanúsítványé.",
        ),
    ] = None,
    signer_position: Annotated[
        str | None,
        typer.Option("--signer-position", metavar="BEOSZTÁS", help="Az aláíró beosztása."),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option("--place", metavar="HELY", help="A keltezés helye („Kelt: …”)."),
    ] = None,
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
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Hibás táblázathoz is elkészül; meglévő kimeneti fájl felülírása (a régi .bak "
            "néven megmarad).",
        ),
    ] = False,
) -> None:
    """Munkáltatói nyilatkozat (PDF) készítése a táblázathoz: aláíró, szervezet, sorok száma, SHA-256, aláírás.

    Példa: kkod employer declaration --org "Példa Megyei Hivatal" --short-name PMHIV --krid 612345 --contact-name "Kiss Anna" --contact-email hr@pelda.gov.hu --table tablazat.xlsx -o nyilatkozat.pdf --seat "9021 Győr, Városház tér 1." --signer-position igazgató --place Győr --sign alairo.p12 --pass-env KKOD_P12_JELSZO
    """
    from kkod.atomic import atomic_write_bytes
    from kkod.cli.pki import passphrase_from_env
    from kkod.employer.declaration import build_declaration_pdf, declaration_data_for_table
    from kkod.employer.submit import check_table
    from kkod.outputs import claim_outputs

    who = None
    if sign is not None:
        from kkod.pki.signing import signer_identity

        passphrase, _is_demo = passphrase_from_env(pass_env)
        who = signer_identity(sign, passphrase)
        signer_name = signer_name or who.name
        org_id = org_id or who.organisation_id
        missing = [
            option
            for option, value in (
                ("--signer-position", signer_position),
                ("--place", place),
                ("--seat", seat),
                ("--signer-name", signer_name),
                ("--org-id", org_id),
            )
            if not (value or "").strip()
        ]
        if missing:
            raise fail(
                "Az elektronikusan aláírt nyilatkozatba utólag nem írható semmi; adja meg: "
                + ", ".join(missing)
                + ".",
                2,
            )
    with claim_outputs(output, force=force, inputs=(table, sign)) as claim:
        verdict = check_table(table, force=force, what="a nyilatkozatot nem készítettem el")
        data = declaration_data_for_table(
            table,
            organisation=org,
            short_name=short_name,
            krid=krid,
            contact_name=contact_name,
            contact_email=contact_email,
            seat=seat or "",
            organisation_id=org_id or "",
            signer_name=signer_name or "",
            signer_position=signer_position or "",
            place=place or "",
        )
        pdf = build_declaration_pdf(data)
        signed_by = "— (aláíratlan)"
        if sign is not None:
            from kkod.pki.signing import sign_pdf

            pdf = sign_pdf(pdf, sign, passphrase)
            signed_by = ", ".join(
                part for part in (who.name, who.organisation, who.organisation_id) if part
            )
        atomic_write_bytes(output, pdf)
    announce_kept(claim)

    summary = Table(title="Munkáltatói nyilatkozat elkészült", show_header=False)
    summary.add_column(style="bold")
    summary.add_column(overflow="fold")
    for row in (
        ("Szervezet", data.organisation),
        ("Hivatali kapu", f"{data.short_name} (KRID: {data.krid})"),
        ("Aláíró", f"{data.signer_name} ({data.signer_position})"),
        ("Táblázat", data.table_filename),
        ("Adatsorok", data.rows),
        ("SHA-256", data.table_sha256),
        ("Aláírta", signed_by),
        ("Nyilatkozat", output),
    ):
        summary.add_row(*cells(*row))
    console.print(summary)
    if verdict.has_errors:
        err_console.print(
            Text.assemble(
                ("Figyelem: ", "bold red"),
                f"a táblázatban {verdict.errors} hiba van (--force); a hibás sorok kód nélkül "
                "jönnek vissza.",
            )
        )
    blanks = [
        label
        for label, value in (
            ("aláíró neve", data.signer_name),
            ("beosztása", data.signer_position),
            ("a keltezés helye", data.place),
            ("székhely", data.seat),
            ("a szervezet azonosítója", data.organisation_id),
        )
        if not value
    ]
    if blanks:
        err_console.print(
            Text.assemble(
                ("Megjegyzés: ", "yellow"),
                "a nyilatkozatban kitöltendő vonal maradt (" + ", ".join(blanks) + "): töltse ki "
                "kézzel aláíráskor, vagy adja meg a kapcsolókat (--signer-name, --signer-position, "
                "--place, --seat, --org-id).",
            )
        )
