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
    before = tracker_store.HEALTH.failed_saves
    with caplog.at_level(logging.CRITICAL, logger="bot.tracker_store"), pytest.raises(tracker_store.TrackerStoreUnavailable):
        await store.save(conversation("x", UserUttered("my secret")))
    assert tracker_store.HEALTH.failed_saves == before + 1
    assert "TRACKER NOT SAVED" in caplog.text
    assert "my secret" not in caplog.text and "'x'" not in caplog.text


async def test_a_failed_load_is_loud_and_the_fresh_conversation_is_not_written_over_the_stored_one(store, caplog):
    await store.save(conversation("p", UserUttered("I want to kill myself"), BotUttered("crisis reply")))
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE events RENAME TO events_away")  # the tracker store is gone
    before = (tracker_store.HEALTH.failed_loads, tracker_store.HEALTH.failed_saves)
    with caplog.at_level(logging.CRITICAL, logger="bot.tracker_store"):
        with pytest.raises(tracker_store.TrackerStoreUnavailable):
            await store.retrieve("p")
        with store.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE events_away RENAME TO events")  # back again
        with pytest.raises(tracker_store.TrackerStoreUnavailable):
            await store.save(conversation("p", UserUttered("hello"), BotUttered("welcome")))  # Rasa's fresh tracker
    assert (tracker_store.HEALTH.failed_loads, tracker_store.HEALTH.failed_saves) == (before[0] + 1, before[1] + 1)
    assert "TRACKER NOT LOADED" in caplog.text and "TRACKER NOT SAVED" in caplog.text
    assert "kill" not in caplog.text and "'p'" not in caplog.text
    restored = await store.retrieve("p")
    assert [e.text for e in restored.events if isinstance(e, UserUttered)] == ["I want to kill myself"]
    await store.save(conversation("p", UserUttered("I want to kill myself"), BotUttered("crisis reply"),
                                  UserUttered("thank you")))
    restored = await store.retrieve("p")
    assert [e.text for e in restored.events if isinstance(e, UserUttered)] == ["I want to kill myself", "thank you"]


async def test_health_fails_while_the_database_is_away_and_for_a_while_after_a_lost_turn(store, tmp_path):
    tracker_store.HEALTH.last_failure = None
    assert (await tracker_store.HEALTH.check()).ok
    tracker_store.HEALTH.record("save")
    check = await tracker_store.HEALTH.check()
    assert (check.ok, check.detail) == (False, "a conversation could not be loaded or saved recently")
    tracker_store.HEALTH.last_failure -= tracker_store.FAILURE_VISIBLE_SECONDS
    assert (await tracker_store.HEALTH.check()).ok
    unreachable = DurableSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 'gone.db'}")
    (tmp_path / "gone.db").unlink()
    (tmp_path / "gone.db").mkdir()  # the path is now a folder: SQLite cannot open it
    unreachable.engine.dispose()
    check = await tracker_store.HEALTH.check()
    assert not check.ok and "OperationalError" in check.detail
