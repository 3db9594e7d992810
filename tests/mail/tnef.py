"""A minimal TNEF (winmail.dat) writer, as Outlook wraps attachments for rich-text mail."""

from __future__ import annotations

import struct

SIGNATURE = 0x223E9F78
_MESSAGE, _ATTACHMENT = 1, 2


def _attribute(level: int, ident: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, ident, len(data)) + data + struct.pack("<H", checksum)


def winmail_dat(files: list[tuple[str, bytes]], codepage: str = "cp1250") -> bytes:
    """``files`` (name, bytes) in a TNEF stream; names in the Windows ``codepage``, as Outlook."""
    out = struct.pack("<IH", SIGNATURE, 0x0001)
    out += _attribute(_MESSAGE, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += _attribute(_MESSAGE, 0x00069007, struct.pack("<II", 1250, 0))  # attOemCodepage
    for name, data in files:
        out += _attribute(_ATTACHMENT, 0x00069002, bytes(14))  # attAttachRendData
        out += _attribute(_ATTACHMENT, 0x00018010, name.encode(codepage) + b"\x00")  # title
        out += _attribute(_ATTACHMENT, 0x0006800F, data)  # attAttachData
    return out
