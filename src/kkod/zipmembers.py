"""Zip members made by kkod: a new member like another one, at a deflate level, and members
copied as stored (their compressed bytes written again unchanged, never inflated).

:mod:`zipfile` has no call for writing already-compressed bytes, so the local header and the
central directory entry are made by its own :class:`zipfile.ZipInfo`, and the entry is
registered as :meth:`zipfile.ZipFile.writestr` registers one.
"""

from __future__ import annotations

import io
import struct
import zipfile

LOCAL_HEADER = b"PK\x03\x04"


def member_like(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new member like ``info``: name, date, attributes, compression method."""
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    copy.comment = info.comment
    return copy


def at_level(info: zipfile.ZipInfo, level: int) -> zipfile.ZipInfo:
    """``info``, to be deflated at ``level`` when written through :meth:`zipfile.ZipFile.open`
    (which takes the level only from the ZipInfo: ``compress_level`` since Python 3.13)."""
    if hasattr(info, "compress_level"):
        info.compress_level = level
    else:
        info._compresslevel = level
    return info


def stored_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new member like ``info`` whose stored bytes are copied: :func:`member_like`, with its
    CRC and sizes."""
    copy = member_like(info)
    copy.flag_bits = info.flag_bits & 0x06  # deflate's level hint; sizes go in the header
    copy.CRC, copy.compress_size, copy.file_size = info.CRC, info.compress_size, info.file_size
    return copy


def write_stored(out: zipfile.ZipFile, info: zipfile.ZipInfo, raw: bytes | memoryview) -> None:
    """Add to ``out`` the member ``info`` (from :func:`stored_info`) with its compressed bytes."""
    zip64 = max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
    with out._lock:
        info.header_offset = out.fp.tell()
        out.fp.write(info.FileHeader(zip64))
        out.fp.write(raw)
        out.filelist.append(info)
        out.NameToInfo[info.filename] = info
        out.start_dir = out.fp.tell()


def stored_span(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int] | None:
    """Where the member's compressed bytes lie in the zip ``data`` (begin, end), read from its
    local header; ``None`` when there is no local header at its offset. ``end`` may lie beyond
    ``data`` (a truncated file): the caller checks."""
    start = info.header_offset
    if data[start : start + 4] != LOCAL_HEADER:
        return None
    name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
    begin = start + 30 + name_length + extra_length
    return begin, begin + info.compress_size


def stored_members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Each member of the zip ``data`` (one kkod wrote itself) with its compressed bytes, in order."""
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            span = stored_span(data, info)
            if span is None:
                raise zipfile.BadZipFile(f"no local header for {info.filename}")
            members.append((info, data[span[0] : span[1]]))
    return members
