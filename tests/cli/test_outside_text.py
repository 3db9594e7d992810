"""Text from outside is shown as written, never interpreted: Rich markup (``[/]``, ``[bold]``,
``[link=…]``), control characters (ESC) and bidi overrides in cells, file names, organisation
and certificate names, subjects and senders go through every place the CLI prints them.

Before, ``[/]`` crashed ``validate``, ``generate``, ``ministry upload``, ``ministry show`` and
``pki verify`` with Rich's MarkupError, ``Kovács Ferenc [szül. Kovács]`` lost its brackets, a
subject's ``[hr-osztaly]`` vanished from ``ministry show``, and ESC reached the terminal raw.
"""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from kkod.cli import common
from kkod.cli.app import app
from kkod.config import get_settings
from kkod.ministry.models import RequestStatus
from kkod.ministry.store import NewRequest, RequestStore

from ..tables import filled_table

KRID = "612345"
# As written (what an attacker or an odd export puts in), and as the officer must see it.
MARKUP = "[/] [bold]vastag[/bold] [link=https://pelda.hu]katt[/link]"
CONTROL = "\x1b[31mpiros\x1b[0m \u202eford"
CONTROL_SHOWN = "[ESC][31mpiros[ESC][0m [U+202E]ford"
ORG = f"Példa {MARKUP} {CONTROL} Hivatal"
ORG_SHOWN = f"Példa {MARKUP} {CONTROL_SHOWN} Hivatal"
# A file name cannot hold "/"; without a closing tag markup would make the rest bold, unseen.
FILE = "[bold]tábla[red] \x1b[31m.xlsx"
FILE_SHOWN = "[bold]tábla[red] [ESC][31m.xlsx"
NAME = "Kovács Ferenc [szül. Kovács]"


@pytest.fixture
def kkod(tmp_path, monkeypatch):
    """``kkod …`` in-process on a data folder of its own, on a console too wide to wrap."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KKOD_DATA_DIR", str(tmp_path / "adatok"))
    monkeypatch.setenv("KKOD_TRUST_ROOTS", f'["{tmp_path / "pki" / "ca.pem"}"]')
    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "width", 400)
    get_settings.cache_clear()

    def run(*args: str, code: int = 0, shows: tuple[str, ...] = ()) -> str:
        result = CliRunner().invoke(app, list(args))
        said = result.stdout + result.stderr
        assert result.exit_code == code, said
        assert "Váratlan hiba" not in said
        assert "\x1b" not in said and "\u202e" not in said, said
        for text in shows:
            assert text in said, f"kkod {' '.join(args)} does not show {text!r}:\n{said}"
        return said

    yield run
    get_settings.cache_clear()


def test_outside_text_is_shown_as_written_everywhere(kkod, tmp_path):
    kkod("central", "seed", "--people", "50", "--seed", "1")
    kkod("central", "office", "add", "--krid", KRID, "--short-name", "PMHIV", "--org", ORG,
         shows=(ORG_SHOWN,))  # fmt: skip
    kkod("central", "office", "list", shows=(ORG_SHOWN,))
    kkod("template", FILE, "--rows", "3", shows=(FILE_SHOWN,))

    # Cells and a file name through validate, generate, import and the register.
    rows = [
        ("HR-1", NAME, "Kovács Ferenc", "Szabó Mária", "Eger", "1985.03.12"),
        ("HR-2", f"Varga {MARKUP}", "Varga Éva", f"Fekete\tIlona {CONTROL}", "Debrecen", "1972.11.02"),
    ]  # fmt: skip
    table = filled_table(tmp_path / FILE, rows)
    kkod("validate", str(table), code=1,
         shows=(NAME, f"Varga {MARKUP}", f"Fekete[TAB]Ilona {CONTROL_SHOWN}", FILE_SHOWN))  # fmt: skip
    kkod(
        "generate", str(table), "--krid", KRID, shows=("[bold]tábla[red] [ESC][31m-kodokkal.xlsx",)
    )
    filled = table.with_name(f"{table.stem}-kodokkal.xlsx")
    report = table.with_name(f"{table.stem}-jelentes.xlsx")
    kkod("employer", "import", str(filled), "--report", str(report),
         shows=(NAME, f"Varga {MARKUP}"))  # fmt: skip
    kkod("employer", "list", shows=(NAME, f"Varga {MARKUP}"))

    # Certificate names through the declaration and the signature check.
    signer = f"Kiss [/] [link=https://x.hu]A[/link] {CONTROL}"  # a common name: 64 at most
    signer_shown = f"Kiss [/] [link=https://x.hu]A[/link] {CONTROL_SHOWN}"
    kkod("pki", "demo-ca", "pki", "--org", ORG, "--org-id", "VATHU-15714514", "--signer", signer,
         shows=(ORG_SHOWN,))  # fmt: skip
    # (A control character in the table's name would reach the PDF: kept out here, see the report.)
    plain_table = shutil.copy(table, tmp_path / "[bold]tábla[red].xlsx")
    kkod("employer", "declaration", "--org", "Példa Hivatal", "--short-name", "PMHIV",
         "--krid", KRID, "--contact-name", "Kiss Anna", "--contact-email", "hr@pelda.gov.hu",
         "--table", str(plain_table), "-o", "nyilatkozat.pdf", "--seat", "Eger, Fő tér 1.",
         "--signer-position", "igazgató", "--place", "Eger", "--sign", "pki/signer.p12",
         "--force",  # the table has errors on purpose
         shows=(signer_shown, "[bold]tábla[red].xlsx"))  # fmt: skip
    kkod("pki", "verify", "nyilatkozat.pdf",
         shows=(signer_shown, ORG_SHOWN))  # fmt: skip
    kkod("ministry", "upload", "--table", str(plain_table), "--declaration", "nyilatkozat.pdf",
         "--from", "hr@pelda.gov.hu", code=1, shows=("Elutasítás oka", ORG_SHOWN))  # fmt: skip

    # A subject, a sender and file names through the operator's views.
    store = RequestStore.open(get_settings())
    request, _ = store.record(
        NewRequest(
            dedupe_key="kulso-szoveg",
            channel="email",
            sender=f'"{MARKUP}" <hr@pelda.gov.hu>',
            status=RequestStatus.ELUTASITVA,
            reason=f"A tárgy nem megfelelő: „[hr-osztaly] {MARKUP} {CONTROL}”.",
            subject=f"[hr-osztaly] {ORG} – kapcsolati kódok igénylése",
            organisation=ORG,
            table_filename=FILE,
            declaration_filename=f"nyilatkozat {MARKUP}.pdf",
            audit_detail=f"csatorna: email; tárgy: [hr-osztaly] {CONTROL}",
        )
    )
    kkod("ministry", "requests", shows=(ORG_SHOWN, f'"{MARKUP}" <hr@pelda.gov.hu>'))
    kkod("ministry", "show", request.reference, shows=(
        f"[hr-osztaly] {ORG_SHOWN} – kapcsolati kódok igénylése", FILE_SHOWN,
        f"nyilatkozat {MARKUP}.pdf", f"„[hr-osztaly] {MARKUP} {CONTROL_SHOWN}”",
        f"csatorna: e-mail; tárgy: [hr-osztaly] {CONTROL_SHOWN}",
    ))  # fmt: skip
