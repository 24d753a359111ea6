"""Signing in and out: cookies, server-side sessions, expiry, throttling and lockout."""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from bot.console.client_info import CONSOLE_SETTINGS
from bot.console.settings import ConsoleSettings
from bot.console.sign_in import SIGN_IN_FAILED
from bot.console.throttle import LockoutPolicy
from bot.database import Database
from bot.models import AuditEntry, StaffSession
from tests.console.conftest import ADMIN, REVIEWER
from tests.console.harness import FAST_LOCKOUT, PASSWORD, signed_in, start_console


def next_after_sign_in(response) -> str:
    """Where a redirect to the sign-in form will send the browser afterwards."""
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    return parse_qs(location.query)["next"][0]


def session_cookie(response) -> str:
    return next(header for header in response.raw.headers.getlist("Set-Cookie") if header.startswith("intake_staff_session="))


def audit_actions(console, actor):
    with console.database.sessions() as session:
        return list(session.scalars(sa.select(AuditEntry.action).where(AuditEntry.actor == actor).order_by(AuditEntry.id)))


def test_signing_in_sets_an_httponly_samesite_strict_session_cookie(console):
    response = console.browser().sign_in(ADMIN)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback, no proxy


def test_only_a_hash_of_the_session_token_is_stored(console):
    client = console.browser()
    client.sign_in(ADMIN)
    token = client.cookies["intake_staff_session"]
    with console.database.sessions() as session:
        hashes = set(session.scalars(sa.select(StaffSession.token_hash)))
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert token not in hashes


def test_a_session_id_planted_before_sign_in_is_never_adopted(console):
    client = console.browser()
    client.cookies.set("intake_staff_session", "chosen-by-an-attacker", domain="127.0.0.1", path="/")
    client.sign_in(ADMIN)
    assert client.cookies["intake_staff_session"] != "chosen-by-an-attacker"
    assert client.get("/").status_code == 200


