"""Certificate names prepared for comparison once per text, installed before pyHanko checks a signature.

pyHanko finds the signer's certificate and checks the signing-certificate attribute by
comparing X.509 names; asn1crypto prepares every value of both names for that (RFC 4518:
``stringprep``'s tables, one character at a time, in pure Python) each time a name is read
from the signature again: on a small request's declaration, a quarter of the check under a
profiler and about a tenth of it measured without one.
The preparation depends only on the text, so its result is kept, for at most
:data:`MAX_KEPT` texts (organisation and signer names: a ministry sees a few thousand); a
text it refuses is refused every time, as before.
"""

from __future__ import annotations

from typing import Any

MAX_KEPT = 4096
_prepared: dict[str, str] = {}
_ORIGINAL: Any = None


def _ldap_string_prep(self: Any, string: Any) -> Any:
    """``NameTypeAndValue._ldap_string_prep``, computed once per text."""
    if string.__class__ is not str:
        return _ORIGINAL(self, string)
    prepared = _prepared.get(string)
    if prepared is None:
        prepared = _ORIGINAL(self, string)  # raises ValueError for a refused text: not kept
        if len(_prepared) >= MAX_KEPT:
            _prepared.clear()
        _prepared[string] = prepared
    return prepared


def install() -> None:
    """Make asn1crypto's name comparison use the kept preparations (once; idempotent)."""
    global _ORIGINAL
    from asn1crypto.x509 import NameTypeAndValue

    if _ORIGINAL is None:
        _ORIGINAL = NameTypeAndValue._ldap_string_prep
        NameTypeAndValue._ldap_string_prep = _ldap_string_prep
