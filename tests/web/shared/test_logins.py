"""Logins on a real database: both factors, a code used once, lockout, throttling, sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from kkod.logins.policy import LoginPolicy
from kkod.logins.store import LoginExists, Refusal, UnknownLogin, WeakPassword
from tests.web.shared.siteapp import AUDIT, TABLES, demo_logins

NOW = datetime(2026, 12, 6, 9, 0, 0, tzinfo=UTC)
ADDRESS = "192.0.2.10"


def code(secret: str, at: datetime = NOW) -> str:
    return pyotp.TOTP(secret).at(at)


@pytest.fixture
def anna(logins):
    return logins.add_user("500100", "kiss.anna", "Kiss Anna")


def test_a_new_user_gets_a_password_a_secret_and_an_authenticator_uri(logins, anna, engine):
    assert len(anna.password) >= 12
    assert anna.provisioning_uri.startswith("otpauth://totp/")
    assert "secret=" + anna.totp_secret in anna.provisioning_uri
    with engine.connect() as conn:
        stored = conn.execute(select(TABLES.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and anna.password not in stored


def test_both_factors_right_give_a_session(logins, anna):
    outcome = logins.login(
        "500100", "kiss.anna", anna.password, code(anna.totp_secret), ADDRESS, NOW
    )
    assert outcome.refusal is None and outcome.token
    session = logins.session(outcome.token, NOW + timedelta(minutes=1))
    assert session is not None and session.user.username == "kiss.anna" and session.csrf_token


@pytest.mark.parametrize(
    "realm, username, password_ok, code_at",
    [
        pytest.param("500100", "kiss.anna", False, NOW, id="wrong-password"),
        pytest.param(
            "500100", "kiss.anna", True, NOW + timedelta(minutes=5), id="old-or-future-code"
        ),
        pytest.param("500200", "kiss.anna", True, NOW, id="another-office"),
        pytest.param("500100", "nagy.bela", True, NOW, id="unknown-user"),
        pytest.param(None, "kiss.anna", True, NOW, id="unknown-office"),
    ],
)
def test_anything_wrong_is_refused_alike(logins, anna, realm, username, password_ok, code_at):
    password = anna.password if password_ok else anna.password + "x"
    outcome = logins.login(realm, username, password, code(anna.totp_secret, code_at), ADDRESS, NOW)
    assert outcome.refusal is Refusal.WRONG and outcome.token is None


def test_a_code_works_once(logins, anna):
    first = logins.login("500100", "kiss.anna", anna.password, code(anna.totp_secret), ADDRESS, NOW)
    again = logins.login("500100", "kiss.anna", anna.password, code(anna.totp_secret), ADDRESS, NOW)
    later = NOW + timedelta(seconds=30)
    next_step = logins.login(
        "500100", "kiss.anna", anna.password, code(anna.totp_secret, later), ADDRESS, later
    )
    assert first.token and again.refusal is Refusal.WRONG and next_step.token


def test_repeated_failures_lock_the_user_until_unlocked(engine):
    logins = demo_logins(engine, policy=LoginPolicy(failures_before_lock=3))
    anna = logins.add_user("500100", "kiss.anna", "Kiss Anna")
    results = [
        logins.login("500100", "kiss.anna", "rossz jelszó", "000000", ADDRESS, NOW).refusal
        for _ in range(3)
    ]
    assert results == [Refusal.WRONG, Refusal.WRONG, Refusal.LOCKED]
    right = logins.login("500100", "kiss.anna", anna.password, code(anna.totp_secret), ADDRESS, NOW)
    assert right.refusal is Refusal.LOCKED and right.retry_after > 0
    logins.unlock_user("500100", "kiss.anna")
    assert logins.login(
        "500100", "kiss.anna", anna.password, code(anna.totp_secret), ADDRESS, NOW
    ).token


def test_the_lock_ends_by_itself(engine):
    logins = demo_logins(engine, policy=LoginPolicy(failures_before_lock=1))
    anna = logins.add_user("500100", "kiss.anna", "Kiss Anna")
    logins.login("500100", "kiss.anna", "rossz", "000000", ADDRESS, NOW)
    later = NOW + timedelta(minutes=16)
    outcome = logins.login(
        "500100", "kiss.anna", anna.password, code(anna.totp_secret, later), ADDRESS, later
    )
    assert outcome.token


def test_attempts_from_one_address_are_throttled(engine):
    logins = demo_logins(engine, attempts_per_minute=3)
    anna = logins.add_user("500100", "kiss.anna", "Kiss Anna")
    refusals = [
        logins.login("500100", "kiss.anna", "rossz", "000000", ADDRESS).refusal for _ in range(4)
    ]
    assert refusals[-1] is Refusal.THROTTLED
    elsewhere = logins.login(
        "500100",
        "kiss.anna",
        anna.password,
        code(anna.totp_secret, datetime.now(UTC)),
        "192.0.2.99",
    )
    assert elsewhere.token


def test_sessions_end_when_idle_or_too_old(logins, anna):
    token = logins.login(
        "500100", "kiss.anna", anna.password, code(anna.totp_secret), ADDRESS, NOW
    ).token
    assert logins.session(token, NOW + timedelta(minutes=31)) is None
    assert logins.session(token, NOW + timedelta(minutes=1)) is None  # deleted once expired

    later = NOW + timedelta(minutes=1)
    token = logins.login(
        "500100", "kiss.anna", anna.password, code(anna.totp_secret, later), ADDRESS, later
    ).token
    moment = later
    while moment < later + timedelta(hours=11, minutes=40):  # used every 20 minutes: never idle
        moment += timedelta(minutes=20)
        assert logins.session(token, moment) is not None
    assert logins.session(token, later + timedelta(hours=12, minutes=1)) is None


def test_removing_a_user_ends_their_sessions(logins, anna):
    token = logins.login(
        "500100", "kiss.anna", anna.password, code(anna.totp_secret), ADDRESS, NOW
    ).token
    logins.remove_user("500100", "kiss.anna")
    assert logins.session(token, NOW) is None
    assert logins.users() == []
    with pytest.raises(UnknownLogin):
        logins.remove_user("500100", "kiss.anna")


def test_names_are_unique_per_realm_and_passwords_long(logins, anna):
    with pytest.raises(LoginExists):
        logins.add_user("500100", "kiss.anna", "Másik Anna")
    assert (
        logins.add_user("500200", "kiss.anna", "Kiss Anna (másik hivatal)").user.realm == "500200"
    )
    with pytest.raises(WeakPassword):
        logins.add_user("500100", "rovid", "Rövid", password="rövid")


def test_logins_are_audited_without_secrets(logins, anna, engine):
    logins.login("500100", "kiss.anna", "rossz jelszó", "123456", ADDRESS, NOW)
    logins.login("500100", "kiss.anna", anna.password, code(anna.totp_secret), ADDRESS, NOW)
    with engine.connect() as conn:
        entries = conn.execute(select(AUDIT)).all()
    actions = [e.action for e in entries]
    assert actions == ["login.user_add", "login.refused", "login"]
    text = repr(entries)
    assert anna.password not in text and "rossz jelszó" not in text and "123456" not in text
