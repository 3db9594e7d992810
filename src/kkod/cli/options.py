"""Options several commands share, declared once: the table and the declaration of a request,
and how often a waiting worker looks at the queue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kkod.cli.values import INPUT_FILE, Decimal

TableOption = Annotated[
    Path,
    typer.Option(
        "--table",
        metavar="TÁBLA.xlsx",
        parser=INPUT_FILE,
        help="A kitöltött „Kapcsolati kód adattáblázat” (.xlsx).",
    ),
]
DeclarationOption = Annotated[
    Path,
    typer.Option(
        "--declaration",
        metavar="NYILATKOZAT.pdf",
        parser=INPUT_FILE,
        help="Az aláírt munkáltatói nyilatkozat (PDF).",
    ),
]
PollOption = Annotated[
    float,
    typer.Option(
        "--poll",
        metavar="MÁSODPERC",
        parser=Decimal(0.1, 86_400),
        help="Üres sornál legfeljebb ennyi másodpercet vár; új kérelemre azonnal indul.",
    ),
]
