"""Operating-system errors are told in Hungarian, with the path and what to do."""

from __future__ import annotations

import errno

from kkod.oserrors import explain, human_size, reason


def test_a_full_disk_names_the_folder_the_free_space_and_the_fix(tmp_path):
    text = explain(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert text.startswith(f"„{tmp_path}”: betelt a lemez (szabad hely: ")
    assert "szabadítson fel helyet" in text


def test_the_error_s_own_file_name_is_used_when_no_path_is_given():
    error = PermissionError(errno.EACCES, "Permission denied", "/etc/kkod/titok")
    assert explain(error) == (
        "„/etc/kkod/titok”: nincs hozzá jogosultság; ellenőrizze a mappa és a fájl jogosultságait"
    )


def test_an_unknown_errno_is_named_not_hidden():
    assert reason(OSError(errno.ENOLINK, "x")) == "operációsrendszer-hiba (ENOLINK)"


def test_sizes_use_the_hungarian_decimal_comma():
    assert human_size(512) == "512 bájt"
    assert human_size(1536) == "1,5 KiB"
    assert human_size(3 * 1024**3) == "3,0 GiB"


def test_an_unknown_host_name_is_said_in_hungarian():
    """A resolver error (``socket.gaierror``) carries the resolver's numbers, not errno's."""
    import socket

    try:
        socket.getaddrinfo("nosuchhost.invalid", 25)
    except socket.gaierror as error:
        said = reason(error)
    assert said.startswith("ismeretlen gépnév") and "Name or service" not in said
