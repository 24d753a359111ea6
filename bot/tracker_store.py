"""Rasa's SQL tracker store, made safe for a shared SQLite file.

Rasa wraps every tracker store in a FailSafeTrackerStore that, when a save
fails, quietly keeps the turn in memory: the person gets a reply and the turn
never reaches the database. Two defences:
- prevention: SQLite runs in WAL mode (readers never block the writer) with a
  busy timeout (writers queue instead of failing with "database is locked");
- loudness: a save that still fails is logged at CRITICAL and recorded in
  `save_failures`, which the health check reports.
It also completes `action_delete_data`: the events are deleted after the turn
that asked for it has been saved.
"""
from __future__ import annotations

import logging
from typing import Any, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db import configure_sqlite
from bot.erasure import erase_tracker_events

logger = logging.getLogger(__name__)

save_failures = 0

ERASE_ACTION = "action_delete_data"


def erasure_requested(tracker: DialogueStateTracker) -> bool:
    """True when action_delete_data ran since the person's latest message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            return True
    return False


class DurableSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with WAL for SQLite and failures that cannot go unnoticed."""

    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None, **kwargs: Any) -> None:
        super().__init__(domain=domain, host=host, **kwargs)
        configure_sqlite(self.engine)
        # Connections opened while creating the tables predate the pragmas;
        # reconnect once so WAL (which is persistent) is on from the start.
        self.engine.dispose()
        with self.engine.connect():
            pass

    async def save(self, tracker: DialogueStateTracker) -> None:
        global save_failures
        try:
            await super().save(tracker)
        except Exception as error:
            save_failures += 1
            # The class name only: never the conversation or its sender.
            logger.critical(
                "TRACKER NOT SAVED: a conversation turn could not be written to the "
                "database (%s). This turn is NOT persisted.",
                type(error).__name__,
            )
            raise
        if erasure_requested(tracker):
            # Only now: deleting earlier would let this save write the events back.
            erase_tracker_events(self.engine, tracker.sender_id)