def test_signing_in_again_replaces_the_session_and_ends_the_old_one(console):
    client = signed_in(console, REVIEWER)
    first = client.cookies["intake_staff_session"]
    response = client.submit("/sign-in", {"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 303
    assert client.cookies["intake_staff_session"] != first
    stale = console.browser()
    stale.cookies.set("intake_staff_session", first)
    assert stale.get("/").status_code == 303


def test_signing_out_ends_the_session(console):
    client = signed_in(console, ADMIN)
    token = client.cookies["intake_staff_session"]
    response = client.submit("/sign-out")
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"
    replay = console.browser()
    replay.cookies.set("intake_staff_session", token)
    assert replay.get("/").status_code == 303
    assert "sign_out" in audit_actions(console, ADMIN)


def test_a_session_expires_after_thirty_minutes_without_activity(console):
    client = signed_in(console, ADMIN)
    token_hash = hashlib.sha256(client.cookies["intake_staff_session"].encode()).hexdigest()
    idle_since = dt.datetime.utcnow() - dt.timedelta(minutes=29)
    with console.database.sessions() as session, session.begin():
        session.execute(sa.update(StaffSession).where(StaffSession.token_hash == token_hash).values(last_seen_at=idle_since))
    assert client.get("/").status_code == 200  # 29 minutes: still valid, and now touched again
    with console.database.sessions() as session, session.begin():
        session.execute(sa.update(StaffSession).where(StaffSession.token_hash == token_hash)
                        .values(last_seen_at=dt.datetime.utcnow() - dt.timedelta(minutes=31)))
    response = client.get("/intakes/1")
    assert response.status_code == 303 and next_after_sign_in(response) == "/intakes/1"
    with console.database.sessions() as session:
        assert session.scalar(sa.select(StaffSession.id).where(StaffSession.token_hash == token_hash)) is None


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(console):
    wrong = console.browser().sign_in(ADMIN, "not the password")
    unknown = console.browser().sign_in("nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert SIGN_IN_FAILED in wrong.text and SIGN_IN_FAILED in unknown.text
    assert "intake_staff_session" not in wrong.cookies
    assert audit_actions(console, "nobody@example.org") == ["sign_in_failed"]


def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(console):
    console.add_staff("locked@example.org", "reviewer")
    for _attempt in range(FAST_LOCKOUT.account_limit):
        assert console.browser().sign_in("locked@example.org", "guess").status_code == 401
    refused = console.browser().sign_in("locked@example.org", PASSWORD)
    assert refused.status_code == 401 and SIGN_IN_FAILED in refused.text
    assert audit_actions(console, "locked@example.org")[-1] == "sign_in_locked"
    assert console.browser().sign_in(ADMIN).status_code == 303  # other accounts are unaffected


def test_signing_in_clears_earlier_failures(console):
    console.add_staff("forgetful@example.org", "reviewer")
    for _round in range(2):
        for _attempt in range(FAST_LOCKOUT.account_limit - 1):
            console.browser().sign_in("forgetful@example.org", "guess")
        assert console.browser().sign_in("forgetful@example.org").status_code == 303


def test_the_next_address_after_signing_in_stays_on_this_site(console):
    client = console.browser()
    client.get("/sign-in?next=//evil.example/")
    response = client.submit("/sign-in", {"email": ADMIN, "password": PASSWORD, "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
    assert next_after_sign_in(console.browser().get("/audit?action=view")) == "/audit?action=view"


@pytest.fixture(scope="module")
def proxied_console(tmp_path_factory):
    """A console behind a trusted reverse proxy that speaks HTTPS to browsers."""
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('proxied') / 'intake.db'}")
    lockout = LockoutPolicy(base_delay_seconds=0.0, max_delay_seconds=0.0, address_limit=4)
    running = start_console(database, ConsoleSettings(trust_proxy=True, lockout=lockout))
    running.add_staff(ADMIN, "admin")
    yield running
    running.stop()


def from_address(console, address: str):
    """A browser at `address`, as the proxy reports it (after a spoofed entry the proxy passed on)."""
    client = console.browser(via_https_proxy=True)
    client.headers["X-Forwarded-For"] = f"198.51.100.1, {address}"
    return client


def test_cookies_are_secure_when_the_trusted_proxy_says_https(proxied_console):
    response = from_address(proxied_console, "203.0.113.1").sign_in(ADMIN)
    assert "Secure" in session_cookie(response)


def test_cookies_are_secure_whenever_the_setting_says_so(tmp_path):
    running = start_console(Database(f"sqlite:///{tmp_path / 'intake.db'}"), ConsoleSettings(secure_cookies=True))
    try:
        running.add_staff(ADMIN, "admin")
        assert "Secure" in session_cookie(running.browser(via_https_proxy=True).sign_in(ADMIN))
    finally:
        running.stop()


def test_an_untrusted_forwarded_proto_header_is_ignored(console):
    client = console.browser()
    client.headers["X-Forwarded-Proto"] = "https"
    assert "Secure" not in session_cookie(client.sign_in(ADMIN))


def test_one_address_is_locked_out_after_many_failures_across_accounts(proxied_console):
    attacker, limit = "203.0.113.66", proxied_console.app[CONSOLE_SETTINGS].lockout.address_limit
    for attempt in range(limit):
        from_address(proxied_console, attacker).sign_in(f"guess{attempt}@example.org", "guess")
    assert from_address(proxied_console, attacker).sign_in(ADMIN).status_code == 401
    assert from_address(proxied_console, "203.0.113.67").sign_in(ADMIN).status_code == 303
    with proxied_console.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).where(AuditEntry.client_ip == attacker)) == limit + 1


def test_failures_are_answered_more_and_more_slowly():
    policy = LockoutPolicy()
    delays = [policy.delay_seconds(failures) for failures in range(0, 8)]
    assert delays[: policy.slow_after + 1] == [0.0] * (policy.slow_after + 1)
    assert delays == sorted(delays) and delays[-1] == policy.max_delay_seconds


def test_a_failed_sign_in_really_waits_once_failures_pile_up(tmp_path):
    policy = LockoutPolicy(base_delay_seconds=1.5, max_delay_seconds=1.5)
    running = start_console(Database(f"sqlite:///{tmp_path / 'intake.db'}"), ConsoleSettings(lockout=policy))
    try:
        timings = []
        for _attempt in range(policy.slow_after + 1):
            started = time.monotonic()
            running.browser().sign_in("someone@example.org", "guess")
            timings.append(time.monotonic() - started)
        # The first attempt warms up; the next ones are not slowed, the last one is (by 1.5 s,
        # with a wide margin for a busy machine).
        assert timings[-1] >= 1.5 and timings[-1] - timings[1] >= 1.0
    finally:
        running.stop()
