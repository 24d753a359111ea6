"""Transcripts read from Rasa's SQL tracker store (`events`), one short query each.

The reading of that table is shared with the live hand-off (bot/live_handoff.py).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Row

# Rasa owns this table; the console only ever reads it.
EVENTS = sa.table(
    "events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"), sa.column("timestamp"),
    sa.column("intent_name"), sa.column("data"),
)
TURN_EVENTS = ("user", "bot")
# The metadata of a bot event that a staff member sent during a live hand-off.
STAFF_METADATA = {"sent_by": "staff"}


@dataclass(frozen=True)
class Button:
    """A button the assistant offered: what it said and the message it sends."""

    title: str
    payload: str


@dataclass(frozen=True)
class Turn:
    """One message in a conversation: who said it, when, and what."""

    speaker: str  # "user", "bot" or "staff" (a staff member's reply during a live hand-off)
    at: dt.datetime  # UTC
    text: str
    intent: Optional[str] = None  # what the assistant understood (user turns)
    buttons: Tuple[Button, ...] = ()  # offered with a bot turn
    pressed: Optional[str] = None  # the title of the button a user turn came from


def has_events_table(engine: Engine) -> bool:
    """False until Rasa has stored its first conversation."""
    return sa.inspect(engine).has_table("events")


def event_rows(engine: Engine, query: sa.sql.Select) -> List[Row]:
    """The rows of one query, over a connection (and transaction) closed at once: Rasa writes to this table."""
    with engine.connect() as connection:
        return list(connection.execute(query))


def turn_events_of(sender_id: str) -> sa.sql.ColumnElement:
    """The condition that picks one conversation's user and bot events."""
    return sa.and_(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name.in_(TURN_EVENTS))


def event_data(raw: Optional[str]) -> Dict[str, Any]:
    """An event's `data` column as a dict ({} when it is not JSON for one)."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def speaker_of(type_name: str, data: Dict[str, Any]) -> str:
    """Who said a user or bot event: "user", "bot", or "staff" for what staff sent in a live hand-off."""
    if type_name == "user":
        return "user"
    return "staff" if (data.get("metadata") or {}).get("sent_by") == STAFF_METADATA["sent_by"] else "bot"


def read_turns(engine: Engine, sender_id: str) -> List[Turn]:
    """The user and bot turns of one conversation, oldest first ([] when Rasa has stored nothing)."""
    if not has_events_table(engine):
        return []
    query = (
        sa.select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.intent_name, EVENTS.c.data)
        .where(turn_events_of(sender_id)).order_by(EVENTS.c.id)
    )
    return turns_from_events(event_rows(engine, query))


def _buttons(data: dict) -> Tuple[Button, ...]:
    offered = (data.get("data") or {}).get("buttons") or []
    return tuple(
        Button(str(item.get("title", "")), str(item.get("payload", "")))
        for item in offered if isinstance(item, dict)
    )


def turns_from_events(rows: Sequence[Tuple[str, float, Optional[str], Optional[str]]]) -> List[Turn]:
    """Turns from (type_name, timestamp, intent_name, data) rows; a payload typed by a button names it."""
    turns: List[Turn] = []
    offered: Tuple[Button, ...] = ()
    for type_name, timestamp, intent_name, raw in rows:
        data = event_data(raw)
        at = dt.datetime.fromtimestamp(float(timestamp or 0), dt.timezone.utc).replace(tzinfo=None)
        text = str(data.get("text") or "")
        if type_name == "bot":
            offered = _buttons(data)
            turns.append(Turn(speaker_of(type_name, data), at, text, buttons=offered))
            continue
        pressed = next((button.title for button in offered if text.startswith("/") and button.payload == text), None)
        turns.append(Turn("user", at, text, intent=intent_name, pressed=pressed))
        offered = ()
    return turns


def redact_turns(turns: Sequence[Turn], redact: Callable[[str], str]) -> List[Turn]:
    """The turns with personal data in texts, button titles and payloads replaced by placeholders."""
    return [
        replace(
            turn,
            text=redact(turn.text),
            pressed=redact(turn.pressed) if turn.pressed else None,
            buttons=tuple(Button(redact(b.title), redact(b.payload)) for b in turn.buttons),
        )
        for turn in turns
    ]
