"""The command line's frame in Hungarian: help pages, usage errors, command order.

Typer's bundled Click writes its frame in English with plain f-strings (only a few of
Typer's own strings go through ``gettext``), so a message catalog cannot reach most of it.
Instead kkod's commands and groups are Typer classes that render their own help page
(:func:`help_page`) and turn every usage error into a Hungarian message naming the
parameter (:func:`usage_problem`) from the exception's fields, not its English text.
:class:`KkodTyper` makes every command and group registered on it use them.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import re
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any

import typer
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer._click import exceptions as click_errors
from typer.core import TyperCommand, TyperGroup

from kkod.cli.values import Refused, grouped
from kkod.hungarian import article, with_article

USAGE = "Használat:"
OPTIONS_METAVAR = "[KAPCSOLÓK]"
COMMAND_METAVAR = "PARANCS …"
HELP_HELP = "Ez a súgó."
EXAMPLE = "Példa:"

# The order commands are listed in: the procedure's, step by step. A command not named here
# (a new one) comes after these, in the order it was registered.
WORKFLOW: dict[str, tuple[str, ...]] = {
    "kkod": ("template", "validate", "employer", "ministry", "generate", "central", "pki"),
    "employer": ("declaration", "submit", "import", "list", "edit", "connect", "export"),
    "ministry": ("smtpd", "upload", "worker", "requests", "show", "approve", "reject"),
    "central": ("seed", "office", "sample-table", "connect"),
    "office": ("add", "list"),
    "pki": ("demo-ca", "verify"),
}


# ---------------------------------------------------------------------------------- help page


def shown_options(param: Any) -> list[str]:
    """The names an option is shown with: its short form and its first long one. Further
    long names are old spellings kept working but not shown (hidden aliases)."""
    short = [o for o in param.opts if not o.startswith("--")]
    long = [o for o in param.opts if o.startswith("--")]
    return short + long[:1]


def is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False))


def is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def metavar(param: Any) -> str:
    """What the value is called in the help page and the messages (``TÁBLA.xlsx``, ``SZÁM``)."""
    if param.metavar:
        return str(param.metavar)
    return "ÉRTÉK" if is_option(param) else (param.name or "").upper()


def param_label(param: Any) -> str:
    """``--krid kapcsoló`` or ``TÁBLA.xlsx paraméter``: how a message names a parameter."""
    if is_option(param):
        return f"{shown_options(param)[-1]} kapcsoló"
    return f"{metavar(param)} paraméter"


def _visible_params(command: Any, ctx: Any) -> list[Any]:
    return [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]


def usage_line(command: Any, ctx: Any) -> str:
    """``kkod validate [KAPCSOLÓK] TÁBLA.xlsx`` (without the ``Használat:`` label)."""
    pieces = [ctx.command_path]
    params = _visible_params(command, ctx)
    if any(is_option(p) for p in params):
        pieces.append(OPTIONS_METAVAR)
    for param in params:
        if is_option(param):
            continue
        name = metavar(param) + (" …" if param.nargs != 1 else "")
        pieces.append(name if param.required else f"[{name}]")
    if isinstance(command, TyperGroup):
        pieces.append(COMMAND_METAVAR)
    return " ".join(pieces)


def _paragraphs(help_text: str | None) -> list[str]:
    text = inspect.cleandoc(help_text or "").partition("\f")[0]
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def summary(command: Any) -> str:
    """The first paragraph of a command's help, on one line (the list of commands shows it)."""
    paragraphs = _paragraphs(command.short_help or command.help)
    return " ".join(paragraphs[0].split()) if paragraphs else ""


def _description(command: Any) -> list[list[RenderableType]]:
    """The help text's paragraphs; each ``Példa:`` line one unwrapped line (copied whole)."""
    paragraphs: list[list[RenderableType]] = []
    for index, paragraph in enumerate(_paragraphs(command.help)):
        lines = paragraph.splitlines()
        if lines[0].startswith(EXAMPLE):
            examples: list[RenderableType] = []
            for line in lines:
                label, _, example = line.strip().partition(" ")
                examples.append(
                    Text.assemble(" ", (label, "bold"), " ", (example, "cyan"), no_wrap=True)
                )
            paragraphs.append(examples)
        else:
            text = Text(" ".join(paragraph.split()), "" if index == 0 else "dim")
            paragraphs.append([Padding(text, (0, 1))])
    return paragraphs


