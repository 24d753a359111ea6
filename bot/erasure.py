"""Erases what the service holds about one conversation."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.models import IntakeRecord

# Rasa's SQL tracker store keeps every event of every conversation in this table.
RASA_EVENTS = sa.table("events", sa.column("sender_id"))


@dataclass(frozen=True)
class Erased:
    events: int
    intake_records: int


def erase_tracker_events(engine: Engine, sender_id: str) -> int:
    """Delete the conversation's events from Rasa's tracker store table."""
    with engine.begin() as connection:
        if not sa.inspect(connection).has_table("events"):
            return 0
        return connection.execute(sa.delete(RASA_EVENTS).where(RASA_EVENTS.c.sender_id == sender_id)).rowcount


def erase_intake_records(engine: Engine, sender_id: str) -> int:
    """Delete the intake records made from the conversation."""
    with engine.begin() as connection:
        return connection.execute(sa.delete(IntakeRecord).where(IntakeRecord.sender_id == sender_id)).rowcount


def erase_sender(engine: Engine, sender_id: str) -> Erased:
    """Delete both the transcript and the intake records of one sender."""
    return Erased(erase_tracker_events(engine, sender_id), erase_intake_records(engine, sender_id))
