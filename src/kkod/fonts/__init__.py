"""The fonts kkod embeds in its PDFs (DejaVu, fonts/LICENSE-DejaVu.txt): ő and ű need an embedded
TrueType font, and a machine need not have one installed."""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).parent
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
MONO = FONT_DIR / "DejaVuSansMono.ttf"
