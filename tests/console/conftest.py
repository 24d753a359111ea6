"""Fixtures: one real console per test module, on a loopback port, over a real SQLite file."""
from __future__ import annotations

import pytest

from bot.database import Database
from tests.console.harness import RunningConsole, StaffClient, signed_in, start_console

ADMIN = "admin@example.org"
REVIEWER = "reviewer@example.org"


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> RunningConsole:
    """A console with one admin and one reviewer account."""
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('console') / 'intake.db'}")
    running = start_console(database)
    running.add_staff(ADMIN, "admin")
    running.add_staff(REVIEWER, "reviewer")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def admin(console) -> StaffClient:
    return signed_in(console, ADMIN)


@pytest.fixture(scope="module")
def reviewer(console) -> StaffClient:
    return signed_in(console, REVIEWER)
