"""The durable SQL tracker store on a real SQLite file."""
import logging
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import tracker_store
from bot.tracker_store import DurableSQLTrackerStore


@pytest.fixture
def store(tmp_path):
    return DurableSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 'rasa.db'}")


def conversation(sender, *events):
    tracker = DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    return tracker


def test_sqlite_runs_in_wal_mode(store):
    path = store.engine.url.database
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_turn_is_saved_and_read_back(store):
    await store.save(conversation("a", UserUttered("hello"), BotUttered("hi")))
    restored = await store.retrieve("a")
    assert [e.text for e in restored.events if isinstance(e, (UserUttered, BotUttered))] == ["hello", "hi"]


async def test_delete_data_erases_the_events_after_the_turn_is_saved(store):
    await store.save(conversation("keep", UserUttered("other person")))
    tracker = conversation("gone", UserUttered("my name is Sam"), BotUttered("hi Sam"))
    await store.save(tracker)
    tracker.update(UserUttered("delete my data"))
    tracker.update(ActionExecuted("action_delete_data"))
    await store.save(tracker)
    assert await store.retrieve("gone") is None
    assert await store.retrieve("keep") is not None


async def test_a_failed_save_is_loud_and_counted(store, monkeypatch, caplog):
    async def broken_save(self, tracker):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(SQLTrackerStore, "save", broken_save)
    before = tracker_store.save_failures
    with caplog.at_level(logging.CRITICAL, logger="bot.tracker_store"), pytest.raises(sqlite3.OperationalError):
        await store.save(conversation("x", UserUttered("my secret")))
    assert tracker_store.save_failures == before + 1
    assert "TRACKER NOT SAVED" in caplog.text
    assert "my secret" not in caplog.text and "'x'" not in caplog.text
