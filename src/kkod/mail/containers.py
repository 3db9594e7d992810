"""Files inside containers: what mail clients and signing tools wrap around the table and the declaration.

Outlook's ``winmail.dat`` (TNEF, read with tnefparse), a ``.zip`` holding the files and a
forwarded message (``message/rfc822``) are opened, within limits on the number of files and
their total size (settings, checked before anything is unpacked), and their files take the
container's place. A container kkod cannot use (an e-Szignó ``.es3`` dossier, whose signature
is not a PAdES one, or an S/MIME ``.p7m`` package) is named, with what to send instead.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from kkod.errors import KkodError
from kkod.filekind import Kind, sniff
from kkod.hungarian import article
from kkod.mail.message import Attachment
from kkod.oserrors import human_size

MAX_DEPTH = 3
"""Containers inside containers are opened this deep, no deeper."""

_JUNK = ("__macosx/", ".ds_store", "thumbs.db", "desktop.ini")


class ContainerError(KkodError):
    """A container breaks a limit or cannot be opened; the message names it and the fix."""


@dataclass(frozen=True, slots=True)
class Unusable:
    """A container kkod does not open, and the Hungarian advice on what to send instead."""

    filename: str
    kind: Kind
    advice: str


@dataclass(slots=True)
class Unwrapped:
    """The files found, the containers opened (their names) and those that could not be used."""

    files: list[Attachment] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    unusable: list[Unusable] = field(default_factory=list)


ES3_ADVICE = (
    "az e-Szignó aktatáska (.es3) aláírása nem PDF-be ágyazott (PAdES) aláírás, ezért a kkod "
    "nem tudja ellenőrizni. A nyilatkozatot PAdES-aláírású PDF-ként küldje (az e-Szignóban: "
    "a PDF-dokumentum aláírása, „PDF aláírás” formátumban), a táblázatot pedig külön "
    ".xlsx mellékletként, aláírás nélkül."
)
P7M_ADVICE = (
    "az S/MIME-csomagba (.p7m) zárt fájlokat a kkod nem bontja ki. A táblázatot és a "
    "PAdES-aláírású PDF-nyilatkozatot közvetlenül, külön mellékletként csatolja."
)


def unwrap(attachments: Sequence[Attachment], *, max_files: int, max_bytes: int) -> Unwrapped:
    """Replace every container in ``attachments`` by the files in it (see the module's docstring).

    Raises :class:`ContainerError` when the files would exceed ``max_files`` or ``max_bytes``
    in total, or a container is damaged or password-protected.
    """
    result = Unwrapped()
    budget = _Budget(max_files, max_bytes)
    for attachment in attachments:
        _add(attachment, result, budget, depth=0)
    return result


@dataclass
class _Budget:
    files: int
    size: int

    def take(self, container: str, count: int, size: int) -> None:
        if count > self.files:
            raise ContainerError(
                f"{article(container).capitalize()} „{container}” csomagban túl sok fájl van: a kkod egy kérelemben "
                "legfeljebb annyi fájlt bont ki, amennyit a beállítás (KKOD_CONTAINER_MAX_FILES) "
                "enged. Csatolja a táblázatot és a nyilatkozatot közvetlenül a levélhez."
            )
        if size > self.size:
            raise ContainerError(
                f"{article(container).capitalize()} „{container}” csomag kibontva túl nagy ({human_size(size)}): a kkod legfeljebb "
                f"{human_size(self.size)} méretig bont ki csomagokat (KKOD_CONTAINER_MAX_BYTES). "
                "Csatolja a táblázatot és a nyilatkozatot közvetlenül a levélhez."
            )
        self.files -= count
        self.size -= size


def _add(attachment: Attachment, result: Unwrapped, budget: _Budget, depth: int) -> None:
    kind = sniff(attachment.data, attachment.filename, attachment.content_type)
    name = attachment.filename or str(kind)
    if kind is Kind.ES3:
        result.unusable.append(Unusable(name, kind, ES3_ADVICE))
        return
    if kind is Kind.PKCS7:
        result.unusable.append(Unusable(name, kind, P7M_ADVICE))
        return
    opener = {Kind.TNEF: _tnef, Kind.ZIP: _zip, Kind.EMAIL: _email}.get(kind)
    if opener is None:
        result.files.append(attachment)
        return
    if depth >= MAX_DEPTH:
        raise ContainerError(
            f"{article(name).capitalize()} „{name}” csomag túl mélyen van egymásba ágyazott csomagokban "
            f"(legfeljebb {MAX_DEPTH} szint). Csatolja a fájlokat közvetlenül a levélhez."
        )
    inner_files = opener(attachment, name, budget)
    if inner_files is None:
        result.files.append(attachment)
        return
    result.opened.append(f"{name} ({kind})")
    for inner in inner_files:
        _add(inner, result, budget, depth + 1)


def _tnef(attachment: Attachment, name: str, budget: _Budget) -> list[Attachment]:
    from tnefparse import TNEF

    try:
        tnef = TNEF(attachment.data, do_checksum=False)
    except Exception:  # tnefparse raises plain exceptions on damaged data
        raise ContainerError(
            f"{article(name).capitalize()} „{name}” Outlook-csomag (winmail.dat, TNEF) sérült, nem bontható ki. "
            "Küldje el újra a levelet HTML vagy egyszerű szöveges formátumban (Outlookban: "
            "Formátum → HTML), hogy a mellékletek külön fájlként érkezzenek."
        ) from None
    files = [(_tnef_name(item), bytes(item.data or b"")) for item in tnef.attachments]
    budget.take(name, len(files), sum(len(data) for _, data in files))
    return [Attachment(filename, "application/octet-stream", data) for filename, data in files]


def _tnef_name(item) -> str:
    try:
        return str(item.long_filename())
    except UnicodeDecodeError:  # Outlook writes the short title in the Windows code page
        raw = item._name if isinstance(item._name, bytes) else b""
        return raw.decode("cp1250", "replace").strip("\x00")


def _zip(attachment: Attachment, name: str, budget: _Budget) -> list[Attachment] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(attachment.data))
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.lower().startswith(_JUNK)
            and info.filename.rsplit("/", 1)[-1].lower() not in _JUNK
        ]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # damaged: passed on as a file, whose check names what is wrong
    if any(info.flag_bits & 0x1 for info in members):
        raise ContainerError(
            f"{article(name).capitalize()} „{name}” ZIP-tömörítvény jelszóval védett, ezért nem bontható ki. Csatolja a "
            "táblázatot és a nyilatkozatot tömörítés nélkül, közvetlenül a levélhez."
        )
    budget.take(name, len(members), sum(info.file_size for info in members))
    files = []
    for info in members:
        try:
            with archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
            if len(data) > info.file_size:  # the directory understated the size: a bomb
                raise zipfile.BadZipFile(info.filename)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            raise ContainerError(
                f"{article(name).capitalize()} „{name}” ZIP-tömörítvény „{_member_name(info)}” fájlja nem bontható ki "
                "(sérült, vagy a kkod által nem ismert tömörítési móddal készült). Csatolja a "
                "táblázatot és a nyilatkozatot közvetlenül a levélhez."
            ) from None
        files.append(Attachment(_member_name(info), "application/octet-stream", data))
    return files


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename.rsplit("/", 1)[-1]
    if not info.flag_bits & 0x800 and not name.isascii():
        # No UTF-8 flag: zipfile read the name as cp437; Hungarian Windows wrote it in cp852.
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("cp852")
    return name


def _email(attachment: Attachment, name: str, budget: _Budget) -> list[Attachment]:
    from kkod.mail.message import parse_message

    try:
        inner = parse_message(attachment.data)
    except Exception:
        raise ContainerError(
            f"{article(name).capitalize()} „{name}” továbbított levél nem olvasható. Csatolja a táblázatot és a "
            "nyilatkozatot közvetlenül a levélhez."
        ) from None
    budget.take(name, len(inner.attachments), sum(len(a.data) for a in inner.attachments))
    return list(inner.attachments)
