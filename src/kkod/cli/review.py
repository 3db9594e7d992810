"""``kkod validate --review``: the fix candidates decided one by one at a Rich prompt."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.prompt import Prompt
from rich.table import Table
from rich.text import Text

from kkod.cli.common import announce_kept, console, plain, shown_value
from kkod.hungarian import with_article

SHOWN_SAFE = 20
_CHOICES = {"e": "elfogad", "s": "saját érték", "k": "kihagy"}


class _Prompt(Prompt):
    """Rich's prompt with Hungarian refusals (its own are English); an answer read from a
    pipe is echoed, so the transcript shows it (a terminal echoes what is typed)."""

    illegal_choice_message = "Válasszon a megadott betűk közül."
    validate_error_message = "Érvénytelen válasz."

    def get_input(self, console, prompt, password, stream=None) -> str:
        answer = super().get_input(console, prompt, password, stream)
        if not sys.stdin.isatty():
            console.print(plain(answer))
        return answer


def review(table: Path, out: Path, declarations: Path | None, force: bool) -> None:
    """Walk the candidates, write the accepted cells to ``out`` and the decisions beside it."""
    from kkod.employer.review import (
        Choice,
        candidates,
        current_user,
        decide,
        decisions_path,
        write_reviewed,
    )
    from kkod.employer.validation import summary_lines, validate_table
    from kkod.outputs import claim_outputs

    who = current_user()
    record = decisions_path(out)
    with claim_outputs(out, record, force=force, inputs=(table, declarations)) as claim:
        result = validate_table(table, declarations=declarations)
        safe, suggestions = candidates(result)
        console.print(
            f"Biztonságos javítás: {len(safe)} cella; egyenként eldöntendő javaslat: "
            f"{len(suggestions)}."
        )
        decisions = []
        ended = False
        try:
            if safe and _accept_safe(safe):
                decisions += [decide(c, Choice.ELFOGADVA, who) for c in safe]
            elif safe:
                decisions += [decide(c, Choice.KIHAGYVA, who) for c in safe]
            for number, candidate in enumerate(suggestions, start=1):
                choice, own = _ask(candidate, number, len(suggestions))
                decisions.append(decide(candidate, choice, who, own))
        except EOFError:
            ended = True
            console.print()  # the unanswered question's line ends
        changed = write_reviewed(result, out, decisions, record)
    announce_kept(claim)
    undecided = len(safe) + len(suggestions) - len(decisions)
    _summary(decisions, changed, undecided if ended else 0, out, record)
    final = validate_table(out, declarations=declarations)
    console.print(Text("A javított példány ellenőrzése:", "bold"))
    for line in summary_lines(final):
        console.print(plain(line))
    raise typer.Exit(1 if final.has_errors else 0)


def _accept_safe(safe) -> bool:
    shown = Table(title="Biztonságos javítások (mind együtt)")
    for heading in ("Cella", "Szabály", "Érték", "Javítva"):
        shown.add_column(heading, overflow="fold")
    for c in safe[:SHOWN_SAFE]:
        shown.add_row(c.cell, ", ".join(c.rules), shown_value(c.old), shown_value(c.new))
    console.print(shown)
    if len(safe) > SHOWN_SAFE:
        console.print(f"… és még {len(safe) - SHOWN_SAFE} biztonságos javítás.")
    answer = _Prompt.ask(
        Text(f"Elfogadja mind {with_article(len(safe))} biztonságos javítást? (i: igen, n: nem)"),
        console=console,
        choices=["i", "n"],
    )
    return answer == "i"


def _ask(candidate, number: int, total: int):
    from kkod.employer.review import Choice

    console.print(
        Text.assemble(
            (f"[{number}/{total}] {candidate.cell}", "bold"),
            f" — {', '.join(candidate.rules)} {candidate.title}",
        )
    )
    console.print(Text.assemble("  ", plain(candidate.message)))
    console.print(Text.assemble("  Jelenlegi érték: ", shown_value(candidate.old)))
    console.print(Text.assemble("  Javaslat:        ", shown_value(candidate.new)))
    answer = _Prompt.ask(
        Text("Döntés (e: elfogad, s: saját érték, k: kihagy)"),
        console=console,
        choices=list(_CHOICES),
    )
    if answer == "s":
        own = _Prompt.ask(Text("Az új érték"), console=console).strip()
        if own:
            return Choice.SAJAT, own
        console.print("Üres érték: kihagyva.")
        return Choice.KIHAGYVA, None
    return (Choice.ELFOGADVA if answer == "e" else Choice.KIHAGYVA), None


def _summary(decisions, changed: int, undecided: int, out: Path, record: Path) -> None:
    from kkod.employer.review import Choice

    counts = {choice: 0 for choice in Choice}
    for d in decisions:
        counts[d.choice] += 1
    summary = Table(title="Döntések", show_header=False)
    summary.add_column("", style="bold")
    summary.add_column("", justify="right")
    for choice, count in counts.items():
        summary.add_row(str(choice), str(count))
    if undecided:
        summary.add_row("döntés nélkül (a bemenet véget ért)", str(undecided))
    summary.add_row("megváltozott cella", str(changed))
    console.print(summary)
    console.print(Text.assemble(("Javított táblázat:", "green"), " ", plain(out)))
    console.print(Text.assemble("Döntések: ", plain(record)))
