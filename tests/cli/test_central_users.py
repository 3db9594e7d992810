"""``kkod central office user``: a staff member made from the command line logs in with what
it printed — the password and the authenticator's URI — and is listed, unlocked, removed."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pyotp

from kkod.central.staff import staff_logins
from kkod.config import get_settings
from kkod.db import open_part
from kkod.logins.store import Refusal

from .test_central_cli import KRID, _add_office, kkod  # noqa: F401  (the fixture)


def logins():
    return staff_logins(open_part("central"), get_settings())


def test_a_user_added_logs_in_with_what_was_printed(kkod):  # noqa: F811
    _add_office(kkod)
    result = kkod("central", "office", "user", "add", "--krid", KRID, "--name", "kiss.anna",
                  "--full-name", "Kiss Anna")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    said = next(i for i, line in enumerate(lines) if line.startswith("Jelszó"))
    password = lines[said + 1].strip()
    uri = next(line for line in lines if line.startswith("otpauth://"))
    assert "▀" in result.stdout or "█" in result.stdout  # the QR code, drawn in the terminal
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    outcome = logins().login(KRID, "kiss.anna", password, pyotp.TOTP(secret).now(), "192.0.2.1")
    assert outcome.token and outcome.user.display_name == "Kiss Anna"

    listed = kkod("central", "office", "user", "list", "--krid", KRID).stdout
    assert "kiss.anna" in listed and "Kiss Anna" in listed


def test_a_password_asked_for_instead(kkod):  # noqa: F811
    _add_office(kkod)
    chosen = "hosszú-titkos-jelszó-2026"
    result = kkod("central", "office", "user", "add", "--krid", KRID, "--name", "kiss.anna",
                  "--ask-password", input=f"{chosen}\n{chosen}\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert chosen not in result.stdout
    uri = re.search(r"otpauth://\S+", result.stdout).group(0)
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    assert logins().login(KRID, "kiss.anna", chosen, pyotp.TOTP(secret).now(), "192.0.2.1").token


def test_unlock_and_remove(kkod):  # noqa: F811
    _add_office(kkod)
    kkod("central", "office", "user", "add", "--krid", KRID, "--name", "kiss.anna")
    for _ in range(get_settings().web_login_failures_before_lock):
        refusal = logins().login(KRID, "kiss.anna", "rossz", "000000", "192.0.2.1").refusal
    assert refusal is Refusal.LOCKED
    assert "zárolva" in kkod("central", "office", "user", "list").stdout
    assert (
        kkod("central", "office", "user", "unlock", "--krid", KRID, "--name", "kiss.anna").exit_code
        == 0
    )
    assert "aktív" in kkod("central", "office", "user", "list").stdout
    assert (
        kkod("central", "office", "user", "remove", "--krid", KRID, "--name", "kiss.anna").exit_code
        == 0
    )
    gone = kkod("central", "office", "user", "remove", "--krid", KRID, "--name", "kiss.anna")
    assert gone.exit_code == 2 and "Nincs ilyen felhasználó" in gone.output


def test_refused_inputs(kkod):  # noqa: F811
    _add_office(kkod)
    unknown = kkod("central", "office", "user", "add", "--krid", "999999", "--name", "kiss.anna")
    assert unknown.exit_code == 2 and "999999" in unknown.output
    bad_name = kkod("central", "office", "user", "add", "--krid", KRID, "--name", "Kiss Anna")
    assert bad_name.exit_code == 2 and "felhasználónév" in bad_name.output.lower()
    kkod("central", "office", "user", "add", "--krid", KRID, "--name", "kiss.anna")
    twice = kkod("central", "office", "user", "add", "--krid", KRID, "--name", "kiss.anna")
    assert twice.exit_code == 2 and "Már van" in twice.output
