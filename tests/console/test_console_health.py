"""GET /health answers from a real database query, without signing in."""
from __future__ import annotations

from bot.database import Database
from tests.console.harness import start_console


def test_health_is_ok_when_the_database_answers(console):
    response = console.browser().get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_health_names_the_database_when_it_fails(tmp_path):
    path = tmp_path / "intake.db"
    running = start_console(Database(f"sqlite:///{path}"))
    try:
        path.unlink()  # SQLite opens an empty file in its place: the tables are gone
        response = running.browser().get("/health")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "failing": "database"}
    finally:
        running.stop()
