"""Rasa's SQL tracker store, made safe for a shared SQLite file and loud when it fails.

Rasa wraps every tracker store in a FailSafeTrackerStore that hides failures:
a failed save keeps the turn in memory only, and a failed load starts a fresh,
empty conversation (an earlier crisis flag is gone). This store:
- prevents what it can: SQLite runs in WAL mode (readers never block the
  writer) with a busy timeout; pooled connections are checked before use, so
  a restarted PostgreSQL does not fail the next turn;
- refuses to write a conversation whose history it could not load over the
  stored one (that would mix a fresh conversation into it);
- makes every failure loud: logged at CRITICAL (the kind of error only, never
  the conversation or its sender), counted in `HEALTH` for the /health check,
  and recorded for the channel so the person is told (`bot.turn_status`);
- raises errors without SQLAlchemy's statement parameters (they hold the
  messages), because Rasa logs the text of whatever it catches.
It also completes `action_delete_data`: the events are deleted after the turn
that asked for it has been saved.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Optional, Set, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine

from bot import turn_status
from bot.db import configure_sqlite, pool_options
from bot.erasure import erase_tracker_events
from bot.health import Check, check_sql, in_thread

logger = logging.getLogger(__name__)

ERASE_ACTION = "action_delete_data"
# How long /health keeps failing after a lost load or save, so a monitor polling every minute sees it.
FAILURE_VISIBLE_SECONDS = 300


class TrackerStoreUnavailable(RuntimeError):
    """The tracker store could not load or save a conversation (the message says which, never what)."""


@dataclass
class StoreHealth:
    """Failed loads and saves of this process's tracker store, and its engine for live checks."""

    failed_loads: int = 0
    failed_saves: int = 0
    last_failure: Optional[float] = None  # time.monotonic()
    engine: Optional[Engine] = None

    def record(self, kind: str) -> None:
        if kind == "load":
            self.failed_loads += 1
        else:
            self.failed_saves += 1
        self.last_failure = time.monotonic()

    async def check(self) -> Check:
        """Failing while the database does not answer, and for a while after any lost load or save."""
        since = None if self.last_failure is None else round(time.monotonic() - self.last_failure)
        facts = {"failed_loads": self.failed_loads, "failed_saves": self.failed_saves,
                 "seconds_since_last_failure": since}
        if self.engine is None:
            return Check(False, "no SQL tracker store in this process", facts)
        probe = await in_thread(check_sql, self.engine)
        if not probe.ok:
            return Check(False, probe.detail, facts)
        if since is not None and since < FAILURE_VISIBLE_SECONDS:
            return Check(False, "a conversation could not be loaded or saved recently", facts)
        return Check(True, "", facts)


HEALTH = StoreHealth()


def erasure_requested(tracker: DialogueStateTracker) -> bool:
    """True when action_delete_data ran since the person's latest message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            return True
    return False


def _failed(kind: str) -> None:
    """Count a lost load or save and note it for the channel answering this turn."""
    HEALTH.record(kind)
    problems = turn_status.current()
    if problems is not None:
        if kind == "load":
            problems.history_unavailable = True
        else:
            problems.not_saved = True


class DurableSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with WAL for SQLite, checked connections and failures that cannot go unnoticed."""

    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None, **kwargs: Any) -> None:
        super().__init__(domain=domain, host=host, **kwargs)
        # Rebuild the engine: connections made while creating the tables predate the
        # SQLite pragmas, and Rasa's engine does not test pooled connections before use.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url), **pool_options(url))
        configure_sqlite(self.engine)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        with self.engine.connect():
            pass
        HEALTH.engine = self.engine
        # Conversations whose latest load failed: Rasa carries on with an empty tracker for them.
        self._unloaded: Set[Text] = set()

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        try:
            tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        except Exception as error:
            self._unloaded.add(sender_id)
            _failed("load")
            logger.critical(
                "TRACKER NOT LOADED: a conversation's history could not be read from the tracker store (%s). "
                "Rasa carries on with an empty conversation (its slots, crisis_flag among them, are missing "
                "for this turn); the turn will not be written over the stored conversation.",
                type(error).__name__,
            )
            raise TrackerStoreUnavailable(f"could not load a conversation ({type(error).__name__})") from None
        self._unloaded.discard(sender_id)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        turn_status.observe(tracker)  # every turn ends here, saved or not
        if tracker.sender_id in self._unloaded:
            _failed("save")
            logger.critical(
                "TRACKER NOT SAVED: this turn started without the conversation's history (the load failed), "
                "so it is NOT written over the stored conversation."
            )
            raise TrackerStoreUnavailable("refused to save a conversation whose history was not loaded")
        try:
            await super().save(tracker)
        except Exception as error:
            _failed("save")
            # The class name only: never the conversation or its sender.
            logger.critical(
                "TRACKER NOT SAVED: a conversation turn could not be written to the "
                "database (%s). This turn is NOT persisted.",
                type(error).__name__,
            )
            raise TrackerStoreUnavailable(f"could not save a conversation ({type(error).__name__})") from None
        if erasure_requested(tracker):
            # Only now: deleting earlier would let this save write the events back.
            try:
                erase_tracker_events(self.engine, tracker.sender_id)
            except Exception as error:
                _failed("save")
                logger.critical("ERASURE NOT DONE: a conversation's events could not be deleted (%s).",
                                type(error).__name__)
                raise TrackerStoreUnavailable(f"could not erase a conversation ({type(error).__name__})") from None
