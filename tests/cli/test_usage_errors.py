"""Every command told a folder, a missing file or a word where a number belongs answers in
Hungarian, naming the parameter, with exit code 2 — never a traceback, never Click's English.

The cases are generated from the commands themselves, so a new parameter is covered the day
it is added: every path, number and choice must name a checker from ``kkod.cli.values``.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from kkod.cli.app import app
from kkod.cli.frame import is_flag, is_option, param_label, shown_options
from kkod.cli.values import Choice, Decimal, HostPort, OutputFolder, WholeNumber, _PathValue
from kkod.hungarian import with_article

ROOT = typer.main.get_command(app)
KKOD = str(Path(sys.executable).with_name("kkod"))


def _leaves(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _leaves(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = dict(_leaves(ROOT))


def _declared(command, param):
    """The ``typer.Option``/``typer.Argument`` a parameter was declared with."""
    function = inspect.unwrap(command.callback)
    hint = typing.get_type_hints(function, include_extras=True).get(param.name)
    for meta in getattr(hint, "__metadata__", ()):
        if isinstance(meta, typer.models.ParameterInfo):
            return hint, meta
    return hint, inspect.signature(function).parameters[param.name].default


def _checker(command, param):
    return _declared(command, param)[1].parser


def _base_type(hint):
    hint = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is list or (args and typing.get_origin(args[0]) is list):
        args = typing.get_args(args[0] if args else hint)
    return args[0] if args else hint


PARAMS = [
    (path, command, param)
    for path, command in COMMANDS.items()
    for param in command.params
    if not (is_option(param) and is_flag(param))
]


def _id(value):
    if isinstance(value, tuple):
        return " ".join(value)
    return getattr(value, "name", None) or ""


@pytest.mark.parametrize(("path", "command", "param"), PARAMS, ids=_id)
def test_every_value_that_can_be_wrong_is_checked_by_kkod(path, command, param):
    hint, _ = _declared(command, param)
    base = _base_type(hint)
    checker = _checker(command, param)
    if param.metavar == "GÉP:PORT":
        assert isinstance(checker, HostPort)
        return
    if base is str:
        return  # text: the command itself judges it (an unknown KRID, a bad address)
    assert isinstance(checker, _PathValue | WholeNumber | Decimal | Choice), (
        f"kkod {' '.join(path)} {param.name}: a {base.__name__} without a kkod.cli.values parser"
    )


def _run(path, param, value, tmp_path):
    words = [*path]
    words += [shown_options(param)[-1], value] if is_option(param) else [value]
    env = {"KKOD_DATA_DIR": str(tmp_path / "adatok")}
    return CliRunner().invoke(app, words, env=env)


def _assert_refused(result, param, *expected):
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert said.startswith("Hiba: "), said
    assert f"{with_article(param_label(param), capital=True)} értéke nem jó" in said, said
    for words in expected:
        assert words in said, said
    assert "Traceback" not in result.output and "Invalid value" not in said
    assert "Használat: kkod " in said and "Súgó: kkod " in said


def _cases(kind, bounded=False):
    return [
        pytest.param(path, param, checker, id=f"{' '.join(path)} {param.name}")
        for path, command, param in PARAMS
        if isinstance(checker := _checker(command, param), kind)
        and not (bounded and checker.minimum is None and checker.maximum is None)
    ]


@pytest.mark.parametrize(("path", "param", "checker"), _cases(_PathValue))
def test_a_folder_where_a_file_belongs(path, param, checker, tmp_path):
    folder = tmp_path / "mappa"
    folder.mkdir()
    if isinstance(checker, OutputFolder):  # a folder is right here, a file is not
        (tmp_path / "fajl").write_text("x")
        _assert_refused(_run(path, param, str(tmp_path / "fajl"), tmp_path), param, "fájl")
    else:
        _assert_refused(_run(path, param, str(folder), tmp_path), param, "egy mappa")


@pytest.mark.parametrize(("path", "param", "checker"), _cases(_PathValue))
def test_a_missing_file_or_a_file_in_the_way(path, param, checker, tmp_path):
    if checker.kind == "input":
        result = _run(path, param, str(tmp_path / "nincs-ilyen.xlsx"), tmp_path)
        _assert_refused(result, param, "nincs ilyen fájl", "nincs-ilyen.xlsx")
    else:  # an output under a file: its folder cannot be made
        (tmp_path / "fajl.txt").write_text("x")
        result = _run(path, param, str(tmp_path / "fajl.txt" / "ki.xlsx"), tmp_path)
        _assert_refused(result, param, "fajl.txt", "egy fájl, nem mappa")


@pytest.mark.parametrize(("path", "param", "checker"), _cases(WholeNumber | Decimal))
def test_a_word_where_a_number_belongs(path, param, checker, tmp_path):
    result = _run(path, param, "sok", tmp_path)
    _assert_refused(
        result, param, "„sok”", "nem egész szám" if isinstance(checker, WholeNumber) else "nem szám"
    )


@pytest.mark.parametrize(("path", "param", "checker"), _cases(WholeNumber | Decimal, True))
def test_a_number_out_of_its_range(path, param, checker, tmp_path):
    wrong = (checker.minimum - 1) if checker.minimum is not None else (checker.maximum + 1)
    result = _run(path, param, str(wrong), tmp_path)
    _assert_refused(result, param, "kell" if checker.minimum is not None else "lehet")


@pytest.mark.parametrize(("path", "param", "checker"), _cases(Choice))
def test_a_word_that_is_not_a_choice(path, param, checker, tmp_path):
    result = _run(path, param, "xml", tmp_path)
    _assert_refused(result, param, "„xml” nem választható", ", ".join(checker.choices))


@pytest.mark.parametrize(("path", "param", "checker"), _cases(HostPort))
def test_an_address_without_a_port(path, param, checker, tmp_path):
    result = _run(path, param, "posta.pelda.hu:sok", tmp_path)
    _assert_refused(result, param, "„posta.pelda.hu:sok” nem GÉP:PORT alakú cím")


@pytest.mark.parametrize(
    "path",
    [path for path, command in COMMANDS.items() if any(p.required for p in command.params)],
    ids=" ".join,
)
def test_a_missing_required_parameter_is_named(path, tmp_path):
    command = COMMANDS[path]
    first = next(p for p in command.params if p.required)
    result = CliRunner().invoke(app, list(path))
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert said.startswith(f"Hiba: Hiányzik {with_article(param_label(first))}."), said
    assert "Missing" not in said


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["validate", "--nincs-ilyen"], "Hiba: Nincs ilyen kapcsoló: --nincs-ilyen."),
        (["validate", "--fx"], "Hiba: Nincs ilyen kapcsoló: --fx. Hasonló: --fix."),
        (["valdate"], "Hiba: Nincs ilyen parancs: valdate. Hasonló: validate."),
        (["ministry", "requets"], "Hiba: Nincs ilyen parancs: requets. Hasonló: requests, reject."),
        (["ministry", "show", "KK-1", "KK-2"], "Hiba: Fölösleges paraméter: KK-2."),
        (["validate", "--json=igen", "a.xlsx"], "Hiba: A --json kapcsoló után nem állhat érték."),
        (["generate", "t.xlsx", "--krid"], "Hiba: A --krid kapcsoló után meg kell adni az értékét (KRID)."),
    ],
)  # fmt: skip
def test_a_mistyped_command_line_is_told_in_hungarian(words, said):
    result = CliRunner().invoke(app, words)
    assert result.exit_code == 2
    assert " ".join(result.stderr.split()).startswith(said), result.stderr


def test_a_bare_group_shows_its_commands():
    result = CliRunner().invoke(app, ["employer"])
    assert result.exit_code == 2
    assert "Parancsok" in result.stdout and "declaration" in result.stdout


def test_kkod_generate_on_a_folder_is_a_hungarian_refusal_not_a_traceback(tmp_path):
    """The case from the issue, through the installed command: a folder as the table."""
    env = {**os.environ, "KKOD_DATA_DIR": str(tmp_path / "adatok")}
    done = subprocess.run(
        [KKOD, "generate", ".", "--krid", "612345"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    said = " ".join(done.stderr.split())
    assert said.startswith("Hiba: A TÁBLA.xlsx paraméter értéke nem jó: „.” egy mappa, nem fájl.")
    assert "Traceback" not in done.stderr and "ValueError" not in done.stderr
    assert not (tmp_path / "adatok" / "logs").exists()  # nothing unexpected was filed
