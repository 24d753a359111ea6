"""The shared catalog snapshot: fresh enough, and never makes a person wait for a reload."""
import threading
import time

import sqlalchemy as sa

import bot.database
from bot.db import create_engine
from bot.models import Group


def _bereavement_names(database) -> set:
    return {group.name for group in database.catalog().for_concern("bereavement")}


def _rename_a_bereavement_group(database, new_name: str) -> None:
    with database.sessions() as session, session.begin():
        group = session.scalars(sa.select(Group).where(Group.name == sorted(_bereavement_names(database))[0])).one()
        group.name = new_name


def test_a_stale_catalog_is_served_at_once_and_reloaded_in_the_background(seeded_database, monkeypatch):
    before = _bereavement_names(seeded_database)
    _rename_a_bereavement_group(seeded_database, "Renamed Circle")
    monkeypatch.setattr(bot.database, "CATALOG_TTL_SECONDS", 0.0)
    loads = threading.Semaphore(0)
    real_load = seeded_database._load

    def slow_load():
        loads.acquire(timeout=5)  # the reload waits until the test lets it go on
        return real_load()

    monkeypatch.setattr(seeded_database, "_load", slow_load)
    assert _bereavement_names(seeded_database) == before  # the stale snapshot, without waiting
    loads.release()
    deadline = time.monotonic() + 10
    while "Renamed Circle" not in _bereavement_names(seeded_database) and time.monotonic() < deadline:
        loads.release()
        time.sleep(0.05)
    assert "Renamed Circle" in _bereavement_names(seeded_database)


def test_a_fresh_catalog_is_not_reloaded(seeded_database):
    before = _bereavement_names(seeded_database)
    _rename_a_bereavement_group(seeded_database, "Renamed Circle")
    assert _bereavement_names(seeded_database) == before


def test_a_sqlite_file_keeps_its_connection_between_sessions(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'pooled.db'}")
    connections = []
    sa.event.listen(engine, "connect", lambda dbapi_connection, record: connections.append(dbapi_connection))
    for _ in range(3):
        with engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    assert len(connections) == 1
