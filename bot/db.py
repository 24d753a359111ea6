"""Database engine and sessions; SQLite gets WAL mode and a busy timeout."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

# How long a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (the staff console, exports) run while Rasa writes turns.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def configure_sqlite(engine: Engine) -> None:
    """Apply the project's SQLite settings to every new connection of `engine`."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)


def create_engine(url: str) -> Engine:
    """Create an engine; for a SQLite file, also create its folder."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # pool_pre_ping: a pooled connection to a restarted PostgreSQL is replaced, not used and failed.
    engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    configure_sqlite(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker:
    """One session per unit of work: `with factory() as session, session.begin(): ...`."""
    return sessionmaker(engine, class_=Session, future=True, expire_on_commit=False)
