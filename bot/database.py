"""One place that opens the application database and caches the catalog view."""
from __future__ import annotations

import threading
import time
from functools import lru_cache
from typing import Optional

from bot.db import create_engine, session_factory
from bot.matching.catalog_view import CatalogView
from bot.schema import upgrade_database
from bot.settings import Settings

CATALOG_TTL_SECONDS = 60.0  # edits in the staff console show up within a minute


class Database:
    """The engine, a session factory and a short-lived catalog snapshot."""

    def __init__(self, url: str) -> None:
        upgrade_database(url)
        self.url = url
        self.engine = create_engine(url)
        self.sessions = session_factory(self.engine)
        self._catalog: Optional[CatalogView] = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def catalog(self) -> CatalogView:
        """The active catalog, reloaded when older than CATALOG_TTL_SECONDS."""
        with self._lock:
            if self._catalog is None or time.monotonic() - self._loaded_at > CATALOG_TTL_SECONDS:
                with self.sessions() as session:
                    self._catalog = CatalogView.load(session)
                self._loaded_at = time.monotonic()
            return self._catalog

    def forget_catalog(self) -> None:
        """Drop the snapshot so the next call reads the database."""
        with self._lock:
            self._catalog = None


@lru_cache(maxsize=None)
def open_database(url: str) -> Database:
    """The shared Database for `url` in this process."""
    return Database(url)


def configured_database() -> Database:
    """The Database named by INTAKE_DATABASE_URL (or the embedded default)."""
    return open_database(Settings.from_env().database_url)
