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
        self._refreshing = False

    def catalog(self) -> CatalogView:
        """The active catalog; a stale one is served while a background thread reloads it.

        A large catalog takes seconds to load, so only the very first request waits.
        """
        with self._lock:
            if self._catalog is None:
                self._catalog, self._loaded_at = self._load(), time.monotonic()
            elif time.monotonic() - self._loaded_at > CATALOG_TTL_SECONDS and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh, name="catalog-refresh", daemon=True).start()
            return self._catalog

    def _load(self) -> CatalogView:
        with self.sessions() as session:
            return CatalogView.load(session)

    def _refresh(self) -> None:
        try:
            fresh = self._load()
            with self._lock:
                self._catalog, self._loaded_at = fresh, time.monotonic()
        finally:
            with self._lock:
                self._refreshing = False

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
