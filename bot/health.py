"""Checks of the services' real dependencies, shared by every /health endpoint and the start-up checks.

A check never raises: it answers ok or not, with a short reason that holds no
personal data (no URLs with passwords, no query parameters, no message text).
"""
from __future__ import annotations

import asyncio
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

import aiohttp
import redis
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from bot.db import create_engine

PROBE_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Check:
    """One dependency's state."""

    ok: bool
    detail: str = ""
    facts: Dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> Dict[str, Any]:
        return {"ok": self.ok, **({"detail": self.detail} if self.detail else {}), **self.facts}


@dataclass(frozen=True)
class Report:
    """A service's health: failing when a required dependency is down, degraded when an optional one is."""

    required: Dict[str, Check]
    optional: Dict[str, Check] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if not all(check.ok for check in self.required.values()):
            return "failing"
        return "ok" if all(check.ok for check in self.optional.values()) else "degraded"

    @property
    def http_status(self) -> int:
        return 503 if self.status == "failing" else 200

    def as_dict(self) -> Dict[str, Any]:
        checks = {**self.required, **self.optional}
        return {"status": self.status, "checks": {name: check.as_dict() for name, check in checks.items()}}


def reason(error: BaseException) -> str:
    """The first line of a driver's error, without SQLAlchemy's appended SQL and parameters."""
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(error).__name__}: {first}"[:300]


def describe_database(url: str) -> str:
    """'PostgreSQL database intake at db.example.org:5432' (never the password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite database {parsed.database}"
    kind = {"postgresql": "PostgreSQL"}.get(parsed.get_backend_name(), parsed.get_backend_name())
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}" if kind == "PostgreSQL" else parsed.host or "localhost"
    return f"{kind} database {parsed.database} at {where}"


def describe_redis(url: str) -> str:
    """'Redis at cache.example.org:6379' (never the password)."""
    parsed = urllib.parse.urlsplit(url)
    return f"Redis at {parsed.hostname or 'localhost'}:{parsed.port or 6379}"


def check_sql(engine: Engine) -> Check:
    """A real round trip to the database (blocking: run it in a thread from async code)."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return Check(True)
    except Exception as error:
        return Check(False, reason(error))


def check_redis(client: Any) -> Check:
    """PING through a redis-py client (blocking)."""
    try:
        client.ping()
        return Check(True)
    except Exception as error:
        return Check(False, reason(error))


async def in_thread(probe: Callable[..., Check], *args: Any) -> Check:
    """Run a blocking probe off the event loop, giving up after PROBE_TIMEOUT_SECONDS."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(probe, *args), PROBE_TIMEOUT_SECONDS)
    except asyncio.TimeoutError:
        return Check(False, f"no answer within {PROBE_TIMEOUT_SECONDS:.0f} s")


async def check_http(url: str) -> Check:
    """GET `url`; ok on a 2xx answer."""
    try:
        timeout = aiohttp.ClientTimeout(total=PROBE_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
            if 200 <= response.status < 300:
                return Check(True)
            return Check(False, f"HTTP {response.status}")
    except asyncio.TimeoutError:
        return Check(False, f"no answer within {PROBE_TIMEOUT_SECONDS:.0f} s")
    except aiohttp.ClientError as error:
        return Check(False, reason(error))


def health_url(webhook_url: str) -> str:
    """The /health address of the server behind an action webhook URL."""
    parts = urllib.parse.urlsplit(webhook_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/health", "", ""))


def _probe_engine(database_url: str) -> Engine:
    if make_url(database_url).get_backend_name() == "postgresql":
        return sa.create_engine(database_url, future=True, connect_args={"connect_timeout": int(PROBE_TIMEOUT_SECONDS)})
    return create_engine(database_url)


def startup_problems(database_url: str, redis_url: Optional[str]) -> Tuple[str, ...]:
    """What cannot be reached before the services start, one sentence each, naming the setting."""
    problems = []
    engine = _probe_engine(database_url)
    try:
        database = check_sql(engine)
    finally:
        engine.dispose()
    if not database.ok:
        problems.append(f"Cannot reach the {describe_database(database_url)} (INTAKE_DATABASE_URL): {database.detail}")
    if redis_url:
        try:
            client = redis.Redis.from_url(redis_url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
                                          socket_timeout=PROBE_TIMEOUT_SECONDS)
        except ValueError as error:
            problems.append(f"INTAKE_REDIS_URL is not a Redis URL: {error}")
        else:
            lock_store = check_redis(client)
            if not lock_store.ok:
                problems.append(f"Cannot reach {describe_redis(redis_url)} (INTAKE_REDIS_URL): {lock_store.detail}")
    return tuple(problems)
