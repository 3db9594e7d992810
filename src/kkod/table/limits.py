"""The limits a table file from outside is held to, checked before the expensive work.

Each is a setting (``KKOD_TABLE_MAX_*``, :class:`kkod.config.Settings`); a refusal names the
limit, the value found and the variable that raises it. Together they keep any input file
within about 1 GB of memory and 30 seconds (``docs/reliability.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kkod.config import Settings


@dataclass(frozen=True, slots=True)
class TableLimits:
    max_file_bytes: int = 64 * 2**20
    max_members: int = 1000
    max_member_bytes: int = 160 * 2**20
    max_total_bytes: int = 320 * 2**20
    max_ratio: int = 100
    max_shared_strings: int = 2_000_000
    max_cell_chars: int = 32_767
    max_rows: int = 200_000
    max_cells: int = 10_000_000

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> TableLimits:
        """The limits the process's settings (``KKOD_TABLE_MAX_*``) give."""
        # Imported here: the settings bring pydantic (30 MiB, 0.1 s), which a writer process
        # given its limits by its parent never needs.
        from kkod.config import get_settings

        settings = settings or get_settings()
        return cls(**{f.name: getattr(settings, f"table_{f.name}") for f in fields(cls)})


# A member smaller than this is never refused for its compression ratio: small parts of
# repetitive XML compress well, and they cost nothing.
RATIO_FROM_BYTES = 1 << 20


def variable(limit: str) -> str:
    """The environment variable of a limit, e.g. ``max_rows`` → ``KKOD_TABLE_MAX_ROWS``."""
    return f"KKOD_TABLE_{limit.upper()}"


def amount(count: int) -> str:
    """A count the Hungarian way: ``200 000``."""
    return f"{count:,}".replace(",", " ")


def size(count: int) -> str:
    """A byte size for a person: ``160 MiB``, ``4,2 MiB``, ``512 bájt``."""
    if count < 1024:
        return f"{count} bájt"
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            value = count / scale
            text = f"{value:.0f}" if value >= 10 or value.is_integer() else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{count} bájt"