def _default_text(param: Any, ctx: Any) -> str | None:
    show = getattr(param, "show_default", True)
    if show is False or is_flag(param) or param.required:
        return None
    if isinstance(show, str):
        return show
    default = param.get_default(ctx, call=False) if hasattr(param, "get_default") else None
    if default is None or default == () or default == [] or callable(default):
        return None
    if isinstance(default, Enum):
        default = default.value
    if isinstance(default, float):
        return grouped(default)
    return str(default)


def _param_rows(params: Sequence[Any], ctx: Any, help_option: Any) -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=1, style="red")
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(style="yellow", no_wrap=True)
    table.add_column(ratio=1)
    for param in params:
        if is_option(param):
            names = ", ".join(shown_options(param))
            value = "" if is_flag(param) else metavar(param)
        else:
            names, value = metavar(param), ""
        description = Text(
            HELP_HELP if param is help_option else " ".join((param.help or "").split())
        )
        default = _default_text(param, ctx)
        if default is not None:
            description.append(f" [alapértelmezés: {default}]", "dim")
        if param.required:
            description.append(" [kötelező]", "dim red")
        table.add_row("*" if param.required else "", names, value, description)
    return table


def help_page(command: Any, ctx: Any) -> list[RenderableType]:
    """What ``--help`` shows: usage, description, examples, parameters, options, commands."""
    parts: list[RenderableType] = [
        Padding(
            Text.assemble((USAGE, "bold"), " ", (usage_line(command, ctx), "bold")), (1, 1, 0, 1)
        )
    ]
    for paragraph in _description(command):
        parts += [Text(""), *paragraph]
    params = _visible_params(command, ctx)
    help_option = command.get_help_option(ctx)
    arguments = [p for p in params if not is_option(p)]
    options = [p for p in params if is_option(p)]
    parts.append(Text(""))
    if arguments:
        parts.append(_panel("Paraméterek", _param_rows(arguments, ctx, help_option)))
    if options:
        parts.append(_panel("Kapcsolók", _param_rows(options, ctx, help_option)))
    if isinstance(command, TyperGroup):
        commands = Table.grid(padding=(0, 1), expand=True)
        commands.add_column(style="bold cyan", no_wrap=True)
        commands.add_column(ratio=1)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                commands.add_row(name, Text(summary(sub)))
        parts.append(_panel("Parancsok", commands))
    return parts


def _panel(title: str, body: Table) -> Panel:
    return Panel(body, title=title, title_align="left", border_style="dim")


def render(parts: Sequence[RenderableType]) -> str:
    """Rich renderables as text for Click to print (colours only on a terminal)."""
    console = Console(emoji=False, markup=False, highlight=False)
    with console.capture() as captured:
        for part in parts:
            # An unwrapped line (an example) is printed whole: the terminal wraps it, so a
            # copied command line has no line break in it.
            whole = isinstance(part, Text) and part.no_wrap
            console.print(part, soft_wrap=whole)
    return captured.get().rstrip("\n")


# ------------------------------------------------------------------------------ usage errors


def usage_problem(error: Exception) -> Text:
    """A usage error as one Hungarian sentence naming the parameter, built from the error's
    fields (the parameter, the option name) rather than from its English text."""
    param = getattr(error, "param", None)
    ctx = getattr(error, "ctx", None)
    if isinstance(error, click_errors.MissingParameter) and param is not None:
        return _about(f"Hiányzik {with_article(param_label(param))}", param, ".")
    if isinstance(error, Refused) and param is not None:
        return Text.assemble(
            f"{with_article(param_label(param), capital=True)} értéke nem jó: ",
            _plain(error.message),
        )
    if isinstance(error, click_errors.BadParameter) and param is not None:
        given = _given_value(error)
        shown = Text.assemble(" (", _plain(f"„{given}”"), ")") if given is not None else ""
        return Text.assemble(
            f"{with_article(param_label(param), capital=True)} értéke nem jó",
            shown,
            f"; {metavar(param)} kell.",
        )
    if isinstance(error, click_errors.NoSuchOption):
        text = Text.assemble("Nincs ilyen kapcsoló: ", _plain(error.option_name), ".")
        if error.possibilities:
            text.append(f" Hasonló: {', '.join(sorted(error.possibilities))}.")
        return text
    if isinstance(error, click_errors.BadOptionUsage):
        option = _option_named(ctx, error.option_name)
        start = Text.assemble(
            article(error.option_name).capitalize(), " ", _plain(error.option_name)
        )
        if option is not None and is_flag(option):
            return start.append(" kapcsoló után nem állhat érték.")
        wanted = f" ({metavar(option)})" if option is not None else ""
        return start.append(f" kapcsoló után meg kell adni az értékét{wanted}.")
    return _from_message(error, ctx)


