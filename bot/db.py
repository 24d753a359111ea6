"""Database engine and sessions; SQLite gets WAL mode and a busy timeout."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Union

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

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


def _is_sqlite_file(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def pool_options(url: Union[str, sa.engine.URL]) -> Dict[str, Any]:
    """Keep a SQLite file's connections open between sessions, as for any other database.

    SQLAlchemy 1.4 opens a new SQLite connection per session by default, and each
    new connection runs the pragmas above, on every turn of every conversation.
    """
    if not _is_sqlite_file(sa.engine.make_url(url)):
        return {}
    return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}


def create_engine(url: str) -> Engine:
    """Create an engine; for a SQLite file, also create its folder."""
    parsed = sa.engine.make_url(url)
    if _is_sqlite_file(parsed):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # pool_pre_ping: a pooled connection to a restarted PostgreSQL is replaced, not used and failed.
    engine = sa.create_engine(url, future=True, pool_pre_ping=True, **pool_options(parsed))
    configure_sqlite(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker:
    """One session per unit of work: `with factory() as session, session.begin(): ...`."""
    return sessionmaker(engine, class_=Session, future=True, expire_on_commit=False)
