"""Shared fixtures: a real SQLite database per test, seeded from the project's catalog."""
from __future__ import annotations

import pytest

from bot.catalog.seed import seed_if_empty
from bot.database import Database


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'intake.db'}"


@pytest.fixture
def database(database_url) -> Database:
    """An empty database at the current schema."""
    return Database(database_url)


@pytest.fixture
def seeded_database(database) -> Database:
    """A database holding the seed catalog."""
    seed_if_empty(database.sessions)
    return database
