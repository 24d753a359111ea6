"""Erases what the service holds about one conversation."""
from __future__ import annotations

from dataclasses import dataclass

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.models import IntakeRecord

# Rasa's SQL tracker store keeps every event of every conversation in this table.
RASA_EVENTS = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))


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


def purge_older_than(engine: Engine, days: int, now: dt.datetime) -> Erased:
    """Retention: erase conversations whose last message is older than `days`, and older intake records."""
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    cutoff = now - dt.timedelta(days=days)
    events = 0
    with engine.begin() as connection:
        if sa.inspect(connection).has_table("events"):
            last_seen = sa.func.max(RASA_EVENTS.c.timestamp)
            stale = sa.select(RASA_EVENTS.c.sender_id).group_by(RASA_EVENTS.c.sender_id).having(last_seen < cutoff.timestamp())
            events = connection.execute(sa.delete(RASA_EVENTS).where(RASA_EVENTS.c.sender_id.in_(stale))).rowcount
        naive_cutoff = cutoff.astimezone(dt.timezone.utc).replace(tzinfo=None)
        records = connection.execute(sa.delete(IntakeRecord).where(IntakeRecord.created_at < naive_cutoff)).rowcount
    return Erased(events, records)
