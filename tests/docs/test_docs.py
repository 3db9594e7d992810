"""The README and docs/ name every CLI command, option and configuration variable."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from kkod.cli.app import app
from kkod.config import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + "".join(
    p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))
)


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, object]]:
    # Typer bundles its own click, so groups and options are recognised by shape, not class.
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            found += _commands(command, path)
        else:
            found.append((" ".join(path), command))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_the_cli_has_the_commands_of_the_issues():
    names = {name for name, _ in COMMANDS}
    assert {"template", "validate", "generate"} <= names
    assert {
        "central seed",
        "central sample-table",
        "central office add",
        "central connect",
    } <= names
    assert {
        "ministry smtpd",
        "ministry upload",
        "ministry worker",
        "ministry requests",
        "ministry show",
    } <= names
    assert {
        "employer declaration",
        "employer submit",
        "employer import",
        "employer export",
        "employer connect",
    } <= names
    assert "pki demo-ca" in names


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_every_command_is_in_the_readme(name):
    assert f"kkod {name}" in README, f"README.md does not mention `kkod {name}`"


@pytest.mark.parametrize(
    ("name", "option"),
    [
        (name, opt)
        for name, command in COMMANDS
        for param in command.params
        if getattr(param, "param_type_name", "") == "option"
        for opt in param.opts
        if opt.startswith("--") and opt != "--help"
    ],
)
def test_every_option_is_documented(name, option):
    assert option in DOCS, f"`kkod {name} {option}` is not documented in README.md or docs/"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme(field):
    assert f"KKOD_{field.upper()}" in README, f"KKOD_{field.upper()} is missing from README.md"
