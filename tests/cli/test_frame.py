"""The Hungarian frame around every command: help pages, the order of commands, the version,
and a Hungarian sentence even for a value a library refuses in English."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.cli.frame import KkodTyper

runner = CliRunner()


def test_commands_are_listed_in_the_order_of_the_procedure():
    shown = runner.invoke(app, ["--help"]).stdout
    order = ["template", "validate", "employer", "ministry", "generate", "central", "pki"]
    places = [shown.index(f" {name} ") for name in order]
    assert places == sorted(places)
    employer = runner.invoke(app, ["employer", "--help"]).stdout
    places = [employer.index(f" {n} ") for n in ("declaration", "submit", "import", "connect")]
    assert places == sorted(places)


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"kkod {version('kkod')}\n"


def test_a_help_page_names_values_defaults_and_what_is_required():
    shown = runner.invoke(app, ["template", "--help"]).stdout
    assert shown.lstrip().startswith("Használat: kkod template [KAPCSOLÓK] TÁBLA.xlsx")
    assert "* TÁBLA.xlsx" in shown and "[kötelező]" in shown
    assert re.search(r"--rows +SZÁM", shown) and "[alapértelmezés: 100]" in shown
    assert "--install-completion" not in shown and "--show-completion" not in shown


def test_an_example_is_one_line_to_copy_however_narrow_the_terminal():
    result = runner.invoke(app, ["employer", "submit", "--help"], env={"COLUMNS": "60"})
    examples = [line for line in result.stdout.splitlines() if "Példa:" in line]
    assert len(examples) == 2  # each whole on its line
    assert examples[0].strip().startswith("Példa: kkod employer submit --table")
    assert examples[0].rstrip().endswith("--starttls")


def test_a_value_a_library_refuses_is_still_told_in_hungarian(tmp_path):
    """A parameter without a kkod checker (a new one, say) refused by Typer: no English."""
    demo = KkodTyper(name="probat")

    @demo.command("szamol")
    def count(
        n: Annotated[int, typer.Option("--n", metavar="SZÁM", help="Hányszor.")] = 1,
        folder: Annotated[
            Path | None, typer.Option("--mappa", metavar="MAPPA", dir_okay=False)
        ] = None,
    ) -> None:
        """Próba."""

    @demo.command("masik")
    def other() -> None:
        """Még egy, hogy csoport legyen."""

    result = runner.invoke(demo, ["szamol", "--n", "sok"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Hiba: Az --n kapcsoló értéke nem jó („sok”); SZÁM kell.\n")
    result = runner.invoke(demo, ["szamol", "--mappa", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Hiba: A --mappa kapcsoló értéke nem jó; MAPPA kell.\n")
    assert "directory" not in result.stderr and "Invalid" not in result.stderr
