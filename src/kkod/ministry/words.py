"""Hungarian words for the machine codes the stores keep (channels, actors, check ids).

The request store and its audit trail keep stable ASCII ids (``upload``, ``intake``,
``alairas:alairatlan``); the operator reads words (``feltöltés``, ``levélfogadó``,
``aláírás: aláíratlan``). An id not listed here is shown as it is, underscores as spaces.
"""

from __future__ import annotations

import re

CHANNELS = {"email": "e-mail", "upload": "feltöltés"}

ACTORS = {
    "intake": "levélfogadó",
    "upload": "feltöltés",
    "worker": "feldolgozó",
    "system": "rendszer",
    "cli": "parancssor",
}

# The intake's checks (kkod.ministry.checks.Check) and the signature problems
# (kkod.pki.verify.SignatureProblem), as the audit trail records them.
CODES = {
    "olvashatatlan_level": "olvashatatlan levél",
    "targy": "tárgy",
    "tablazat_hianyzik": "hiányzó táblázat",
    "tablazat_tobb": "több táblázat",
    "nyilatkozat_hianyzik": "hiányzó nyilatkozat",
    "nyilatkozat_tobb": "több nyilatkozat",
    "sablon": "sablon",
    "alairas": "aláírás",
    "nyilatkozat_olvashatatlan": "olvashatatlan nyilatkozat",
    "krid_ismeretlen": "ismeretlen KRID",
    "alairo_szervezete": "az aláíró szervezete",
    "sorok_szama": "sorok száma",
    "sha256": "SHA-256",
    "olvashatatlan": "olvashatatlan",
    "alairatlan": "aláíratlan",
    "serult": "sérült",
    "utolag_modositott": "utólag módosított",
    "nem_megbizhato": "nem megbízható",
    "kulcshasznalat": "kulcshasználat",
    "lejart": "lejárt",
    "visszavont": "visszavont",
    "ervenytelen": "érvénytelen",
    **CHANNELS,
}

REPLY_STATES = {"sent": "elküldve", "pending": "küldésre vár"}

_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?::[a-z][a-z0-9_]*)*\b")


def channel(code: str | None) -> str:
    return CHANNELS.get(code or "", code or "")


def actor(code: str | None) -> str:
    """``intake`` → ``levélfogadó``; ``ministry:gep-1`` → ``feldolgozó (gep-1)``."""
    if not code:
        return ""
    if code in ACTORS:
        return ACTORS[code]
    kind, _, who = code.partition(":")
    if kind == "ministry" and who:
        return f"feldolgozó ({who})"
    return code


def readable(text: str | None) -> str:
    """Free text from the audit trail with its machine codes as words:
    ``csatorna: upload; sikertelen ellenőrzés: alairas:alairatlan`` →
    ``csatorna: feltöltés; sikertelen ellenőrzés: aláírás: aláíratlan``."""
    if not text:
        return ""

    def word(match: re.Match[str]) -> str:
        parts = match.group().split(":")
        if not all(part in CODES for part in parts):
            return match.group()
        return ": ".join(CODES[part] for part in parts)

    return _CODE.sub(word, text)