def _plain(value: object) -> Text:
    from kkod.cli.common import plain

    return plain(value)


def _about(start: str, param: Any, end: str) -> Text:
    text = Text(start + end)
    if param.help:
        text.append(f" ({' '.join(param.help.split()).rstrip('.')}.)", "dim")
    return text


def _given_value(error: Exception) -> object | None:
    """The value a library refused, when its validation error tells it."""
    cause = error.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            found = errors()
        except Exception:
            return None
        if found and "input" in found[0]:
            return found[0]["input"]
    return None


def _option_named(ctx: Any, name: str) -> Any | None:
    if ctx is None:
        return None
    for param in ctx.command.get_params(ctx):
        if name in getattr(param, "opts", ()) or name in getattr(param, "secondary_opts", ()):
            return param
    return None


_EXTRA = re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)$", re.S)
_NO_COMMAND = re.compile(r"^No such command (?P<name>'.*?'|\".*?\")\.", re.S)


def _from_message(error: Exception, ctx: Any) -> Text:
    """Click's usage errors that carry only an English message: recognised by its shape."""
    message = str(getattr(error, "message", "") or "")
    extra = _EXTRA.match(message)
    if extra:
        return Text.assemble("Fölösleges paraméter: ", _plain(extra["args"]), ".")
    unknown = _NO_COMMAND.match(message)
    if unknown:
        try:
            name = ast.literal_eval(unknown["name"])
        except (ValueError, SyntaxError):
            name = unknown["name"][1:-1]
        text = Text.assemble("Nincs ilyen parancs: ", _plain(name), ".")
        if ctx is not None and isinstance(ctx.command, TyperGroup):
            close = difflib.get_close_matches(name, ctx.command.list_commands(ctx))
            if close:
                text.append(f" Hasonló: {', '.join(close)}.")
        return text
    if message.startswith("Missing command"):
        return Text("Hiányzik a parancs.")
    return Text("A parancssor nem értelmezhető.")


def show_usage_error(error: Exception) -> int:
    """Print a usage error in Hungarian on stderr with the usage line; return its exit code."""
    from kkod.cli.common import err_console

    ctx = getattr(error, "ctx", None)
    err_console.print(
        Text.assemble(("Hiba:", "bold red"), " ", usage_problem(error)), soft_wrap=True
    )
    if ctx is not None:
        # The program's name comes from the command line as typed: shown plain too.
        err_console.print(
            Text.assemble((USAGE, "bold"), " ", _plain(usage_line(ctx.command, ctx))),
            soft_wrap=True,
        )
        err_console.print(
            Text.assemble("Súgó: ", _plain(f"{ctx.command_path} --help")), soft_wrap=True
        )
    return getattr(error, "exit_code", 2)


# ----------------------------------------------------------------------------- the classes


class _Hungarian:
    """What kkod's commands and groups share: the help page and the Hungarian usage line."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        formatter.write(render(help_page(self, ctx)))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click_errors.UsageError as error:
            if error.ctx is None:  # the option parser raises some without it
                error.ctx, error.cmd = ctx, ctx.command
            raise

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write(f"{USAGE} {usage_line(self, ctx)}\n")

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; a usage error is told in Hungarian (exit 2), Ctrl+C or the end of
        input at a question is "Megszakítva." (exit 1)."""
        try:
            result = super().main(  # type: ignore[misc]
                args, prog_name, complete_var, standalone_mode=False, **extra
            )
        except click_errors.NoArgsIsHelpError as error:  # a group alone: its help page
            if not standalone_mode:
                raise
            typer.echo(error.ctx.get_help())
            sys.exit(error.exit_code)
        except click_errors.ClickException as error:
            if not standalone_mode:
                raise
            sys.exit(show_usage_error(error))
        except typer.Abort:
            if not standalone_mode:
                raise
            from kkod.cli.common import err_console

            err_console.print("Megszakítva.")
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


class HungarianCommand(_Hungarian, TyperCommand):
    """A kkod command: Hungarian help page and usage errors."""


class HungarianGroup(_Hungarian, TyperGroup):
    """A kkod command group: Hungarian help page, usage errors, commands in workflow order."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        order = WORKFLOW.get(self.name or "", ())
        return sorted(
            names, key=lambda n: (order.index(n) if n in order else len(order), names.index(n))
        )


class KkodTyper(typer.Typer):
    """A Typer whose commands and groups are :class:`HungarianCommand` and
    :class:`HungarianGroup`, without shell-completion options (their output is English)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", HungarianGroup)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, *, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(name, cls=cls or HungarianCommand, **kwargs)
