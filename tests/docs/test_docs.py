"""The README and docs/ name every CLI command, option and configuration variable; every
command's help is Hungarian, with a value name for every option and a ``Példa:`` that works."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.cli.frame import is_flag, is_option, shown_options
from kkod.config import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + "".join(
    p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))
)
ROOT_COMMAND = typer.main.get_command(app)


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


def _groups(group, prefix: tuple[str, ...] = ()) -> list[str]:
    found = [" ".join(prefix)]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _groups(command, (*prefix, name))
    return found


COMMANDS = _commands(ROOT_COMMAND)
GROUPS = _groups(ROOT_COMMAND)


def _help(path: str) -> str:
    result = CliRunner().invoke(app, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    return result.stdout


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
        if is_option(param) and not param.hidden
        for opt in shown_options(param)
        if opt.startswith("--")
    ],
)
def test_every_option_is_documented(name, option):
    assert option in DOCS, f"`kkod {name} {option}` is not documented in README.md or docs/"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme(field):
    assert f"KKOD_{field.upper()}" in README, f"KKOD_{field.upper()} is missing from README.md"


# What Typer and Click would print in English, and the type names they would show.
ENGLISH_FRAME = re.compile(
    r"Usage|Options|Arguments|Commands|\[required\]|\[default|Show this message|"
    r"Try '|<bool>|<int|<float|<file>|<path>|<text>|<list|<str>|\bTEXT\b|\bPATH\b|\bINTEGER\b"
)
# A value name: Hungarian capitals (and digits, dashes, colons), an optional extension.
METAVAR = re.compile(r"[A-ZÁÉÍÓÖŐÚÜŰ][A-ZÁÉÍÓÖŐÚÜŰ0-9:\-]*(\.[a-z0-9]+)?")
ENGLISH_METAVARS = {"FILE", "PATH", "TEXT", "VALUE", "OUT", "IN", "TABLE", "ADDR", "NAME", "DIR"}


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS] + GROUPS)
def test_every_help_page_is_hungarian(name):
    shown = _help(name)
    assert shown.lstrip().startswith("Használat:")
    english = ENGLISH_FRAME.findall(shown)
    assert not english, f"`kkod {name} --help` shows {english}"
    assert "Ez a súgó." in shown


@pytest.mark.parametrize(
    ("name", "param"),
    [
        (name, param)
        for name, command in COMMANDS
        for param in command.params
        if not (is_option(param) and is_flag(param)) and not param.hidden
    ],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_every_value_has_a_hungarian_name(name, param):
    assert param.metavar, f"`kkod {name}`: {param.name} has no metavar"
    assert METAVAR.fullmatch(param.metavar), f"`kkod {name}`: metavar {param.metavar!r}"
    assert param.metavar.split(".")[0] not in ENGLISH_METAVARS


def _examples(help_text: str) -> list[list[str]]:
    return [
        shlex.split(line.split("Példa:", 1)[1])
        for line in help_text.splitlines()
        if line.strip().startswith("Példa:")
    ]


def _resolve(words: list[str]):
    """The command an example runs, and the words after its name."""
    assert words[0] == "kkod"
    command, rest = ROOT_COMMAND, words[1:]
    while hasattr(command, "commands") and rest and rest[0] in command.commands:
        command, rest = command.commands[rest[0]], rest[1:]
    return command, rest


def _check_example(words: list[str]) -> None:
    command, rest = _resolve(words)
    options = {o: p for p in command.params if is_option(p) for o in shown_options(p)}
    given = {word.split("=")[0] for word in rest if word.startswith("-") and len(word) > 1}
    unknown = given - set(options)
    assert not unknown, f"{shlex.join(words)}: no such option {sorted(unknown)}"
    missing = [
        shown_options(p)[-1]
        for p in command.params
        if is_option(p) and p.required and not set(shown_options(p)) & given
    ]
    assert not missing, f"{shlex.join(words)}: the required {missing} is missing"


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_every_command_has_an_example_that_works(name):
    examples = _examples(_help(name))
    assert examples, f"`kkod {name} --help` has no `Példa:` line"
    for words in examples:
        assert _resolve(words)[0].name == name.split()[-1], shlex.join(words)
        _check_example(words)


def test_the_readme_shows_only_options_that_exist():
    """Every ``kkod …`` command line quoted in README.md uses options its command has."""
    quoted = re.findall(r"`(kkod [^`]+)`", README)
    assert len(quoted) > 20
    for line in quoted:
        command, rest = _resolve(line.split())
        known = {o for p in command.params if is_option(p) for o in (*p.opts, *p.secondary_opts)}
        for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", " ".join(rest)):
            assert option in known | {"--help", "--version"}, f"README: `{line}`: {option}"
